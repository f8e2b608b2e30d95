import { describe, expect, it } from "vitest";
import { checkDailyLimit, checkP2p, checkProxyLimit, limitsDefault, proxyGrantWithin, tokyoDate, tokyoDayStart, tokyoNextDayStart } from "../src";

describe("the default limits", () => {
  it("are the documented values, and no per-transaction limit is above its daily one", () => {
    expect(limitsDefault).toEqual({
      paymentYenMax: 500_000n,
      dailyPaymentYenMax: 500_000n,
      chargeYenMax: 100_000n,
      dailyChargeYenMax: 200_000n,
      p2pPerTransferYenMax: 30_000n,
      p2pDailyYenMax: 50_000n,
      proxyPaymentYenMaxDefault: 10_000n,
      proxyDailyYenMaxDefault: 30_000n,
    });
    expect(limitsDefault.paymentYenMax <= limitsDefault.dailyPaymentYenMax).toBe(true);
    expect(limitsDefault.chargeYenMax <= limitsDefault.dailyChargeYenMax).toBe(true);
    expect(limitsDefault.p2pPerTransferYenMax <= limitsDefault.p2pDailyYenMax).toBe(true);
    expect(limitsDefault.proxyPaymentYenMaxDefault <= limitsDefault.proxyDailyYenMaxDefault).toBe(true);
    expect(Object.isFrozen(limitsDefault)).toBe(true);
  });
});

describe("a daily limit", () => {
  it("can be reached exactly but not passed", () => {
    expect(checkDailyLimit(490_000n, 10_000n, 500_000n)).toEqual({ ok: true, remainingYen: 0n });
    expect(checkDailyLimit(490_000n, 10_001n, 500_000n)).toEqual({
      ok: false,
      code: "daily_limit",
      detail: "¥10001 is more than the ¥10000 left of today's ¥500000",
      limitYen: 500_000n,
      remainingYen: 10_000n,
    });
  });
  it("says nothing is left when the day's total is already past the limit (the limit was lowered)", () => {
    expect(checkDailyLimit(600_000n, 1n, 500_000n)).toMatchObject({ ok: false, code: "daily_limit", remainingYen: 0n });
  });
  it("refuses a zero amount as invalid, not as a limit", () => {
    expect(checkDailyLimit(0n, 0n, 500_000n)).toMatchObject({ ok: false, code: "invalid_amount" });
  });
});

describe("a proxy (家族・支援者) spends within what the resident allowed", () => {
  const grant = proxyGrantWithin({});
  it("a grant that names nothing gets ¥10,000 a payment and ¥30,000 a day; a named one is kept up to the resident's own", () => {
    expect(grant).toEqual({ paymentYenMax: 10_000n, dailyYenMax: 30_000n });
    expect(proxyGrantWithin({ paymentYenMax: 3_000n })).toEqual({ paymentYenMax: 3_000n, dailyYenMax: 30_000n });
    expect(proxyGrantWithin({ paymentYenMax: 900_000n, dailyYenMax: 900_000n })).toEqual({ paymentYenMax: 500_000n, dailyYenMax: 500_000n });
  });
  it("per payment first, then per day", () => {
    expect(checkProxyLimit({ amountYen: 10_000n, spentTodayYen: 20_000n, grant })).toEqual({ ok: true, remainingTodayYen: 0n });
    expect(checkProxyLimit({ amountYen: 10_001n, spentTodayYen: 0n, grant })).toEqual({
      ok: false,
      code: "proxy_limit",
      detail: "¥10001 is above the ¥10000 per payment this proxy may spend",
      limitYen: 10_000n,
    });
    expect(checkProxyLimit({ amountYen: 5_000n, spentTodayYen: 27_000n, grant })).toEqual({
      ok: false,
      code: "proxy_daily_limit",
      detail: "¥5000 is more than the ¥3000 left of today's ¥30000 for this proxy",
      limitYen: 30_000n,
      remainingYen: 3_000n,
    });
    expect(checkProxyLimit({ amountYen: -1n, spentTodayYen: 0n, grant })).toMatchObject({ code: "invalid_amount" });
  });
});

