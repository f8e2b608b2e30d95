// Every request gets an id: the caller's X-Request-Id when it is sane, otherwise a fresh one. It is echoed on
// the response, written in every problem body and in the access log, so one id follows a request everywhere.
import type { MiddlewareHandler } from "hono";
import type { Logger } from "../log";

/** Caller-supplied ids longer than this, or with other characters, are replaced (they end up in logs). */
export const requestIdLengthMax = 128;
const requestIdPattern = /^[A-Za-z0-9._:\-]+$/;

export function acceptRequestId(value: string | null): string | null {
  return value !== null && value.length > 0 && value.length <= requestIdLengthMax && requestIdPattern.test(value) ? value : null;
}

export function requestId(logger: Logger): MiddlewareHandler<{ Variables: { requestId: string } }> {
  return async (c, next) => {
    const id = acceptRequestId(c.req.header("x-request-id") ?? null) ?? crypto.randomUUID();
    c.set("requestId", id);
    const started = Date.now();
    await next();
    c.res.headers.set("X-Request-Id", id);
    // Path only: query strings are the caller's and are not needed to follow a request.
    logger.info("request", { request_id: id, method: c.req.method, path: c.req.path, status: c.res.status, duration_ms: Date.now() - started });
  };
}
