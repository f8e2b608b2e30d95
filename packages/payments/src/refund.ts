// A refund undoes a payment from its end: each yen goes back to the lot or coin account it came from, never more
// than that source gave, and a lot that has lapsed in the meantime gets nothing back: its share goes to the
// campaign's expired account and the refund says so, so the receipt can tell the resident (DESIGN §4 Refund).
//
// Order — the reverse of the spend order: coins first, then lots, latest-expiring first. Why:
//   - it is the simplest rule to explain: "a refund gives back the last part of what you paid first"; a full
//     refund, or any sequence of partial ones adding up to the payment, restores exactly what the payment took;
//   - it is the fairest to the resident: coins never lapse and points do, so a partial refund returns the money
//     that keeps its value, and the lots it does return to are the ones with the most time left, so the least of
//     a refund is lost to expiry (the lot nearest expiry, the likeliest to have lapsed, is refunded last);
//   - points stay points and coins stay coins: no refund turns free points into charged money or back.
import { assert, type Leg } from "@tsubaki/ledger";
import type { Failure } from "./codes";
import { isLotExpired, sumYen } from "./spend";
import { dayMs } from "./tokyo-day";
import { sourceKey, type AllocationPart, type LapsedPart, type PointLot } from "./types";

/** A payment can be refunded until this many days (× 24 h) after it was paid; at paidAt + 90 d it no longer can. */
export const refundWindowDays = 90;

/** What the refund needs to know of the original payment (stored with it). */
export interface PaymentRecord {
  /** The payment's allocation, in spend order as planPayment returned it. */
  allocation: readonly AllocationPart[];
  merchantAccountId: string;
  paidAt: Date;
}

export interface RefundInput {
  payment: PaymentRecord;
  /** The allocations of every earlier refund of this payment, concatenated (any order). */
  refundedSoFar: readonly AllocationPart[];
  amountYen: bigint;
  /** The payment's lots as they are now (expiry may have been extended since), keyed by lotId. */
  lotsNow: ReadonlyMap<string, Pick<PointLot, "expiresAt" | "expiredAccountId">>;
  now: Date;
}

/**
 * A planned refund. Guarantees:
 *   Σ legs.amount = Σ allocation.amountYen = coinsYen + pointsYen + lapsedYen = amountYen
 *   allocation[i] names the source credited back (lapsed lots too: it is what refundedSoFar counts), and
 *   legs[i] = {from: merchantAccountId, to: lapsed ? expiredAccountId : allocation[i].accountId, amount}
 *   for every source s: refundedSoFar(s) + allocation(s) ≤ payment(s)
 *   refundableYenAfter = Σ payment − Σ refundedSoFar − amountYen
 */
export interface RefundPlan {
  ok: true;
  legs: Leg[];
  allocation: AllocationPart[];
  lapsed: LapsedPart[];
  coinsYen: bigint;
  /** Points returned to lots that are still valid. */
  pointsYen: bigint;
  lapsedYen: bigint;
  refundableYenAfter: bigint;
}

export type RefundFailure =
  | Failure<"invalid_amount">
  | (Failure<"refund_window_passed"> & { refundableUntil: Date })
  | (Failure<"refund_exceeds_payment"> & { refundableYen: bigint })
  | (Failure<"lot_not_found"> & { lotId: string });

/**
 * Plans a refund of amountYen. Order of checks: invalid_amount (≤ 0) → refund_window_passed (now ≥ paidAt + 90 d)
 * → refund_exceeds_payment (more than the payment minus earlier refunds; refundableYen says how much is left)
 * → lot_not_found (a lot the refund would go back to is missing from lotsNow).
 */
