// The spend order of DESIGN §3: a payment takes point lots usable at the shop, soonest expiry first, then coins.
// Points go first because they lapse and coins do not; the soonest-expiring lot goes first so the least is lost.
import { assert, bug, legsMax, type Leg } from "@tsubaki/ledger";
import type { Failure } from "./codes";
import { checkAmount, limitsDefault, type LimitName, type Limits } from "./limits";
import type { AllocationPart, CoinAccount, Merchant, PointLot } from "./types";

/**
 * Most open lots (balance > 0) one resident's payment is planned over. The store loads only open lots; a
 * resident gets one lot per grant, so even a busy year of campaigns stays far below this.
 */
export const walletLotsMax = 1_000;

/** expired(lot, now) ⇔ lot.expiresAt ≤ now: at the instant of expiry the points are already gone. */
export function isLotExpired(lot: Pick<PointLot, "expiresAt">, now: Date): boolean {
  return lot.expiresAt.getTime() <= now.getTime();
}

/** Whether a campaign's restriction lets its points be spent at this shop (formula on LotRestriction). */
export function isLotUsableAt(lot: Pick<PointLot, "restriction">, merchant: Merchant): boolean {
  if (!merchant.pointsAccepted) return false;
  const r = lot.restriction;
  if (r === null) return true;
  if (r.categories !== undefined && !r.categories.includes(merchant.category)) return false;
  if (r.tiers !== undefined && !r.tiers.includes(merchant.tier)) return false;
  return true;
}

/** Spend order: soonest expiry first, then oldest grant, then lotId (code-unit order, so it is deterministic). */
export function compareSpendOrder(a: PointLot, b: PointLot): number {
  const byExpiry = a.expiresAt.getTime() - b.expiresAt.getTime();
  if (byExpiry !== 0) return byExpiry;
  const byGrant = a.grantedAt.getTime() - b.grantedAt.getTime();
  if (byGrant !== 0) return byGrant;
  return a.lotId < b.lotId ? -1 : a.lotId > b.lotId ? 1 : 0;
}

/** The lots a payment at `merchant` may take from at `now`, in spend order: usable, unexpired, balance > 0. */
export function spendableLots(lots: readonly PointLot[], merchant: Merchant, now: Date): PointLot[] {
  return lots
    .filter((lot) => lot.balanceYen > 0n && !isLotExpired(lot, now) && isLotUsableAt(lot, merchant))
    .sort(compareSpendOrder);
}

export interface PaymentInput {
  amountYen: bigint;
  merchant: Merchant;
  /** The resident's open lots, any order. */
  lots: readonly PointLot[];
  coins: CoinAccount;
  now: Date;
  limits?: Pick<Limits, "paymentYenMax">;
}

/**
 * A planned payment. Guarantees:
 *   Σ legs.amount = Σ allocation.amountYen = pointsYen + coinsYen = amountYen
 *   legs[i] = {from: allocation[i].accountId, to: merchant.accountId, amount: allocation[i].amountYen}
 *   each source appears once; amount taken from a source ≤ its balance
 *   a lot is taken from only if every lot before it in spend order is taken in full; coins only after all lots
 */
export interface PaymentPlan {
  ok: true;
  legs: Leg[];
  allocation: AllocationPart[];
  pointsYen: bigint;
  coinsYen: bigint;
}

export type PaymentFailure =
  | Failure<"invalid_amount">
  | (Failure<"limit_exceeded"> & { limit: LimitName; limitYen: bigint })
  | (Failure<"insufficient_funds"> & { usableYen: bigint })
  | (Failure<"too_many_legs"> & { legsMax: number });

/**
 * Plans a payment of amountYen at merchant. Nothing moves on failure. Order of checks:
 *   invalid_amount (≤ 0) → limit_exceeded (> paymentYenMax) → insufficient_funds (usable points + coins < amount;
 *   usableYen says how much could be paid here) → too_many_legs (the plan needs more than the ledger's legsMax
 *   legs: many small lots; paying a smaller amount, or by coins alone, still works)
 */
export function planPayment(input: PaymentInput): PaymentPlan | PaymentFailure {
  const { amountYen, merchant, lots, coins, now } = input;
  assertWallet(lots, coins, merchant);
  const amount = checkAmount(amountYen, (input.limits ?? limitsDefault).paymentYenMax, "paymentYenMax");
  if (!amount.ok) return amount;

  const usable = spendableLots(lots, merchant, now);
  const usableYen = usable.reduce((sum, lot) => sum + lot.balanceYen, 0n) + coins.availableYen;
  if (usableYen < amountYen) {
    return {
      ok: false,
      code: "insufficient_funds",
      detail: `¥${amountYen} asked, ¥${usableYen} usable at ${merchant.merchantId} (points usable here and coins)`,
      usableYen,
    };
  }

  const allocation = allocate(amountYen, usable, coins);
  if (allocation.length > legsMax) {
    return {
      ok: false,
      code: "too_many_legs",
      detail: `this payment would take from ${allocation.length} sources; one transfer carries at most ${legsMax}`,
      legsMax,
    };
  }
  const legs = allocation.map((part): Leg => ({ from: part.accountId, to: merchant.accountId, amount: part.amountYen }));
  const pointsYen = sumYen(allocation.filter((p) => p.source === "lot"));
  const coinsYen = sumYen(allocation.filter((p) => p.source === "coins"));
  assert(pointsYen + coinsYen === amountYen, "a payment's parts add up to its amount");
  return { ok: true, legs, allocation, pointsYen, coinsYen };
}

/** Takes from `usable` in order, then coins, until amountYen is covered. The caller checked it can be. */
function allocate(amountYen: bigint, usable: readonly PointLot[], coins: CoinAccount): AllocationPart[] {
  const allocation: AllocationPart[] = [];
  let leftYen = amountYen;
  for (const lot of usable) {
    if (leftYen === 0n) break;
    const takeYen = lot.balanceYen < leftYen ? lot.balanceYen : leftYen;
    allocation.push({ source: "lot", accountId: lot.accountId, lotId: lot.lotId, campaignId: lot.campaignId, amountYen: takeYen, expiresAt: lot.expiresAt });
    leftYen -= takeYen;
  }
  if (leftYen > 0n) {
    assert(coins.availableYen >= leftYen, "coins cover what points leave unpaid");
    allocation.push({ source: "coins", accountId: coins.accountId, amountYen: leftYen });
  }
  return allocation;
}

export function sumYen(parts: readonly { amountYen: bigint }[]): bigint {
  return parts.reduce((sum, part) => sum + part.amountYen, 0n);
}

function assertWallet(lots: readonly PointLot[], coins: CoinAccount, merchant: Merchant): void {
  if (lots.length > walletLotsMax) bug(`at most ${walletLotsMax} open lots are passed to the planner`);
  assert(coins.availableYen >= 0n, "a coin account never shows a negative available balance");
  const lotIds = new Set<string>();
  const accountIds = new Set<string>([coins.accountId, merchant.accountId]);
  assert(accountIds.size === 2, "the resident's coins and the shop are different accounts");
  for (const lot of lots) {
    if (lot.balanceYen < 0n) bug(`lot ${lot.lotId} has a negative balance`);
    if (lotIds.has(lot.lotId)) bug(`lot ${lot.lotId} passed twice`);
    if (accountIds.has(lot.accountId)) bug(`lot ${lot.lotId}'s account ${lot.accountId} is used by another source`);
    lotIds.add(lot.lotId);
    accountIds.add(lot.accountId);
  }
}
