// The Hono app. It does not know where it runs: the Node and Workers entries build its dependencies (the ledger
// on PGlite, postgres.js or Hyperdrive; the identity store and its keys; how to read the client's address) and
// hand them in.
import { Hono, type Context, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { QueueFullError } from "@tsubaki/ledger";
import type { IdentityStore } from "@tsubaki/db";
import { deviceAuthenticator } from "./auth/device";
import { jwtAuthenticator, VerifiedTokenCache } from "./auth/jwt";
import { anyOf, serviceTokenAuthenticator, type Authenticate } from "./auth/principal";
import type { AuthService } from "./auth/service";
import type { Config } from "./env";
import { ProblemError, problemResponse } from "./http/problem";
import { createLogger, describeError, type Logger } from "./log";
import { requestId } from "./middleware/request-id";
import { routes as allRoutes } from "./routes";
import { mountRoutes, type Registry, type Route } from "./routes/registry";
import type { LedgerService } from "./services/ledger";
import type { PaymentsService } from "./services/payments";
import { BatchQueueFullError } from "./services/payments-batch";
import type { BusService } from "./services/bus";
import type { CityService } from "./services/city";

/** What the app needs from configuration. */
export type AppConfig = Pick<Config, "bodyLimitBytes" | "serviceToken" | "logLevel" | "jwtIssuer" | "jwtAudience" | "accessTokenTtlSeconds">;

/** What routes see as `deps`. */
export interface AppDeps {
  ledger: LedgerService;
  config: AppConfig;
  logger: Logger;
  /** People, organisations, sessions, terminals, the audit log (@tsubaki/db createIdentityStore). */
  identity: IdentityStore;
  /** Signing keys, token settings, the pairing guessing limit (auth/service.ts createIdentity). */
  auth: AuthService;
  /** Payments: wallets, shop QRs, payments, refunds, P2P, live shop events (services/payments.ts). */
  payments?: PaymentsService;
  /** Community bus: allowances, terminal config, tap sync (services/bus.ts). */
  bus?: BusService;
  /** City console: campaigns, bulk grants, approvals, expiry sweep, burn-down (services/city.ts). */
  city?: CityService;
  /** A cheap database round trip for /health; defaults to reading one account. */
  checkDatabase?: () => Promise<void>;
}

export interface CreateAppOptions extends Omit<AppDeps, "logger"> {
  logger?: Logger;
  /**
   * Who is calling. Default: an access token (JWT), else a fare terminal's signature (only when X-Tsubaki-Device
   * is sent), else the service token from config (role `service`). Routes stay as they are whatever is used.
   */
  authenticate?: Authenticate;
  /**
   * Access tokens already verified, for the default authenticator; default one per app. An entry that builds an
   * app per request (Workers) passes one that outlives it, like its KeyCache.
   */
  verifiedTokens?: VerifiedTokenCache;
  /** The client's address, for guessing limits (Node: the socket or a trusted proxy header; Workers: CF-Connecting-IP). */
  clientAddress?: (c: Context) => string | null;
  /** Routes to mount; default every route of the API. */
  routes?: readonly Route[];
}

export type AppEnv = { Variables: { requestId: string; clientAddress: string | null } };

export interface TsubakiApp extends Hono<AppEnv> {
  registry: Registry;
}

/**
 * Hono's bodyLimit, with its answer for a declared Content-Length given without touching the body: hono's reads
 * `request.body` first, which on Node makes the adapter build a whole fetch Request and a web stream over the
 * socket for every request (a large share of a small request's CPU). A body of declared length cannot be longer
 * than declared (the HTTP parser frames it), so the header alone decides, exactly as hono decides; requests
 * without a body (GET, HEAD) pass; a chunked body is measured by hono's as before.
 */
function bodyLimitOf(maxSize: number): MiddlewareHandler<AppEnv> {
  const onError = (): never => {
    throw new ProblemError("body_too_large", `the body may be at most ${maxSize} bytes`);
  };
  const streamed = bodyLimit({ maxSize, onError });
  return (c, next) => {
    const method = c.req.method;
    if (method === "GET" || method === "HEAD") return next();
    const headers = c.req.raw.headers;
    const length = headers.get("content-length");
    if (length !== null && !headers.has("transfer-encoding")) return parseInt(length || "0", 10) > maxSize ? onError() : next();
    return streamed(c, next);
  };
}

export function createApp(options: CreateAppOptions): TsubakiApp {
  const logger = options.logger ?? createLogger(options.config.logLevel);
  const deps: AppDeps = {
    ledger: options.ledger,
    config: options.config,
    logger,
    identity: options.identity,
    auth: options.auth,
    ...(options.checkDatabase ? { checkDatabase: options.checkDatabase } : {}),
    ...(options.payments ? { payments: options.payments } : {}),
    ...(options.bus ? { bus: options.bus } : {}),
    ...(options.city ? { city: options.city } : {}),
  };
  const authenticate =
    options.authenticate ??
    anyOf(
      jwtAuthenticator(options.auth.keys, { issuer: options.auth.issuer, audience: options.auth.audience }, options.auth.now, options.verifiedTokens ?? new VerifiedTokenCache()),
      deviceAuthenticator(options.identity),
      serviceTokenAuthenticator(options.config.serviceToken),
    );
  const clientAddress = options.clientAddress ?? (() => null);
  const app = new Hono<AppEnv>();

  app.use("*", requestId(logger));
  app.use("*", async (c, next) => {
    c.set("clientAddress", clientAddress(c));
    await next();
  });
  app.use("*", bodyLimitOf(options.config.bodyLimitBytes));

  const registry = mountRoutes(app, options.routes ?? allRoutes, deps, authenticate);

  app.notFound((c) => problemResponse("not_found", `no endpoint ${c.req.method} ${c.req.path}`, c.get("requestId")));

  // The single error handler: problems become problem+json; anything else is a 500 that says only the request
  // id. The log gets the error (never the request's headers, so no Authorization or token).
  app.onError((error, c) => {
    const id = c.get("requestId") ?? crypto.randomUUID();
    if (error instanceof ProblemError) return problemResponse(error.code, error.detail, id, error.headers, error.extensions);
    if (error instanceof QueueFullError || error instanceof BatchQueueFullError) return problemResponse("busy", "too many writes are waiting; retry in a moment", id, { "Retry-After": "1" });
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
