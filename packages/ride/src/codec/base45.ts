// Base45 (RFC 9285) is the text form of ride codes: its 45 characters are exactly the QR alphanumeric set, so a
// QR stores 2 bytes in 3 characters at 5.5 bits each (16.5 bits per 2 bytes, against 17.6 for upper-case base32).
// Decoding is strict (no value above 65535, no length ≡ 1 mod 3), which makes the text ↔ bytes map one-to-one:
// the same bytes always have the same text, so "the same code scanned twice" can be recognised from either.

export const BASE45_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

const DECODE = new Map<string, number>([...BASE45_ALPHABET].map((c, i) => [c, i]));

/** Characters needed for `byteLength` bytes. */
export function base45Length(byteLength: number): number {
  return Math.floor(byteLength / 2) * 3 + (byteLength % 2) * 2;
}

export function base45Encode(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    let n = bytes[i]! * 256 + bytes[i + 1]!;
    for (let k = 0; k < 3; k++) {
      out += BASE45_ALPHABET[n % 45]!;
      n = Math.floor(n / 45);
    }
  }
  if (bytes.length % 2 === 1) {
    const n = bytes[bytes.length - 1]!;
    out += BASE45_ALPHABET[n % 45]! + BASE45_ALPHABET[Math.floor(n / 45)]!;
  }
  return out;
}

/** The bytes of a strict base45 text, or null if any character, group or value is invalid. */
export function base45Decode(text: string): Uint8Array | null {
  if (text.length % 3 === 1) return null;
  const out = new Uint8Array(Math.floor(text.length / 3) * 2 + (text.length % 3 === 2 ? 1 : 0));
  let o = 0;
  for (let i = 0; i < text.length; i += 3) {
    const group = text.slice(i, i + 3);
    let n = 0;
    for (let k = group.length - 1; k >= 0; k--) {
      const digit = DECODE.get(group[k]!);
      if (digit === undefined) return null;
      n = n * 45 + digit;
    }
    if (group.length === 3) {
      if (n > 0xffff) return null;
      out[o++] = n >> 8;
      out[o++] = n & 0xff;
    } else {
      if (n > 0xff) return null;
      out[o++] = n;
    }
  }
  return out;
}
