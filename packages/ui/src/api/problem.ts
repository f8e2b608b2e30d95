// API failures as values (STYLE: expected failures are values): every call resolves to ok data or an ApiProblem
// read from the RFC 9457 body. Failures that never reached the API get codes of their own (network_error, ...).

export interface ApiProblem {
  /** The HTTP status, or 0 when no response arrived. */
  status: number;
  /** The stable code: the API's (DESIGN §6), or network_error / aborted / invalid_response from the client. */
  code: string;
  title: string;
  detail: string;
  requestId: string | null;
  /** The whole problem body, for the extra fields some codes carry. */
  body: Readonly<Record<string, unknown>>;
}

export type ApiResult<T> = { ok: true; status: number; data: T; headers: Headers } | { ok: false; problem: ApiProblem };

/** For callers that prefer to throw: `unwrap(result)`. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(readonly problem: ApiProblem) {
    super(`${problem.code}: ${problem.detail || problem.title}`);
  }
}

export function unwrap<T>(result: ApiResult<T>): T {
  if (!result.ok) throw new ApiError(result.problem);
  return result.data;
}

export function clientProblem(code: "network_error" | "aborted" | "invalid_response", detail: string, status = 0): ApiProblem {
  return { status, code, title: code, detail, requestId: null, body: {} };
}

/** A code for an error response that is not problem+json (a proxy's 502 page, say). */
function codeForStatus(status: number): string {
  if (status === 401) return "unauthorized";
  if (status === 403) return "forbidden";
  if (status === 404) return "not_found";
  if (status === 429) return "rate_limited";
  if (status === 502 || status === 503 || status === 504) return "busy";
  if (status >= 500) return "internal_error";
  return "invalid_response";
}

const text = (value: unknown): string | null => (typeof value === "string" ? value : null);

/** Reads an error response's parsed body (or null when it was not JSON) into an ApiProblem. */
export function problemFrom(status: number, body: unknown, headers: Headers): ApiProblem {
  const record = typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const code = text(record.code) ?? codeForStatus(status);
  return {
    status,
    code,
    title: text(record.title) ?? code,
    detail: text(record.detail) ?? "",
    requestId: text(record.request_id) ?? headers.get("x-request-id"),
    body: record,
  };
}
