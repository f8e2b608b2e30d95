// Logging in, as residents, shops and the city's staff meet it: the token response of DESIGN §6, refresh-token
// rotation and reuse detection, logout, forged and stale access tokens refused, guessing limits on passwords, key
// rotation, and logs that never carry a secret. On PGlite and on a real PostgreSQL server.
import { decodeJwt, decodeProtectedHeader, SignJWT, type JWK } from "jose";
import { base64UrlEncode, createKeyStore, generateSigningKey, issueAccessToken } from "@tsubaki/auth";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createApp } from "../src/app";
import { createLogger } from "../src/log";
import { backends, call, expectProblem, openHarness, testAddressHeader, type Harness } from "./harness";
import { Clock, login, makeResident, makeUser, password, tokensOf } from "./identity-kit";

const b64json = (value: unknown) => base64UrlEncode(new TextEncoder().encode(JSON.stringify(value)));

describe.each(backends)("logging in on %s", (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness(backend);
  });
  afterAll(async () => {
    await h?.close();
  });

  it("answers a login with exactly DESIGN §6's token response, and the token works for GET /v1/me", async () => {
    const u = await makeUser(h.identity, { roles: ["admin_auditor"], name: "監査 太郎" });
    const r = await login(h.app, u.login.toUpperCase());
    expect(r.status, r.text).toBe(200);
    expect(Object.keys(r.body)).toEqual(["access_token", "refresh_token", "token_type", "expires_in"]);
    expect(r.body).toMatchObject({ token_type: "Bearer", expires_in: 900 });
    expect(r.headers.get("cache-control")).toBe("no-store");
    const header = decodeProtectedHeader(r.body.access_token);
    expect(header).toMatchObject({ alg: "EdDSA", typ: "at+jwt" });
    const jwks = await call(h.app, "GET", "/v1/.well-known/jwks.json", { token: null });
    expect(jwks.status).toBe(200);
    expect(jwks.body.keys.map((k: { kid: string }) => k.kid)).toContain(header.kid);
    expect(JSON.stringify(jwks.body)).not.toMatch(/"d"/);

    const me = await call(h.app, "GET", "/v1/me", { token: r.body.access_token });
    expect(me.status, me.text).toBe(200);
    expect(me.body).toEqual({ id: u.id, login: u.login, roles: ["admin_auditor"], display_name: "監査 太郎" });
  });

  it("names a resident's own resident record in their access token (rid), so their own things need no lookup of it", async () => {
    const u = await makeUser(h.identity);
    const residentId = await makeResident(h.identity, u.id);
    const token = (await tokensOf(h.app, u.login)).access_token;
    expect(decodeJwt(token).rid).toBe(residentId);
    const lookups = vi.spyOn(h.identity, "findResidentByUser");
    try {
      const own = await call(h.app, "GET", "/v1/wallet/proxies", { token });
      expect(own.status, own.text).toBe(200);
      expect(lookups).not.toHaveBeenCalled();
    } finally {
      lookups.mockRestore();
    }
    // A token issued without it (before this claim existed) still finds the resident through the link.
    const { token: older } = await issueAccessToken({ sub: u.id, roles: ["resident"] }, await h.auth.keys.get(), {
      issuer: h.config.jwtIssuer,
      audience: h.config.jwtAudience,
      ttlSeconds: 60,
      now: new Date(),
    });
    const viaLink = await call(h.app, "GET", "/v1/wallet/proxies", { token: older });
    expect(viaLink.status, viaLink.text).toBe(200);
    // Staff carry none.
    const staff = await makeUser(h.identity, { roles: ["admin_auditor"] });
    expect(decodeJwt((await tokensOf(h.app, staff.login)).access_token).rid).toBeUndefined();
  });

  it("says invalid_credentials for a wrong password and an unknown login alike, and no_roles for a login without a role", async () => {
    const u = await makeUser(h.identity, { roles: ["counter_staff"] });
    const wrong = await login(h.app, u.login, "not the password");
    expectProblem(wrong, 401, "invalid_credentials");
    const unknown = await login(h.app, "nobody-at-all", "not the password");
    expectProblem(unknown, 401, "invalid_credentials");
    expect(unknown.body.detail).toBe(wrong.body.detail);
    const bare = await makeUser(h.identity);
    expectProblem(await login(h.app, bare.login), 403, "no_roles");
    // Once a resident record exists, the same login works and carries the derived role.
    await makeResident(h.identity, bare.id);
    const tokens = await tokensOf(h.app, bare.login);
    expect((await call(h.app, "GET", "/v1/me", { token: tokens.access_token })).body.roles).toEqual(["resident"]);
  });

  it("rotates refresh tokens, and a reused one ends the whole session (audited with the request id)", async () => {
    const u = await makeUser(h.identity, { roles: ["admin_operator"] });
    const first = await tokensOf(h.app, u.login);
    const second = await call(h.app, "POST", "/v1/auth/refresh", { token: null, body: { refresh_token: first.refresh_token } });
    expect(second.status, second.text).toBe(200);
    expect(Object.keys(second.body)).toEqual(["access_token", "refresh_token", "token_type", "expires_in"]);
    expect(second.body.refresh_token).not.toBe(first.refresh_token);

    // Someone replays the first refresh token: both they and the real user are logged out.
    const reused = await call(h.app, "POST", "/v1/auth/refresh", { token: null, body: { refresh_token: first.refresh_token }, headers: { "X-Request-Id": "reuse-1" } });
    expectProblem(reused, 401, "token_reused");
    expect(reused.headers.get("www-authenticate")).toContain('error="invalid_token"');
    expectProblem(await call(h.app, "POST", "/v1/auth/refresh", { token: null, body: { refresh_token: second.body.refresh_token } }), 401, "token_invalid");
    const audit = await h.identity.queryAudit({ action: "auth.refresh_reused", requestId: "reuse-1" });
    expect(audit.entries).toHaveLength(1);
    expect(audit.entries[0]!.target).toBe(u.id);
  });

  it("logs out: the refresh token is spent, and garbage is token_invalid", async () => {
    const u = await makeUser(h.identity, { roles: ["admin_operator"] });
    const tokens = await tokensOf(h.app, u.login);
    const out = await call(h.app, "POST", "/v1/auth/logout", { token: tokens.access_token, body: { refresh_token: tokens.refresh_token } });
    expect(out.status, out.text).toBe(200);
    expect(out.body).toEqual({ logged_out: true });
    expectProblem(await call(h.app, "POST", "/v1/auth/refresh", { token: null, body: { refresh_token: tokens.refresh_token } }), 401, "token_invalid");
    expectProblem(await call(h.app, "POST", "/v1/auth/refresh", { token: null, body: { refresh_token: "x".repeat(43) } }), 401, "token_invalid");
    expectProblem(await call(h.app, "POST", "/v1/auth/logout", { token: null, body: { refresh_token: "not-a-token" } }), 401, "token_invalid");
  });

  describe("forged and stale access tokens over HTTP", () => {
    let good: string;
    let userId: string;
    beforeAll(async () => {
      const u = await makeUser(h.identity, { roles: ["admin_auditor"] });
      userId = u.id;
      good = (await tokensOf(h.app, u.login)).access_token;
    });

    async function expectRefused(token: string, code = "token_invalid") {
      const r = await call(h.app, "GET", "/v1/admin/audit/verify", { token });
      expectProblem(r, 401, code);
      expect(r.headers.get("www-authenticate")).toMatch(/^Bearer realm="tsubaki", error="invalid_token"/);
    }

    async function signWithCurrentKey(header: Record<string, unknown>, payload: Record<string, unknown>): Promise<string> {
      const { key } = await (await h.auth.keys.get()).signingKey();
      return new SignJWT(payload).setProtectedHeader(header as never).sign(key);
    }

    const claims = () => {
      const now = Math.floor(Date.now() / 1000);
      return { sub: userId, roles: ["admin_auditor"], iss: h.config.jwtIssuer, aud: h.config.jwtAudience, iat: now, exp: now + 600, jti: `j${now}` };
    };

    it("accepts the real token", async () => {
      expect((await call(h.app, "GET", "/v1/admin/audit/verify", { token: good })).status).toBe(200);
    });

    it("refuses alg none", async () => {
      const { kid } = decodeProtectedHeader(good);
      await expectRefused(`${b64json({ alg: "none", typ: "at+jwt", kid })}.${b64json(claims())}.`);
    });

    it("refuses HS256 signed with the public key (algorithm confusion)", async () => {
      const jwk = (await h.auth.keys.get()).jwks(new Date()).keys[0]!;
      for (const secret of [new TextEncoder().encode(jwk.x), Uint8Array.from(atob(jwk.x.replace(/-/g, "+").replace(/_/g, "/") + "="), (c) => c.charCodeAt(0))]) {
        const forged = await new SignJWT({ roles: ["admin_operator"] })
          .setProtectedHeader({ alg: "HS256", typ: "at+jwt", kid: jwk.kid })
          .setSubject(userId)
          .setIssuer(h.config.jwtIssuer)
          .setAudience(h.config.jwtAudience)
          .setIssuedAt()
          .setExpirationTime("10m")
          .setJti("forged")
          .sign(secret);
        await expectRefused(forged);
      }
    });

    it("refuses a wrong audience and a wrong issuer, though signed with our key", async () => {
      const keys = await h.auth.keys.get();
      const options = { issuer: h.config.jwtIssuer, audience: h.config.jwtAudience, ttlSeconds: 600, now: new Date() };
      await expectRefused((await issueAccessToken({ sub: userId, roles: ["admin_auditor"] }, keys, { ...options, audience: "another-api" })).token);
      await expectRefused((await issueAccessToken({ sub: userId, roles: ["admin_auditor"] }, keys, { ...options, issuer: "https://evil.example" })).token);
    });

    it("refuses an expired token with token_expired", async () => {
      const keys = await h.auth.keys.get();
      const old = await issueAccessToken({ sub: userId, roles: ["admin_auditor"] }, keys, { issuer: h.config.jwtIssuer, audience: h.config.jwtAudience, ttlSeconds: 900, now: new Date(Date.now() - 20 * 60_000) });
      await expectRefused(old.token, "token_expired");
    });

    it("refuses a tampered payload (roles raised) and a tampered signature", async () => {
      const [header, payload, signature] = good.split(".") as [string, string, string];
      const claimsOf = decodeJwt(good);
      await expectRefused(`${header}.${b64json({ ...claimsOf, roles: ["admin_operator", "service"] })}.${signature}`);
      await expectRefused(`${header}.${payload}.${signature.slice(0, -2)}${signature.endsWith("AA") ? "BA" : "AA"}`);
    });

    it("refuses a key it does not know, a key named in the token itself, typ JWT, and a lifetime over 15 minutes", async () => {
      const stranger = createKeyStore([await generateSigningKey(new Date())]);
      await expectRefused((await issueAccessToken({ sub: userId, roles: ["admin_auditor"] }, stranger, { issuer: h.config.jwtIssuer, audience: h.config.jwtAudience, ttlSeconds: 600, now: new Date() })).token);
      const kid = (await h.auth.keys.get()).current()!.kid;
      const embedded = (await h.auth.keys.get()).jwks(new Date()).keys[0]! as unknown as JWK;
      await expectRefused(await signWithCurrentKey({ alg: "EdDSA", typ: "at+jwt", kid, jwk: embedded }, claims()));
      await expectRefused(await signWithCurrentKey({ alg: "EdDSA", typ: "JWT", kid }, claims()));
      const long = claims();
      await expectRefused(await signWithCurrentKey({ alg: "EdDSA", typ: "at+jwt", kid }, { ...long, exp: long.iat + 3600 }));
      // The same construction with an honest lifetime is accepted, so the refusals above are about what they change.
      expect((await call(h.app, "GET", "/v1/admin/audit/verify", { token: await signWithCurrentKey({ alg: "EdDSA", typ: "at+jwt", kid }, claims()) })).status).toBe(200);
    });
  });

  it("rotates the signing key: old tokens verify through the grace period, and an immediate rotation ends them", async () => {
    const u = await makeUser(h.identity, { roles: ["admin_auditor"] });
    const before = await tokensOf(h.app, u.login);
    const rotated = await call(h.app, "POST", "/v1/admin/keys/rotate", { body: {} });
    expect(rotated.status, rotated.text).toBe(200);
    expect(rotated.body.current).not.toBe(decodeProtectedHeader(before.access_token).kid);
    expect((await call(h.app, "GET", "/v1/me", { token: before.access_token })).status).toBe(200);
    const after = await tokensOf(h.app, u.login);
    expect(decodeProtectedHeader(after.access_token).kid).toBe(rotated.body.current);
    const jwks = (await call(h.app, "GET", "/v1/.well-known/jwks.json", { token: null })).body.keys.map((k: { kid: string }) => k.kid);
    expect(jwks).toEqual(expect.arrayContaining([rotated.body.current, decodeProtectedHeader(before.access_token).kid]));

    // Used once before the immediate rotation, so a verified token the instance remembers is ended too.
    expect((await call(h.app, "GET", "/v1/me", { token: after.access_token })).status).toBe(200);
    expect((await call(h.app, "POST", "/v1/admin/keys/rotate", { body: { immediate: true } })).status).toBe(200);
    expectProblem(await call(h.app, "GET", "/v1/me", { token: after.access_token }), 401, "token_invalid");
    // The session survives: its refresh token gets an access token signed with the new key.
    const refreshed = await call(h.app, "POST", "/v1/auth/refresh", { token: null, body: { refresh_token: after.refresh_token } });
    expect(refreshed.status, refreshed.text).toBe(200);
    expect((await call(h.app, "GET", "/v1/me", { token: refreshed.body.access_token })).status).toBe(200);
    const audit = await h.identity.queryAudit({ action: "auth.keys_rotated", limit: 5 });
    expect(audit.entries.length).toBeGreaterThanOrEqual(2);
  });
});

