// Access tokens: what we issue verifies, and every classic JWT attack is refused. The attack tokens are built by
// hand (not with jose), so the test does not share a bug with the code under test.
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { ed25519 } from "@noble/curves/ed25519.js";
import { beforeAll, describe, expect, it } from "vitest";
import {
  accessTokenTtlSecondsMax,
  base64UrlDecode,
  base64UrlEncode,
  createKeyStore,
  generateSigningKey,
  issueAccessToken,
  retiredKeyGraceSecondsDefault,
  utf8ToBytes,
  verifyAccessToken,
  type KeyStore,
  type SigningKeyRecord,
} from "../src";

const aud = { issuer: "https://tsubaki.example/", audience: "tsubaki-api" };
const t0 = new Date("2026-04-01T00:00:00Z");
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

const b64json = (value: unknown) => base64UrlEncode(utf8ToBytes(JSON.stringify(value)));

function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(base64UrlDecode(token.split(".")[1]!)!)) as Record<string, unknown>;
}

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const iat = Math.floor(t0.getTime() / 1000);
  return { iss: aud.issuer, aud: aud.audience, sub: "u_alice", roles: ["resident"], iat, exp: iat + 600, jti: "j1", ...overrides };
}

/** An EdDSA token signed by hand with a raw Ed25519 secret key. */
function signEd25519(header: Record<string, unknown>, payload: Record<string, unknown>, secretKey: Uint8Array): string {
  const input = `${b64json(header)}.${b64json(payload)}`;
  return `${input}.${base64UrlEncode(ed25519.sign(utf8ToBytes(input), secretKey))}`;
}

function secretOf(record: SigningKeyRecord): Uint8Array {
  return base64UrlDecode(record.privateJwk!.d)!;
}

