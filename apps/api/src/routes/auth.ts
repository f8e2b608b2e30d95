// Logging in and out (DESIGN §6 "Auth endpoints"): a password login starts a session (a refresh-token family) and
// returns a short access token; refresh spends the refresh token and returns its successor; a refresh token used
// twice ends the session. Every answer carries Cache-Control: no-store (tokens must not sit in a cache). The
// identity store writes the audit entries (login success and failure, reuse, logout) with the request id.
import { z } from "zod";
import { orProblem } from "../auth/problems";
import { jwksJson, loginBody, refreshBody, tokenJson } from "../schemas/identity";
import { defineRoute } from "./registry";

const tags = ["auth"];
const noStore = { "Cache-Control": "no-store", Pragma: "no-cache" };

export const authRoutes = [
  defineRoute({
    method: "post",
    path: "/v1/auth/login",
    roles: "public",
    tags,
    summary: "ログイン Log in with a password",
    description:
      "Five failures in a row lock the login for 30 s, doubling up to 15 min; the twentieth locks it for 24 h (an administrator can unlock). An address is locked after 20 failures. Locks answer 423 with Retry-After.",
    request: { body: loginBody },
    responses: { 200: { description: "A session", schema: tokenJson } },
    errors: ["invalid_credentials", "no_roles", "login_locked", "address_locked"],
    async handler({ body, deps, requestId, clientAddress }) {
      const login = orProblem(await deps.identity.login({ login: body.login, password: body.password, address: clientAddress }, { requestId }));
      const session = await deps.identity.startSession(login.user.id);
      return { status: 200, json: await deps.auth.tokenResponse(login.user.id, login.roles, session), headers: noStore };
    },
  }),

  defineRoute({
    method: "post",
    path: "/v1/auth/refresh",
    roles: "public",
    tags,
    summary: "トークン更新 Refresh: spend the refresh token, get new tokens",
    description: "The roles of the new access token are the user's current ones. A refresh token presented a second time ends the whole session (401 token_reused).",
    request: { body: refreshBody },
    responses: { 200: { description: "The next tokens of the session", schema: tokenJson } },
    errors: ["token_invalid", "token_expired", "token_reused"],
    async handler({ body, deps, requestId }) {
      const next = orProblem(await deps.identity.refreshSession(body.refresh_token, { requestId }));
      return { status: 200, json: await deps.auth.tokenResponse(next.user.id, next.roles, next), headers: noStore };
    },
  }),

  defineRoute({
    method: "post",
    path: "/v1/auth/logout",
    roles: "public",
    tags,
    summary: "ログアウト Log out: end the session of this refresh token",
    description: "Holding the refresh token is the proof. Access tokens already issued lapse by themselves within 15 minutes.",
    request: { body: refreshBody },
    responses: { 200: { description: "The session is ended", schema: z.object({ logged_out: z.literal(true) }) } },
    errors: ["token_invalid"],
    async handler({ body, deps, requestId }) {
      orProblem(await deps.identity.endSession(body.refresh_token, { requestId }));
      return { status: 200, json: { logged_out: true }, headers: noStore };
    },
  }),

  defineRoute({
    method: "get",
    path: "/v1/.well-known/jwks.json",
    roles: "public",
    tags,
    summary: "公開鍵 The access tokens' public keys (JWKS)",
    responses: { 200: { description: "Keys that verify tokens now (current and recently retired)", schema: jwksJson } },
    async handler({ deps }) {
      const keys = await deps.auth.keys.get();
      return { status: 200, json: keys.jwks(deps.auth.now()), headers: { "Cache-Control": "public, max-age=300" } };
    },
  }),
];
