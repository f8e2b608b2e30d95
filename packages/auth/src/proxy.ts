// Proxies (家族・支援者): a resident lets another user see their history and/or pay for them up to a daily amount.
// The decision is pure; the store supplies the grant as it is now (a revocation takes effect on the next request,
// nothing is cached) and the sum already spent today (Japan's calendar day).

/** The largest daily limit a resident can grant (a bound; the city may set a lower one). */
export const proxyDailyLimitYenMax = 1_000_000n;

export interface ProxyGrant {
  dailyLimitYen: bigint;
  canViewHistory: boolean;
  revokedAt: Date | null;
}

export type ProxySpendDecision =
  | { ok: true; remainingYen: bigint }
  | { ok: false; code: "proxy_revoked" | "proxy_limit_exceeded" | "invalid_amount"; detail: string; remainingYen: bigint };

/** Checked in order: amount → revoked → limit. */
export function decideProxySpend(grant: ProxyGrant, spentTodayYen: bigint, amountYen: bigint): ProxySpendDecision {
  const remainingYen = grant.revokedAt !== null ? 0n : grant.dailyLimitYen > spentTodayYen ? grant.dailyLimitYen - spentTodayYen : 0n;
  if (amountYen <= 0n) return { ok: false, code: "invalid_amount", detail: "the amount must be positive", remainingYen };
  if (grant.revokedAt !== null) return { ok: false, code: "proxy_revoked", detail: "the resident has revoked this proxy", remainingYen };
  if (amountYen > remainingYen) return { ok: false, code: "proxy_limit_exceeded", detail: `¥${remainingYen} of today's limit remains`, remainingYen };
  return { ok: true, remainingYen: remainingYen - amountYen };
}

export function isValidDailyLimit(yen: bigint): boolean {
  return yen >= 0n && yen <= proxyDailyLimitYenMax;
}