describe.each(backends)("guessing limits on %s", (backend) => {
  const clock = new Clock();
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness(backend, {}, { now: clock.now });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("locks an account with a doubling backoff, then for 24 h at the 20th failure, until an operator unlocks it", async () => {
    const u = await makeUser(h.identity, { roles: ["counter_staff"] });
    // Seconds locked after the n-th failure in a row (packages/auth accountLockoutPolicy).
    const lockAfter = (n: number) => (n >= 20 ? 86_400 : n < 5 ? 0 : Math.min(30 * 2 ** (n - 5), 900));
    for (let n = 1; n <= 20; n++) {
      expectProblem(await login(h.app, u.login, `wrong guess ${n}`), 401, "invalid_credentials");
      const seconds = lockAfter(n);
      if (seconds === 0) continue;
      // While locked even the right password is refused, and the caller is told when to come back.
      const locked = await login(h.app, u.login);
      expectProblem(locked, 423, "login_locked");
      expect(locked.headers.get("retry-after")).toBe(String(seconds));
      expect(locked.body.retry_after_s).toBe(seconds);
      if (n < 20) clock.advance(seconds);
    }
    clock.advance(15 * 60);
    expectProblem(await login(h.app, u.login), 423, "login_locked");
    const failures = await h.identity.queryAudit({ action: "auth.login_failed", target: u.id, limit: 100 });
    expect(failures.entries).toHaveLength(20);

    const unlocked = await call(h.app, "POST", `/v1/admin/users/${u.id}/unlock`, { headers: { "X-Request-Id": "unlock-1" } });
    expect(unlocked.status, unlocked.text).toBe(200);
    expect(unlocked.body).toEqual({ was_locked: true });
    expect((await login(h.app, u.login)).status).toBe(200);
    expect((await h.identity.queryAudit({ action: "auth.login_unlocked", requestId: "unlock-1" })).entries).toHaveLength(1);
  });

  it("says a pairing code has lapsed after 10 minutes (410), and the terminal asks for a new one", async () => {
    const created = await h.identity.createDevice({ name: "期限切れ端末", operator: "test" }, { actor: "test", actorRoles: [] });
    if (!created.ok) throw new Error(created.code);
    const { generateDeviceKeyPair } = await import("@tsubaki/auth");
    const body = { pairing_code: created.pairingCode, public_key: generateDeviceKeyPair().publicKey };
    clock.advance(601);
    expectProblem(await call(h.app, "POST", "/v1/devices/pair", { token: null, body }), 410, "pairing_code_expired");
    const fresh = await call(h.app, "POST", `/v1/admin/devices/${created.device.id}/pairing-code`, {});
    expect(fresh.status, fresh.text).toBe(200);
    expect((await call(h.app, "POST", "/v1/devices/pair", { token: null, body: { ...body, pairing_code: fresh.body.pairing_code } })).status).toBe(200);
  });

  it("locks an address after 20 failures across logins, without locking the accounts elsewhere", async () => {
    const victim = await makeUser(h.identity, { roles: ["counter_staff"] });
    const from = { [testAddressHeader]: "203.0.113.7" };
    for (let n = 1; n <= 20; n++) expectProblem(await login(h.app, `guess-${n}-${victim.login}`, "wrong", from), 401, "invalid_credentials");
    const refused = await login(h.app, victim.login, password, from);
    expectProblem(refused, 423, "address_locked");
    expect(refused.headers.get("retry-after")).toBe("60");
    expect((await login(h.app, victim.login, password, { [testAddressHeader]: "198.51.100.9" })).status).toBe(200);
  });
});

