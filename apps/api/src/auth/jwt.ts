// Access tokens on the wire: `Authorization: Bearer <JWT>`. Verification is @tsubaki/auth's (EdDSA only, kid among
// our keys, typ at+jwt, iss/aud/exp); this file only finds the token, picks the keys and turns the result into an
// AuthOutcome. A bearer credential that is not JWT-shaped is not ours (it may be the service token): null.
//
// A client sends the same access token with every request for up to 15 minutes, and an Ed25519 verification is
// the largest CPU cost of a small request. So a token that verified is remembered, keyed by its full text, until
// its exp: a later request with byte-for-byte the same token gets the same Principal without verifying again.
// What a remembered token is still checked for on every request: exp (against the same clock) and that its kid
// still verifies (an immediate key rotation, for a suspected leak, ends remembered tokens at once as it ends the
// others). Revocation is unchanged: an access token was never checked against the database (a disabled user's or
// a logged-out session's access token lives until it lapses, ≤ accessTokenTtlSecondsMax; routes that must know,
// like GET /v1/me, read the user) — remembering it adds nothing to that. Refusals are never remembered.
import { decodeProtectedHeader } from "jose";
import { verifyAccessToken, type Principal, type TokenAudience } from "@tsubaki/auth";
import type { KeyProvider } from "./keys";
import { bearerToken, type Authenticate } from "./principal";

const jwtShape = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;

/** Verified tokens remembered at most (about 1 KB each): one per active session of a busy instance. */
export const verifiedTokensMax = 20_000;

interface VerifiedToken {
  principal: Principal;
  kid: string;
  /** The token's exp, ms: the entry is not used at or after it. */
  expiresAtMs: number;
}

/**
 * Tokens that verified, by their exact text, least recently used dropped first; an entry is never used at or
 * after its token's exp. Only ever holds tokens that passed verifyAccessToken.
 */
export class VerifiedTokenCache {
  readonly #entries = new Map<string, VerifiedToken>();

  constructor(readonly sizeMax: number = verifiedTokensMax) {}

  get(token: string, atMs: number): VerifiedToken | undefined {
    const entry = this.#entries.get(token);
    if (!entry) return undefined;
    this.#entries.delete(token);
    if (entry.expiresAtMs <= atMs) return undefined;
    this.#entries.set(token, entry); // most recently used last
    return entry;
  }

  set(token: string, entry: VerifiedToken): void {
    this.#entries.delete(token);
    while (this.#entries.size >= this.sizeMax) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value);
    }
    this.#entries.set(token, entry);
  }

  delete(token: string): void {
    this.#entries.delete(token);
  }

  get size(): number {
    return this.#entries.size;
  }

  toJSON(): string {
    return "[VerifiedTokenCache]";
  }
}

/** The kid a token names, if its header is readable at all. */
function kidOf(token: string): string | null {
  try {
    const { kid } = decodeProtectedHeader(token);
    return typeof kid === "string" ? kid : null;
  } catch {
    return null;
  }
}

export function jwtAuthenticator(
  keys: KeyProvider,
  audience: TokenAudience,
  now: () => Date = () => new Date(),
  verified: VerifiedTokenCache = new VerifiedTokenCache(),
): Authenticate {
  return async (request) => {
    const token = bearerToken(request);
    if (token === null || !jwtShape.test(token)) return null;
    const at = now();
    let store = await keys.get();
    const known = verified.get(token, at.getTime());
    if (known) {
      if (store.verifying(at).some((k) => k.kid === known.kid)) return known.principal;
      verified.delete(token);
    }
    const kid = kidOf(token);
    if (kid !== null && !store.verifying(at).some((k) => k.kid === kid)) {
      // Another instance may have rotated since we loaded: look once (rate-limited), then decide.
      store = (await keys.reloadForUnknownKid()) ?? store;
    }
    const result = await verifyAccessToken(token, store, { ...audience, now: at });
    if (!result.ok) return { failure: result.code, detail: result.detail };
    // verifyAccessToken found the key by this kid, so kid is a string here.
    if (kid !== null && result.expiresAt.getTime() > at.getTime()) {
      verified.set(token, { principal: freezePrincipal(result.principal), kid, expiresAtMs: result.expiresAt.getTime() });
    }
    return result.principal;
  };
}

/** One Principal object answers many requests: nothing may change it. */
function freezePrincipal(principal: Principal): Principal {
  Object.freeze(principal.roles);
  return Object.freeze(principal);
}
