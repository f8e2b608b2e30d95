import { describe, expect, it } from "vitest";
import { planPayment, planRefund, refundWindowDays, type AllocationPart, type PaymentRecord, type PointLot } from "../src";
import { coins, expectOk, food, kissa, lots, now, summer, welcome } from "./fixtures";

// ¥2,000 at the kissaten: summer ¥300, food ¥1,000, welcome ¥500, coins ¥200.
const paid = expectOk(planPayment({ amountYen: 2_000n, merchant: kissa, lots, coins, now }));
const payment: PaymentRecord = { allocation: paid.allocation, merchantAccountId: kissa.accountId, paidAt: now };
const lotsNow = new Map<string, PointLot>(lots.map((l) => [l.lotId, l]));
const later = new Date("2025-06-20T03:00:00Z");
const summerLapsed = new Date("2025-07-01T03:00:00Z");

function refund(amountYen: bigint, refundedSoFar: AllocationPart[] = [], at = later, lotsAt: ReadonlyMap<string, PointLot> = lotsNow) {
  return planRefund({ payment, refundedSoFar, amountYen, lotsNow: lotsAt, now: at });
}

describe("a refund goes back to where the payment came from, coins first, then points latest-expiring first", () => {
  it("a full refund returns every source exactly what it gave", () => {
    expect(refund(2_000n)).toEqual({
      ok: true,
      legs: [
        { from: "mer:kissa", to: "res:r1:coins", amount: 200n },
        { from: "mer:kissa", to: "res:r1:pts:L-welcome", amount: 500n },
        { from: "mer:kissa", to: "res:r1:pts:L-food", amount: 1_000n },
        { from: "mer:kissa", to: "res:r1:pts:L-summer", amount: 300n },
      ],
      allocation: [
        { source: "coins", accountId: "res:r1:coins", amountYen: 200n },
        { source: "lot", accountId: "res:r1:pts:L-welcome", lotId: "L-welcome", campaignId: "welcome", amountYen: 500n, expiresAt: welcome.expiresAt },
        { source: "lot", accountId: "res:r1:pts:L-food", lotId: "L-food", campaignId: "food", amountYen: 1_000n, expiresAt: food.expiresAt },
        { source: "lot", accountId: "res:r1:pts:L-summer", lotId: "L-summer", campaignId: "summer", amountYen: 300n, expiresAt: summer.expiresAt },
      ],
      lapsed: [],
      coinsYen: 200n,
      pointsYen: 1_800n,
      lapsedYen: 0n,
      refundableYenAfter: 0n,
    });
  });

  it("a partial refund of ¥600 gives back the ¥200 of coins and ¥400 of the latest-expiring points", () => {
    const plan = expectOk(refund(600n));
    expect(plan.legs).toEqual([
      { from: "mer:kissa", to: "res:r1:coins", amount: 200n },
      { from: "mer:kissa", to: "res:r1:pts:L-welcome", amount: 400n },
    ]);
    expect([plan.coinsYen, plan.pointsYen, plan.refundableYenAfter]).toEqual([200n, 400n, 1_400n]);
  });

  it("several partial refunds continue where the last one stopped and add up to the payment", () => {
    const first = expectOk(refund(600n));
    const second = expectOk(refund(600n, first.allocation));
    expect(second.legs).toEqual([
      { from: "mer:kissa", to: "res:r1:pts:L-welcome", amount: 100n },
      { from: "mer:kissa", to: "res:r1:pts:L-food", amount: 500n },
    ]);
    const soFar = [...first.allocation, ...second.allocation];
    expect(refund(900n, soFar)).toEqual({
      ok: false,
      code: "refund_exceeds_payment",
      detail: "¥900 asked, ¥800 of the payment is left to refund",
      refundableYen: 800n,
    });
    const third = expectOk(refund(800n, soFar));
    expect(third.legs).toEqual([
      { from: "mer:kissa", to: "res:r1:pts:L-food", amount: 500n },
      { from: "mer:kissa", to: "res:r1:pts:L-summer", amount: 300n },
    ]);
    expect(third.refundableYenAfter).toBe(0n);
    expect(refund(1n, [...soFar, ...third.allocation])).toMatchObject({ ok: false, code: "refund_exceeds_payment", refundableYen: 0n });
  });

  it("a refund larger than the payment is refused", () => {
    expect(refund(2_001n)).toMatchObject({ ok: false, code: "refund_exceeds_payment", refundableYen: 2_000n });
  });

  it("zero is not a refund", () => {
    expect(refund(0n)).toMatchObject({ ok: false, code: "invalid_amount" });
  });
});

