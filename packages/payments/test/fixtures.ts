// A small wallet in Nonoichi used across the tests: a kissaten (small food shop), a large retail store, a shop
// that takes coins only, and a resident with three campaigns' points and some coins.
import type { CoinAccount, LotRestriction, Merchant, PointLot } from "../src";

/** 2025-06-15 12:00 JST. */
export const now = new Date("2025-06-15T03:00:00Z");

export const kissa: Merchant = { merchantId: "kissa", accountId: "mer:kissa", category: "food", tier: "small", mcc: "5812", pointsAccepted: true };
export const mall: Merchant = { merchantId: "mall", accountId: "mer:mall", category: "retail", tier: "large", mcc: "5311", pointsAccepted: true };
export const tobacco: Merchant = { merchantId: "tabako", accountId: "mer:tabako", category: "tobacco", tier: "small", mcc: "5993", pointsAccepted: false };

export function lot(
  lotId: string,
  fields: { balanceYen: bigint; expiresAt: string; grantedAt?: string; campaignId?: string; restriction?: LotRestriction | null },
): PointLot {
  const campaignId = fields.campaignId ?? "welcome";
  return {
    accountId: `res:r1:pts:${lotId}`,
    lotId,
    campaignId,
    balanceYen: fields.balanceYen,
    grantedAt: new Date(fields.grantedAt ?? "2025-04-01T00:00:00Z"),
    expiresAt: new Date(fields.expiresAt),
    restriction: fields.restriction ?? null,
    expiredAccountId: `cmp:${campaignId}:expired`,
  };
}

/** Small shops only, lapses first. */
export const summer = lot("L-summer", {
  balanceYen: 300n,
  expiresAt: "2025-06-30T15:00:00Z",
  grantedAt: "2025-06-01T00:00:00Z",
  campaignId: "summer",
  restriction: { tiers: ["small"] },
});
/** Food shops only. */
export const food = lot("L-food", {
  balanceYen: 1_000n,
  expiresAt: "2025-07-31T15:00:00Z",
  grantedAt: "2025-05-01T00:00:00Z",
  campaignId: "food",
  restriction: { categories: ["food"] },
});
/** Usable everywhere that takes points, lapses last. */
export const welcome = lot("L-welcome", { balanceYen: 500n, expiresAt: "2025-09-30T15:00:00Z", campaignId: "welcome" });

export const lots = [welcome, food, summer];
export const coins: CoinAccount = { accountId: "res:r1:coins", availableYen: 5_000n };

/** Unwraps an ok result for the next step of a story, failing the test with the code otherwise. */
export function expectOk<T extends { ok: boolean }>(result: T): Extract<T, { ok: true }> {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result, (_k, v) => (typeof v === "bigint" ? `${v}n` : v))}`);
  return result as Extract<T, { ok: true }>;
}
