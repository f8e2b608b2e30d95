// Passwords and PINs are stored as scrypt hashes in the PHC string format, so the algorithm and its cost travel
// with each hash and can be raised later (needsRehash) without invalidating what is stored:
//   $scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt, base64 no padding>$<key, base64 no padding>
// Secrets are NFKC-normalised first, so a PIN or password typed with full-width digits (a common IME state on
// Japanese phones) is the same secret as its ASCII form.
import { scryptAsync } from "@noble/hashes/scrypt.js";
import { constantTimeEqualBytes, randomBytes, utf8ToBytes } from "./bytes";

export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  N: number;
  r: number;
  p: number;
}

/** 2^14, 8, 1: about 16 MiB and tens of milliseconds per hash (OWASP's scrypt floor is N=2^17 r=8 p=1 at 128 MiB;
 * this is lower so that Workers stay within their memory limit; raise with needsRehash when that changes). */
export const scryptDefaults: Readonly<ScryptParams> = Object.freeze({ N: 2 ** 14, r: 8, p: 1 });
/** Bounds on parameters read back from a stored hash, so a corrupted row cannot make one check cost minutes. */
export const scryptLogNMin = 10;
export const scryptLogNMax = 20;
export const scryptRMax = 32;
export const scryptPMax = 16;
export const saltBytes = 16;
export const derivedKeyBytes = 32;
/** Longest secret hashed, in characters (after normalisation); longer input is refused before any work. */
export const secretLengthMax = 1024;
/** Passwords: NIST SP 800-63B — at least 8 characters, long passphrases allowed, no composition rules. */
export const passwordLengthMin = 8;
export const passwordLengthMax = 256;
/** Milliseconds of work between yields to the event loop, so a login does not stall other requests. */
const asyncTickMs = 10;

export type PasswordPolicyResult = { ok: true } | { ok: false; code: "password_too_short" | "password_too_long"; detail: string };

export function checkPasswordPolicy(password: string): PasswordPolicyResult {
  const length = [...normalizeSecret(password)].length;
  if (length < passwordLengthMin) return { ok: false, code: "password_too_short", detail: `a password needs at least ${passwordLengthMin} characters` };
  if (length > passwordLengthMax) return { ok: false, code: "password_too_long", detail: `a password may have at most ${passwordLengthMax} characters` };
  return { ok: true };
}

export function normalizeSecret(secret: string): string {
  return secret.normalize("NFKC");
}

function log2(n: number): number | null {
  const l = Math.log2(n);
  return Number.isInteger(l) ? l : null;
}

function checkParams(params: ScryptParams): void {
  const logN = log2(params.N);
  if (logN === null || logN < scryptLogNMin || logN > scryptLogNMax || !Number.isInteger(params.r) || params.r < 1 || params.r > scryptRMax
    || !Number.isInteger(params.p) || params.p < 1 || params.p > scryptPMax) {
    throw new Error(`BUG: scrypt parameters out of range: N=${params.N} r=${params.r} p=${params.p}`);
  }
}

function b64(bytes: Uint8Array): string {
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/=+$/, "");
}

function unb64(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9+/]+$/.test(text) || text.length % 4 === 1) return null;
  const binary = atob(text + "===".slice((text.length + 3) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

async function derive(secret: string, salt: Uint8Array, params: ScryptParams): Promise<Uint8Array> {
  return scryptAsync(utf8ToBytes(secret), salt, { ...params, dkLen: derivedKeyBytes, asyncTick: asyncTickMs });
}

/** Hashes a secret with a fresh salt. Throws (a bug) for a secret over secretLengthMax or bad parameters. */
export async function hashSecret(secret: string, params: ScryptParams = scryptDefaults): Promise<string> {
  checkParams(params);
  const normalized = normalizeSecret(secret);
  if (normalized.length > secretLengthMax) throw new Error(`BUG: secrets are at most ${secretLengthMax} characters; check length before hashing`);
  const salt = randomBytes(saltBytes);
  const key = await derive(normalized, salt, params);
  return `$scrypt$ln=${log2(params.N)},r=${params.r},p=${params.p}$${b64(salt)}$${b64(key)}`;
}

interface Decoded {
  params: ScryptParams;
  salt: Uint8Array;
  key: Uint8Array;
}

const encodedPattern = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

function decode(encoded: string): Decoded | null {
  const m = encodedPattern.exec(encoded);
  if (!m) return null;
  const [, ln, r, p, saltText, keyText] = m;
  const logN = Number(ln);
  const params = { N: 2 ** logN, r: Number(r), p: Number(p) };
  if (logN < scryptLogNMin || logN > scryptLogNMax || params.r < 1 || params.r > scryptRMax || params.p < 1 || params.p > scryptPMax) return null;
  const salt = unb64(saltText ?? "");
  const key = unb64(keyText ?? "");
  if (!salt || !key || salt.length < saltBytes || key.length !== derivedKeyBytes) return null;
  return { params, salt, key };
}

/** True when `secret` matches the stored hash. A malformed hash or an over-long secret never matches. */
export async function verifySecret(secret: string, encoded: string): Promise<boolean> {
  const decoded = decode(encoded);
  const normalized = normalizeSecret(secret);
  if (!decoded || normalized.length > secretLengthMax) return false;
  const key = await derive(normalized, decoded.salt, decoded.params);
  return constantTimeEqualBytes(key, decoded.key);
}

/** True when the stored hash should be replaced (after a successful check) because the parameters changed. */
export function needsRehash(encoded: string, params: ScryptParams = scryptDefaults): boolean {
  const decoded = decode(encoded);
  return decoded === null || decoded.params.N !== params.N || decoded.params.r !== params.r || decoded.params.p !== params.p;
}

const dummyHashes = new Map<string, Promise<string>>();

/**
 * Spends the same time as verifySecret against a real hash and returns false: used when the login does not exist,
 * so the response time does not tell an attacker which logins are real.
 */
export async function verifyAgainstNothing(secret: string, params: ScryptParams = scryptDefaults): Promise<false> {
  const id = `${params.N}/${params.r}/${params.p}`;
  let dummy = dummyHashes.get(id);
  if (!dummy) {
    dummy = hashSecret(base64Random(), params);
    dummyHashes.set(id, dummy);
  }
  await verifySecret(secret, await dummy);
  return false;
}

function base64Random(): string {
  return b64(randomBytes(24));
}
