// Every route of the API, in one list. Add a capability's routes here; the registry refuses a route without a
// role declaration, and the OpenAPI document, the docs page and the route × role tests all read this list.
import { ledgerRoutes } from "./ledger";
import { metaRoutes } from "./meta";
import type { Route } from "./registry";

export const routes: readonly Route[] = [...metaRoutes, ...ledgerRoutes];

export { defineRoute, isAllowed, type Route, type RouteRoles, type Reply, type HandlerInput, type Registry } from "./registry";
