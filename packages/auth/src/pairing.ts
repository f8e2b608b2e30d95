// Pairing a fare terminal: an administrator creates a one-time code, types or shows it on the terminal, and the
// terminal sends it with its new public key. The code is 8 Crockford base32 characters (40 bits; shown as
// XXXX-XXXX, read back case-insensitively with O→0 and I/L→1), lives 10 minutes, is stored only as a hash and
// is spent by the first successful pairing. 40 bits for 10 minutes behind the API's address throttle leaves an
// online guesser no chance; the hash keeps a database reader from pairing a rogue terminal with a live code.
import { randomBytes, sha256Hex } from "./bytes";

export const pairingCodeTtlSeconds = 600;
export const pairingCodeChars = 8;
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

function crockfordEncode(bytes: Uint8Array, chars: number): string {
  let bits = 0;
  let value = 0;
  let out = "";
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += crockford[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out;
}

/** A fresh code, formatted for display ("7KQ2-M9XD"). */
export function newPairingCode(): string {
  const code = crockfordEncode(randomBytes(5), pairingCodeChars);
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** The canonical 8 characters of a typed code, or null when it cannot be one. */
export function normalizePairingCode(input: string): string | null {
  if (typeof input !== "string" || input.length > 32) return null;
  const text = input.normalize("NFKC").toUpperCase().replace(/[\s-]/g, "").replace(/O/g, "0").replace(/[IL]/g, "1");
  return text.length === pairingCodeChars && [...text].every((c) => crockford.includes(c)) ? text : null;
}

/** How a code is stored and looked up. Null for input that cannot be a code. */
export function hashPairingCode(input: string): string | null {
  const code = normalizePairingCode(input);
  return code === null ? null : sha256Hex(`tsubaki-pairing:${code}`);
}

export function pairingCodeExpiry(now: Date): Date {
  return new Date(now.getTime() + pairingCodeTtlSeconds * 1000);
}
