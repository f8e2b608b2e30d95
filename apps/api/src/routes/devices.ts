// Fare terminals' own endpoints. Pairing is public (the terminal has no credential yet): it sends the one-time
// code an administrator created and its new Ed25519 public key; from then on it signs every request. Wrong codes
// are counted per client address (auth/throttle.ts), on top of the code's 40 bits and 10-minute life.
import { z } from "zod";
import { identityProblem } from "../auth/problems";
import { deviceJson, deviceToJson, idParams, pairBody } from "../schemas/identity";
import { defineRoute } from "./registry";

const tags = ["devices"];

export const deviceRoutes = [
  defineRoute({
    method: "post",
    path: "/v1/devices/pair",
    roles: "public",
    tags,
    summary: "端末ペアリング Pair a fare terminal",
    description:
      "The code is spent by the first successful pairing. After 10 wrong codes from one address, pairing from it is locked for 1 min, doubling up to 1 h (423 address_locked with Retry-After).",
    request: { body: pairBody },
    responses: { 200: { description: "Paired: sign requests with the key from now on", schema: z.object({ device: deviceJson }) } },
    errors: ["pairing_code_invalid", "pairing_code_expired", "invalid_public_key", "address_locked"],
    async handler({ body, deps, requestId, clientAddress }) {
      const gate = await deps.auth.pairingThrottle.begin(clientAddress);
      if (!gate.ok) throw identityProblem({ ok: false, code: "address_locked", detail: "too many wrong pairing codes from this address", retryAfterSeconds: gate.retryAfterSeconds });
      const paired = await deps.identity.pairDevice({ pairingCode: body.pairing_code, publicKey: body.public_key }, { requestId });
      if (!paired.ok) throw identityProblem(paired);
      await deps.auth.pairingThrottle.succeeded(gate.key);
      return { status: 200, json: { device: deviceToJson(paired.device) } };
    },
  }),

  defineRoute({
    method: "get",
    path: "/v1/devices/{id}",
    roles: ["terminal"],
    ownership: { kind: "device" },
    tags,
    summary: "端末の状態 The calling terminal's own record",
    request: { params: idParams },
    responses: { 200: { description: "The terminal", schema: deviceJson } },
    errors: ["device_signature_missing", "device_signature_invalid", "device_clock_skew", "device_unknown", "device_replay"],
    async handler({ params, deps }) {
      const device = await deps.identity.getDevice(params.id);
      if (device === null) throw identityProblem({ ok: false, code: "device_not_found", detail: "no such terminal" });
      return { status: 200, json: deviceToJson(device) };
    },
  }),
];