describe("sending coins to another resident", () => {
  const alice = { residentId: "r1", verified: true };
  const bob = { residentId: "r2", verified: true };
  const carol = { residentId: "r3", verified: false };

  it("between verified residents within the limits goes through", () => {
    expect(checkP2p({ sender: alice, receiver: bob, amountYen: 3_000n, sentTodayYen: 0n })).toEqual({ ok: true, remainingTodayYen: 47_000n });
  });
  it("to oneself is refused", () => {
    expect(checkP2p({ sender: alice, receiver: { ...alice }, amountYen: 3_000n, sentTodayYen: 0n })).toEqual({
      ok: false,
      code: "p2p_same_person",
      detail: "the sender and the receiver are the same resident",
    });
  });
  it("needs both sides verified, and says which is not", () => {
    expect(checkP2p({ sender: carol, receiver: bob, amountYen: 3_000n, sentTodayYen: 0n })).toMatchObject({ code: "p2p_unverified", party: "sender" });
    expect(checkP2p({ sender: alice, receiver: carol, amountYen: 3_000n, sentTodayYen: 0n })).toEqual({
      ok: false,
      code: "p2p_unverified",
      detail: "the receiver has not completed identity verification",
      party: "receiver",
    });
  });
  it("one transfer is at most ¥30,000", () => {
    expect(checkP2p({ sender: alice, receiver: bob, amountYen: 30_000n, sentTodayYen: 0n })).toMatchObject({ ok: true });
    expect(checkP2p({ sender: alice, receiver: bob, amountYen: 30_001n, sentTodayYen: 0n })).toEqual({
      ok: false,
      code: "limit_exceeded",
      detail: "¥30001 is above the p2pPerTransferYenMax of ¥30000",
      limit: "p2pPerTransferYenMax",
      limitYen: 30_000n,
    });
  });
  it("at most ¥50,000 a day", () => {
    expect(checkP2p({ sender: alice, receiver: bob, amountYen: 20_001n, sentTodayYen: 30_000n })).toMatchObject({
      ok: false,
      code: "p2p_daily_limit",
      limitYen: 50_000n,
      remainingYen: 20_000n,
    });
  });
  it("checks in the documented order: amount, same person, verification, per transfer, per day", () => {
    expect(checkP2p({ sender: carol, receiver: carol, amountYen: 0n, sentTodayYen: 99_999n })).toMatchObject({ code: "invalid_amount" });
    expect(checkP2p({ sender: carol, receiver: carol, amountYen: 99_999n, sentTodayYen: 99_999n })).toMatchObject({ code: "p2p_same_person" });
    expect(checkP2p({ sender: carol, receiver: bob, amountYen: 99_999n, sentTodayYen: 99_999n })).toMatchObject({ code: "p2p_unverified" });
    expect(checkP2p({ sender: alice, receiver: bob, amountYen: 99_999n, sentTodayYen: 99_999n })).toMatchObject({ code: "limit_exceeded" });
  });
});

describe("the day is the Tokyo calendar day (JST = UTC+9, no daylight saving)", () => {
  it("starts at 00:00 JST, which is 15:00 UTC the day before", () => {
    expect(tokyoDayStart(new Date("2025-06-15T03:00:00Z"))).toEqual(new Date("2025-06-14T15:00:00Z"));
    expect(tokyoDayStart(new Date("2025-06-14T15:00:00Z"))).toEqual(new Date("2025-06-14T15:00:00Z"));
    expect(tokyoDayStart(new Date("2025-06-14T14:59:59.999Z"))).toEqual(new Date("2025-06-13T15:00:00Z"));
    expect(tokyoNextDayStart(new Date("2025-06-15T03:00:00Z"))).toEqual(new Date("2025-06-15T15:00:00Z"));
  });
  it("08:30 and 23:30 JST on the same date are one day though UTC splits them; 23:59:59 and 00:00 JST are two", () => {
    const morning = new Date("2025-06-14T23:30:00Z"); // 6/15 08:30 JST
    const night = new Date("2025-06-15T14:30:00Z"); // 6/15 23:30 JST
    expect(tokyoDayStart(morning)).toEqual(tokyoDayStart(night));
    expect([tokyoDate(morning), tokyoDate(night)]).toEqual(["2025-06-15", "2025-06-15"]);
    expect(tokyoDate(new Date("2025-06-15T14:59:59Z"))).toBe("2025-06-15");
    expect(tokyoDate(new Date("2025-06-15T15:00:00Z"))).toBe("2025-06-16");
  });
  it("crosses months and years: New Year's Day in Tokyo begins at 15:00 UTC on 31 December", () => {
    expect(tokyoDayStart(new Date("2025-12-31T15:00:00Z"))).toEqual(new Date("2025-12-31T15:00:00Z"));
    expect(tokyoDate(new Date("2025-12-31T15:00:00Z"))).toBe("2026-01-01");
    expect(tokyoDate(new Date("2024-02-29T14:59:59Z"))).toBe("2024-02-29");
    expect(tokyoDate(new Date("2024-02-29T15:00:00Z"))).toBe("2024-03-01");
  });
  it("before 1970 too (floor, not truncation)", () => {
    expect(tokyoDayStart(new Date("1969-12-31T20:00:00Z"))).toEqual(new Date("1969-12-31T15:00:00Z"));
  });
});
