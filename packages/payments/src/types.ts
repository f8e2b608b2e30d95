// The resident's money as the payments domain sees it: point lots, the coin account and the shop being paid.
// The API loads these from the ledger store; everything in this package is a pure function of them.
// Amounts are integer yen as bigint, as in @tsubaki/ledger; only the receipt (a view) turns them into numbers.

/** Shop size, as campaigns restrict points by it (せたがやPay style rates by shop size). */
export type MerchantTier = "small" | "large";
export const merchantTiers: readonly MerchantTier[] = ["small", "large"];

/**
 * Where a campaign's points may be spent. Each listed dimension restricts: a lot with
 * `{categories: ["food"], tiers: ["small"]}` is usable only at small food shops.
 *   usable(lot, m) ⇔ m.pointsAccepted
 *                    ∧ (restriction = null
 *                       ∨ ((categories absent ∨ m.category ∈ categories) ∧ (tiers absent ∨ m.tier ∈ tiers)))
 * An empty list allows nothing (the literal reading; a campaign validator should refuse one).
 */
export interface LotRestriction {
  categories?: readonly string[];
  tiers?: readonly MerchantTier[];
}

/**
 * Points from one grant, held in their own ledger account (`res:{rid}:pts:{lot}`).
 *   balanceYen ≥ 0; grantedAt < expiresAt
 *   expired(lot, now) ⇔ lot.expiresAt ≤ now   (an expired lot is never spent; its balance goes to expiredAccountId)
 */
export interface PointLot {
  accountId: string;
  lotId: string;
  campaignId: string;
  balanceYen: bigint;
  grantedAt: Date;
  expiresAt: Date;
  restriction: LotRestriction | null;
  /** The campaign's `cmp:{cid}:expired` account: where lapsed points go back to the city. */
  expiredAccountId: string;
}

/** The resident's charged money (`res:{rid}:coins`). availableYen = credits − debits − pending debits ≥ 0. */
export interface CoinAccount {
  accountId: string;
  availableYen: bigint;
}

export interface Merchant {
  merchantId: string;
  /** The shop's ledger account (`mer:{mid}`); every payment leg ends here. */
  accountId: string;
  category: string;
  tier: MerchantTier;
  /** ISO 18245 merchant category code, as in the shop QR's field 52. */
  mcc: string;
  /** False ⇒ no point lot is usable here at all, restricted or not (coins only). */
  pointsAccepted: boolean;
}

/**
 * One source of a payment or a refund and the yen it gave (payment) or got back (refund).
 * A payment's allocation lists its sources in spend order, each source at most once.
 */
export type AllocationPart =
  | { source: "lot"; accountId: string; lotId: string; campaignId: string; amountYen: bigint; expiresAt: Date }
  | { source: "coins"; accountId: string; amountYen: bigint };

/** A stable key for a source, so refunds can be matched to the payment part they undo. */
export function sourceKey(part: AllocationPart): string {
  return part.source === "lot" ? `lot:${part.lotId}` : `coins:${part.accountId}`;
}

/**
 * Points that lapsed instead of being spent or refunded: what the expiry sweep moves, and the share of a refund
 * that belonged to a lot that had lapsed by then (it goes to the campaign, not the lot, and the receipt says so).
 */
export interface LapsedPart {
  lotId: string;
  campaignId: string;
  /** The lot's own account. */
  accountId: string;
  /** Where the yen went: the campaign's expired account. */
  expiredAccountId: string;
  amountYen: bigint;
  expiresAt: Date;
}
