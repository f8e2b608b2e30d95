// Fare terminals: created by an administrator with a one-time pairing code, paired by the terminal with its
// Ed25519 public key, then authenticated on every request by signature, timestamp window and a nonce seen once.
import {
  hashPairingCode,
  newId,
  newPairingCode,
  pairingCodeExpiry,
  parseDevicePublicKey,
  readDeviceHeaders,
  sha256Hex,
  verifyDeviceRequest,
  type DeviceRequest,
  type Principal,
} from "@tsubaki/auth";
import { toDate } from "../rows";
import { appendAudit, pageLimit, paginate, type IdentityContext } from "./context";
import { deviceColumns, deviceFromRow, type DeviceRow } from "./rows";
import type { AuditActor, Device, PageQuery } from "./types";

const deviceTextLengthMax = 100;

export type PairingCodeResult = { ok: true; device: Device; pairingCode: string; expiresAt: Date } | { ok: false; code: "device_not_found" | "device_revoked" | "invalid_field"; detail: string };

export type PairResult = { ok: true; device: Device } | { ok: false; code: "pairing_code_invalid" | "pairing_code_expired" | "invalid_public_key"; detail: string };

export type DeviceAuthResult =
  | { ok: true; device: Device; principal: Principal }
  | { ok: false; code: "device_signature_missing" | "device_signature_invalid" | "device_clock_skew" | "device_unknown" | "device_replay"; detail: string };

/** A public key's fingerprint for the audit log (the key is not secret, but a short id reads better). */
function fingerprint(publicKey: string): string {
  return sha256Hex(publicKey).slice(0, 16);
}

