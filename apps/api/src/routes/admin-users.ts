// The city's user administration (admin_operator): accounts, granted roles (counter_staff and admin_* only; the
// others follow from residents, shops and proxies), disabling, lifting a login lock, resetting a password. Every
// change is written to the audit log by the identity store, with the operator and the request id.
import type { Role } from "@tsubaki/auth";
import type { User } from "@tsubaki/db";
import { z } from "zod";
import { actorOf } from "../auth/actor";
import { identityProblem, orProblem } from "../auth/problems";
import { ProblemError } from "../http/problem";
import { createUserBody, idParams, setPasswordBody, setRolesBody, userJson, userToJson } from "../schemas/identity";
import { counterAccounts, ensureAccounts } from "../services/accounts";
import type { AppDeps } from "../app";
import { defineRoute } from "./registry";

const tags = ["admin"];
export const operators = ["admin_operator", "service"] as const;
export const operatorsAndAuditors = ["admin_operator", "admin_auditor", "service"] as const;

const time = z.iso.datetime({ offset: true });
const adminUserJson = userJson.extend({
  login_lock: z.object({ failures: z.int(), locked_until: time.nullable() }).nullable().meta({ description: "Failed logins counted now" }),
});

async function requireUser(deps: AppDeps, id: string): Promise<User> {
  const user = await deps.identity.getUser(id);
  if (user === null) throw identityProblem({ ok: false, code: "user_not_found", detail: `no user ${id}` });
  return user;
}

async function adminView(deps: AppDeps, user: User) {
  const [roles, lock] = await Promise.all([deps.identity.rolesOf(user.id), deps.identity.loginThrottle(user.login)]);
  return {
    ...userToJson(user, roles),
    login_lock: lock === null || lock.failures === 0 ? null : { failures: lock.failures, locked_until: lock.lockedUntil?.toISOString() ?? null },
  };
}

/** A counter clerk takes cash: their drawer account exists from the moment they hold the role. */
async function openAccountsFor(deps: AppDeps, userId: string, roles: readonly Role[]): Promise<void> {
  if (roles.includes("counter_staff")) await ensureAccounts(deps.ledger, counterAccounts(userId));
}

/** Four eyes: nobody changes their own roles or switches their own account off. */
function refuseSelf(principalId: string, userId: string, what: string): void {
  if (principalId === userId) throw new ProblemError("forbidden", `you may not ${what} your own account; ask another operator`);
}