describe("access tokens", () => {
  let record: SigningKeyRecord;
  let keys: KeyStore;

  beforeAll(async () => {
    record = await generateSigningKey(t0);
    keys = createKeyStore([record]);
  });

  const verify = (token: string, now = at(1)) => verifyAccessToken(token, keys, { ...aud, now });
  const header = () => ({ alg: "EdDSA", typ: "at+jwt", kid: record.kid });

  it("issues a token that verifies into a principal", async () => {
    const issued = await issueAccessToken({ sub: "u_alice", roles: ["resident", "proxy"], sessionId: "fam1" }, keys, { ...aud, ttlSeconds: 900, now: t0 });
    expect(issued.expiresIn).toBe(900);
    const result = await verify(issued.token);
    expect(result).toEqual({
      ok: true,
      principal: { subject: "u_alice", roles: ["resident", "proxy"], via: "access_token", sessionId: "fam1", tokenId: issued.tokenId },
      expiresAt: at(900),
    });
  });

  it("carries the user's resident record as rid, and refuses a rid that is not a short string", async () => {
    const issued = await issueAccessToken({ sub: "u_alice", roles: ["resident"], residentId: "r_alice" }, keys, { ...aud, ttlSeconds: 900, now: t0 });
    expect(await verify(issued.token)).toMatchObject({ ok: true, principal: { subject: "u_alice", residentId: "r_alice" } });
    expect(await verify(signEd25519(header(), claims({ rid: "r_alice" }), secretOf(record)))).toMatchObject({ ok: true, principal: { residentId: "r_alice" } });
    for (const rid of [42, "", "r".repeat(129), ["r_alice"], null]) {
      expect(await verify(signEd25519(header(), claims({ rid }), secretOf(record)))).toMatchObject({ ok: false, code: "token_invalid" });
    }
    await expect(issueAccessToken({ sub: "u", roles: ["resident"], residentId: "" }, keys, { ...aud, ttlSeconds: 60, now: t0 })).rejects.toThrow(/BUG/);
  });

  it("accepts a hand-signed token with the right key (the attack tests below differ from it in one thing each)", async () => {
    expect(await verify(signEd25519(header(), claims(), secretOf(record)))).toMatchObject({ ok: true });
  });

  it("refuses alg none", async () => {
    const token = `${b64json({ alg: "none", typ: "at+jwt", kid: record.kid })}.${b64json(claims())}.`;
    expect(await verify(token)).toMatchObject({ ok: false, code: "token_invalid" });
    const withSig = `${b64json({ alg: "none", typ: "at+jwt", kid: record.kid })}.${b64json(claims())}.AAAA`;
    expect(await verify(withSig)).toMatchObject({ ok: false, code: "token_invalid" });
  });

  it("refuses HS256 signed with the public key as the HMAC secret (algorithm confusion)", async () => {
    const secrets = [base64UrlDecode(record.publicJwk.x)!, utf8ToBytes(record.publicJwk.x), utf8ToBytes(JSON.stringify(record.publicJwk))];
    for (const secret of secrets) {
      const input = `${b64json({ alg: "HS256", typ: "at+jwt", kid: record.kid })}.${b64json(claims())}`;
      const token = `${input}.${base64UrlEncode(hmac(sha256, secret, utf8ToBytes(input)))}`;
      expect(await verify(token)).toMatchObject({ ok: false, code: "token_invalid" });
    }
  });

  it("refuses a wrong audience or issuer", async () => {
    expect(await verify(signEd25519(header(), claims({ aud: "another-api" }), secretOf(record)))).toMatchObject({ ok: false, code: "token_invalid" });
    expect(await verify(signEd25519(header(), claims({ iss: "https://evil.example/" }), secretOf(record)))).toMatchObject({ ok: false, code: "token_invalid" });
    const issued = await issueAccessToken({ sub: "u_alice", roles: ["resident"] }, keys, { issuer: aud.issuer, audience: "other", ttlSeconds: 60, now: t0 });
    expect(await verify(issued.token)).toMatchObject({ ok: false, code: "token_invalid" });
  });

  it("reports an expired token as token_expired (after the 30 s clock skew)", async () => {
    const issued = await issueAccessToken({ sub: "u_alice", roles: ["resident"] }, keys, { ...aud, ttlSeconds: 60, now: t0 });
    expect(await verify(issued.token, at(60 + 29))).toMatchObject({ ok: true });
    expect(await verify(issued.token, at(60 + 31))).toMatchObject({ ok: false, code: "token_expired" });
  });

  it("refuses a tampered payload (roles raised, subject changed) under the original signature", async () => {
    const issued = await issueAccessToken({ sub: "u_alice", roles: ["resident"] }, keys, { ...aud, ttlSeconds: 60, now: t0 });
    const [h, , s] = issued.token.split(".");
    for (const change of [{ roles: ["admin_operator"] }, { sub: "u_mallory" }, { exp: payloadOf(issued.token).exp as number + 3600 }]) {
      const forged = `${h}.${b64json({ ...payloadOf(issued.token), ...change })}.${s}`;
      expect(await verify(forged)).toMatchObject({ ok: false, code: "token_invalid" });
    }
    // A flipped signature byte too.
    const sig = base64UrlDecode(s!)!;
    sig[0] = sig[0]! ^ 1;
    expect(await verify(`${issued.token.split(".").slice(0, 2).join(".")}.${base64UrlEncode(sig)}`)).toMatchObject({ ok: false, code: "token_invalid" });
  });

  it("refuses an unknown kid, a missing kid, and a known kid with another key's signature", async () => {
    const attacker = ed25519.utils.randomSecretKey();
    expect(await verify(signEd25519({ ...header(), kid: "not-our-key" }, claims(), attacker))).toMatchObject({ ok: false, code: "token_invalid", detail: "unknown kid" });
    const { kid: _kid, ...noKid } = header();
    expect(await verify(signEd25519(noKid, claims(), secretOf(record)))).toMatchObject({ ok: false, code: "token_invalid" });
    expect(await verify(signEd25519(header(), claims(), attacker))).toMatchObject({ ok: false, code: "token_invalid" });
  });

  it("ignores keys a token brings with it (embedded jwk, jku)", async () => {
    const attacker = ed25519.utils.randomSecretKey();
    const jwk = { kty: "OKP", crv: "Ed25519", x: base64UrlEncode(ed25519.getPublicKey(attacker)) };
    expect(await verify(signEd25519({ ...header(), jwk }, claims(), attacker))).toMatchObject({ ok: false, code: "token_invalid" });
    expect(await verify(signEd25519({ ...header(), jku: "https://evil.example/jwks" }, claims(), secretOf(record)))).toMatchObject({ ok: false, code: "token_invalid" });
  });

  it("refuses another typ, unknown roles, and lifetimes over 15 minutes", async () => {
    expect(await verify(signEd25519({ ...header(), typ: "JWT" }, claims(), secretOf(record)))).toMatchObject({ ok: false, code: "token_invalid" });
    expect(await verify(signEd25519(header(), claims({ roles: ["root"] }), secretOf(record)))).toMatchObject({ ok: false, code: "token_invalid" });
    expect(await verify(signEd25519(header(), claims({ roles: [] }), secretOf(record)))).toMatchObject({ ok: false, code: "token_invalid" });
    const iat = Math.floor(t0.getTime() / 1000);
    expect(await verify(signEd25519(header(), claims({ exp: iat + 3600 }), secretOf(record)))).toMatchObject({ ok: false, code: "token_invalid" });
    await expect(issueAccessToken({ sub: "u", roles: ["resident"] }, keys, { ...aud, ttlSeconds: accessTokenTtlSecondsMax + 1, now: t0 })).rejects.toThrow(/BUG/);
  });

  it("refuses garbage without throwing", async () => {
    for (const junk of ["", "abc", "a.b", "a.b.c.d", "x".repeat(5000), "eyJ.eyJ.", "!!.??.**"]) {
      expect(await verify(junk)).toMatchObject({ ok: false, code: "token_invalid" });
    }
  });
});

