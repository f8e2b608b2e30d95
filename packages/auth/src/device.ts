// Fare terminals sign every request with an Ed25519 key they generated and registered at pairing. The server
// keeps only the public key. A signature covers the device id, method, path with query, a timestamp, a nonce
// and the sha256 of the body; the server accepts a timestamp within ±window of its clock and each nonce once
// (the store remembers nonces for the window), so a captured request can neither be altered nor replayed.
//
// Canonical string (UTF-8, lines joined by "\n", no trailing newline):
//   tsubaki-device-request/v1
//   <device id>
//   <METHOD>
//   <path?query, exactly as sent>
//   <timestamp, unix seconds>
//   <nonce, base64url>
//   <sha256 of the body, lower-case hex>
import { ed25519 } from "@noble/curves/ed25519.js";
import { base64UrlDecode, base64UrlEncode, randomBytes, sha256Hex, utf8ToBytes } from "./bytes";

export const deviceHeaders = Object.freeze({
  id: "x-tsubaki-device",
  timestamp: "x-tsubaki-timestamp",
  nonce: "x-tsubaki-nonce",
  signature: "x-tsubaki-signature",
});
export const deviceSignatureWindowSecondsDefault = 300;
export const deviceSignatureVersion = "tsubaki-device-request/v1";
export const nonceLengthMin = 16;
export const nonceLengthMax = 64;
export const pathLengthMax = 2048;
const deviceIdPattern = /^[A-Za-z0-9_-]{1,64}$/;
const noncePattern = new RegExp(`^[A-Za-z0-9_-]{${nonceLengthMin},${nonceLengthMax}}$`);

export interface DeviceKeyPair {
  /** base64url of the 32-byte Ed25519 secret key: stays on the terminal. */
  secretKey: string;
  /** base64url of the 32-byte public key: sent once, at pairing. */
  publicKey: string;
}

export function generateDeviceKeyPair(): DeviceKeyPair {
  const { secretKey, publicKey } = ed25519.keygen();
  return { secretKey: base64UrlEncode(secretKey), publicKey: base64UrlEncode(publicKey) };
}

/** A public key as registered at pairing: 32 bytes base64url that decode to a curve point; else null. */
export function parseDevicePublicKey(text: string): Uint8Array | null {
  if (typeof text !== "string" || text.length !== 43) return null;
  const bytes = base64UrlDecode(text);
  if (!bytes || bytes.length !== 32) return null;
  try {
    ed25519.Point.fromBytes(bytes);
    return bytes;
  } catch {
    return null;
  }
}

export interface CanonicalParts {
  deviceId: string;
  method: string;
  pathAndQuery: string;
  timestamp: number;
  nonce: string;
  bodySha256: string;
}

export function deviceCanonicalString(p: CanonicalParts): string {
  return [deviceSignatureVersion, p.deviceId, p.method.toUpperCase(), p.pathAndQuery, String(p.timestamp), p.nonce, p.bodySha256].join("\n");
}

function bodyHash(body: Uint8Array | string | null | undefined): string {
  return sha256Hex(body ?? "");
}

export interface SignDeviceRequestInput {
  deviceId: string;
  secretKey: string;
  method: string;
  pathAndQuery: string;
  body?: Uint8Array | string | null;
  now: Date;
  nonce?: string;
}

/** The four headers a terminal adds to a request. */
export function signDeviceRequest(input: SignDeviceRequestInput): Record<string, string> {
  const secretKey = base64UrlDecode(input.secretKey);
  if (!secretKey || secretKey.length !== 32) throw new Error("BUG: a device secret key is 32 bytes base64url");
  const timestamp = Math.floor(input.now.getTime() / 1000);
  const nonce = input.nonce ?? base64UrlEncode(randomBytes(16));
  const message = deviceCanonicalString({ deviceId: input.deviceId, method: input.method, pathAndQuery: input.pathAndQuery, timestamp, nonce, bodySha256: bodyHash(input.body) });
  const signature = ed25519.sign(utf8ToBytes(message), secretKey);
  return {
    [deviceHeaders.id]: input.deviceId,
    [deviceHeaders.timestamp]: String(timestamp),
    [deviceHeaders.nonce]: nonce,
    [deviceHeaders.signature]: base64UrlEncode(signature),
  };
}