export const adminUserRoutes = [
  defineRoute({
    method: "post",
    path: "/v1/admin/users",
    roles: operators,
    bodyFieldCodes: {},
    tags,
    summary: "ユーザー作成 Create a user",
    request: { body: createUserBody },
    responses: { 201: { description: "Created", schema: adminUserJson } },
    errors: ["invalid_login", "invalid_roles", "invalid_field", "login_taken", "password_too_short", "password_too_long", "account_exists"],
    async handler({ body, principal, deps, requestId }) {
      const created = orProblem(
        await deps.identity.createUser(
          { login: body.login, password: body.password ?? null, displayName: body.display_name, kind: body.kind as User["kind"], roles: (body.roles ?? []) as Role[] },
          actorOf(principal, requestId),
        ),
      );
      await openAccountsFor(deps, created.user.id, created.user.grantedRoles);
      return { status: 201, json: await adminView(deps, created.user) };
    },
  }),

  defineRoute({
    method: "get",
    path: "/v1/admin/users",
    roles: operatorsAndAuditors,
    tags,
    summary: "ユーザー検索 Find a user by login",
    description: "A lookup, not a listing: at most one user. (Residents, shops' staff and the audit log name users by id.)",
    request: { query: z.object({ login: z.string().min(1).max(256) }) },
    responses: { 200: { description: "The user, if the login exists", schema: z.object({ users: z.array(adminUserJson), next_cursor: z.null() }) } },
    async handler({ query, deps }) {
      const user = await deps.identity.findUserByLogin(query.login);
      return { status: 200, json: { users: user ? [await adminView(deps, user)] : [], next_cursor: null } };
    },
  }),

  defineRoute({
    method: "get",
    path: "/v1/admin/users/{id}",
    roles: operatorsAndAuditors,
    tags,
    summary: "ユーザー詳細 A user",
    request: { params: idParams },
    responses: { 200: { description: "The user, their current roles and login lock", schema: adminUserJson } },
    errors: ["user_not_found"],
    async handler({ params, deps }) {
      return { status: 200, json: await adminView(deps, await requireUser(deps, params.id)) };
    },
  }),

  defineRoute({
    method: "put",
    path: "/v1/admin/users/{id}/roles",
    roles: operators,
    tags,
    summary: "権限の付与 Set a user's granted roles",
    description: "Replaces the granted roles (counter_staff, admin_operator, admin_approver, admin_auditor). Nobody changes their own roles. Tokens issued before keep their roles until they lapse (≤ 15 min); refreshes get the new ones.",
    request: { params: idParams, body: setRolesBody },
    responses: { 200: { description: "The user with the new roles", schema: adminUserJson } },
    errors: ["user_not_found", "invalid_roles", "account_exists"],
    async handler({ params, body, principal, deps, requestId }) {
      refuseSelf(principal!.subject, params.id, "change the roles of");
      const changed = orProblem(await deps.identity.setUserRoles(params.id, body.roles as Role[], actorOf(principal, requestId)));
      await openAccountsFor(deps, changed.user.id, changed.user.grantedRoles);
      return { status: 200, json: await adminView(deps, changed.user) };
    },
  }),

  defineRoute({
    method: "post",
    path: "/v1/admin/users/{id}/disable",
    roles: operators,
    tags,
    summary: "利用停止 Disable a user (ends every session)",
    request: { params: idParams },
    responses: { 200: { description: "Disabled", schema: adminUserJson } },
    errors: ["user_not_found"],
    async handler({ params, principal, deps, requestId }) {
      refuseSelf(principal!.subject, params.id, "disable");
      const result = orProblem(await deps.identity.disableUser(params.id, actorOf(principal, requestId)));
      return { status: 200, json: await adminView(deps, result.user) };
    },
  }),

  defineRoute({
    method: "post",
    path: "/v1/admin/users/{id}/enable",
    roles: operators,
    tags,
    summary: "利用再開 Enable a user",
    request: { params: idParams },
    responses: { 200: { description: "Enabled", schema: adminUserJson } },
    errors: ["user_not_found"],
    async handler({ params, principal, deps, requestId }) {
      const result = orProblem(await deps.identity.enableUser(params.id, actorOf(principal, requestId)));
      return { status: 200, json: await adminView(deps, result.user) };
    },
  }),

  defineRoute({
    method: "post",
    path: "/v1/admin/users/{id}/unlock",
    roles: operators,
    tags,
    summary: "ロック解除 Lift a login lock",
    description: "For a resident locked out by failed logins, after checking who they are. Audited.",
    request: { params: idParams },
    responses: { 200: { description: "Unlocked", schema: z.object({ was_locked: z.boolean() }) } },
    errors: ["user_not_found"],
    async handler({ params, principal, deps, requestId }) {
      const user = await requireUser(deps, params.id);
      const result = await deps.identity.unlockLogin(user.login, actorOf(principal, requestId));
      return { status: 200, json: { was_locked: result.wasLocked } };
    },
  }),

  defineRoute({
    method: "post",
    path: "/v1/admin/users/{id}/password",
    roles: operators,
    tags,
    summary: "パスワード再設定 Reset a user's password (ends every session)",
    request: { params: idParams, body: setPasswordBody },
    responses: { 200: { description: "Reset", schema: z.object({ changed: z.literal(true) }) } },
    errors: ["user_not_found", "password_too_short", "password_too_long"],
    async handler({ params, body, principal, deps, requestId }) {
      orProblem(await deps.identity.setPassword(params.id, body.password, actorOf(principal, requestId)));
      return { status: 200, json: { changed: true } };
    },
  }),
];