describe("signing keys", () => {
  it("rotates: the new key signs, the old one verifies during the grace period and is published until then", async () => {
    const first = await generateSigningKey(t0);
    const store = createKeyStore([first]);
    const old = await issueAccessToken({ sub: "u_a", roles: ["resident"] }, store, { ...aud, ttlSeconds: 900, now: t0 });
    const { store: rotated, added, retired } = await store.rotate(at(60));
    expect(retired).toEqual([{ ...first, privateJwk: null, retiredAt: at(60) }]);
    expect(rotated.current()?.kid).toBe(added.kid);
    expect(rotated.jwks(at(61)).keys.map((k) => k.kid)).toEqual([added.kid, first.kid]);
    expect(await verifyAccessToken(old.token, rotated, { ...aud, now: at(120) })).toMatchObject({ ok: true });
    const fresh = await issueAccessToken({ sub: "u_a", roles: ["resident"] }, rotated, { ...aud, ttlSeconds: 900, now: at(120) });
    expect(JSON.parse(new TextDecoder().decode(base64UrlDecode(fresh.token.split(".")[0]!)!))).toMatchObject({ kid: added.kid, alg: "EdDSA", typ: "at+jwt" });
    const afterGrace = at(60 + retiredKeyGraceSecondsDefault);
    expect(rotated.jwks(afterGrace).keys.map((k) => k.kid)).toEqual([added.kid]);
    expect(await verifyAccessToken(old.token, rotated, { ...aud, now: afterGrace })).toMatchObject({ ok: false, code: "token_invalid" });
  });

  it("an immediate rotation (suspected leak) stops the old key at once", async () => {
    const store = createKeyStore([await generateSigningKey(t0)]);
    const old = await issueAccessToken({ sub: "u_a", roles: ["resident"] }, store, { ...aud, ttlSeconds: 900, now: t0 });
    const { store: rotated } = await store.rotate(at(1), { immediate: true });
    expect(await verifyAccessToken(old.token, rotated, { ...aud, now: at(2) })).toMatchObject({ ok: false, code: "token_invalid" });
  });

  it("publishes public keys only, and a key store serialises to nothing secret", async () => {
    const record = await generateSigningKey(t0);
    const store = createKeyStore([record]);
    const jwks = store.jwks(t0);
    expect(jwks.keys).toEqual([{ kty: "OKP", crv: "Ed25519", x: record.publicJwk.x, kid: record.kid, alg: "EdDSA", use: "sig" }]);
    expect(JSON.stringify(jwks)).not.toContain(record.privateJwk!.d);
    expect(JSON.stringify({ store })).not.toContain(record.privateJwk!.d);
    expect(store.needsRotation(t0)).toBe(false);
    expect(store.needsRotation(new Date(t0.getTime() + 31 * 24 * 3600 * 1000))).toBe(true);
    expect(createKeyStore([]).needsRotation(t0)).toBe(true);
  });
});
