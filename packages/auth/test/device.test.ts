// Fare terminals' signed requests: a signature covers method, path, body, time and nonce; anything altered fails.
import { describe, expect, it } from "vitest";
import { deviceCanonicalString, generateDeviceKeyPair, parseDevicePublicKey, sha256Hex, signDeviceRequest, verifyDeviceRequest } from "../src";

const now = new Date("2026-04-01T09:00:00Z");
const keys = generateDeviceKeyPair();
const body = JSON.stringify({ taps: [{ counter: 1 }] });

function signed(overrides: Partial<{ method: string; pathAndQuery: string; body: string }> = {}) {
  const headers = signDeviceRequest({ deviceId: "d_bus1", secretKey: keys.secretKey, method: "POST", pathAndQuery: "/v1/bus/taps?batch=1", body, now, nonce: "nonce-0123456789abcdef" });
  return { method: "POST", pathAndQuery: "/v1/bus/taps?batch=1", body, headers, ...overrides };
}

describe("device request signatures", () => {
  it("verify when nothing changed", () => {
    expect(verifyDeviceRequest(signed(), keys.publicKey, now)).toEqual({ ok: true, deviceId: "d_bus1", nonce: "nonce-0123456789abcdef", timestamp: now });
  });

  it("read headers from a Headers object too", () => {
    const r = signed();
    expect(verifyDeviceRequest({ ...r, headers: new Headers(r.headers) }, keys.publicKey, now)).toMatchObject({ ok: true });
  });

  it("fail when the method, path, query or body changed", () => {
    const r = signed();
    for (const change of [{ method: "PUT" }, { pathAndQuery: "/v1/bus/taps?batch=2" }, { pathAndQuery: "/v1/bus/tap?batch=1" }, { body: body.replace("1", "2") }]) {
      expect(verifyDeviceRequest({ ...r, ...change }, keys.publicKey, now)).toMatchObject({ ok: false, code: "device_signature_invalid" });
    }
  });

  it("fail when a header was swapped or the key is another device's", () => {
    const r = signed();
    expect(verifyDeviceRequest({ ...r, headers: { ...r.headers, "x-tsubaki-device": "d_bus2" } }, keys.publicKey, now)).toMatchObject({ ok: false, code: "device_signature_invalid" });
    expect(verifyDeviceRequest({ ...r, headers: { ...r.headers, "x-tsubaki-nonce": "nonce-0123456789abcdeX" } }, keys.publicKey, now)).toMatchObject({ ok: false, code: "device_signature_invalid" });
    expect(verifyDeviceRequest(r, generateDeviceKeyPair().publicKey, now)).toMatchObject({ ok: false, code: "device_signature_invalid" });
  });

  it("fail outside the ±300 s window", () => {
    const r = signed();
    expect(verifyDeviceRequest(r, keys.publicKey, new Date(now.getTime() + 300_000))).toMatchObject({ ok: true });
    expect(verifyDeviceRequest(r, keys.publicKey, new Date(now.getTime() + 301_000))).toMatchObject({ ok: false, code: "device_clock_skew" });
    expect(verifyDeviceRequest(r, keys.publicKey, new Date(now.getTime() - 301_000))).toMatchObject({ ok: false, code: "device_clock_skew" });
  });

  it("report missing or malformed headers", () => {
    const r = signed();
    const { "x-tsubaki-signature": _s, ...withoutSignature } = r.headers;
    expect(verifyDeviceRequest({ ...r, headers: withoutSignature }, keys.publicKey, now)).toMatchObject({ ok: false, code: "device_signature_missing" });
    expect(verifyDeviceRequest({ ...r, headers: { ...r.headers, "x-tsubaki-timestamp": "soon" } }, keys.publicKey, now)).toMatchObject({ ok: false, code: "device_signature_invalid" });
    expect(verifyDeviceRequest({ ...r, headers: { ...r.headers, "x-tsubaki-nonce": "short" } }, keys.publicKey, now)).toMatchObject({ ok: false, code: "device_signature_invalid" });
  });

  it("use the documented canonical string", () => {
    expect(deviceCanonicalString({ deviceId: "d_1", method: "post", pathAndQuery: "/v1/x?a=1", timestamp: 1775034000, nonce: "n".repeat(16), bodySha256: sha256Hex("") })).toBe(
      ["tsubaki-device-request/v1", "d_1", "POST", "/v1/x?a=1", "1775034000", "n".repeat(16), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"].join("\n"),
    );
  });

  it("accept only 32-byte public keys that are curve points", () => {
    expect(parseDevicePublicKey(keys.publicKey)).toHaveLength(32);
    expect(parseDevicePublicKey("A".repeat(42))).toBeNull();
    expect(parseDevicePublicKey(`${keys.publicKey}A`)).toBeNull();
  });
});
