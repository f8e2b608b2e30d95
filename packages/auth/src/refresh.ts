// Refresh tokens: 32 random bytes, shown to the client once and stored only as their sha256. Each use spends the
// token and issues its successor in the same family (one login session). Presenting a spent token again means
// two parties hold the same session — a thief or the real user — so the whole family is revoked and both must
// log in again (OAuth 2.0 Security BCP, "refresh token rotation" with reuse detection).
import { base64UrlEncode, randomBytes, sha256Hex } from "./bytes";

export const refreshTokenBytes = 32;
/** A refresh token unused this long lapses. */
export const refreshTokenTtlSecondsDefault = 30 * 24 * 3600;
/** A login session ends this long after the login however often it is refreshed. */
export const sessionLifetimeSecondsMax = 90 * 24 * 3600;
const refreshTokenPattern = /^[A-Za-z0-9_-]{43}$/;

export function newRefreshToken(): string {
  return base64UrlEncode(randomBytes(refreshTokenBytes));
}

/** A refresh token's shape, checked before any lookup. */
export function isRefreshTokenShape(token: unknown): token is string {
  return typeof token === "string" && refreshTokenPattern.test(token);
}

/** How a high-entropy token is stored and looked up: sha256 hex (no salt needed: the token is 256 random bits). */
export function hashToken(token: string): string {
  return sha256Hex(token);
}

export interface StoredRefreshToken {
  usedAt: Date | null;
  revokedAt: Date | null;
  expiresAt: Date;
}

export type RefreshDecision =
  | { action: "rotate" }
  | { action: "reject"; code: "token_invalid" | "token_expired" }
  | { action: "revoke_family"; code: "token_reused" };

/**
 * What to do with a presented refresh token, in this order: unknown → token_invalid; family revoked (logout,
 * reuse, disabled user) → token_invalid; already spent → revoke the family (token_reused), even when it has
 * expired since; expired → token_expired; otherwise rotate. No grace period for a double submit: a client that
 * refreshes twice in parallel loses its session, which is the safe side.
 */
export function decideRefresh(stored: StoredRefreshToken | null, now: Date): RefreshDecision {
  if (stored === null) return { action: "reject", code: "token_invalid" };
  if (stored.revokedAt !== null) return { action: "reject", code: "token_invalid" };
  if (stored.usedAt !== null) return { action: "revoke_family", code: "token_reused" };
  if (stored.expiresAt.getTime() <= now.getTime()) return { action: "reject", code: "token_expired" };
  return { action: "rotate" };
}

/** The expiry of the next token of a session: the token TTL from now, but never past the session's end. */
export function refreshTokenExpiry(sessionStartedAt: Date, now: Date, ttlSeconds = refreshTokenTtlSecondsDefault): Date {
  const sessionEnd = sessionStartedAt.getTime() + sessionLifetimeSecondsMax * 1000;
  return new Date(Math.min(now.getTime() + ttlSeconds * 1000, sessionEnd));
}
