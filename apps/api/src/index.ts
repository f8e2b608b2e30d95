// Public surface of the API package for the entries, the tests and the other capabilities.
export { createApp, type AppDeps, type AppConfig, type CreateAppOptions, type TsubakiApp } from "./app";
export { createIdentity, createAuthService, type AuthService, type IdentityDeps, type TokenResponse } from "./auth/service";
export { KeyCache, keyProvider, type KeyProvider } from "./auth/keys";
export { jwtAuthenticator } from "./auth/jwt";
export { deviceAuthenticator } from "./auth/device";
export { identityProblem, orProblem } from "./auth/problems";
export { actorOf } from "./auth/actor";
export { seedDemoTown, formatDemoTown, demoPassword, type DemoTown, type DemoLogin, type SeedStep, type SeedDeps } from "./seed";
export { ensureAccounts, cityAccounts, residentAccounts, shopAccounts, counterAccounts, type AccountSpec } from "./services/accounts";
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
  isAuthFailure,
  type Authenticate,
  type AuthFailure,
  type AuthOutcome,
  type Principal,
  type Role,
} from "./auth/principal";
export { ProblemError, problemStatus, problemTitles, type ProblemCode } from "./http/problem";
export { routes } from "./routes";
export {
  defineRoute,
  isAllowed,
  mountRoutes,
  rolesSubjectTo,
  type Access,
  type Route,
  type RouteOwnership,
  type RouteRoles,
  type TargetSource,
  type Reply,
  type HandlerInput,
  type Registry,
} from "./routes/registry";
export { openApiDocument } from "./routes/openapi";
export { createLedgerService, expirySweepSizeMax, type LedgerService } from "./services/ledger";
