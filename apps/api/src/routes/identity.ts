// Every route of identity and access, for routes/index.ts's one list.
import { adminAuditRoutes } from "./admin-audit";
import { adminDeviceRoutes } from "./admin-devices";
import { adminResidentRoutes } from "./admin-residents";
import { adminShopRoutes } from "./admin-shops";
import { adminUserRoutes } from "./admin-users";
import { authRoutes } from "./auth";
import { deviceRoutes } from "./devices";
import { meRoutes } from "./me";
import { proxyRoutes } from "./proxies";
import type { Route } from "./registry";
import { shopRoutes } from "./shops";

export const identityRoutes: readonly Route[] = [
  ...authRoutes,
  ...meRoutes,
  ...proxyRoutes,
  ...shopRoutes,
  ...deviceRoutes,
  ...adminUserRoutes,
  ...adminResidentRoutes,
  ...adminShopRoutes,
  ...adminDeviceRoutes,
  ...adminAuditRoutes,
];
