import { legsMax } from "@tsubaki/ledger";
import { describe, expect, it } from "vitest";
import { limitsDefault, planPayment } from "../src";
import { coins, food, kissa, lot, lots, mall, now, summer, tobacco, welcome } from "./fixtures";

describe("paying a shop takes points soonest-expiring first, then coins", () => {
  it("at a small food shop all three campaigns apply: summer (6/30), food (7/31), welcome (9/30), in that order", () => {
    const plan = planPayment({ amountYen: 1_500n, merchant: kissa, lots, coins, now });
    expect(plan).toEqual({
      ok: true,
      legs: [
        { from: "res:r1:pts:L-summer", to: "mer:kissa", amount: 300n },
        { from: "res:r1:pts:L-food", to: "mer:kissa", amount: 1_000n },
        { from: "res:r1:pts:L-welcome", to: "mer:kissa", amount: 200n },
      ],
      allocation: [
        { source: "lot", accountId: "res:r1:pts:L-summer", lotId: "L-summer", campaignId: "summer", amountYen: 300n, expiresAt: summer.expiresAt },
        { source: "lot", accountId: "res:r1:pts:L-food", lotId: "L-food", campaignId: "food", amountYen: 1_000n, expiresAt: food.expiresAt },
        { source: "lot", accountId: "res:r1:pts:L-welcome", lotId: "L-welcome", campaignId: "welcome", amountYen: 200n, expiresAt: welcome.expiresAt },
      ],
      pointsYen: 1_500n,
      coinsYen: 0n,
    });
  });

  it("when the points run out, coins pay the rest", () => {
    const plan = planPayment({ amountYen: 2_000n, merchant: kissa, lots, coins, now });
    expect(plan.ok && plan.legs).toEqual([
      { from: "res:r1:pts:L-summer", to: "mer:kissa", amount: 300n },
      { from: "res:r1:pts:L-food", to: "mer:kissa", amount: 1_000n },
      { from: "res:r1:pts:L-welcome", to: "mer:kissa", amount: 500n },
      { from: "res:r1:coins", to: "mer:kissa", amount: 200n },
    ]);
    expect(plan.ok && [plan.pointsYen, plan.coinsYen]).toEqual([1_800n, 200n]);
  });

  it("a large retail store gets only the unrestricted welcome points, then coins", () => {
    const plan = planPayment({ amountYen: 1_000n, merchant: mall, lots, coins, now });
    expect(plan.ok && plan.legs).toEqual([
      { from: "res:r1:pts:L-welcome", to: "mer:mall", amount: 500n },
      { from: "res:r1:coins", to: "mer:mall", amount: 500n },
    ]);
  });

  it("a shop that does not accept points is paid in coins only, even from unrestricted points", () => {
    const plan = planPayment({ amountYen: 1_000n, merchant: tobacco, lots, coins, now });
    expect(plan).toEqual({
      ok: true,
      legs: [{ from: "res:r1:coins", to: "mer:tabako", amount: 1_000n }],
      allocation: [{ source: "coins", accountId: "res:r1:coins", amountYen: 1_000n }],
      pointsYen: 0n,
      coinsYen: 1_000n,
    });
  });

  it("a restriction on category and tier needs both: small food shops only", () => {
    const both = lot("L-both", { balanceYen: 100n, expiresAt: "2025-06-20T00:00:00Z", restriction: { categories: ["food"], tiers: ["small"] } });
    const bigFood = { ...kissa, merchantId: "super", accountId: "mer:super", tier: "large" as const };
    expect(planPayment({ amountYen: 100n, merchant: kissa, lots: [both], coins, now })).toMatchObject({ ok: true, pointsYen: 100n });
    expect(planPayment({ amountYen: 100n, merchant: bigFood, lots: [both], coins, now })).toMatchObject({ ok: true, pointsYen: 0n, coinsYen: 100n });
  });
});