describe("logs never carry a secret", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness("pglite");
  });
  afterAll(async () => {
    await h?.close();
  });

  it("keeps passwords, PINs, tokens, pairing codes and key material out of every log line and console output", async () => {
    const lines: string[] = [];
    const app = createApp({ ledger: h.ledger, identity: h.identity, auth: h.auth, config: h.config, logger: createLogger("debug", (line) => lines.push(line)) });
    const printed: string[] = [];
    const spies = (["log", "info", "warn", "error", "debug"] as const).map((m) => vi.spyOn(console, m).mockImplementation((...args: unknown[]) => void printed.push(args.map(String).join(" "))));
    const pin = "582039";
    const wrongPin = "917364";
    const secrets: string[] = [password, "wrong-password-xyz", pin, wrongPin];
    try {
      const u = await makeUser(h.identity, { roles: ["admin_operator"] });
      await login(app, u.login, "wrong-password-xyz");
      const tokens = (await login(app, u.login)).body;
      const next = (await call(app, "POST", "/v1/auth/refresh", { token: null, body: { refresh_token: tokens.refresh_token } })).body;
      await call(app, "POST", "/v1/auth/refresh", { token: null, body: { refresh_token: tokens.refresh_token } });
      secrets.push(tokens.access_token, tokens.refresh_token, next.access_token, next.refresh_token);

      const resident = await makeResident(h.identity, null, "1985-04-12");
      const card = await call(app, "POST", `/v1/admin/residents/${resident}/cards`, { token: next.access_token, body: { pin } });
      expect(card.status, card.text).toBe(201);
      await h.identity.checkCardPin({ number: card.body.number, pin: wrongPin }, { actor: "test", actorRoles: [] });
      await h.identity.checkCardPin({ number: card.body.number, pin }, { actor: "test", actorRoles: [] });
      await call(app, "POST", `/v1/admin/cards/${card.body.id}/pin`, { token: next.access_token, body: { pin: "640271" } });
      secrets.push("640271");

      const device = await call(app, "POST", "/v1/admin/devices", { token: next.access_token, body: { name: "ログ試験端末", operator: "test" } });
      expect(device.status, device.text).toBe(201);
      const code: string = device.body.pairing_code;
      secrets.push(code, code.replace("-", ""));
      const { generateDeviceKeyPair } = await import("@tsubaki/auth");
      const keys = generateDeviceKeyPair();
      secrets.push(keys.secretKey);
      await call(app, "POST", "/v1/devices/pair", { token: null, body: { pairing_code: "ZZZZ-ZZZZ", public_key: keys.publicKey } });
      expect((await call(app, "POST", "/v1/devices/pair", { token: null, body: { pairing_code: code, public_key: keys.publicKey } })).status).toBe(200);
      // A request that fails inside the API logs its error: still nothing secret.
      await call(app, "GET", "/v1/me", { token: `${tokens.access_token}x` });
      const current = (await h.identity.loadSigningKeys()).find((k) => k.privateJwk !== null);
      secrets.push(current!.privateJwk!.d);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    const everything = [...lines, ...printed].join("\n");
    expect(lines.length).toBeGreaterThanOrEqual(10);
    for (const secret of secrets) expect(everything, `a secret of ${secret.length} characters`).not.toContain(secret);
    expect(everything.toLowerCase()).not.toContain("authorization");
    // The audit log is for people too: it names what happened, never the secret.
    const audit = JSON.stringify((await h.identity.queryAudit({ limit: 100 })).entries);
    for (const secret of secrets) expect(audit).not.toContain(secret);
  });
});
