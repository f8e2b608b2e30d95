// The issuer keys that sign allowance certificates. A deployment names them in TSUBAKI_RIDE_ISSUER_KEYS
// ("kid:secretHex" pairs, comma-separated, oldest first, the last one current); without it the demo generates
// one key and keeps it in bus_issuer_keys so certificates outlive a restart. Secrets never leave this module
// except to sign; nothing here logs.
import type { BusStore } from "@tsubaki/db";
import { ed25519 } from "@noble/curves/ed25519.js";
import { generateIssuerKey, KID_MAX, type IssuerKey, type IssuerKeySet } from "@tsubaki/ride";

export interface IssuerKeyring {
  /** current signs; terminals are given current + previous. */
  set: IssuerKeySet;
  /** Every key ever used, by kid: the server verifies late syncs with all of them. */
  all: ReadonlyMap<number, Uint8Array>;
}

export type IssuerKeysParse = { ok: true; keys: IssuerKey[] } | { ok: false; detail: string };

const hexSecret = /^[0-9a-f]{64}$/;

function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i += 1) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function bytesToHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export { hexToBytes };

/** Parses "kid:secretHex,kid:secretHex" (oldest first). The detail never repeats a secret. */
export function parseIssuerKeys(text: string): IssuerKeysParse {
  const keys: IssuerKey[] = [];
  for (const [index, part] of text.split(",").map((p) => p.trim()).filter((p) => p !== "").entries()) {
    const [kidText, secret] = part.split(":");
    const kid = Number(kidText);
    if (!Number.isInteger(kid) || kid < 0 || kid > KID_MAX || secret === undefined || !hexSecret.test(secret)) {
      return { ok: false, detail: `entry ${index + 1}: expected kid (0..${KID_MAX}) ":" 64 lower-case hex characters` };
    }
    const secretKey = hexToBytes(secret);
    keys.push({ kid, secretKey, publicKey: ed25519.getPublicKey(secretKey) });
  }
  if (keys.length === 0) return { ok: false, detail: "no key" };
  if (new Set(keys.map((k) => k.kid)).size !== keys.length) return { ok: false, detail: "a kid appears twice" };
  return { ok: true, keys };
}

function ringOf(keys: readonly IssuerKey[]): IssuerKeyring {
  const current = keys[keys.length - 1]!;
  const previous = keys.length > 1 ? keys[keys.length - 2]! : null;
  return { set: { current, previous }, all: new Map(keys.map((k) => [k.kid, k.publicKey])) };
}

/** From the configured text when given, else from the database (generating the first key once). */
export async function loadIssuerKeyring(options: { configured: string | null; store: BusStore; now: Date }): Promise<IssuerKeyring> {
  if (options.configured !== null) {
    const parsed = parseIssuerKeys(options.configured);
    if (!parsed.ok) throw new Error(`TSUBAKI_RIDE_ISSUER_KEYS: ${parsed.detail}`);
    return ringOf(parsed.keys);
  }
  let rows = await options.store.issuerKeys();
  if (rows.length === 0) {
    const key = generateIssuerKey(1);
    await options.store.saveIssuerKey({ kid: key.kid, publicKey: bytesToHex(key.publicKey), secretKey: bytesToHex(key.secretKey) }, options.now);
    rows = await options.store.issuerKeys();
  }
  return ringOf(rows.map((r) => ({ kid: r.kid, secretKey: hexToBytes(r.secretKey), publicKey: hexToBytes(r.publicKey) })));
}
