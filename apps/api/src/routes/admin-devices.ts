// Fare terminals and the access-token keys, as the city's operators manage them. A terminal is created with a
// one-time pairing code that is shown once (in this response, never again, never logged) and typed into the
// terminal; a revoked terminal is refused at its next request.
import { z } from "zod";
import { actorOf } from "../auth/actor";
import { orProblem } from "../auth/problems";
import { createDeviceBody, deviceJson, deviceToJson, idParams, pageQuery, pairingJson, rotateKeysBody, signingKeyJson } from "../schemas/identity";
import { operators, operatorsAndAuditors } from "./admin-users";
import { defineRoute } from "./registry";

const tags = ["admin"];
const noStore = { "Cache-Control": "no-store" };

export const adminDeviceRoutes = [
  defineRoute({
    method: "post",
    path: "/v1/admin/devices",
    roles: operators,
    tags,
    summary: "端末登録 Register a fare terminal (pairing code shown once)",
    request: { body: createDeviceBody },
    responses: { 201: { description: "Pending until paired with the code (valid 10 minutes)", schema: pairingJson } },
    errors: ["invalid_field"],
    async handler({ body, principal, deps, requestId }) {
      const created = orProblem(await deps.identity.createDevice({ name: body.name, operator: body.operator }, actorOf(principal, requestId)));
      return {
        status: 201,
        json: { device: deviceToJson(created.device), pairing_code: created.pairingCode, pairing_expires_at: created.expiresAt.toISOString() },
        headers: noStore,
      };
    },
  }),

  defineRoute({
    method: "get",
    path: "/v1/admin/devices",
    roles: operatorsAndAuditors,
    tags,
    summary: "端末一覧 Fare terminals",
    request: { query: pageQuery },
    responses: { 200: { description: "A page, by id", schema: z.object({ devices: z.array(deviceJson), next_cursor: z.string().nullable() }) } },
    async handler({ query, deps }) {
      const page = await deps.identity.listDevices({ limit: query.limit, ...(query.cursor ? { cursor: query.cursor } : {}) });
      return { status: 200, json: { devices: page.devices.map(deviceToJson), next_cursor: page.nextCursor } };
    },
  }),

  defineRoute({
    method: "post",
    path: "/v1/admin/devices/{id}/pairing-code",
    roles: operators,
    tags,
    summary: "ペアリングコード再発行 A new pairing code (a pending terminal, or new hardware)",
    description: "An active terminal keeps working with its key until the new hardware pairs.",
    request: { params: idParams },
    responses: { 200: { description: "The code, shown once", schema: pairingJson } },
    errors: ["device_not_found", "device_revoked"],
    async handler({ params, principal, deps, requestId }) {
      const issued = orProblem(await deps.identity.issuePairingCode(params.id, actorOf(principal, requestId)));
      return {
        status: 200,
        json: { device: deviceToJson(issued.device), pairing_code: issued.pairingCode, pairing_expires_at: issued.expiresAt.toISOString() },
        headers: noStore,
      };
    },
  }),

  defineRoute({
    method: "post",
    path: "/v1/admin/devices/{id}/revoke",
    roles: operators,
    tags,
    summary: "端末の無効化 Revoke a terminal (refused from its next request)",
    request: { params: idParams },
    responses: { 200: { description: "Revoked", schema: deviceJson } },
    errors: ["device_not_found"],
    async handler({ params, principal, deps, requestId }) {
      const revoked = orProblem(await deps.identity.revokeDevice(params.id, actorOf(principal, requestId)));
      return { status: 200, json: deviceToJson(revoked.device) };
    },
  }),

  defineRoute({
    method: "get",
    path: "/v1/admin/keys",
    roles: operatorsAndAuditors,
    tags,
    summary: "署名鍵 Access-token signing keys (ids and dates only)",
    responses: { 200: { description: "Newest first", schema: z.object({ keys: z.array(signingKeyJson) }) } },
    async handler({ deps }) {
      const keys = await deps.identity.listSigningKeys();
      return { status: 200, json: { keys: keys.map((k) => ({ kid: k.kid, created_at: k.createdAt.toISOString(), retired_at: k.retiredAt?.toISOString() ?? null })) } };
    },
  }),

  defineRoute({
    method: "post",
    path: "/v1/admin/keys/rotate",
    roles: operators,
    tags,
    summary: "署名鍵の更新 Rotate the signing key",
    description:
      "A new key signs from now on. Old keys keep verifying for an hour unless `immediate` (a suspected leak): then every access token stops working at once and clients refresh. Other API instances pick the new key up within 5 minutes (at once when they meet a token signed with it).",
    request: { body: rotateKeysBody },
    responses: { 200: { description: "The keys after the rotation", schema: z.object({ current: z.string(), keys: z.array(signingKeyJson) }) } },
    async handler({ body, principal, deps, requestId }) {
      const store = await deps.auth.keys.rotate(actorOf(principal, requestId), { immediate: body.immediate ?? false });
      const keys = await deps.identity.listSigningKeys();
      return {
        status: 200,
        json: { current: store.current()?.kid ?? "", keys: keys.map((k) => ({ kid: k.kid, created_at: k.createdAt.toISOString(), retired_at: k.retiredAt?.toISOString() ?? null })) },
      };
    },
  }),
];
