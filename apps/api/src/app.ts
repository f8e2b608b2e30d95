// The Hono app. It does not know where it runs: the Node and Workers entries build its dependencies (the ledger
// on PGlite, postgres.js or Hyperdrive; how callers authenticate) and hand them in.
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { QueueFullError } from "@tsubaki/ledger";
import { serviceTokenAuthenticator, type Authenticate } from "./auth/principal";
import type { Config } from "./env";
import { ProblemError, problemResponse } from "./http/problem";
import { createLogger, describeError, type Logger } from "./log";
import { requestId } from "./middleware/request-id";
import { routes as allRoutes } from "./routes";
import { mountRoutes, type Registry, type Route } from "./routes/registry";
import type { LedgerService } from "./services/ledger";

/** What the app needs from configuration. */
export type AppConfig = Pick<Config, "bodyLimitBytes" | "serviceToken" | "logLevel">;

/** What routes see as `deps`. */
export interface AppDeps {
  ledger: LedgerService;
  config: AppConfig;
  logger: Logger;
  /** A cheap database round trip for /health; defaults to reading one account. */
  checkDatabase?: () => Promise<void>;
}

export interface CreateAppOptions extends Omit<AppDeps, "logger"> {
  logger?: Logger;
  /**
   * Who is calling. Default: the service token from config (role `service`). The identity work plugs JWTs in
   * here, e.g. anyOf(jwtAuthenticator(keys), serviceTokenAuthenticator(token)); routes stay as they are.
   */
  authenticate?: Authenticate;
  /** Routes to mount; default every route of the API. */
  routes?: readonly Route[];
}

export type AppEnv = { Variables: { requestId: string } };

export interface TsubakiApp extends Hono<AppEnv> {
  registry: Registry;
}

export function createApp(options: CreateAppOptions): TsubakiApp {
  const logger = options.logger ?? createLogger(options.config.logLevel);
  const deps: AppDeps = {
    ledger: options.ledger,
    config: options.config,
    logger,
    ...(options.checkDatabase ? { checkDatabase: options.checkDatabase } : {}),
  };
  const authenticate = options.authenticate ?? serviceTokenAuthenticator(options.config.serviceToken);
  const app = new Hono<AppEnv>();

  app.use("*", requestId(logger));
  app.use(
    "*",
    bodyLimit({
      maxSize: options.config.bodyLimitBytes,
      onError: () => {
        throw new ProblemError("body_too_large", `the body may be at most ${options.config.bodyLimitBytes} bytes`);
      },
    }),
  );

  const registry = mountRoutes(app, options.routes ?? allRoutes, deps, authenticate);

  app.notFound((c) => problemResponse("not_found", `no endpoint ${c.req.method} ${c.req.path}`, c.get("requestId")));

  // The single error handler: problems become problem+json; anything else is a 500 that says only the request
  // id. The log gets the error (never the request's headers, so no Authorization or token).
  app.onError((error, c) => {
    const id = c.get("requestId") ?? crypto.randomUUID();
    if (error instanceof ProblemError) return problemResponse(error.code, error.detail, id, error.headers);
    if (error instanceof QueueFullError) return problemResponse("busy", "too many writes are waiting; retry in a moment", id, { "Retry-After": "1" });
    if (error instanceof HTTPException && error.status === 413) return problemResponse("body_too_large", "the body is too large", id);
    logger.error("internal error", {
      request_id: id,
      method: c.req.method,
      path: c.req.path,
      error: describeError(error),
      stack: error instanceof Error ? (error.stack ?? null) : null,
    });
    return problemResponse("internal_error", `an internal error occurred; quote request id ${id} to the operator`, id);
  });

  return Object.assign(app, { registry });
}
