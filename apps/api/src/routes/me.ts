// The signed-in person: who they are, their roles as of now, and what they act for (their resident record, their
// shops, the residents they are a proxy of). Also changing one's own password (ownership `self`).
import { accountIdOf, checkPasswordPolicy } from "@tsubaki/auth";
import { z } from "zod";
import { actorOf } from "../auth/actor";
import { identityProblem, orProblem } from "../auth/problems";
import { ProblemError } from "../http/problem";
import { changePasswordBody, idParams } from "../schemas/identity";
import { defineRoute } from "./registry";

const tags = ["me"];
const time = z.iso.datetime({ offset: true });

const meJson = z.object({
  id: z.string(),
  login: z.string(),
  roles: z.array(z.string()).meta({ description: "Current roles (granted + derived); a token issued earlier may carry fewer or more until it lapses" }),
  display_name: z.string(),
  resident: z
    .object({
      id: z.string(),
      name: z.string(),
      name_kana: z.string(),
      district: z.string(),
      verified: z.boolean(),
      coins_account: z.string(),
      cards: z.array(z.object({ id: z.string(), number_last4: z.string(), status: z.string(), locked: z.boolean() })),
    })
    .optional(),
  shops: z.array(z.object({ id: z.string(), code: z.string(), name_ja: z.string(), status: z.string(), role: z.enum(["owner", "staff"]), account: z.string() })).optional(),
  proxy_for: z
    .array(z.object({ proxy_id: z.string(), resident_id: z.string(), resident_name: z.string(), daily_limit_yen: z.int(), can_view_history: z.boolean(), since: time }))
    .optional(),
});

/** Roles that belong to a signed-in person (terminals and the service token have no "me"). */
const people = ["resident", "proxy", "merchant_owner", "merchant_staff", "counter_staff", "admin_operator", "admin_approver", "admin_auditor"] as const;

export const meRoutes = [
  defineRoute({
    method: "get",
    path: "/v1/me",
    roles: people,
    tags,
    summary: "自分の情報 Who am I",
    responses: { 200: { description: "The signed-in user", schema: meJson } },
    async handler({ principal, deps }) {
      const userId = principal!.subject;
      const user = await deps.identity.getUser(userId);
      // A disabled user's access token lives until it lapses; it shows nothing meanwhile.
      if (user === null || user.disabledAt !== null) throw identityProblem({ ok: false, code: "token_invalid", detail: "this account is disabled" });
      const [roles, resident, shops, grants] = await Promise.all([
        deps.identity.rolesOf(userId),
        deps.identity.findResidentByUser(userId),
        deps.identity.shopsOfUser(userId),
        deps.identity.listProxiesOfUser(userId),
      ]);
      const cards = resident ? await deps.identity.listCardsOfResident(resident.id) : [];
      const grantors = await Promise.all(grants.map((g) => deps.identity.getResident(g.grantorResidentId)));
      return {
        status: 200,
        json: {
          id: user.id,
          login: user.login,
          roles,
          display_name: user.displayName,
          ...(resident
            ? {
                resident: {
                  id: resident.id,
                  name: resident.name,
                  name_kana: resident.nameKana,
                  district: resident.district,
                  verified: resident.verified,
                  coins_account: accountIdOf.residentCoins(resident.id),
                  cards: cards.map((c) => ({ id: c.id, number_last4: c.number.slice(-4), status: c.status, locked: c.locked })),
                },
              }
            : {}),
          ...(shops.length > 0
            ? { shops: shops.map((s) => ({ id: s.shop.id, code: s.shop.code, name_ja: s.shop.nameJa, status: s.shop.status, role: s.role, account: accountIdOf.shop(s.shop.id) })) }
            : {}),
          ...(grants.length > 0
            ? {
                proxy_for: grants.map((g, i) => ({
                  proxy_id: g.id,
                  resident_id: g.grantorResidentId,
                  resident_name: grantors[i]?.name ?? "",
                  daily_limit_yen: Number(g.dailyLimitYen),
                  can_view_history: g.canViewHistory,
                  since: g.createdAt.toISOString(),
                })),
              }
            : {}),
        },
      };
    },
  }),

  defineRoute({
    method: "put",
    path: "/v1/users/{id}/password",
    roles: ["resident", "proxy", "merchant_owner", "merchant_staff"],
    ownership: { kind: "self" },
    tags,
    summary: "パスワード変更 Change my password",
    description:
      "The current password is checked like a login (the same guessing limits). Every session of the user ends, this one included: log in again. City staff have their password reset by an operator (POST /v1/admin/users/{id}/password).",
    request: { params: idParams, body: changePasswordBody },
    responses: { 200: { description: "Changed; every session ended", schema: z.object({ changed: z.literal(true) }) } },
    errors: ["invalid_credentials", "login_locked", "address_locked", "password_too_short", "password_too_long"],
    async handler({ params, body, principal, deps, requestId, clientAddress }) {
      const policy = checkPasswordPolicy(body.new_password);
      if (!policy.ok) throw identityProblem(policy);
      const user = await deps.identity.getUser(params.id);
      if (user === null) throw new ProblemError("forbidden", "only for your own account");
      const check = await deps.identity.login({ login: user.login, password: body.current_password, address: clientAddress }, { requestId });
      // no_roles cannot happen to a caller who holds a role; any other failure is the caller's to see.
      if (!check.ok) throw identityProblem(check);
      orProblem(await deps.identity.setPassword(user.id, body.new_password, actorOf(principal, requestId)));
      return { status: 200, json: { changed: true } };
    },
  }),
];