describe("a payment that cannot be covered fails and moves nothing", () => {
  it("points the shop does not take do not count: ¥6,800 in the wallet but ¥5,500 usable at the mall", () => {
    expect(planPayment({ amountYen: 6_000n, merchant: mall, lots, coins, now })).toEqual({
      ok: false,
      code: "insufficient_funds",
      detail: "¥6000 asked, ¥5500 usable at mall (points usable here and coins)",
      usableYen: 5_500n,
    });
  });

  it("exactly the usable amount still goes through", () => {
    expect(planPayment({ amountYen: 5_500n, merchant: mall, lots, coins, now })).toMatchObject({ ok: true, pointsYen: 500n, coinsYen: 5_000n });
  });

  it("zero, negative and over-the-limit amounts are refused before the wallet is looked at", () => {
    const rich = { accountId: "res:r1:coins", availableYen: 10_000_000n };
    expect(planPayment({ amountYen: 0n, merchant: kissa, lots, coins, now })).toMatchObject({ ok: false, code: "invalid_amount" });
    expect(planPayment({ amountYen: -100n, merchant: kissa, lots, coins, now })).toMatchObject({ ok: false, code: "invalid_amount" });
    expect(planPayment({ amountYen: 500_001n, merchant: kissa, lots, coins: rich, now })).toEqual({
      ok: false,
      code: "limit_exceeded",
      detail: "¥500001 is above the paymentYenMax of ¥500000",
      limit: "paymentYenMax",
      limitYen: limitsDefault.paymentYenMax,
    });
    expect(planPayment({ amountYen: 500_000n, merchant: kissa, lots, coins: rich, now })).toMatchObject({ ok: true, coinsYen: 498_200n });
    expect(planPayment({ amountYen: 1_000n, merchant: kissa, lots: [], coins: rich, now, limits: { paymentYenMax: 999n } })).toMatchObject({
      ok: false,
      code: "limit_exceeded",
    });
  });

  it("more small lots than one ledger transfer can carry is refused with too_many_legs, and a smaller amount works", () => {
    const crumbs = Array.from({ length: legsMax + 1 }, (_, i) =>
      lot(`L-${String(i).padStart(2, "0")}`, { balanceYen: 10n, expiresAt: "2025-08-01T00:00:00Z" }),
    );
    expect(planPayment({ amountYen: 170n, merchant: kissa, lots: crumbs, coins, now })).toMatchObject({
      ok: false,
      code: "too_many_legs",
      legsMax: 16,
    });
    expect(planPayment({ amountYen: 160n, merchant: kissa, lots: crumbs, coins, now })).toMatchObject({ ok: true, pointsYen: 160n });
  });
});

describe("expired points are never spent", () => {
  it("a lot expiring exactly now, and one that expired yesterday, are skipped", () => {
    const atNow = lot("L-now", { balanceYen: 400n, expiresAt: now.toISOString() });
    const yesterday = lot("L-old", { balanceYen: 400n, expiresAt: "2025-06-14T03:00:00Z" });
    const plan = planPayment({ amountYen: 600n, merchant: kissa, lots: [atNow, yesterday, welcome], coins, now });
    expect(plan.ok && plan.legs).toEqual([
      { from: "res:r1:pts:L-welcome", to: "mer:kissa", amount: 500n },
      { from: "res:r1:coins", to: "mer:kissa", amount: 100n },
    ]);
  });

  it("a lot expiring one millisecond from now is still spent first", () => {
    const last = lot("L-last", { balanceYen: 50n, expiresAt: new Date(now.getTime() + 1).toISOString() });
    const plan = planPayment({ amountYen: 100n, merchant: kissa, lots: [welcome, last], coins, now });
    expect(plan.ok && plan.allocation.map((p) => [p.source === "lot" ? p.lotId : p.source, p.amountYen])).toEqual([
      ["L-last", 50n],
      ["L-welcome", 50n],
    ]);
  });
});

describe("ties in expiry", () => {
  const expiresAt = "2025-08-31T15:00:00Z";
  it("the older grant is spent first", () => {
    const newer = lot("L-a", { balanceYen: 100n, expiresAt, grantedAt: "2025-06-01T00:00:00Z" });
    const older = lot("L-b", { balanceYen: 100n, expiresAt, grantedAt: "2025-05-01T00:00:00Z" });
    const plan = planPayment({ amountYen: 150n, merchant: kissa, lots: [newer, older], coins, now });
    expect(plan.ok && plan.legs).toEqual([
      { from: "res:r1:pts:L-b", to: "mer:kissa", amount: 100n },
      { from: "res:r1:pts:L-a", to: "mer:kissa", amount: 50n },
    ]);
  });

  it("same expiry and same grant time: by lot id, whatever order the store returned them in", () => {
    const b = lot("L-b", { balanceYen: 100n, expiresAt });
    const a = lot("L-a", { balanceYen: 100n, expiresAt });
    for (const order of [[a, b], [b, a]]) {
      const plan = planPayment({ amountYen: 150n, merchant: kissa, lots: order, coins, now });
      expect(plan.ok && plan.legs.map((l) => [l.from, l.amount])).toEqual([
        ["res:r1:pts:L-a", 100n],
        ["res:r1:pts:L-b", 50n],
      ]);
    }
  });
});

describe("inconsistent input is a bug and fails loudly", () => {
  it("the same lot twice", () => {
    expect(() => planPayment({ amountYen: 100n, merchant: kissa, lots: [welcome, welcome], coins, now })).toThrow("BUG: lot L-welcome passed twice");
  });
  it("a negative lot balance", () => {
    const bad = { ...welcome, balanceYen: -1n };
    expect(() => planPayment({ amountYen: 100n, merchant: kissa, lots: [bad], coins, now })).toThrow("BUG: lot L-welcome has a negative balance");
  });
});
