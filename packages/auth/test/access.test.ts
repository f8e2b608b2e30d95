// The single authorization decision: roles first, then the ownership rule; default deny.
import { describe, expect, it } from "vitest";
import { decideAccess, decideProxySpend, type AccessRule, type Principal, type ProxyGrant } from "../src";

const alice: Principal = { subject: "u_alice", roles: ["resident"] };
const bob: Principal = { subject: "u_bob", roles: ["resident", "proxy"] };
const operator: Principal = { subject: "u_op", roles: ["admin_operator"] };
const grant: ProxyGrant = { dailyLimitYen: 3000n, canViewHistory: true, revokedAt: null };

const history: AccessRule = { roles: ["resident", "proxy", "admin_auditor", "admin_operator"], ownership: { kind: "resident", proxy: "view" } };
const pay: AccessRule = { roles: ["resident", "proxy"], ownership: { kind: "resident", proxy: "pay" } };
const p2p: AccessRule = { roles: ["resident"], ownership: { kind: "resident", proxy: "none" } };

describe("decideAccess", () => {
  it("lets anyone call a public route and nobody unauthenticated call the rest", () => {
    expect(decideAccess({ roles: "public" }, null, null)).toEqual({ ok: true, actingAs: "public" });
    expect(decideAccess(history, null, "r_alice")).toMatchObject({ ok: false, code: "unauthorized" });
  });

  it("refuses a role the route does not name, whatever the facts", () => {
    expect(decideAccess({ roles: ["admin_auditor"] }, alice, null)).toMatchObject({ ok: false, code: "forbidden" });
    expect(decideAccess({ roles: ["service"] }, operator, null)).toMatchObject({ ok: false, code: "forbidden" });
  });

  it("lets a resident act on their own account and not on another's", () => {
    expect(decideAccess(history, alice, "r_alice", { callerResidentId: "r_alice" })).toEqual({ ok: true, actingAs: "self" });
    expect(decideAccess(history, alice, "r_bob", { callerResidentId: "r_alice" })).toMatchObject({ ok: false, code: "forbidden" });
    expect(decideAccess(history, alice, "r_bob", {})).toMatchObject({ ok: false, code: "forbidden" });
  });

  it("lets a proxy act within the grant: view needs can_view_history, pay needs a limit, P2P never", () => {
    expect(decideAccess(history, bob, "r_alice", { callerResidentId: "r_bob", proxyGrant: grant })).toEqual({ ok: true, actingAs: "proxy" });
    expect(decideAccess(history, bob, "r_alice", { proxyGrant: { ...grant, canViewHistory: false } })).toMatchObject({ ok: false });
    expect(decideAccess(pay, bob, "r_alice", { proxyGrant: grant })).toEqual({ ok: true, actingAs: "proxy" });
    expect(decideAccess(pay, bob, "r_alice", { proxyGrant: { ...grant, dailyLimitYen: 0n } })).toMatchObject({ ok: false });
    expect(decideAccess(p2p, bob, "r_alice", { proxyGrant: grant })).toMatchObject({ ok: false, code: "forbidden" });
  });

  it("refuses a revoked grant at once", () => {
    expect(decideAccess(pay, bob, "r_alice", { proxyGrant: { ...grant, revokedAt: new Date() } })).toMatchObject({ ok: false, code: "forbidden" });
  });

  it("lets unrestricted roles skip ownership", () => {
    expect(decideAccess(history, operator, "r_alice")).toEqual({ ok: true, actingAs: "unrestricted" });
  });

  it("ties merchants to their shop and terminals to themselves", () => {
    const owner: Principal = { subject: "u_o", roles: ["merchant_owner"] };
    const staff: Principal = { subject: "u_s", roles: ["merchant_staff"] };
    const refund: AccessRule = { roles: ["merchant_owner", "merchant_staff"], ownership: { kind: "shop", staff: "any" } };
    const payout: AccessRule = { roles: ["merchant_owner"], ownership: { kind: "shop", staff: "owner" } };
    expect(decideAccess(refund, owner, "s_1", { shopRole: "owner" })).toEqual({ ok: true, actingAs: "shop_owner" });
    expect(decideAccess(refund, staff, "s_1", { shopRole: "staff" })).toEqual({ ok: true, actingAs: "shop_staff" });
    expect(decideAccess(refund, staff, "s_2", { shopRole: null })).toMatchObject({ ok: false });
    expect(decideAccess(payout, staff, "s_1", { shopRole: "staff" })).toMatchObject({ ok: false });
    const terminal: Principal = { subject: "d_1", roles: ["terminal"] };
    const taps: AccessRule = { roles: ["terminal"], ownership: { kind: "device" } };
    expect(decideAccess(taps, terminal, "d_1")).toEqual({ ok: true, actingAs: "device" });
    expect(decideAccess(taps, terminal, "d_2")).toMatchObject({ ok: false });
    expect(decideAccess({ roles: ["resident"], ownership: { kind: "self" } }, alice, "u_alice")).toEqual({ ok: true, actingAs: "self" });
  });
});

describe("decideProxySpend", () => {
  it("allows spending up to the daily limit and not beyond", () => {
    expect(decideProxySpend(grant, 0n, 3000n)).toEqual({ ok: true, remainingYen: 0n });
    expect(decideProxySpend(grant, 2500n, 500n)).toEqual({ ok: true, remainingYen: 0n });
    expect(decideProxySpend(grant, 2500n, 501n)).toMatchObject({ ok: false, code: "proxy_limit_exceeded", remainingYen: 500n });
    expect(decideProxySpend(grant, 0n, 0n)).toMatchObject({ ok: false, code: "invalid_amount" });
    expect(decideProxySpend({ ...grant, revokedAt: new Date() }, 0n, 1n)).toMatchObject({ ok: false, code: "proxy_revoked", remainingYen: 0n });
  });
});
