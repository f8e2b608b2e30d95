import { describe, expect, it } from "vitest";
import {
  checkCashRefund,
  nextReferenceDate,
  previousReferenceDate,
  referenceDateFigures,
  referenceDates,
  referencePeriodContaining,
  referencePeriodEndingOn,
  reportDueDate,
  requiredDeposit,
  sumUnusedBalance,
  unusedBalanceRollForward,
  type CashRefundInput,
} from "../src";

/** An instant given as Tokyo wall-clock time. */
const jst = (local: string) => new Date(`${local}+09:00`);

describe("reference dates (基準日) and periods (基準期間)", () => {
  it("are 3/31 and 9/30 of each year", () => {
    expect(referenceDates(2025)).toEqual(["2025-03-31", "2025-09-30"]);
  });

  it("the previous reference date is the last one that has fully ended, in Tokyo time", () => {
    expect(previousReferenceDate(jst("2025-05-10T12:00:00"))).toBe("2025-03-31");
    expect(previousReferenceDate(jst("2025-03-31T23:59:59"))).toBe("2024-09-30");
    expect(previousReferenceDate(jst("2025-04-01T00:00:00"))).toBe("2025-03-31");
    // 2025-03-31T15:00Z is already 4/1 in Nonoichi
    expect(previousReferenceDate(new Date("2025-03-31T15:00:00Z"))).toBe("2025-03-31");
    expect(previousReferenceDate(jst("2025-01-15T09:00:00"))).toBe("2024-09-30");
    expect(previousReferenceDate(jst("2025-10-01T00:00:00"))).toBe("2025-09-30");
    expect(previousReferenceDate("2025-09-30")).toBe("2025-03-31");
    expect(nextReferenceDate("2025-09-30")).toBe("2026-03-31");
  });

  it("a period runs from the day after one reference date through the next: 4/1–9/30 and 10/1–3/31", () => {
    expect(referencePeriodContaining(jst("2025-05-10T12:00:00"))).toEqual({
      firstDate: "2025-04-01",
      referenceDate: "2025-09-30",
      previousReferenceDate: "2025-03-31",
      startsAt: new Date("2025-03-31T15:00:00Z"),
      endsAt: new Date("2025-09-30T15:00:00Z"),
    });
    expect(referencePeriodEndingOn("2026-03-31")).toEqual({
      firstDate: "2025-10-01",
      referenceDate: "2026-03-31",
      previousReferenceDate: "2025-09-30",
      startsAt: new Date("2025-09-30T15:00:00Z"),
      endsAt: new Date("2026-03-31T15:00:00Z"),
    });
    expect(referencePeriodContaining(jst("2025-03-31T23:59:59")).referenceDate).toBe("2025-03-31");
  });

  it("the report (and the deposit) are due two months after the reference date: 5/31 and 11/30", () => {
    expect(reportDueDate("2025-03-31")).toBe("2025-05-31");
    expect(reportDueDate("2025-09-30")).toBe("2025-11-30");
  });
});

describe("the issuance deposit (発行保証金, 資金決済法第14条)", () => {
  it("is nothing up to ¥10,000,000 and half of the whole balance above it (the law, the default)", () => {
    expect(requiredDeposit(0n)).toBe(0n);
    expect(requiredDeposit(9_999_999n)).toBe(0n);
    expect(requiredDeposit(10_000_000n)).toBe(0n);
    expect(requiredDeposit(10_000_001n)).toBe(5_000_001n); // ⌈10,000,001 / 2⌉: at least half
    expect(requiredDeposit(10_000_002n)).toBe(5_000_001n);
    expect(requiredDeposit(30_000_000n)).toBe(15_000_000n);
  });

  it("the issue's wording (half of the excess) is a separate, named policy that gives less", () => {
    expect(requiredDeposit(9_999_999n, "half_of_excess")).toBe(0n);
    expect(requiredDeposit(10_000_000n, "half_of_excess")).toBe(0n);
    expect(requiredDeposit(10_000_001n, "half_of_excess")).toBe(1n);
    expect(requiredDeposit(30_000_000n, "half_of_excess")).toBe(10_000_000n);
  });

  it("puts the reference-date figures together, with the shortfall against what is secured", () => {
    expect(referenceDateFigures({ referenceDate: "2025-09-30", unusedBalanceYen: 30_000_000n, securedYen: 12_000_000n })).toEqual({
      referenceDate: "2025-09-30",
      unusedBalanceYen: 30_000_000n,
      thresholdExceeded: true,
      requiredDepositYen: 15_000_000n,
      securedYen: 12_000_000n,
      shortfallYen: 3_000_000n,
      dueDate: "2025-11-30",
      policy: "half_of_balance",
    });
  });

  it("cross-checks the ledger's balance with the roll-forward opening + issued − used − refunded", () => {
    expect(sumUnusedBalance([1_000n, 0n, 2_500n])).toBe(3_500n);
    expect(unusedBalanceRollForward({ openingYen: 5_000n, issuedYen: 3_000n, usedYen: 4_000n, refundedYen: 500n })).toBe(3_500n);
    expect(unusedBalanceRollForward({ openingYen: 0n, issuedYen: 100n, usedYen: 200n, refundedYen: 0n })).toBeNull();
  });
});

