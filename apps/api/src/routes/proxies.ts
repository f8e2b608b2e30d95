// Proxies (家族・支援者): a resident lets a family member or supporter see their history and/or pay for them up to
// a daily amount, and revokes that at any moment (the next request of the proxy is refused: access is decided on
// fresh facts every time). The resident manages their own grants; the proxy sees the resident and, with a paying
// grant, what is left of today's limit.
import { accountIdOf } from "@tsubaki/auth";
import { z } from "zod";
import { actorOf } from "../auth/actor";
import { identityProblem, orProblem } from "../auth/problems";
import { allowanceJson, grantProxyBody, idParams, pageOf, pageQuery, proxyJson, proxyToJson } from "../schemas/identity";
import { defineRoute, ownedTarget } from "./registry";

const tags = ["proxies"];

const residentViewJson = z.object({
  id: z.string(),
  name: z.string(),
  name_kana: z.string(),
  district: z.string(),
  verified: z.boolean(),
  coins_account: z.string(),
  acting_as: z.enum(["self", "proxy"]),
});

export const proxyRoutes = [
  defineRoute({
    method: "get",
    path: "/v1/wallet/proxies",
    roles: ["resident"],
    ownership: { kind: "resident", proxy: "none", target: { caller: true } },
    tags,
    summary: "代理人の一覧 My proxies",
    request: { query: pageQuery.extend({ include_revoked: z.enum(["true", "false"]).optional() }) },
    responses: { 200: { description: "Newest grants last", schema: z.object({ proxies: z.array(proxyJson), next_cursor: z.string().nullable() }) } },
    async handler({ access, query, deps }) {
      const all = await deps.identity.listProxiesOfResident(ownedTarget(access), { includeRevoked: query.include_revoked === "true" });
      const page = pageOf(all, (p) => p.id, query);
      return { status: 200, json: { proxies: page.items.map(proxyToJson), next_cursor: page.nextCursor } };
    },
  }),

  defineRoute({
    method: "post",
    path: "/v1/wallet/proxies",
    roles: ["resident"],
    ownership: { kind: "resident", proxy: "none", target: { caller: true } },
    tags,
    summary: "代理人を登録 Grant a proxy",
    description: "To change a grant, revoke it and grant again.",
    request: { body: grantProxyBody },
    responses: { 201: { description: "Granted", schema: proxyJson } },
    errors: ["user_not_found", "proxy_exists", "proxy_self", "invalid_limit"],
    async handler({ access, body, principal, deps, requestId }) {
      const user = await deps.identity.findUserByLogin(body.login);
      if (user === null || user.disabledAt !== null) throw identityProblem({ ok: false, code: "user_not_found", detail: "no user with this login" });
      const granted = orProblem(
        await deps.identity.grantProxy(
          { grantorResidentId: ownedTarget(access), proxyUserId: user.id, dailyLimitYen: BigInt(body.daily_limit_yen), canViewHistory: body.can_view_history },
          actorOf(principal, requestId),
        ),
      );
      return { status: 201, json: proxyToJson(granted.proxy) };
    },
  }),

  defineRoute({
    method: "delete",
    path: "/v1/wallet/proxies/{id}",
    roles: ["resident"],
    ownership: {
      kind: "resident",
      proxy: "none",
      // The grant names its resident: only that resident may end it.
      target: { resolve: async ({ params, deps }) => (await deps.identity.getProxy(String((params as { id?: unknown }).id ?? "")))?.grantorResidentId ?? null },
    },
    tags,
    summary: "代理人を取り消す Revoke a proxy (takes effect at once)",
    request: { params: idParams },
    responses: { 200: { description: "Revoked (revoking again changes nothing)", schema: proxyJson } },
    errors: ["proxy_not_found"],
    async handler({ params, principal, deps, requestId }) {
      const revoked = orProblem(await deps.identity.revokeProxy(params.id, actorOf(principal, requestId)));
      return { status: 200, json: proxyToJson(revoked.proxy) };
    },
  }),

  defineRoute({
    method: "get",
    path: "/v1/residents/{id}",
    roles: ["resident", "proxy"],
    ownership: { kind: "resident", proxy: "view" },
    tags,
    summary: "住民の概要 A resident, seen by themself or a proxy who may view",
    request: { params: idParams },
    responses: { 200: { description: "The resident", schema: residentViewJson } },
    errors: ["resident_not_found"],
    async handler({ params, access, deps }) {
      const resident = await deps.identity.getResident(params.id);
      if (resident === null) throw identityProblem({ ok: false, code: "resident_not_found", detail: `no resident ${params.id}` });
      return {
        status: 200,
        json: {
          id: resident.id,
          name: resident.name,
          name_kana: resident.nameKana,
          district: resident.district,
          verified: resident.verified,
          coins_account: accountIdOf.residentCoins(resident.id),
          acting_as: access.actingAs === "proxy" ? "proxy" : "self",
        },
      };
    },
  }),

  defineRoute({
    method: "get",
    path: "/v1/residents/{id}/proxy-allowance",
    roles: ["proxy"],
    ownership: { kind: "resident", proxy: "pay" },
    tags,
    summary: "代理支払いの残り What a paying proxy may still spend today",
    request: { params: idParams },
    responses: { 200: { description: "Today's limit (Japan's calendar day)", schema: allowanceJson } },
    async handler({ access, deps }) {
      // Only proxies may call this, and the rule let this one in under a live grant.
      const proxy = access.proxy;
      if (proxy === null) throw new Error("BUG: a proxy passed the pay rule without a grant");
      const spent = await deps.identity.proxySpentToday(proxy.id);
      const remaining = proxy.dailyLimitYen > spent ? proxy.dailyLimitYen - spent : 0n;
      return { status: 200, json: { proxy_id: proxy.id, daily_limit_yen: Number(proxy.dailyLimitYen), spent_today_yen: Number(spent), remaining_yen: Number(remaining) } };
    },
  }),
];
