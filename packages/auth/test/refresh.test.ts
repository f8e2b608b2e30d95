// Refresh-token rotation: each token works once; a spent token presented again revokes its whole family.
import { describe, expect, it } from "vitest";
import { decideRefresh, hashToken, isRefreshTokenShape, newRefreshToken, refreshTokenExpiry, sessionLifetimeSecondsMax } from "../src";

const now = new Date("2026-04-01T00:00:00Z");
const later = new Date(now.getTime() + 60_000);

describe("refresh tokens", () => {
  it("are 32 random bytes in base64url, stored as sha256 hex", () => {
    const token = newRefreshToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(isRefreshTokenShape(token)).toBe(true);
    expect(isRefreshTokenShape(`${token}=`)).toBe(false);
    expect(newRefreshToken()).not.toBe(token);
    expect(hashToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashToken(token)).not.toContain(token);
  });

  it("rotate a live token; reject unknown, revoked and expired ones; revoke the family on reuse", () => {
    expect(decideRefresh({ usedAt: null, revokedAt: null, expiresAt: later }, now)).toEqual({ action: "rotate" });
    expect(decideRefresh(null, now)).toEqual({ action: "reject", code: "token_invalid" });
    expect(decideRefresh({ usedAt: null, revokedAt: now, expiresAt: later }, now)).toEqual({ action: "reject", code: "token_invalid" });
    expect(decideRefresh({ usedAt: null, revokedAt: null, expiresAt: now }, now)).toEqual({ action: "reject", code: "token_expired" });
    expect(decideRefresh({ usedAt: now, revokedAt: null, expiresAt: later }, now)).toEqual({ action: "revoke_family", code: "token_reused" });
    // Reuse is reuse even after the spent token has lapsed.
    expect(decideRefresh({ usedAt: now, revokedAt: null, expiresAt: now }, later)).toEqual({ action: "revoke_family", code: "token_reused" });
  });

  it("never extend a session past its lifetime", () => {
    expect(refreshTokenExpiry(now, now, 3600)).toEqual(new Date(now.getTime() + 3600_000));
    const nearEnd = new Date(now.getTime() + (sessionLifetimeSecondsMax - 10) * 1000);
    expect(refreshTokenExpiry(now, nearEnd, 3600)).toEqual(new Date(now.getTime() + sessionLifetimeSecondsMax * 1000));
  });
});