describe("cash refunds (払戻し)", () => {
  // Last period the city issued ¥1,000,000 of coins; the last reference-date balance was ¥6,000,000.
  // 20 % of issuance = ¥200,000; 5 % of the balance = ¥300,000.
  const base: CashRefundInput = {
    reason: "holder_request",
    amountYen: 10_000n,
    refundedInPeriodYen: 0n,
    previousPeriodIssuanceYen: 1_000_000n,
    previousReferenceBalanceYen: 6_000_000n,
  };
  const limits = { issuance20PercentYen: 200_000n, balance5PercentYen: 300_000n };

  it("allows a small refund under the 20 %-of-issuance rule, up to the limit exactly", () => {
    expect(checkCashRefund(base)).toEqual({ ok: true, rule: "issuance_20_percent", ...limits, periodTotalAfterYen: 10_000n });
    expect(checkCashRefund({ ...base, refundedInPeriodYen: 190_000n })).toMatchObject({ ok: true, rule: "issuance_20_percent", periodTotalAfterYen: 200_000n });
  });

  it("past 20 % of issuance, still allows it under the 5 %-of-balance rule", () => {
    expect(checkCashRefund({ ...base, refundedInPeriodYen: 190_001n })).toMatchObject({ ok: true, rule: "balance_5_percent", periodTotalAfterYen: 200_001n });
    expect(checkCashRefund({ ...base, refundedInPeriodYen: 290_000n })).toMatchObject({ ok: true, rule: "balance_5_percent", periodTotalAfterYen: 300_000n });
  });

  it("denies a refund that would take the period's total over both limits", () => {
    expect(checkCashRefund({ ...base, refundedInPeriodYen: 290_001n })).toEqual({
      ok: false,
      code: "refund_limit_exceeded",
      detail: expect.stringContaining("¥300001"),
      ...limits,
      periodTotalAfterYen: 300_001n,
    });
  });

  it("with the 5 % rule the larger one, the 20 % rule still allows what is within it", () => {
    const smallBalance = { ...base, previousReferenceBalanceYen: 1_000_000n }; // 5 % = ¥50,000
    expect(checkCashRefund({ ...smallBalance, refundedInPeriodYen: 150_000n })).toMatchObject({ ok: true, rule: "issuance_20_percent" });
    expect(checkCashRefund({ ...smallBalance, refundedInPeriodYen: 195_000n })).toMatchObject({ ok: false, code: "refund_limit_exceeded" });
  });

  it("allows any amount when the holder moves away or the business ends, whatever the limits", () => {
    const over = { ...base, amountYen: 50_000n, refundedInPeriodYen: 1_000_000n };
    expect(checkCashRefund({ ...over, reason: "moving_away" })).toMatchObject({ ok: true, rule: "unavoidable_circumstances", periodTotalAfterYen: 1_050_000n });
    expect(checkCashRefund({ ...over, reason: "unavoidable_circumstances" })).toMatchObject({ ok: true, rule: "unavoidable_circumstances" });
    expect(checkCashRefund({ ...over, reason: "business_ended" })).toMatchObject({ ok: true, rule: "business_ended" });
    expect(checkCashRefund(over)).toMatchObject({ ok: false, code: "refund_limit_exceeded" });
  });

  it("in the first period (nothing issued before, no balance) only the unavoidable reasons allow a refund", () => {
    const first = { ...base, previousPeriodIssuanceYen: 0n, previousReferenceBalanceYen: 0n, amountYen: 1n };
    expect(checkCashRefund(first)).toMatchObject({ ok: false, code: "refund_limit_exceeded" });
    expect(checkCashRefund({ ...first, reason: "moving_away" })).toMatchObject({ ok: true });
  });

  it("refuses a non-positive amount first", () => {
    expect(checkCashRefund({ ...base, amountYen: 0n, reason: "moving_away" })).toMatchObject({ ok: false, code: "invalid_amount" });
  });
});
