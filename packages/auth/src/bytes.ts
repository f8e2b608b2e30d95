// Byte helpers that run the same in Node, Workers and browsers: base64url without padding, random bytes from
// WebCrypto, sha256, and comparisons whose time does not depend on where the inputs differ.
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, randomBytes as nobleRandomBytes, utf8ToBytes } from "@noble/hashes/utils.js";

export { bytesToHex, utf8ToBytes };

export function randomBytes(length: number): Uint8Array {
  return nobleRandomBytes(length);
}

export function base64UrlEncode(bytes: Uint8Array): string {
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

const base64UrlPattern = /^[A-Za-z0-9_-]*$/;

/** Decodes base64url (no padding); null for anything else, including a length no encoder produces. */
export function base64UrlDecode(text: string): Uint8Array | null {
  if (!base64UrlPattern.test(text) || text.length % 4 === 1) return null;
  const padded = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
  const binary = atob(padded);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  // Reject non-canonical encodings (stray low bits in the last character), so one value has one text.
  return base64UrlEncode(bytes) === text ? bytes : null;
}

export function sha256Hex(input: string | Uint8Array): string {
  return bytesToHex(sha256(typeof input === "string" ? utf8ToBytes(input) : input));
}

/** Equal-length byte arrays compared without an early exit; different lengths are unequal (lengths are public). */
export function constantTimeEqualBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** String equality that leaks neither where the strings differ nor their lengths: both are hashed first. */
export function constantTimeEqual(a: string, b: string): boolean {
  return constantTimeEqualBytes(sha256(utf8ToBytes(a)), sha256(utf8ToBytes(b)));
}
