// Access tokens: short JWTs signed with Ed25519 (alg EdDSA) through jose. Only EdDSA is accepted, the key is
// chosen by `kid` among our own keys (never from the token's own header), and typ must be "at+jwt" (RFC 9068) so
// no other kind of JWT we might sign later can be passed off as an access token.
//
// Keys rotate: the newest unretired key signs; a retired key keeps verifying for retiredKeyGraceSecondsDefault
// (longer than any token it signed can live, plus the time other instances take to reload keys) and is published
// in the JWKS until then. A retired key never signs again, so its private half can be destroyed at retirement.
import {
  SignJWT,
  calculateJwkThumbprint,
  decodeProtectedHeader,
  errors,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  type CryptoKey,
  type JWTPayload,
} from "jose";
import { base64UrlEncode, randomBytes } from "./bytes";
import { parseRoles, type Principal, type Role } from "./roles";

/** Access tokens live at most 15 minutes (the issue's limit). */
export const accessTokenTtlSecondsMax = 900;
/** Clock difference tolerated between the signer and the verifier. */
export const clockSkewSeconds = 30;
/** Longest token read; longer ones are refused before any parsing. */
export const accessTokenLengthMax = 4096;
/** A signing key is replaced after this long. */
export const keyRotationSecondsDefault = 30 * 24 * 3600;
/** A retired key verifies (and is published) this long after retirement: > token TTL + key reload interval. */
export const retiredKeyGraceSecondsDefault = 3600;
/** At most this many keys verify at once (current + recently retired); older ones are dropped. */
export const verifyingKeysMax = 4;
export const accessTokenType = "at+jwt";
const subjectLengthMax = 128;

export interface PublicJwk {
  kty: "OKP";
  crv: "Ed25519";
  x: string;
  kid: string;
  alg: "EdDSA";
  use: "sig";
}

/** Key material: never logged, never returned by a list, never sent anywhere. */
export interface PrivateJwk extends PublicJwk {
  d: string;
}

export interface SigningKeyRecord {
  kid: string;
  publicJwk: PublicJwk;
  /** Null once the key is retired (it only verifies from then on). */
  privateJwk: PrivateJwk | null;
  createdAt: Date;
  retiredAt: Date | null;
}

export interface KeyStoreOptions {
  rotationSeconds?: number;
  retiredKeyGraceSeconds?: number;
}

export interface KeyRotation {
  store: KeyStore;
  /** The new signing key (persist it). */
  added: SigningKeyRecord;
  /** Keys retired by this rotation, with retiredAt set and the private half removed (persist that). */
  retired: SigningKeyRecord[];
}

/** Generates a fresh Ed25519 key; its kid is the RFC 7638 thumbprint of the public key. */
export async function generateSigningKey(now: Date): Promise<SigningKeyRecord> {
  const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const jwk = await exportJWK(privateKey);
  if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || typeof jwk.x !== "string" || typeof jwk.d !== "string") {
    throw new Error("BUG: the runtime did not produce an Ed25519 JWK");
  }
  const kid = await calculateJwkThumbprint({ kty: "OKP", crv: "Ed25519", x: jwk.x }, "sha256");
  const publicJwk: PublicJwk = { kty: "OKP", crv: "Ed25519", x: jwk.x, kid, alg: "EdDSA", use: "sig" };
  return { kid, publicJwk, privateJwk: { ...publicJwk, d: jwk.d }, createdAt: now, retiredAt: null };
}

/**
 * The keys of one API instance. Records are held in a private field so that logging or serialising a KeyStore
 * shows nothing; imported CryptoKeys are cached per kid.
 */
export class KeyStore {
  readonly #records: readonly SigningKeyRecord[];
  readonly #rotationSeconds: number;
  readonly #graceSeconds: number;
  readonly #imported = new Map<string, Promise<CryptoKey>>();

  constructor(records: readonly SigningKeyRecord[], options: KeyStoreOptions = {}) {
    this.#records = [...records].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    this.#rotationSeconds = options.rotationSeconds ?? keyRotationSecondsDefault;
    this.#graceSeconds = options.retiredKeyGraceSeconds ?? retiredKeyGraceSecondsDefault;
  }

  /** The newest unretired key that still has its private half: the one that signs. */
  current(): SigningKeyRecord | null {
    return this.#records.find((r) => r.retiredAt === null && r.privateJwk !== null) ?? null;
  }

