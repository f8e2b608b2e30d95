// The two figures the city watches to judge whether the currency does its job (DESIGN §8): recirculation — money a
// shop received and spent at another local shop instead of cashing out — and leakage to large stores. The API sums
// payments per period with SQL; this is the arithmetic on those sums, written once so the console, the CSV export
// and the tests agree to the basis point.
import { assert } from "@tsubaki/ledger";
import type { MerchantTier } from "@tsubaki/payments";
import { addDays, isCalendarDate, type CalendarDate } from "./calendar";

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

// --- series over Tokyo days (the console's charts and the CSV exports) ---

/** A report covers at most this many days (a little over a year: a fiscal year with margins). */
export const reportDaysMax = 400;

/** Every Tokyo date from `from` to `to` inclusive, so a chart shows quiet days as zero rather than skipping them. */
export function datesBetween(from: CalendarDate, to: CalendarDate): CalendarDate[] {
  assert(isCalendarDate(from) && isCalendarDate(to), `${from} and ${to} are calendar dates`);
  const dates: CalendarDate[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) {
    assert(dates.length < reportDaysMax, `a report covers at most ${reportDaysMax} days`);
    dates.push(d);
  }
  return dates;
}

/**
 * Recirculation, as this codebase can measure it. Shops cannot pay other shops here (a shop's balance only leaves
 * through a payout to its bank, DESIGN §4), so the shop-to-shop share of `recirculation()` is 0 by construction.
 * What the data does show is how much of what shops took in stayed in the currency instead of being cashed out:
 *
 *   receivedYen = Σ payments to shops in the period − Σ refunds in the period      (net takings; ≥ 0 clamped)
 *   paidOutYen  = Σ gross of payouts created in the period that the bank did not return (net + fee)
 *   retainedYen = max(receivedYen − paidOutYen, 0)
 *   recirculationBps = retainedYen / receivedYen (half up), null when nothing was received
 *
 * A month in which shops cash out more than they took in (an older balance paid out) shows 0 %, not a negative share.
 * When a shop-to-shop flow is added, shopToShopYen is where it goes and the retained share stays its upper bound.
 */
export interface RecirculationFigures {
  receivedYen: bigint;
  paidOutYen: bigint;
  retainedYen: bigint;
  shopToShopYen: bigint;
  recirculationBps: number | null;
}

export function recirculationOf(paymentsYen: bigint, refundsYen: bigint, paidOutYen: bigint, shopToShopYen = 0n): RecirculationFigures {
  assert(paymentsYen >= 0n && refundsYen >= 0n && paidOutYen >= 0n && shopToShopYen >= 0n, "flows are ≥ 0");
  const receivedYen = paymentsYen > refundsYen ? paymentsYen - refundsYen : 0n;
  const retainedYen = receivedYen > paidOutYen ? receivedYen - paidOutYen : 0n;
  return { receivedYen, paidOutYen, retainedYen, shopToShopYen, recirculationBps: shareBps(retainedYen, receivedYen) };
}

export interface ShopFlowDay {
  day: CalendarDate;
  paymentsYen: bigint;
  refundsYen: bigint;
  paidOutYen: bigint;
}

/** Recirculation per day and over the whole period (the total is computed from the summed flows, not averaged). */
export function recirculationSeries(rows: readonly ShopFlowDay[], from: CalendarDate, to: CalendarDate): { days: (RecirculationFigures & { day: CalendarDate })[]; total: RecirculationFigures } {
  const byDay = new Map(rows.map((r) => [r.day, r]));
  let payments = 0n;
  let refunds = 0n;
  let paidOut = 0n;
  const days = datesBetween(from, to).map((day) => {
    const r = byDay.get(day);
    const p = r?.paymentsYen ?? 0n;
    const f = r?.refundsYen ?? 0n;
    const o = r?.paidOutYen ?? 0n;
    payments += p;
    refunds += f;
    paidOut += o;
    return { day, ...recirculationOf(p, f, o) };
  });
  return { days, total: recirculationOf(payments, refunds, paidOut) };
}

