// An access token that verified is remembered by its exact text until its exp, so a busy client does not pay an
// Ed25519 verification per request. What must still hold for a remembered token: it is refused from its exp on,
// it stops working when its key stops verifying (an immediate rotation), a changed token is verified afresh, and
// a refused token is never remembered.
import { createKeyStore, generateSigningKey, issueAccessToken, type KeyStore } from "@tsubaki/auth";
import { describe, expect, it } from "vitest";
import { jwtAuthenticator, VerifiedTokenCache } from "../src/auth/jwt";
import type { KeyProvider } from "../src/auth/keys";
import { isAuthFailure } from "../src/auth/principal";

const audience = { issuer: "https://tsubaki.test", audience: "tsubaki-api" };

function bearer(token: string): Request {
  return new Request("http://x/v1/me", { headers: { Authorization: `Bearer ${token}` } });
}

function provider(initial: KeyStore): KeyProvider & { set(store: KeyStore): void } {
  let store = initial;
  return {
    get: async () => store,
    reload: async () => store,
    reloadForUnknownKid: async () => null,
    rotate: async () => store,
    set: (next) => void (store = next),
  };
}

async function setUp() {
  const issuedAt = new Date("2026-05-01T00:00:00Z");
  const keys = createKeyStore([await generateSigningKey(issuedAt)]);
  const token = (await issueAccessToken({ sub: "u_1", roles: ["resident"] }, keys, { ...audience, ttlSeconds: 900, now: issuedAt })).token;
  let nowMs = issuedAt.getTime();
  const clock = { set: (ms: number) => void (nowMs = ms), now: () => new Date(nowMs) };
  const cache = new VerifiedTokenCache(2);
  const keyProvider = provider(keys);
  const authenticate = jwtAuthenticator(keyProvider, audience, clock.now, cache);
  return { issuedAt, keys, token, clock, cache, keyProvider, authenticate };
}

describe("remembered access tokens", () => {
  it("answers the same Principal for the same token and remembers it once", async () => {
    const { token, cache, authenticate } = await setUp();
    const first = await authenticate(bearer(token));
    const second = await authenticate(bearer(token));
    expect(first).toMatchObject({ subject: "u_1", roles: ["resident"], via: "access_token" });
    expect(second).toEqual(first);
    expect(Object.isFrozen(second)).toBe(true);
    expect(cache.size).toBe(1);
  });

  it("refuses a remembered token from its exp on, as token_expired", async () => {
    const { issuedAt, token, clock, authenticate } = await setUp();
    expect(isAuthFailure(await authenticate(bearer(token)))).toBe(false);
    clock.set(issuedAt.getTime() + 899_000);
    expect(isAuthFailure(await authenticate(bearer(token)))).toBe(false);
    // Past exp and the 30 s skew jose allows: refused, though it was remembered a moment ago.
    clock.set(issuedAt.getTime() + 931_000);
    expect(await authenticate(bearer(token))).toMatchObject({ failure: "token_expired" });
  });

  it("stops answering a remembered token once its key no longer verifies (an immediate rotation)", async () => {
    const { issuedAt, keys, token, keyProvider, authenticate } = await setUp();
    expect(isAuthFailure(await authenticate(bearer(token)))).toBe(false);
    const { store } = await keys.rotate(issuedAt, { immediate: true });
    keyProvider.set(store);
    expect(await authenticate(bearer(token))).toMatchObject({ failure: "token_invalid" });
  });

  it("verifies a token that differs by one character afresh, and does not remember refusals", async () => {
    const { token, cache, authenticate } = await setUp();
    expect(isAuthFailure(await authenticate(bearer(token)))).toBe(false);
    const tampered = `${token.slice(0, -2)}${token.endsWith("AA") ? "BA" : "AA"}`;
    expect(await authenticate(bearer(tampered))).toMatchObject({ failure: "token_invalid" });
    expect(await authenticate(bearer(tampered))).toMatchObject({ failure: "token_invalid" });
    expect(cache.size).toBe(1);
  });

  it("holds at most its bound, dropping the least recently used", async () => {
    const { issuedAt, keys, token, cache, authenticate } = await setUp();
    const other = async (sub: string) => (await issueAccessToken({ sub, roles: ["resident"] }, keys, { ...audience, ttlSeconds: 900, now: issuedAt })).token;
    const [b, c] = [await other("u_2"), await other("u_3")];
    await authenticate(bearer(token));
    await authenticate(bearer(b));
    await authenticate(bearer(token)); // token is now the most recently used
    await authenticate(bearer(c));
    expect(cache.size).toBe(2);
    expect(cache.get(token, issuedAt.getTime())).toBeDefined();
    expect(cache.get(b, issuedAt.getTime())).toBeUndefined();
  });
});
