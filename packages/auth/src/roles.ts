// Who may be calling. The role names are DESIGN §6's, plus `counter_staff` (the issue's counter clerks who take
// cash for charges: they need a role of their own so that taking cash does not also grant running campaigns).
// The Principal is a superset of apps/api's: the same two fields, and optional facts about the session.

export const roles = [
  "resident",
  "proxy",
  "merchant_owner",
  "merchant_staff",
  "terminal",
  "counter_staff",
  "admin_operator",
  "admin_approver",
  "admin_auditor",
  "service",
] as const;
export type Role = (typeof roles)[number];

/** Roles whose holders act for the city (or the system) as a whole, not for one resident, shop or terminal. */
export const unrestrictedRoles: readonly Role[] = ["counter_staff", "admin_operator", "admin_approver", "admin_auditor", "service"];

/**
 * Roles an administrator grants to a user account. The others follow from relations and are derived at each token
 * issue: `resident` (the user has a resident record), `merchant_owner`/`merchant_staff` (shop staff rows),
 * `proxy` (a live proxy grant); `terminal` and `service` are not user accounts at all.
 */
export const grantableRoles: readonly Role[] = ["counter_staff", "admin_operator", "admin_approver", "admin_auditor"];

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (roles as readonly string[]).includes(value);
}

/** The distinct known roles of a list, in the canonical order of `roles`; null when any entry is unknown. */
export function parseRoles(values: readonly unknown[]): Role[] | null {
  if (!values.every(isRole)) return null;
  return roles.filter((r) => values.includes(r));
}

export interface Principal {
  /** Stable id of the caller: a user id, a device id, or "service". */
  subject: string;
  roles: readonly Role[];
  /** How the caller proved who it is. */
  via?: "access_token" | "device_signature" | "service_token";
  /** The refresh-token family of the login session (access tokens only), so a logout can name it. */
  sessionId?: string;
  /** The access token's id (jti), for audit and revocation lists. */
  tokenId?: string;
  /**
   * The resident record of this user when the access token was issued (its `rid` claim). A user's link to their
   * resident never changes once made, so a signed token may carry it; absent means not known when the token was
   * issued (the caller looks it up).
   */
  residentId?: string;
}

export const servicePrincipal: Principal = Object.freeze({ subject: "service", roles: Object.freeze(["service"] as Role[]), via: "service_token" as const });
