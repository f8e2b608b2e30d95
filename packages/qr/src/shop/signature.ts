// The short signature in template 26 sub-field 03 lets a wallet tell, offline, that a sticker's merchant code
// (and register) were issued by the Tsubaki server and not invented by whoever printed the sticker.
//
// Format: 03 = base32(HMAC-SHA256(key, UTF-8(merchantCode + "\n" + register))[0..10]), i.e. the first 80 bits
// of the MAC in RFC 4648 base32 without padding: 16 characters of A–Z and 2–7. An absent register signs as "".
// Merchant codes and registers cannot contain "\n" (see SHOP_ID_PATTERN), so the input is unambiguous.

import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";

/** 80 bits: forging needs ~2^79 online guesses, while the payload stays short. */
export const SHOP_SIGNATURE_BYTES = 10;
/** base32 of 10 bytes is exactly 16 characters (no padding). */
export const SHOP_SIGNATURE_CHARS = 16;
/** HMAC-SHA256 keys shorter than the hash output weaken it; refuse them. */
export const SHOP_KEY_BYTES_MIN = 32;

const BASE32_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const utf8 = new TextEncoder();

/** RFC 4648 base32, upper case, no padding. */
export function base32(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

function assertKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length < SHOP_KEY_BYTES_MIN) {
    throw new Error(`BUG: a shop QR key must be a Uint8Array of at least ${SHOP_KEY_BYTES_MIN} bytes`);
  }
}

/** The 16-character signature of a merchant code and register (null or "" when the QR names no register). */
export function signShop(key: Uint8Array, merchantCode: string, register: string | null): string {
  assertKey(key);
  const mac = hmac(sha256, key, utf8.encode(`${merchantCode}\n${register ?? ""}`));
  return base32(mac.subarray(0, SHOP_SIGNATURE_BYTES));
}

/** Compares two strings in time that depends only on their lengths (which are public: always 16 here). */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * True when `signature` matches under any of `keys` (several keys allow rotation: sign with the newest, accept
 * the old ones until every sticker is reprinted). Every key is tried, so timing does not tell which matched.
 */
export function verifyShopSignature(
  keys: readonly Uint8Array[],
  merchantCode: string,
  register: string | null,
  signature: string,
): boolean {
  let matched = false;
  for (const key of keys) {
    if (constantTimeEqual(signShop(key, merchantCode, register), signature)) matched = true;
  }
  return matched;
}
