// The audit log: append-only, hash-chained, filterable by the auditor, checked by the ledger audit command — and
// the one place (with any log line) where no password, PIN, token or key may ever appear.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateDeviceKeyPair, issueAccessToken, signDeviceRequest } from "@tsubaki/auth";
import { auditLedger } from "../src/audit";
import { createIdentityStore, type IdentityStore } from "../src/identity-store";
import type { Db } from "../src/client";
import { sqlState } from "../src/client";
import { backends, openBackend } from "./backends";
import { admin, Clock, fastScrypt } from "./identity-helpers";

/** Everything written to stdout, stderr or the console while `run` runs. */
async function captureOutput(run: () => Promise<void>): Promise<string> {
  const lines: string[] = [];
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const consoleMethods = ["log", "info", "warn", "error", "debug"] as const;
  const saved = consoleMethods.map((m) => console[m]);
  process.stdout.write = ((chunk: unknown) => (lines.push(String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: unknown) => (lines.push(String(chunk)), true)) as typeof process.stderr.write;
  for (const m of consoleMethods) console[m] = (...args: unknown[]) => void lines.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
  try {
    await run();
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    consoleMethods.forEach((m, i) => (console[m] = saved[i]!));
  }
  return lines.join("\n");
}

describe.each(backends)("identity audit log on %s", (backend) => {
  let db: Db;
  let close: () => Promise<void>;
  let store: IdentityStore;
  const clock = new Clock();

  beforeAll(async () => {
    ({ db, close } = await openBackend(backend));
    store = createIdentityStore(db, { now: clock.now, secretParams: fastScrypt });
  });
  afterAll(async () => close());

  it("keeps no password, PIN, token, pairing code or key in any log line or audit row during login, refresh, PIN and pairing flows", async () => {
    const password = "Tsubaki-Secret-Password-9173";
    const wrongPassword = "Wrong-Guess-Password-5521";
    const pin = "583016";
    const wrongPin = "907142";
    const secrets: string[] = [password, wrongPassword, pin, wrongPin];
    const output = await captureOutput(async () => {
      const created = await store.createUser({ login: "secretive", password, displayName: "秘密", kind: "resident" }, admin);
      if (!created.ok) throw new Error(created.code);
      const resident = await store.createResident({ name: "秘密 太郎", nameKana: "ヒミツ タロウ", birthDate: "1950-01-01", district: "本町", userId: created.user.id }, admin);
      if (!resident.ok) throw new Error(resident.code);
      await store.login({ login: "secretive", password: wrongPassword, address: "203.0.113.9" }, { requestId: "req-1" });
      await store.login({ login: wrongPassword, password, address: "203.0.113.9" }, { requestId: "req-2" });
      const ok = await store.login({ login: "secretive", password, address: "203.0.113.9" }, { requestId: "req-3" });
      if (!ok.ok) throw new Error(ok.code);
      const keys = await store.loadKeyStore();
      secrets.push(keys.current()!.privateJwk!.d);
      const access = await issueAccessToken({ sub: ok.user.id, roles: ok.roles }, keys, { issuer: "iss", audience: "aud", ttlSeconds: 900, now: clock.current });
      secrets.push(access.token);
      const session = await store.startSession(ok.user.id);
      secrets.push(session.refreshToken);
      const next = await store.refreshSession(session.refreshToken, { requestId: "req-4" });
      if (!next.ok) throw new Error(next.code);
      secrets.push(next.refreshToken);
      await store.refreshSession(session.refreshToken, { requestId: "req-5" });
      await store.endSession(next.refreshToken, { requestId: "req-6" });
      await store.rotateSigningKeys(admin);

      const card = await store.issueCard({ residentId: resident.resident.id, pin }, admin);
      if (!card.ok) throw new Error(card.code);
      for (let i = 0; i < 5; i++) await store.checkCardPin({ number: card.card.number, pin: wrongPin }, admin);
      await store.unlockCard(card.card.id, admin);
      await store.checkCardPin({ number: card.card.number, pin }, admin);
      await store.changeCardPin(card.card.id, "640913", admin);
      secrets.push("640913");

      const device = await store.createDevice({ name: "端末", operator: "市" }, admin);
      if (!device.ok) throw new Error(device.code);
      secrets.push(device.pairingCode, device.pairingCode.replace("-", ""));
      const deviceKeys = generateDeviceKeyPair();
      secrets.push(deviceKeys.secretKey);
      await store.pairDevice({ pairingCode: device.pairingCode, publicKey: deviceKeys.publicKey }, { requestId: "req-7" });
      const headers = signDeviceRequest({ deviceId: device.device.id, secretKey: deviceKeys.secretKey, method: "GET", pathAndQuery: "/v1/x", body: null, now: clock.current });
      secrets.push(headers["x-tsubaki-signature"]!);
      await store.authenticateDeviceRequest({ method: "GET", pathAndQuery: "/v1/x", body: null, headers });
    });
    const [hashes] = await db.query<{ password_hash: string; pin_hash: string }>(
      `SELECT (SELECT password_hash FROM users WHERE login = 'secretive') AS password_hash, (SELECT pin_hash FROM cards LIMIT 1) AS pin_hash`,
    );
    secrets.push(hashes!.password_hash, hashes!.pin_hash, "$scrypt$");
    const tokenHashes = await db.query<{ token_hash: string }>(`SELECT token_hash FROM refresh_tokens`);
    secrets.push(...tokenHashes.map((t) => t.token_hash));

    // What an auditor can read: every column except the chain hashes (random hex could contain a digit run).
    const audit = await db.query<Record<string, unknown>>(`SELECT seq, at, actor, actor_roles, action, target, request_id, details FROM audit_log ORDER BY audit_log.seq`);
    const auditText = JSON.stringify(audit);
    expect(audit.length).toBe(15);
    for (const secret of secrets) {
      expect(output, "log output").not.toContain(secret);
      expect(auditText, "audit log").not.toContain(secret);
    }
    expect(audit.map((r) => r.action)).toEqual(
      expect.arrayContaining(["auth.login_failed", "auth.login_succeeded", "auth.refresh_reused", "auth.logout", "auth.keys_rotated", "card.locked", "card.unlocked", "card.pin_changed", "device.paired"]),
    );
  });

  it("chains every row, gapless even when appends race", async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.appendAudit({ actor: "service", actorRoles: ["service"], requestId: `race-${i}` }, "campaign.funded", `cmp_${i % 3}`, { amount_yen: BigInt(1000 * i), at: clock.current, nested: { b: 2, a: 1 } })));
    const check = await store.verifyAuditChain();
    expect(check).toMatchObject({ name: "audit_log_chain", ok: true });
    const rows = await db.query<{ seq: string }>(`SELECT seq::text AS seq FROM audit_log ORDER BY audit_log.seq`);
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: rows.length }, (_, i) => i + 1));
    const report = await auditLedger(db);
    expect(report.checks.find((c) => c.name === "audit_log_chain")).toMatchObject({ ok: true });
  });

  it("stores details as plain JSON: bigints and dates as strings", async () => {
    const entry = await store.appendAudit(admin, "payout.created", "s_1", { amount_yen: 123456789012345678n, when: new Date("2026-04-01T00:00:00Z"), skip: undefined });
    expect(entry.details).toEqual({ amount_yen: "123456789012345678", when: "2026-04-01T00:00:00.000Z" });
  });

  it("lets the auditor filter by actor, action, prefix, target, request id and time, newest first, page by page", async () => {
    const byRequest = await store.queryAudit({ requestId: "req-3" });
    expect(byRequest.entries.map((e) => e.action)).toEqual(["auth.login_succeeded"]);
    const logins = await store.queryAudit({ actionPrefix: "auth.login" });
    expect(new Set(logins.entries.map((e) => e.action))).toEqual(new Set(["auth.login_failed", "auth.login_succeeded"]));
    const funded = await store.queryAudit({ action: "campaign.funded", target: "cmp_1", actor: "service" });
    expect(funded.entries).toHaveLength(7);
    const first = await store.queryAudit({ action: "campaign.funded", limit: 8 });
    expect(first.entries).toHaveLength(8);
    const second = await store.queryAudit({ action: "campaign.funded", limit: 8, cursor: first.nextCursor! });
    const third = await store.queryAudit({ action: "campaign.funded", limit: 8, cursor: second.nextCursor! });
    expect([...first.entries, ...second.entries, ...third.entries].map((e) => e.seq)).toEqual([...first.entries, ...second.entries, ...third.entries].map((e) => e.seq).sort((a, b) => b - a));
    expect(third.entries).toHaveLength(4);
    expect(third.nextCursor).toBeNull();
    expect((await store.queryAudit({ from: new Date(clock.current.getTime() + 1) })).entries).toEqual([]);
    expect((await store.queryAudit({ limit: 1000 })).entries.length).toBeLessThanOrEqual(100);
  });

  it("refuses updates, deletes and truncation, and detects a row changed behind the triggers' back", async () => {
    const refused = async (sql: string) => {
      try {
        await db.query(sql);
        return "allowed";
      } catch (error) {
        return sqlState(error);
      }
    };
    expect(await refused(`UPDATE audit_log SET actor = 'mallory' WHERE seq = 1`)).toBe("23001");
    expect(await refused(`DELETE FROM audit_log WHERE seq = 1`)).toBe("23001");
    expect(await refused(`TRUNCATE audit_log`)).toBe("23001");
    expect(await refused(`UPDATE audit_log_head SET seq = 1, hash = 'x'`)).toBe("23001");
    expect(await refused(`DELETE FROM audit_log_head`)).toBe("23001");

    // A superuser can disable the triggers; the chain still tells.
    await db.query(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`);
    const [row] = await db.query<{ actor: string }>(`SELECT actor FROM audit_log WHERE seq = 2`);
    await db.query(`UPDATE audit_log SET actor = 'mallory' WHERE seq = 2`);
    expect(await store.verifyAuditChain()).toEqual({ name: "audit_log_chain", ok: false, detail: "row 2: hash mismatch (the row changed after it was written)" });
    await db.query(`UPDATE audit_log SET actor = $1 WHERE seq = 2`, [row!.actor]);
    expect(await store.verifyAuditChain()).toMatchObject({ ok: false, detail: "append-only triggers missing or disabled: audit_log_append_only" });
    await db.query(`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`);
    expect(await store.verifyAuditChain()).toMatchObject({ ok: true });
  });
});
