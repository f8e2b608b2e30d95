// Access-token signing keys in the database, so every API instance (Node or Workers) signs and verifies with the
// same keys. Rotation is serialised by an advisory lock and checked against the current key the caller saw, so
// two instances starting at once create one key, not two.
import { createKeyStore, type KeyRotation, type KeyStore, type KeyStoreOptions, type PrivateJwk, type PublicJwk, type SigningKeyRecord } from "@tsubaki/auth";
import type { SqlClient } from "../client";
import { toDate } from "../rows";
import { appendAudit, type IdentityContext } from "./context";
import { json, dateOrNull } from "./rows";
import { systemActor, type AuditActor, type SigningKeyInfo } from "./types";

/** Keys loaded at most (current + retired ones still verifying). */
const signingKeysLoadMax = 8;
/** Retired keys older than this are not loaded at all. */
const retiredKeysLoadSeconds = 7 * 24 * 3600;
/** Attempts to load-or-rotate before giving up (another instance keeps rotating: a bug). */
const rotationAttemptsMax = 3;
const rotationLock = "hashtext('tsubaki:signing_keys')";

export type SaveRotationResult = { ok: true } | { ok: false; code: "rotation_conflict"; detail: string };

async function currentKids(tx: SqlClient): Promise<string[]> {
  const rows = await tx.query<{ kid: string }>(`SELECT kid FROM signing_keys WHERE retired_at IS NULL ORDER BY kid FOR UPDATE`);
  return rows.map((r) => r.kid);
}

export function createKeyStoreStore(ctx: IdentityContext) {
  const { db } = ctx;

  /** Every key that may still verify, with the private half of the current one: for createKeyStore only. */
  async function loadSigningKeys(): Promise<SigningKeyRecord[]> {
    const since = new Date(ctx.now().getTime() - retiredKeysLoadSeconds * 1000);
    const rows = await db.query<{ kid: string; public_jwk: unknown; private_jwk: unknown; created_at: unknown; retired_at: unknown }>(
      `SELECT kid, public_jwk, CASE WHEN retired_at IS NULL THEN private_jwk END AS private_jwk, created_at, retired_at
       FROM signing_keys WHERE retired_at IS NULL OR retired_at > $1::timestamptz ORDER BY created_at DESC LIMIT ${signingKeysLoadMax}`,
      [since.toISOString()],
    );
    return rows.map((r) => ({
      kid: r.kid,
      publicJwk: json<PublicJwk>(r.public_jwk),
      privateJwk: r.private_jwk === null ? null : json<PrivateJwk>(r.private_jwk),
      createdAt: toDate(r.created_at),
      retiredAt: dateOrNull(r.retired_at),
    }));
  }

  /** Persists a rotation made from a store whose current key was `expectedCurrentKid` (null: there was none). */
  async function saveKeyRotation(rotation: Pick<KeyRotation, "added" | "retired">, expectedCurrentKid: string | null, by: AuditActor): Promise<SaveRotationResult> {
    const now = ctx.now();
    return db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(${rotationLock})`);
      const current = await currentKids(tx);
      const expected = expectedCurrentKid === null ? [] : [expectedCurrentKid];
      if (current.join(",") !== expected.join(",")) {
        return { ok: false, code: "rotation_conflict", detail: "the keys changed since they were loaded; reload" } as const;
      }
      const { added, retired } = rotation;
      await tx.query(`INSERT INTO signing_keys (kid, public_jwk, private_jwk, created_at) VALUES ($1, $2::text::jsonb, $3::text::jsonb, $4::timestamptz)`, [
        added.kid,
        JSON.stringify(added.publicJwk),
        JSON.stringify(added.privateJwk),
        added.createdAt.toISOString(),
      ]);
      for (const key of retired) {
        // The private half is destroyed at retirement: a retired key only verifies.
        await tx.query(`UPDATE signing_keys SET retired_at = $2::timestamptz, private_jwk = NULL WHERE kid = $1`, [key.kid, (key.retiredAt ?? now).toISOString()]);
      }
      await appendAudit(tx, now, by, "auth.keys_rotated", added.kid, { added: added.kid, retired: retired.map((k) => k.kid) });
      return { ok: true } as const;
    });
  }

  /**
   * The key store for this instance: loads the keys and, when there is no current key or it is due, rotates
   * (another instance may win the race; then its keys are loaded). Call at start and again every few minutes.
   */
  async function loadKeyStore(options: KeyStoreOptions & { by?: AuditActor; forceRotation?: boolean; immediate?: boolean } = {}): Promise<KeyStore> {
    const { by = systemActor, forceRotation = false, immediate = false, ...storeOptions } = options;
    let force = forceRotation;
    for (let attempt = 0; attempt < rotationAttemptsMax; attempt++) {
      const store = createKeyStore(await loadSigningKeys(), storeOptions);
      const now = ctx.now();
      if (!force && !store.needsRotation(now)) return store;
      const rotation = await store.rotate(now, { immediate });
      const saved = await saveKeyRotation(rotation, store.current()?.kid ?? null, by);
      if (saved.ok) return rotation.store;
      force = false;
    }
    throw new Error(`BUG: signing keys kept changing during ${rotationAttemptsMax} load attempts`);
  }

  return {
    loadSigningKeys,
    saveKeyRotation,
    loadKeyStore,

    /** An administrator's rotation; `immediate` (a suspected leak) stops the old key verifying at once. */
    rotateSigningKeys: (by: AuditActor, options: KeyStoreOptions & { immediate?: boolean } = {}) => loadKeyStore({ ...options, by, forceRotation: true }),

    /** Key ids and dates only. */
    async listSigningKeys(): Promise<SigningKeyInfo[]> {
      const rows = await db.query<{ kid: string; created_at: unknown; retired_at: unknown }>(`SELECT kid, created_at, retired_at FROM signing_keys ORDER BY created_at DESC LIMIT 100`);
      return rows.map((r) => ({ kid: r.kid, createdAt: toDate(r.created_at), retiredAt: dateOrNull(r.retired_at) }));
    },
  };
}
