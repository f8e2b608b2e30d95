// Public surface of the API package for the entries, the tests and the other capabilities.
export { createApp, type AppDeps, type AppConfig, type CreateAppOptions, type TsubakiApp } from "./app";
export { loadConfig, ConfigError, type Config } from "./env";
export { createLogger, type Logger } from "./log";
export {
  roles,
  anyOf,
  bearerToken,
  constantTimeEqual,
  generateServiceToken,
  serviceTokenAuthenticator,
  servicePrincipal,
  type Authenticate,
  type Principal,
  type Role,
} from "./auth/principal";
export { ProblemError, problemStatus, problemTitles, type ProblemCode } from "./http/problem";
export { routes } from "./routes";
export { defineRoute, isAllowed, mountRoutes, type Route, type RouteRoles, type Reply, type HandlerInput, type Registry } from "./routes/registry";
export { openApiDocument } from "./routes/openapi";
export { createLedgerService, expirySweepSizeMax, type LedgerService } from "./services/ledger";
