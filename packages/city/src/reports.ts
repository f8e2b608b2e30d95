// The two figures the city watches to judge whether the currency does its job (DESIGN §8): recirculation — money a
// shop received and spent at another local shop instead of cashing out — and leakage to large stores. The API sums
// payments per period with SQL; this is the arithmetic on those sums, written once so the console, the CSV export
// and the tests agree to the basis point.
import { assert } from "@tsubaki/ledger";
import type { MerchantTier } from "@tsubaki/payments";

export const bpsWhole = 10_000n;

/**
 * part / whole in basis points, rounded half up (四捨五入): 1 of 3 → 3,333; 2 of 3 → 6,667. null when whole = 0
 * (no payments: the share is undefined, not 0 %).
 */
export function shareBps(part: bigint, whole: bigint): number | null {
  assert(part >= 0n && whole >= 0n && part <= whole, `a share ${part} of ${whole} is a part of a whole`);
  if (whole === 0n) return null;
  return Number((part * bpsWhole * 2n + whole) / (whole * 2n));
}

/** One payment, or the sum of many alike, as reports see it. */
export interface PaymentFact {
  amountYen: bigint;
  /** Who paid: a resident, or a shop paying another shop (a merchant's balance spent locally). */
  payerKind: "resident" | "merchant";
  /** The tier of the shop paid. */
  merchantTier: MerchantTier;
  /** How many payments the fact stands for; default 1. */
  count?: number;
}

export interface ShareFigures {
  totalYen: bigint;
  totalCount: number;
  partYen: bigint;
  partCount: number;
  /** partYen / totalYen in basis points (half up), null when there were no payments. */
  shareBps: number | null;
  /** partCount / totalCount in basis points (half up), null when there were no payments. */
  countShareBps: number | null;
}

function share(payments: Iterable<PaymentFact>, isPart: (p: PaymentFact) => boolean): ShareFigures {
  let totalYen = 0n;
  let partYen = 0n;
  let totalCount = 0;
  let partCount = 0;
  for (const p of payments) {
    const count = p.count ?? 1;
    assert(p.amountYen >= 0n && Number.isInteger(count) && count >= 0, "a payment fact has a non-negative amount and count");
    totalYen += p.amountYen;
    totalCount += count;
    if (isPart(p)) {
      partYen += p.amountYen;
      partCount += count;
    }
  }
  return {
    totalYen,
    totalCount,
    partYen,
    partCount,
    shareBps: shareBps(partYen, totalYen),
    countShareBps: shareBps(BigInt(partCount), BigInt(totalCount)),
  };
}

/** Shop-to-shop share: payments whose payer is a merchant / all payments. */
export function recirculation(payments: Iterable<PaymentFact>): ShareFigures {
  return share(payments, (p) => p.payerKind === "merchant");
}

/** Leakage: payments at large-tier shops / all payments. */
export function leakage(payments: Iterable<PaymentFact>): ShareFigures {
  return share(payments, (p) => p.merchantTier === "large");
}

/** A basis-point share as a percent string with two decimals ("33.33"), for CSV and screens; "" for null. */
export function formatBpsAsPercent(bps: number | null): string {
  if (bps === null) return "";
  assert(Number.isInteger(bps) && bps >= 0, "a share in basis points is a whole number ≥ 0");
  return `${Math.floor(bps / 100)}.${String(bps % 100).padStart(2, "0")}`;
}