describe("points that lapsed before the refund go back to the city, and the refund says so", () => {
  it("after the summer lot lapsed on 6/30, its ¥300 goes to the summer campaign's expired account", () => {
    const plan = expectOk(refund(2_000n, [], summerLapsed));
    expect(plan.legs).toEqual([
      { from: "mer:kissa", to: "res:r1:coins", amount: 200n },
      { from: "mer:kissa", to: "res:r1:pts:L-welcome", amount: 500n },
      { from: "mer:kissa", to: "res:r1:pts:L-food", amount: 1_000n },
      { from: "mer:kissa", to: "cmp:summer:expired", amount: 300n },
    ]);
    expect(plan.lapsed).toEqual([
      {
        lotId: "L-summer",
        campaignId: "summer",
        accountId: "res:r1:pts:L-summer",
        expiredAccountId: "cmp:summer:expired",
        amountYen: 300n,
        expiresAt: summer.expiresAt,
      },
    ]);
    expect([plan.coinsYen, plan.pointsYen, plan.lapsedYen]).toEqual([200n, 1_500n, 300n]);
    // The allocation still names the lot, so the share counts against what the lot may get back later.
    expect(plan.allocation.at(-1)).toMatchObject({ source: "lot", lotId: "L-summer", amountYen: 300n });
  });

  it("a partial refund that stops before the lapsed lot loses nothing", () => {
    expect(expectOk(refund(1_700n, [], summerLapsed)).lapsed).toEqual([]);
  });

  it("a lot whose expiry the city extended takes its points back, with the new expiry on the refund", () => {
    const extended = { ...summer, expiresAt: new Date("2025-12-31T15:00:00Z") };
    const plan = expectOk(refund(2_000n, [], summerLapsed, new Map([...lotsNow, [summer.lotId, extended]])));
    expect(plan.lapsed).toEqual([]);
    expect(plan.legs.at(-1)).toEqual({ from: "mer:kissa", to: "res:r1:pts:L-summer", amount: 300n });
    expect(plan.allocation.at(-1)).toMatchObject({ lotId: "L-summer", expiresAt: extended.expiresAt });
  });

  it("a lot of the payment that was not loaded is reported, not guessed", () => {
    const withoutFood = new Map([...lotsNow].filter(([id]) => id !== "L-food"));
    expect(refund(2_000n, [], later, withoutFood)).toEqual({
      ok: false,
      code: "lot_not_found",
      detail: "lot L-food of this payment was not loaded",
      lotId: "L-food",
    });
    // ...but only when the refund reaches it.
    expect(refund(700n, [], later, withoutFood)).toMatchObject({ ok: true });
  });
});

describe("the refund window is 90 days", () => {
  it("is open until one millisecond before 90 × 24 h after the payment, and closed from then on", () => {
    expect(refundWindowDays).toBe(90);
    const closes = new Date(now.getTime() + 90 * 24 * 3600 * 1000);
    expect(refund(100n, [], new Date(closes.getTime() - 1))).toMatchObject({ ok: true });
    expect(refund(100n, [], closes)).toEqual({
      ok: false,
      code: "refund_window_passed",
      detail: "payments can be refunded for 90 days; this one until 2025-09-13T03:00:00.000Z",
      refundableUntil: closes,
    });
  });

  it("an amount of zero is reported before the window (the order of checks)", () => {
    expect(refund(0n, [], new Date("2026-01-01T00:00:00Z"))).toMatchObject({ code: "invalid_amount" });
  });
});

describe("records that contradict the payment are bugs", () => {
  it("an earlier refund to a source the payment never used", () => {
    expect(() => refund(100n, [{ source: "coins", accountId: "res:r2:coins", amountYen: 1n }])).toThrow(/BUG: an earlier refund went to coins:res:r2:coins/);
  });
  it("earlier refunds to a source that add up to more than it paid", () => {
    expect(() => refund(100n, [{ source: "coins", accountId: "res:r1:coins", amountYen: 201n }])).toThrow(/BUG: earlier refunds to coins:res:r1:coins/);
  });
});
