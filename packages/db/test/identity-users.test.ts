// Users, password logins with lockout, login sessions with refresh-token rotation, and signing keys — on both
// backends.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessTokenTtlSecondsMax, issueAccessToken, verifyAccessToken } from "@tsubaki/auth";
import { createIdentityStore, type IdentityStore } from "../src/identity-store";
import type { Db } from "../src/client";
import { backends, openBackend } from "./backends";
import { admin, Clock, fastScrypt } from "./identity-helpers";

describe.each(backends)("identity users on %s", (backend) => {
  let db: Db;
  let close: () => Promise<void>;
  let store: IdentityStore;
  const clock = new Clock();

  beforeAll(async () => {
    ({ db, close } = await openBackend(backend));
    store = createIdentityStore(db, { now: clock.now, secretParams: fastScrypt });
  });
  afterAll(async () => close());

  async function user(login: string, roles: Parameters<IdentityStore["createUser"]>[0]["roles"] = ["counter_staff"]) {
    const r = await store.createUser({ login, password: "correct horse 1", roles, displayName: login, kind: "city" }, admin);
    if (!r.ok) throw new Error(r.code);
    return r.user;
  }

  it("creates a user, normalises the login, refuses a taken login and ungrantable roles", async () => {
    const r = await store.createUser({ login: "Ｈａｎａｋｏ", password: "correct horse 1", roles: ["admin_auditor"], displayName: "花子", kind: "city" }, admin);
    expect(r).toMatchObject({ ok: true, user: { login: "hanako", grantedRoles: ["admin_auditor"], displayName: "花子", kind: "city", hasPassword: true, disabledAt: null } });
    expect(r.ok && r.user.owner).toBe(r.ok ? `user:${r.user.id}` : "");
    expect(await store.createUser({ login: "HANAKO", displayName: "x", kind: "city" }, admin)).toMatchObject({ ok: false, code: "login_taken" });
    expect(await store.createUser({ login: "taro", roles: ["service"], displayName: "x", kind: "city" }, admin)).toMatchObject({ ok: false, code: "invalid_roles" });
    expect(await store.createUser({ login: "taro", password: "short", displayName: "x", kind: "city" }, admin)).toMatchObject({ ok: false, code: "password_too_short" });
    expect(await store.createUser({ login: "a b", displayName: "x", kind: "city" }, admin)).toMatchObject({ ok: false, code: "invalid_login" });
  });

  it("logs in with the right password and returns granted plus derived roles", async () => {
    const u = await user("operator1", ["admin_operator"]);
    const r = await store.login({ login: "OPERATOR1", password: "correct horse 1", address: "203.0.113.5" });
    expect(r).toMatchObject({ ok: true, user: { id: u.id }, roles: ["admin_operator"] });
    expect(await store.findUserByLogin("operator1")).toMatchObject({ id: u.id });
  });

  it("locks an account with growing lockout: 20 wrong passwords, each after the previous lock, then 24 h", async () => {
    await user("target20");
    const schedule: number[] = [];
    for (let n = 1; n <= 20; n++) {
      expect(await store.login({ login: "target20", password: `wrong guess ${n}`, address: `198.51.100.${n}` })).toMatchObject({ ok: false, code: "invalid_credentials" });
      const lock = (await store.loginThrottle("target20"))?.lockedUntil;
      const seconds = lock ? (lock.getTime() - clock.current.getTime()) / 1000 : 0;
      schedule.push(seconds);
      if (seconds > 0) {
        // While locked even the right password is refused, and the refusal is not counted as a failure.
        expect(await store.login({ login: "target20", password: "correct horse 1", address: "192.0.2.200" })).toMatchObject({ ok: false, code: "login_locked", retryAfterSeconds: seconds });
        expect((await store.loginThrottle("target20"))?.failures).toBe(n);
      }
      if (n < 20) clock.advance(seconds);
    }
    expect(schedule).toEqual([0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900, 900, 900, 900, 900, 900, 900, 900, 900, 86400]);
    clock.advance(3600);
    expect(await store.login({ login: "target20", password: "correct horse 1", address: "192.0.2.202" })).toMatchObject({ ok: false, code: "login_locked", retryAfterSeconds: 86400 - 3600 });
    expect(await store.unlockLogin("target20", admin)).toEqual({ ok: true, wasLocked: true });
    expect(await store.login({ login: "target20", password: "correct horse 1", address: "192.0.2.202" })).toMatchObject({ ok: true });
    expect((await store.queryAudit({ action: "auth.login_failed", limit: 100 })).entries.filter((e) => e.target !== null && e.details.failures === 20)).toHaveLength(1);
  });

  it("throttles an unknown login exactly like a real one", async () => {
    for (let i = 0; i < 5; i++) expect(await store.login({ login: "nobody-here", password: "guess", address: null })).toMatchObject({ ok: false, code: "invalid_credentials" });
    expect(await store.login({ login: "nobody-here", password: "guess", address: null })).toMatchObject({ ok: false, code: "login_locked", retryAfterSeconds: 30 });
    clock.advance(31);
  });

  it("locks an address after 20 failures across many logins; a success takes back its provisional failure", async () => {
    const address = "2001:db8:aa:bb::1";
    await user("victim-a");
    for (let i = 0; i < 19; i++) await store.login({ login: `spray-${i}`, password: "guess", address: `2001:db8:aa:bb::${i + 2}` });
    expect(await store.login({ login: "victim-a", password: "correct horse 1", address })).toMatchObject({ ok: true });
    expect(await store.login({ login: "spray-x", password: "guess", address })).toMatchObject({ ok: false, code: "invalid_credentials" });
    expect(await store.login({ login: "victim-a", password: "correct horse 1", address })).toMatchObject({ ok: false, code: "address_locked", retryAfterSeconds: 60 });
    expect(await store.login({ login: "victim-a", password: "correct horse 1", address: "2001:db8:aa:cc::1" })).toMatchObject({ ok: true });
    clock.advance(61);
  });

  it("counts parallel guesses: a burst of 12 wrong passwords still locks", async () => {
    await user("burst");
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => store.login({ login: "burst", password: `p${i}`, address: null })));
    expect(results.filter((r) => !r.ok && r.code === "invalid_credentials").length).toBeLessThanOrEqual(5);
    expect(await store.loginThrottle("burst")).toMatchObject({ failures: 5 });
    clock.advance(3600);
  });

  it("refuses a login without any role, after checking the password", async () => {
    expect(await store.createUser({ login: "newcomer", password: "correct horse 1", displayName: "新人", kind: "resident" }, admin)).toMatchObject({ ok: true });
    expect(await store.login({ login: "newcomer", password: "wrong password 1" })).toMatchObject({ ok: false, code: "invalid_credentials" });
    expect(await store.login({ login: "newcomer", password: "correct horse 1" })).toMatchObject({ ok: false, code: "no_roles" });
  });

  it("ends a session when its user loses every role", async () => {
    const u = await user("demoted", ["admin_auditor"]);
    const s = await store.startSession(u.id);
    await store.setUserRoles(u.id, [], admin);
    expect(await store.refreshSession(s.refreshToken)).toMatchObject({ ok: false, code: "token_invalid" });
  });

  it("refuses a disabled user and ends their sessions", async () => {
    const u = await user("leaver");
    const session = await store.startSession(u.id);
    expect(await store.disableUser(u.id, admin)).toMatchObject({ ok: true, user: { disabledAt: clock.current } });
    expect(await store.login({ login: "leaver", password: "correct horse 1" })).toMatchObject({ ok: false, code: "invalid_credentials" });
    expect(await store.refreshSession(session.refreshToken)).toMatchObject({ ok: false, code: "token_invalid" });
    expect(await store.rolesOf(u.id)).toEqual([]);
  });

  it("rotates refresh tokens and revokes the whole family when a spent token comes back", async () => {
    const u = await user("rotator", ["admin_approver"]);
    const first = await store.startSession(u.id);
    expect(first.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const second = await store.refreshSession(first.refreshToken);
    expect(second).toMatchObject({ ok: true, sessionId: first.sessionId, roles: ["admin_approver"] });
    if (!second.ok) return;
    const third = await store.refreshSession(second.refreshToken);
    expect(third).toMatchObject({ ok: true, sessionId: first.sessionId });
    // The thief replays the first token: the family dies, the legitimate holder's newest token too.
    expect(await store.refreshSession(first.refreshToken)).toMatchObject({ ok: false, code: "token_reused" });
    if (third.ok) expect(await store.refreshSession(third.refreshToken)).toMatchObject({ ok: false, code: "token_invalid" });
    // Another session of the same user is untouched.
    const other = await store.startSession(u.id);
    expect(await store.refreshSession(other.refreshToken)).toMatchObject({ ok: true });
    const reuse = await store.queryAudit({ action: "auth.refresh_reused", target: u.id });
    expect(reuse.entries).toHaveLength(1);
    expect(reuse.entries[0]?.details).toEqual({ session_id: first.sessionId });
  });

  it("ends a session at logout, refuses garbage and expired tokens", async () => {
    const u = await user("logout");
    const s = await store.startSession(u.id);
    expect(await store.endSession(s.refreshToken)).toEqual({ ok: true, sessionId: s.sessionId });
    expect(await store.refreshSession(s.refreshToken)).toMatchObject({ ok: false, code: "token_invalid" });
    expect(await store.refreshSession("not-a-token")).toMatchObject({ ok: false, code: "token_invalid" });
    expect(await store.endSession("x".repeat(43))).toMatchObject({ ok: false, code: "token_invalid" });
    const s2 = await store.startSession(u.id);
    clock.advance(31 * 24 * 3600);
    expect(await store.refreshSession(s2.refreshToken)).toMatchObject({ ok: false, code: "token_expired" });
  });

  it("changes roles with an audit of before and after, and derives roles from relations", async () => {
    const u = await user("promoted", ["counter_staff"]);
    expect(await store.setUserRoles(u.id, ["counter_staff", "admin_auditor"], admin)).toMatchObject({ ok: true, user: { grantedRoles: ["counter_staff", "admin_auditor"] } });
    const [entry] = (await store.queryAudit({ action: "user.roles_changed", target: u.id })).entries;
    expect(entry).toMatchObject({ actor: "u_admin", actorRoles: ["admin_operator"], requestId: "req-admin", details: { before: ["counter_staff"], after: ["counter_staff", "admin_auditor"] } });
    expect(await store.setUserRoles(u.id, ["resident"], admin)).toMatchObject({ ok: false, code: "invalid_roles" });
    expect(await store.setUserRoles("u_missing", [], admin)).toMatchObject({ ok: false, code: "user_not_found" });
  });

  it("creates signing keys once, shares them between instances, rotates, and never lists private keys", async () => {
    const a = await store.loadKeyStore();
    const b = await createIdentityStore(db, { now: clock.now }).loadKeyStore();
    expect(b.current()?.kid).toBe(a.current()?.kid);
    const issuer = { issuer: "https://tsubaki.test/", audience: "tsubaki-api" };
    const token = await issueAccessToken({ sub: "u_x", roles: ["resident"] }, a, { ...issuer, ttlSeconds: accessTokenTtlSecondsMax, now: clock.current });
    const rotated = await store.rotateSigningKeys(admin);
    expect(rotated.current()?.kid).not.toBe(a.current()?.kid);
    const reloaded = await store.loadKeyStore();
    expect(reloaded.jwks(clock.current).keys.map((k) => k.kid)).toEqual([rotated.current()?.kid, a.current()?.kid]);
    expect(await verifyAccessToken(token.token, reloaded, { ...issuer, now: clock.current })).toMatchObject({ ok: true });
    const listed = JSON.stringify(await store.listSigningKeys());
    expect(listed).not.toContain('"d"');
    expect(listed).not.toContain(a.current()!.privateJwk!.d);
    const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM signing_keys WHERE retired_at IS NOT NULL AND private_jwk IS NOT NULL`);
    expect(row?.n).toBe(0);
    // A stale instance that rotates from old keys loses the race and loads the winner's keys.
    expect(await store.saveKeyRotation(await a.rotate(clock.current), a.current()!.kid, admin)).toMatchObject({ ok: false, code: "rotation_conflict" });
  });
});
