// Authorization in one place. A route declares the roles that may call it and, for roles that act for one
// resident, shop or terminal, an ownership rule tying the caller to the thing in the path. The API loads the few
// facts a rule needs from the identity store on every request (nothing that can change is cached, so a revoked
// proxy or a removed staff member is refused at once; only a user's own resident id, which never changes, is
// remembered) and asks decideAccess. Default deny: no rule, no matching fact → forbidden.
import type { ProxyGrant } from "./proxy";
import { unrestrictedRoles, type Principal, type Role } from "./roles";

export type Ownership =
  /** The role alone decides. */
  | { kind: "none" }
  /** The target is the caller's own user id (GET /v1/me, change my password). */
  | { kind: "self" }
  /** The target resident is the caller's own, or the caller holds an active proxy grant allowing `proxy`. */
  | { kind: "resident"; proxy: "none" | "view" | "pay" }
  /** The caller is the target shop's owner, or (staff: "any") one of its staff. */
  | { kind: "shop"; staff: "owner" | "any" }
  /** The target is the calling terminal itself. */
  | { kind: "device" };

export interface AccessRule {
  roles: "public" | readonly Role[];
  /** Absent: { kind: "none" }. Ignored for callers holding an unrestricted role the route allows. */
  ownership?: Ownership;
}

export interface OwnershipFacts {
  /** The resident record of the calling user, if any. */
  callerResidentId?: string | null;
  /** The calling user's proxy grant from the target resident (revoked grants count as none). */
  proxyGrant?: ProxyGrant | null;
  /** The calling user's place at the target shop. */
  shopRole?: "owner" | "staff" | null;
}

export type ActingAs = "public" | "unrestricted" | "self" | "proxy" | "shop_owner" | "shop_staff" | "device";

export type AccessDecision = { ok: true; actingAs: ActingAs } | { ok: false; code: "unauthorized" | "forbidden"; detail: string };

function forbidden(detail: string): AccessDecision {
  return { ok: false, code: "forbidden", detail };
}

/**
 * Order: public → authenticated → role allowed → unrestricted role → ownership rule. `target` is the id from the
 * path (user, resident, shop or device id) that the rule is about.
 */
export function decideAccess(rule: AccessRule, principal: Principal | null, target: string | null, facts: OwnershipFacts = {}): AccessDecision {
  if (rule.roles === "public") return { ok: true, actingAs: "public" };
  if (principal === null) return { ok: false, code: "unauthorized", detail: "authentication is required" };
  const allowedRoles = rule.roles;
  const held = principal.roles.filter((r) => allowedRoles.includes(r));
  if (held.length === 0) return forbidden(`this endpoint needs one of the roles: ${allowedRoles.join(", ")}`);
  const ownership = rule.ownership ?? { kind: "none" };
  if (ownership.kind === "none" || held.some((r) => unrestrictedRoles.includes(r))) return { ok: true, actingAs: "unrestricted" };
  if (target === null) return forbidden("the request names no target");
  switch (ownership.kind) {
    case "self":
      return target === principal.subject ? { ok: true, actingAs: "self" } : forbidden("only for your own account");
    case "resident": {
      if (held.includes("resident") && facts.callerResidentId === target) return { ok: true, actingAs: "self" };
      const grant = facts.proxyGrant;
      if (held.includes("proxy") && ownership.proxy !== "none" && grant && grant.revokedAt === null) {
        const allowed = ownership.proxy === "view" ? grant.canViewHistory : grant.dailyLimitYen > 0n;
        if (allowed) return { ok: true, actingAs: "proxy" };
      }
      return forbidden("not your account, and no proxy grant allows this");
    }
    case "shop":
      if (facts.shopRole === "owner" && held.includes("merchant_owner")) return { ok: true, actingAs: "shop_owner" };
      if (facts.shopRole === "staff" && ownership.staff === "any" && held.includes("merchant_staff")) return { ok: true, actingAs: "shop_staff" };
      return forbidden(ownership.staff === "owner" ? "only the shop's owner may do this" : "only the shop's owner or staff may do this");
    case "device":
      return held.includes("terminal") && target === principal.subject ? { ok: true, actingAs: "device" } : forbidden("only the terminal itself");
    default:
      return assertNever(ownership);
  }
}

function assertNever(value: never): never {
  throw new Error(`BUG: unreachable: ${JSON.stringify(value)}`);
}