export type HeaderSource = { get(name: string): string | null } | Readonly<Record<string, string | undefined>>;

function header(source: HeaderSource, name: string): string | null {
  if (typeof (source as { get?: unknown }).get === "function") return (source as { get(name: string): string | null }).get(name);
  const record = source as Readonly<Record<string, string | undefined>>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  return key === undefined ? null : (record[key] ?? null);
}

export interface DeviceSignatureHeaders {
  deviceId: string;
  timestamp: number;
  nonce: string;
  signature: Uint8Array;
}

export type DeviceHeadersResult =
  | { ok: true; headers: DeviceSignatureHeaders }
  | { ok: false; code: "device_signature_missing" | "device_signature_invalid"; detail: string };

/** Reads and checks the shape of the four headers (the device id is needed to find the key). */
export function readDeviceHeaders(source: HeaderSource): DeviceHeadersResult {
  const deviceId = header(source, deviceHeaders.id);
  const timestamp = header(source, deviceHeaders.timestamp);
  const nonce = header(source, deviceHeaders.nonce);
  const signature = header(source, deviceHeaders.signature);
  if (deviceId === null || timestamp === null || nonce === null || signature === null) {
    return { ok: false, code: "device_signature_missing", detail: "a device request carries X-Tsubaki-Device, -Timestamp, -Nonce and -Signature" };
  }
  const signatureBytes = signature.length === 86 ? base64UrlDecode(signature) : null;
  if (!deviceIdPattern.test(deviceId) || !/^\d{1,12}$/.test(timestamp) || !noncePattern.test(nonce) || !signatureBytes || signatureBytes.length !== 64) {
    return { ok: false, code: "device_signature_invalid", detail: "malformed device signature headers" };
  }
  return { ok: true, headers: { deviceId, timestamp: Number(timestamp), nonce, signature: signatureBytes } };
}

export interface DeviceRequest {
  method: string;
  /** The path and query exactly as sent ("/v1/bus/taps?batch=3"). */
  pathAndQuery: string;
  body: Uint8Array | string | null;
  headers: HeaderSource;
}

export type DeviceVerification =
  | { ok: true; deviceId: string; nonce: string; timestamp: Date }
  | { ok: false; code: "device_signature_missing" | "device_signature_invalid" | "device_clock_skew"; detail: string };

/**
 * Checks a signed request against the device's public key (base64url or bytes): headers → timestamp within
 * ±windowSeconds of `now` → signature. The nonce is returned for the caller to record once (replay protection
 * needs storage, so it is the store's part).
 */
export function verifyDeviceRequest(request: DeviceRequest, publicKey: Uint8Array | string, now: Date, windowSeconds = deviceSignatureWindowSecondsDefault): DeviceVerification {
  const read = readDeviceHeaders(request.headers);
  if (!read.ok) return read;
  const { deviceId, timestamp, nonce, signature } = read.headers;
  if (Math.abs(now.getTime() / 1000 - timestamp) > windowSeconds) {
    return { ok: false, code: "device_clock_skew", detail: `the timestamp is more than ${windowSeconds} s from the server's clock` };
  }
  const key = typeof publicKey === "string" ? parseDevicePublicKey(publicKey) : publicKey;
  if (!key || key.length !== 32 || request.pathAndQuery.length > pathLengthMax || !request.pathAndQuery.startsWith("/")) {
    return { ok: false, code: "device_signature_invalid", detail: "the signature does not verify" };
  }
  const message = deviceCanonicalString({ deviceId, method: request.method, pathAndQuery: request.pathAndQuery, timestamp, nonce, bodySha256: bodyHash(request.body) });
  let valid = false;
  try {
    // Strict RFC 8032 verification (not ZIP-215): one message, one valid signature encoding.
    valid = ed25519.verify(signature, utf8ToBytes(message), key, { zip215: false });
  } catch {
    valid = false;
  }
  return valid ? { ok: true, deviceId, nonce, timestamp: new Date(timestamp * 1000) } : { ok: false, code: "device_signature_invalid", detail: "the signature does not verify" };
}
