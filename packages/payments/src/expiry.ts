// Points lapse; they must not lapse silently (a complaint about regional currencies, DESIGN §8). The wallet warns
// with lotsLapsingWithin, and the sweep moves what lapsed back to the campaign with one leg per lot.
import { assert, type Leg } from "@tsubaki/ledger";
import { compareSpendOrder, isLotExpired } from "./spend";
import { dayMs } from "./tokyo-day";
import type { LapsedPart, PointLot } from "./types";

export const lapsingWithinDaysDefault = 30;
/** Look-ahead longer than a year is a bug in the caller. */
export const lapsingWithinDaysMax = 366;
/** Lots one sweep call plans over; the sweeper pages through a campaign's 50,000 residents in pages this size. */
export const sweepLotsMax = 10_000;

/** Open lots (balance > 0) that are still valid but lapse within `days` × 24 h: now < expiresAt ≤ now + days. */
export function lotsLapsingWithin(lots: readonly PointLot[], now: Date, days: number = lapsingWithinDaysDefault): PointLot[] {
  assert(Number.isInteger(days) && days >= 0 && days <= lapsingWithinDaysMax, `look-ahead of ${days} days is out of range`);
  const horizonMs = now.getTime() + days * dayMs;
  return lots
    .filter((lot) => lot.balanceYen > 0n && !isLotExpired(lot, now) && lot.expiresAt.getTime() <= horizonMs)
    .sort(compareSpendOrder);
}

/**
 * The sweep at `now`: for each lapsed lot (expiresAt ≤ now) with balance > 0, one leg lot → its campaign's expired
 * account for the whole balance. legs[i] moves lapsed[i]; the order is the spend order (soonest expiry first).
 * The caller submits each leg as its own transfer (or up to legsMax per transfer). Once a lot has lapsed nothing
 * else moves money into or out of it (payments skip it, refunds go to the expired account), so the balance the
 * sweep read is the balance it moves, and a retry with the same transfer id is safe.
 */
export function planExpirySweep(lots: readonly PointLot[], now: Date): { legs: Leg[]; lapsed: LapsedPart[]; totalYen: bigint } {
  assert(lots.length <= sweepLotsMax, `a sweep plans at most ${sweepLotsMax} lots per call; page the rest`);
  const lapsed: LapsedPart[] = lots
    .filter((lot) => lot.balanceYen > 0n && isLotExpired(lot, now))
    .sort(compareSpendOrder)
    .map((lot) => ({
      lotId: lot.lotId,
      campaignId: lot.campaignId,
      accountId: lot.accountId,
      expiredAccountId: lot.expiredAccountId,
      amountYen: lot.balanceYen,
      expiresAt: lot.expiresAt,
    }));
  for (const part of lapsed) assert(part.accountId !== part.expiredAccountId, `lot ${part.lotId} is not its own expired account`);
  const legs = lapsed.map((part): Leg => ({ from: part.accountId, to: part.expiredAccountId, amount: part.amountYen }));
  const totalYen = lapsed.reduce((sum, part) => sum + part.amountYen, 0n);
  return { legs, lapsed, totalYen };
}