export function createDeviceStore(ctx: IdentityContext) {
  const { db } = ctx;

  async function setPairingCode(deviceId: string, by: AuditActor, created: boolean): Promise<PairingCodeResult> {
    const now = ctx.now();
    const pairingCode = newPairingCode();
    const expiresAt = pairingCodeExpiry(now);
    return db.transaction(async (tx) => {
      const [row] = await tx.query<DeviceRow>(
        `UPDATE devices SET pairing_code_hash = $2, pairing_expires_at = $3::timestamptz WHERE id = $1 AND status <> 'revoked' RETURNING ${deviceColumns}`,
        [deviceId, hashPairingCode(pairingCode), expiresAt.toISOString()],
      );
      if (!row) {
        const [exists] = await tx.query(`SELECT 1 FROM devices WHERE id = $1`, [deviceId]);
        return exists ? ({ ok: false, code: "device_revoked", detail: "this terminal is revoked" } as const) : ({ ok: false, code: "device_not_found", detail: `no device ${deviceId}` } as const);
      }
      if (!created) await appendAudit(tx, now, by, "device.pairing_code_issued", deviceId, { expires_at: expiresAt });
      return { ok: true, device: deviceFromRow(row), pairingCode, expiresAt } as const;
    });
  }

  return {
    /** A new terminal, pending, with its first pairing code (shown once to the administrator). */
    async createDevice(input: { name: string; operator: string }, by: AuditActor): Promise<PairingCodeResult> {
      const name = input.name.normalize("NFKC").trim();
      const operator = input.operator.normalize("NFKC").trim();
      if (name.length === 0 || name.length > deviceTextLengthMax || operator.length === 0 || operator.length > deviceTextLengthMax) {
        return { ok: false, code: "invalid_field", detail: `name and operator: 1 to ${deviceTextLengthMax} characters` };
      }
      const id = newId("device");
      const now = ctx.now();
      await db.transaction(async (tx) => {
        await tx.query(`INSERT INTO devices (id, name, operator, status, created_at) VALUES ($1, $2, $3, 'pending', $4::timestamptz)`, [id, name, operator, now.toISOString()]);
        await appendAudit(tx, now, by, "device.created", id, { name, operator });
      });
      return setPairingCode(id, by, true);
    },

    /** A fresh code for a pending terminal, or to move an active one to new hardware (its key is kept until then). */
    issuePairingCode: (deviceId: string, by: AuditActor) => setPairingCode(deviceId, by, false),

    /** The terminal's side: spends the code and registers the public key. */
    async pairDevice(input: { pairingCode: string; publicKey: string }, by: { requestId?: string | null } = {}): Promise<PairResult> {
      const codeHash = hashPairingCode(input.pairingCode);
      if (codeHash === null) return { ok: false, code: "pairing_code_invalid", detail: "unknown pairing code" };
      if (parseDevicePublicKey(input.publicKey) === null) return { ok: false, code: "invalid_public_key", detail: "an Ed25519 public key: 32 bytes, base64url" };
      const now = ctx.now();
      return db.transaction(async (tx) => {
        const [found] = await tx.query<{ id: string; pairing_expires_at: unknown; status: string }>(
          `SELECT id, pairing_expires_at, status FROM devices WHERE pairing_code_hash = $1 FOR UPDATE`,
          [codeHash],
        );
        if (!found || found.status === "revoked") return { ok: false, code: "pairing_code_invalid", detail: "unknown pairing code" } as const;
        if (found.pairing_expires_at === null || toDate(found.pairing_expires_at).getTime() <= now.getTime()) {
          return { ok: false, code: "pairing_code_expired", detail: "the pairing code has expired; ask for a new one" } as const;
        }
        const [row] = await tx.query<DeviceRow>(
          `UPDATE devices SET public_key = $2, status = 'active', paired_at = $3::timestamptz, pairing_code_hash = NULL, pairing_expires_at = NULL
           WHERE id = $1 RETURNING ${deviceColumns}`,
          [found.id, input.publicKey, now.toISOString()],
        );
        await appendAudit(tx, now, { actor: found.id, actorRoles: ["terminal"], requestId: by.requestId ?? null }, "device.paired", found.id, { key_fingerprint: fingerprint(input.publicKey) });
        return { ok: true, device: deviceFromRow(row!) } as const;
      });
    },

    async revokeDevice(deviceId: string, by: AuditActor): Promise<{ ok: true; device: Device } | { ok: false; code: "device_not_found"; detail: string }> {
      const now = ctx.now();
      return db.transaction(async (tx) => {
        const [row] = await tx.query<DeviceRow>(
          `UPDATE devices SET status = 'revoked', revoked_at = $2::timestamptz, pairing_code_hash = NULL, pairing_expires_at = NULL WHERE id = $1 RETURNING ${deviceColumns}`,
          [deviceId, now.toISOString()],
        );
        if (!row) return { ok: false, code: "device_not_found", detail: `no device ${deviceId}` } as const;
        await appendAudit(tx, now, by, "device.revoked", deviceId, {});
        return { ok: true, device: deviceFromRow(row) } as const;
      });
    },

    async getDevice(id: string): Promise<Device | null> {
      const [row] = await db.query<DeviceRow>(`SELECT ${deviceColumns} FROM devices WHERE id = $1`, [id]);
      return row ? deviceFromRow(row) : null;
    },

    async listDevices(query: PageQuery = {}): Promise<{ devices: Device[]; nextCursor: string | null }> {
      const limit = pageLimit(query.limit);
      const rows = await db.query<DeviceRow>(`SELECT ${deviceColumns} FROM devices WHERE id > $1 ORDER BY id LIMIT $2`, [query.cursor ?? "", limit + 1]);
      const page = paginate(rows, limit, (r) => r.id);
      return { devices: page.items.map(deviceFromRow), nextCursor: page.nextCursor };
    },

    /**
     * Authenticates a signed terminal request: headers → active device → timestamp window and signature →
     * nonce not seen before (recorded now). Success is the `terminal` principal of that device.
     */
    async authenticateDeviceRequest(request: DeviceRequest): Promise<DeviceAuthResult> {
      const read = readDeviceHeaders(request.headers);
      if (!read.ok) return read;
      const now = ctx.now();
      const [row] = await db.query<DeviceRow>(`SELECT ${deviceColumns} FROM devices WHERE id = $1`, [read.headers.deviceId]);
      if (!row || row.status !== "active" || row.public_key === null) return { ok: false, code: "device_unknown", detail: "no active terminal with this id" };
      const verified = verifyDeviceRequest(request, row.public_key, now, ctx.deviceSignatureWindowSeconds);
      if (!verified.ok) return verified;
      const inserted = await db.query(
        `INSERT INTO device_nonces (device_id, nonce, seen_at) VALUES ($1, $2, $3::timestamptz) ON CONFLICT (device_id, nonce) DO NOTHING RETURNING 1`,
        [verified.deviceId, verified.nonce, now.toISOString()],
      );
      if (inserted.length === 0) return { ok: false, code: "device_replay", detail: "this request was already received" };
      return { ok: true, device: deviceFromRow(row), principal: { subject: row.id, roles: ["terminal"], via: "device_signature" } };
    },
  };
}
