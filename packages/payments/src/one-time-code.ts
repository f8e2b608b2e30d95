// The code a resident shows at a shop (CPM): opaque, single use, valid ≤ 60 s, resolved by the server (DESIGN §5).
// The fixed prefix lets a scanner tell it from a shop QR (EMV, starting "000201") at a glance. The whole code is
// in the QR alphanumeric set (A–Z, 2–7 and "."), so it renders as a small, easily scanned QR, and it is URL-safe.
import { assert } from "@tsubaki/ledger";

/** "TSBK" + format version 1. A new format gets a new version, so old scanners refuse it plainly. */
export const oneTimeCodePrefix = "TSBK1.";
/** 160 random bits: guessing a live code among millions is hopeless within its 60 seconds. */
export const oneTimeCodeBytes = 20;
/** RFC 4648 base32 of oneTimeCodeBytes, unpadded (20 bytes × 8 / 5). */
export const oneTimeCodeBodyChars = 32;
export const oneTimeCodeTtlSeconds = 60;
export const oneTimeCodePattern = /^TSBK1\.[A-Z2-7]{32}$/;

const base32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** Secure random bytes; Node ≥ 20, Workers and browsers all have Web Crypto. */
function randomBytesDefault(count: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(count));
}

/** A fresh one-time code, e.g. "TSBK1.MZXW6YTBOI5GK3TUMVZXI33SEBZXK3TT". `randomBytes` is for tests. */
export function newOneTimeCode(randomBytes: (count: number) => Uint8Array = randomBytesDefault): string {
  const bytes = randomBytes(oneTimeCodeBytes);
  assert(bytes.length === oneTimeCodeBytes, `the random source returns ${oneTimeCodeBytes} bytes`);
  const code = oneTimeCodePrefix + base32(bytes);
  assert(oneTimeCodePattern.test(code), "a new code matches its own pattern");
  return code;
}

/** Whether scanned text is a customer one-time code (format only; the server decides if it is live). */
export function isOneTimeCode(text: string): boolean {
  return oneTimeCodePattern.test(text);
}

/** The instant a code issued at issuedAt stops being accepted (valid while now < this). */
export function oneTimeCodeExpiresAt(issuedAt: Date): Date {
  return new Date(issuedAt.getTime() + oneTimeCodeTtlSeconds * 1000);
}

/** RFC 4648 base32, upper case, no padding. */
export function base32(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xfff; // ≤ 12 live bits: at most 4 left over + 8 new
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += base32Alphabet[(buffer >> bits) & 31];
    }
  }
  if (bits > 0) out += base32Alphabet[(buffer << (5 - bits)) & 31];
  return out;
}