export function planRefund(input: RefundInput): RefundPlan | RefundFailure {
  const { payment, amountYen, now } = input;
  const remaining = remainingBySource(payment, input.refundedSoFar);
  if (typeof amountYen !== "bigint" || amountYen <= 0n) {
    return { ok: false, code: "invalid_amount", detail: "the refund must be a positive whole number of yen" };
  }
  const refundableUntil = new Date(payment.paidAt.getTime() + refundWindowDays * dayMs);
  if (now.getTime() >= refundableUntil.getTime()) {
    return {
      ok: false,
      code: "refund_window_passed",
      detail: `payments can be refunded for ${refundWindowDays} days; this one until ${refundableUntil.toISOString()}`,
      refundableUntil,
    };
  }
  const refundableYen = [...remaining.values()].reduce((sum, yen) => sum + yen, 0n);
  if (amountYen > refundableYen) {
    return {
      ok: false,
      code: "refund_exceeds_payment",
      detail: `¥${amountYen} asked, ¥${refundableYen} of the payment is left to refund`,
      refundableYen,
    };
  }
  return distribute(input, remaining, refundableYen);
}

/** Walks the payment backwards (coins, then lots latest-expiring first), giving each source what is left of it. */
function distribute(input: RefundInput, remaining: ReadonlyMap<string, bigint>, refundableYen: bigint): RefundPlan | RefundFailure {
  const { payment, amountYen, lotsNow, now } = input;
  const allocation: AllocationPart[] = [];
  const legs: Leg[] = [];
  const lapsed: LapsedPart[] = [];
  let leftYen = amountYen;
  for (const paid of [...payment.allocation].reverse()) {
    if (leftYen === 0n) break;
    const openYen = remaining.get(sourceKey(paid)) ?? 0n;
    const backYen = openYen < leftYen ? openYen : leftYen;
    if (backYen === 0n) continue;
    leftYen -= backYen;
    if (paid.source === "coins") {
      allocation.push({ ...paid, amountYen: backYen });
      legs.push({ from: payment.merchantAccountId, to: paid.accountId, amount: backYen });
      continue;
    }
    const lot = lotsNow.get(paid.lotId);
    if (!lot) return { ok: false, code: "lot_not_found", detail: `lot ${paid.lotId} of this payment was not loaded`, lotId: paid.lotId };
    allocation.push({ ...paid, amountYen: backYen, expiresAt: lot.expiresAt });
    if (isLotExpired(lot, now)) {
      const { lotId, campaignId, accountId } = paid;
      lapsed.push({ lotId, campaignId, accountId, expiredAccountId: lot.expiredAccountId, amountYen: backYen, expiresAt: lot.expiresAt });
      legs.push({ from: payment.merchantAccountId, to: lot.expiredAccountId, amount: backYen });
    } else {
      legs.push({ from: payment.merchantAccountId, to: paid.accountId, amount: backYen });
    }
  }
  assert(leftYen === 0n, "the refund fits in what remains of the payment");
  const coinsYen = sumYen(allocation.filter((p) => p.source === "coins"));
  const lapsedYen = sumYen(lapsed);
  const pointsYen = amountYen - coinsYen - lapsedYen;
  return { ok: true, legs, allocation, lapsed, coinsYen, pointsYen, lapsedYen, refundableYenAfter: refundableYen - amountYen };
}

/** What each source of the payment can still get back. Inconsistent records are bugs (the store wrote them). */
function remainingBySource(payment: PaymentRecord, refundedSoFar: readonly AllocationPart[]): Map<string, bigint> {
  const remaining = new Map<string, bigint>();
  assert(payment.allocation.length > 0, "a payment took from at least one source");
  for (const paid of payment.allocation) {
    const key = sourceKey(paid);
    assert(!remaining.has(key), `a payment takes from ${key} once`);
    assert(paid.amountYen > 0n, `a payment part is positive (${key})`);
    assert(paid.accountId !== payment.merchantAccountId, "a payment never takes from the shop it pays");
    remaining.set(key, paid.amountYen);
  }
  for (const back of refundedSoFar) {
    const key = sourceKey(back);
    const left = remaining.get(key);
    assert(left !== undefined, `an earlier refund went to ${key}, which the payment never took from`);
    assert(back.amountYen > 0n && back.amountYen <= left, `earlier refunds to ${key} exceed what it paid`);
    remaining.set(key, left - back.amountYen);
  }
  return remaining;
}