/** One day's ledger movements of a campaign's accounts (posted entries only). */
export interface CampaignDayFlows {
  day: CalendarDate;
  /** Debits of the budget account: points given (grants, premiums). */
  issuedYen: bigint;
  /** Credits of the expired account: points that lapsed (sweeps, lapsed parts of refunds). */
  expiredYen: bigint;
  /** Credits − debits of the campaign's lot accounts (may be negative). */
  lotNetYen: bigint;
}

/**
 * Cumulative burn-down per day. The identity issued = used + expired + remaining holds at every day's end, so
 *   remaining(d) = Σ lotNet up to d,  used(d) = issued(d) − expired(d) − remaining(d)
 * and the day's own figures are the differences. Rows before `from` count into the opening balances.
 */
export interface BurnDownDay {
  day: CalendarDate;
  issuedYen: bigint;
  usedYen: bigint;
  expiredYen: bigint;
  remainingYen: bigint;
  issuedTodayYen: bigint;
  usedTodayYen: bigint;
  expiredTodayYen: bigint;
}

export function burnDownSeries(rows: readonly CampaignDayFlows[], from: CalendarDate, to: CalendarDate): BurnDownDay[] {
  let issued = 0n;
  let expired = 0n;
  let remaining = 0n;
  const byDay = new Map<CalendarDate, CampaignDayFlows>();
  for (const r of rows) {
    if (r.day < from) {
      issued += r.issuedYen;
      expired += r.expiredYen;
      remaining += r.lotNetYen;
    } else if (r.day <= to) byDay.set(r.day, r);
  }
  let used = issued - expired - remaining;
  return datesBetween(from, to).map((day) => {
    const r = byDay.get(day);
    const before = { issued, expired, used };
    issued += r?.issuedYen ?? 0n;
    expired += r?.expiredYen ?? 0n;
    remaining += r?.lotNetYen ?? 0n;
    used = issued - expired - remaining;
    assert(used >= 0n && remaining >= 0n, `BUG: burn-down of ${day} has used ${used}, remaining ${remaining}`);
    return {
      day,
      issuedYen: issued,
      usedYen: used,
      expiredYen: expired,
      remainingYen: remaining,
      issuedTodayYen: issued - before.issued,
      usedTodayYen: used - before.used,
      expiredTodayYen: expired - before.expired,
    };
  });
}

/** Rides on one Tokyo service day: every tap is one ride at the flat fare (DESIGN §8: ¥100 on のっティ). */
export interface RideDay {
  day: CalendarDate;
  rides: number;
  fareYen: bigint;
  debtYen: bigint;
  riders: number;
}

/** Rides per day with zero days filled in, and the period's totals. */
export function rideSeries(rows: readonly RideDay[], from: CalendarDate, to: CalendarDate): { days: RideDay[]; rides: number; fareYen: bigint; debtYen: bigint } {
  const byDay = new Map(rows.map((r) => [r.day, r]));
  const days = datesBetween(from, to).map((day) => byDay.get(day) ?? { day, rides: 0, fareYen: 0n, debtYen: 0n, riders: 0 });
  return {
    days,
    rides: days.reduce((s, d) => s + d.rides, 0),
    fareYen: days.reduce((s, d) => s + d.fareYen, 0n),
    debtYen: days.reduce((s, d) => s + d.debtYen, 0n),
  };
}

/** Every month "YYYY-MM" from the month of `from` to the month of `to` inclusive. */
export function monthsBetween(from: CalendarDate, to: CalendarDate): string[] {
  assert(isCalendarDate(from) && isCalendarDate(to), `${from} and ${to} are calendar dates`);
  const months: string[] = [];
  let year = Number(from.slice(0, 4));
  let month = Number(from.slice(5, 7));
  const last = to.slice(0, 7);
  for (;;) {
    const m = `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}`;
    if (m > last) break;
    assert(months.length < reportDaysMax, "a report covers a bounded number of months");
    months.push(m);
    month += 1;
    if (month === 13) {
      month = 1;
      year += 1;
    }
  }
  return months;
}
