// Taps: the rider's device signs (allowance, counter, time) under a domain prefix; nothing else verifies.
import type { webcrypto } from "node:crypto";
import { describe, expect, test } from "vitest";
import { ed25519 } from "@noble/curves/ed25519.js";
import { generateRiderKey, signTap, signTapWith, tapMessage, TAP_DOMAIN, verifyTap, webCryptoRiderSigner } from "../src/index";
import { allowanceId, T0 } from "./helpers";

describe("tap signatures", () => {
  const rider = generateRiderKey();
  const id = allowanceId();
  const tap = { counter: 7, time: T0 };
  const sig = signTap(id, tap, rider.secretKey);

  test("the signed message is the domain prefix, the allowance id, then counter and time big-endian", () => {
    const m = tapMessage(id, tap);
    expect(TAP_DOMAIN).toBe("TSUBAKI/ride/tap/v1\u0000");
    expect(m.length).toBe(TAP_DOMAIN.length + 12 + 8);
    expect([...m.subarray(TAP_DOMAIN.length + 12)]).toEqual([0, 0, 0, 7, ...[T0 >>> 24, (T0 >>> 16) & 255, (T0 >>> 8) & 255, T0 & 255]]);
  });

  test("verifies for the same allowance, counter, time and key only", () => {
    expect(verifyTap(id, tap, sig, rider.publicKey)).toBe(true);
    expect(verifyTap(allowanceId(), tap, sig, rider.publicKey)).toBe(false);
    expect(verifyTap(id, { counter: 8, time: T0 }, sig, rider.publicKey)).toBe(false);
    expect(verifyTap(id, { counter: 7, time: T0 + 1 }, sig, rider.publicKey)).toBe(false);
    expect(verifyTap(id, tap, sig, generateRiderKey().publicKey)).toBe(false);
    const bent = sig.slice();
    bent[63]! ^= 0x10;
    expect(verifyTap(id, tap, bent, rider.publicKey)).toBe(false);
    expect(verifyTap(id, tap, sig.subarray(0, 63), rider.publicKey)).toBe(false);
  });

  test("a signature over the bare fields (no domain prefix) does not verify as a tap", () => {
    const bare = tapMessage(id, tap).subarray(TAP_DOMAIN.length);
    expect(verifyTap(id, tap, ed25519.sign(bare, rider.secretKey), rider.publicKey)).toBe(false);
  });

  test("counter and time must be uint32", () => {
    expect(verifyTap(id, { counter: -1, time: T0 }, sig, rider.publicKey)).toBe(false);
    expect(verifyTap(id, { counter: 2 ** 32, time: T0 }, sig, rider.publicKey)).toBe(false);
    expect(() => signTap(id, { counter: 1.5, time: T0 }, rider.secretKey)).toThrow(/BUG/);
  });

  test("a non-extractable WebCrypto Ed25519 key signs taps the terminal accepts", async () => {
    const subtle = globalThis.crypto.subtle;
    const pair = (await subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
    expect(pair.privateKey.extractable).toBe(false);
    const publicKey = new Uint8Array(await subtle.exportKey("raw", pair.publicKey));
    const webSig = await signTapWith(id, tap, webCryptoRiderSigner(subtle, pair.privateKey));
    expect(verifyTap(id, tap, webSig, publicKey)).toBe(true);
  });
});