  /** Keys that verify at `now`, newest first: the current key and keys retired less than the grace period ago. */
  verifying(now: Date): SigningKeyRecord[] {
    return this.#records
      .filter((r) => r.retiredAt === null || now.getTime() - r.retiredAt.getTime() < this.#graceSeconds * 1000)
      .slice(0, verifyingKeysMax);
  }

  /** The public JWKS to serve at /v1/.well-known/jwks.json. */
  jwks(now: Date): { keys: PublicJwk[] } {
    return { keys: this.verifying(now).map((r) => ({ ...r.publicJwk })) };
  }

  needsRotation(now: Date): boolean {
    const current = this.current();
    return current === null || now.getTime() - current.createdAt.getTime() >= this.#rotationSeconds * 1000;
  }

  /**
   * A new current key; every unretired key is retired at `now` (or, with `immediate` — a suspected leak — so long
   * ago that it stops verifying at once, which ends every session's access token signed with it).
   */
  async rotate(now: Date, options: { immediate?: boolean } = {}): Promise<KeyRotation> {
    const added = await generateSigningKey(now);
    const retiredAt = options.immediate ? new Date(now.getTime() - this.#graceSeconds * 1000) : now;
    const retired = this.#records.filter((r) => r.retiredAt === null).map((r) => ({ ...r, privateJwk: null, retiredAt }));
    const kept = this.#records.filter((r) => r.retiredAt !== null);
    const store = new KeyStore([added, ...retired, ...kept], { rotationSeconds: this.#rotationSeconds, retiredKeyGraceSeconds: this.#graceSeconds });
    return { store, added, retired };
  }

  /** @internal The current key, imported for signing. */
  async signingKey(): Promise<{ kid: string; key: CryptoKey }> {
    const current = this.current();
    if (!current?.privateJwk) throw new Error("BUG: no signing key; rotate the key store before issuing tokens");
    return { kid: current.kid, key: await this.#import(`private:${current.kid}`, current.privateJwk) };
  }

  /** @internal The public key of `kid` when it verifies at `now`, else null. */
  async verificationKey(kid: string, now: Date): Promise<CryptoKey | null> {
    const record = this.verifying(now).find((r) => r.kid === kid);
    return record ? this.#import(`public:${kid}`, record.publicJwk) : null;
  }

  #import(cacheKey: string, jwk: PublicJwk | PrivateJwk): Promise<CryptoKey> {
    let key = this.#imported.get(cacheKey);
    if (!key) {
      const { kty, crv, x } = jwk;
      key = importJWK("d" in jwk ? { kty, crv, x, d: jwk.d } : { kty, crv, x }, "EdDSA") as Promise<CryptoKey>;
      this.#imported.set(cacheKey, key);
    }
    return key;
  }

  toJSON(): string {
    return "[KeyStore]";
  }
}

export function createKeyStore(records: readonly SigningKeyRecord[], options: KeyStoreOptions = {}): KeyStore {
  return new KeyStore(records, options);
}

export interface TokenAudience {
  issuer: string;
  audience: string;
}

export interface AccessTokenClaims {
  sub: string;
  roles: readonly Role[];
  /** The refresh-token family (login session) this token belongs to. */
  sessionId?: string;
  /** The user's resident record, when they have one (the `rid` claim; see Principal.residentId). */
  residentId?: string;
}

export interface IssuedAccessToken {
  token: string;
  tokenId: string;
  expiresAt: Date;
  /** Seconds, for the `expires_in` field of the token response. */
  expiresIn: number;
}

export async function issueAccessToken(
  claims: AccessTokenClaims,
  keys: KeyStore,
  options: TokenAudience & { ttlSeconds: number; now: Date },
): Promise<IssuedAccessToken> {
  const { ttlSeconds, now } = options;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > accessTokenTtlSecondsMax) {
    throw new Error(`BUG: access token TTL must be 1..${accessTokenTtlSecondsMax} seconds, got ${ttlSeconds}`);
  }
  if (claims.sub.length === 0 || claims.sub.length > subjectLengthMax || claims.roles.length === 0) {
    throw new Error("BUG: an access token needs a subject and at least one role");
  }
  if (claims.residentId !== undefined && (claims.residentId.length === 0 || claims.residentId.length > subjectLengthMax)) {
    throw new Error("BUG: a resident id in an access token is 1 to 128 characters");
  }
  const { kid, key } = await keys.signingKey();
  const iat = Math.floor(now.getTime() / 1000);
  const tokenId = base64UrlEncode(randomBytes(16));
  const payload: JWTPayload = {
    roles: [...claims.roles],
    ...(claims.sessionId ? { sid: claims.sessionId } : {}),
    ...(claims.residentId !== undefined ? { rid: claims.residentId } : {}),
  };
  const token = await new SignJWT(payload)
    .setProtectedHeader({ alg: "EdDSA", kid, typ: accessTokenType })
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setSubject(claims.sub)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttlSeconds)
    .setJti(tokenId)
    .sign(key);
  return { token, tokenId, expiresAt: new Date((iat + ttlSeconds) * 1000), expiresIn: ttlSeconds };
}

export type AccessTokenResult =
  | { ok: true; principal: Principal; expiresAt: Date }
  | { ok: false; code: "token_invalid" | "token_expired"; detail: string };

const compactJwsPattern = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** Header parameters that would let a token name its own key; ours never carry them, so their presence is an attack. */
const forbiddenHeaderParameters = ["jwk", "jku", "x5u", "x5c", "x5t", "x5t#S256"];

function invalid(detail: string): AccessTokenResult {
  return { ok: false, code: "token_invalid", detail };
}

/**
 * Checks, in order: shape and length → header (alg EdDSA, typ at+jwt, kid present, no embedded key) → kid known
 * and verifying → signature → iss, aud, exp (token_expired), iat age → sub and roles. Never throws for a bad token.
 */
export async function verifyAccessToken(token: string, keys: KeyStore, options: TokenAudience & { now: Date }): Promise<AccessTokenResult> {
  if (typeof token !== "string" || token.length > accessTokenLengthMax || !compactJwsPattern.test(token)) return invalid("not a signed compact JWT");
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(token) as Record<string, unknown>;
  } catch {
    return invalid("unreadable header");
  }
  if (header.alg !== "EdDSA") return invalid("only EdDSA is accepted");
  if (header.typ !== accessTokenType) return invalid(`typ must be ${accessTokenType}`);
  if (typeof header.kid !== "string" || header.kid === "") return invalid("kid is required");
  if (forbiddenHeaderParameters.some((p) => p in header)) return invalid("tokens may not name their own key");
  const key = await keys.verificationKey(header.kid, options.now);
  if (!key) return invalid("unknown kid");

  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, key, {
      algorithms: ["EdDSA"],
      typ: accessTokenType,
      issuer: options.issuer,
      audience: options.audience,
      currentDate: options.now,
      clockTolerance: clockSkewSeconds,
      maxTokenAge: accessTokenTtlSecondsMax + clockSkewSeconds,
      requiredClaims: ["sub", "iat", "exp", "jti"],
    }));
  } catch (error) {
    if (error instanceof errors.JWTExpired) return { ok: false, code: "token_expired", detail: "the access token has expired" };
    if (error instanceof errors.JWTClaimValidationFailed) return invalid(`claim ${error.claim} rejected`);
    return invalid("signature or format rejected");
  }
  const { sub, iat, exp, sid, jti, rid } = payload;
  if (typeof sub !== "string" || sub === "" || sub.length > subjectLengthMax) return invalid("bad subject");
  if (typeof iat !== "number" || typeof exp !== "number" || exp - iat > accessTokenTtlSecondsMax) return invalid("lifetime longer than allowed");
  const roles = Array.isArray(payload.roles) ? parseRoles(payload.roles) : null;
  if (!roles || roles.length === 0) return invalid("bad roles");
  if (sid !== undefined && typeof sid !== "string") return invalid("bad sid");
  if (rid !== undefined && (typeof rid !== "string" || rid === "" || rid.length > subjectLengthMax)) return invalid("bad rid");
  const principal: Principal = {
    subject: sub,
    roles,
    via: "access_token",
    ...(typeof sid === "string" ? { sessionId: sid } : {}),
    ...(typeof jti === "string" ? { tokenId: jti } : {}),
    ...(typeof rid === "string" ? { residentId: rid } : {}),
  };
  return { ok: true, principal, expiresAt: new Date(exp * 1000) };
}
