// Every route of the API, in one list. Add a capability's routes here; the registry refuses a route without a
// role declaration, and the OpenAPI document, the docs page and the route × role tests all read this list.
import { identityRoutes } from "./identity";
import { ledgerRoutes } from "./ledger";
import { metaRoutes } from "./meta";
import { counterRoutes } from "./counter";
import { merchantRoutes } from "./merchant";
import { paymentRoutes } from "./payments";
import { walletRoutes } from "./wallet";
import { busRoutes } from "./bus";
import { adminCityRoutes } from "./admin-city";
import { campaignRuleRoutes } from "./campaign-rules";
import { adminReportRoutes } from "./admin-reports";
import type { Route } from "./registry";

export const routes: readonly Route[] = [...metaRoutes, ...ledgerRoutes, ...identityRoutes, ...walletRoutes, ...paymentRoutes, ...merchantRoutes, ...counterRoutes, ...busRoutes, ...adminCityRoutes, ...campaignRuleRoutes, ...adminReportRoutes];

export {
  defineRoute,
  isAllowed,
  type Access,
  type Route,
  type RouteOwnership,
  type RouteRoles,
  type TargetSource,
  type Reply,
  type HandlerInput,
  type Registry,
} from "./registry";
