import { describe, expect, it } from "vitest";
import { applyBankConfirmation, planPayout, validateZenginBankAccount, type PayoutInput, type SentPayout } from "../src";

const kissa: PayoutInput = {
  merchantAccountId: "mer:kissa",
  balanceYen: 100_000n,
  feeRateBps: 150,
  minimumPayoutYen: 1_000n,
  trigger: "monthly",
};

describe("planning a shop's payout", () => {
  it("takes the whole balance: the net to payout pending and the fee to the operator", () => {
    expect(planPayout(kissa)).toEqual({
      ok: true,
      legs: [
        { from: "mer:kissa", to: "payout:pending", amount: 98_500n },
        { from: "mer:kissa", to: "fee:operator", amount: 1_500n },
      ],
      grossYen: 100_000n,
      feeYen: 1_500n,
      transferFeeYen: 0n,
      netYen: 98_500n,
      trigger: "monthly",
    });
  });

  it("rounds the fee down: 1.5 % of ¥12,345 is ¥185 (¥185.175), never more than the rate", () => {
    expect(planPayout({ ...kissa, balanceYen: 12_345n })).toMatchObject({ feeYen: 185n, netYen: 12_160n });
    expect(planPayout({ ...kissa, balanceYen: 1_066n })).toMatchObject({ feeYen: 15n, netYen: 1_051n }); // 15.99 → 15
  });

  it("adds a passed-on bank transfer fee to the fee leg", () => {
    const plan = planPayout({ ...kissa, transferFeeYen: 220n, trigger: "on_request" });
    expect(plan).toMatchObject({ feeYen: 1_500n, transferFeeYen: 220n, netYen: 98_280n, trigger: "on_request" });
    expect(plan.ok && plan.legs[1]).toEqual({ from: "mer:kissa", to: "fee:operator", amount: 1_720n });
  });

  it("with no fee, one leg", () => {
    const plan = planPayout({ ...kissa, feeRateBps: 0 });
    expect(plan.ok && plan.legs).toEqual([{ from: "mer:kissa", to: "payout:pending", amount: 100_000n }]);
  });

  it("refuses an empty balance, a balance below the minimum (the minimum itself is paid), and fees that take everything", () => {
    expect(planPayout({ ...kissa, balanceYen: 0n })).toMatchObject({ ok: false, code: "nothing_to_pay" });
    expect(planPayout({ ...kissa, balanceYen: 999n })).toMatchObject({ ok: false, code: "below_minimum", minimumPayoutYen: 1_000n });
    expect(planPayout({ ...kissa, balanceYen: 1_000n })).toMatchObject({ ok: true, netYen: 985n });
    expect(planPayout({ ...kissa, balanceYen: 200n, minimumPayoutYen: 0n, transferFeeYen: 200n })).toMatchObject({ ok: false, code: "fee_exceeds_balance", feesYen: 203n });
  });

  it("refuses a payout too large for one bank transfer", () => {
    expect(planPayout({ ...kissa, feeRateBps: 0, balanceYen: 10_000_000_000n })).toMatchObject({ ok: false, code: "amount_too_large" });
  });
});

describe("checking a shop's bank account", () => {
  it("pads short account numbers, converts the holder's name and maps the account type", () => {
    expect(validateZenginBankAccount({ bankCode: "0144", branchCode: "101", accountType: "普通", accountNumber: "12345", holderName: "ツバキ　ショウテン" })).toEqual({
      ok: true,
      account: { bankCode: "0144", branchCode: "101", accountKind: "ordinary", accountType: 1, accountNumber: "0012345", holderNameKana: "ﾂﾊﾞｷ ｼﾖｳﾃﾝ" },
    });
    expect(validateZenginBankAccount({ bankCode: "０１４４", branchCode: "101", accountType: "savings", accountNumber: "1234567", holderName: "ﾔﾏﾀﾞ" })).toMatchObject({
      ok: true,
      account: { bankCode: "0144", accountType: 4, accountNumber: "1234567" },
    });
  });

  it("reports every wrong field with its code", () => {
    const result = validateZenginBankAccount({ bankCode: "144", branchCode: "10a", accountType: "定期", accountNumber: "12345678", holderName: "椿" });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.map((e) => [e.field, e.code])).toEqual([
      ["bankCode", "invalid_bank_code"],
      ["branchCode", "invalid_branch_code"],
      ["accountType", "invalid_account_type"],
      ["accountNumber", "invalid_account_number"],
      ["holderName", "holder_name_unconvertible"],
    ]);
    expect(result).toMatchObject({ code: "invalid_bank_account" });
  });

  it("holds the name to 30 half-width characters after conversion (ガ counts twice)", () => {
    const ok = validateZenginBankAccount({ bankCode: "0144", branchCode: "101", accountType: "当座", accountNumber: "1", holderName: "ガ".repeat(15) });
    expect(ok).toMatchObject({ ok: true, account: { accountType: 2, accountNumber: "0000001" } });
    const long = validateZenginBankAccount({ bankCode: "0144", branchCode: "101", accountType: "当座", accountNumber: "1", holderName: "ガ".repeat(15) + "ア" });
    expect(!long.ok && long.errors).toEqual([{ field: "holderName", code: "holder_name_too_long", detail: expect.stringContaining("31") }]);
    const empty = validateZenginBankAccount({ bankCode: "0144", branchCode: "101", accountType: "普通", accountNumber: "0000000", holderName: " " });
    expect(!empty.ok && empty.errors.map((e) => e.code)).toEqual(["invalid_account_number", "holder_name_empty"]);
  });
});

describe("applying the bank's confirmation", () => {
  const sent: SentPayout[] = [
    { payoutId: "po-1", transferId: "t-po-1", merchantAccountId: "mer:kissa", amountYen: 98_500n },
    { payoutId: "po-2", transferId: "t-po-2", merchantAccountId: "mer:bakery", amountYen: 9_800n },
    { payoutId: "po-3", transferId: "t-po-3", merchantAccountId: "mer:books", amountYen: 5_000n },
  ];
  const apply = (csv: string) => applyBankConfirmation({ sent, csv, settledAccountId: "payout:settled" });

  it("clears the confirmed payouts, returns the failed ones for reversal, and leaves the rest pending", () => {
    const result = apply("\ufeffrecord_no,status,amount\r\n1,ok,98500\r\n2,failed,9800\r\n");
    expect(result).toEqual({
      ok: true,
      cleared: [{ ...sent[0], recordNo: 1 }],
      returned: [{ ...sent[1], recordNo: 2 }],
      unconfirmed: [{ ...sent[2], recordNo: 3 }],
      clearingLegs: [{ from: "payout:pending", to: "payout:settled", amount: 98_500n }],
      reversals: [{ payoutId: "po-2", reversalOf: "t-po-2" }],
    });
  });

  it("applies nothing when any line is wrong, and lists every wrong line", () => {
    const result = apply("record_no,status,amount\n1,ok,98501\n4,ok,1\n3,maybe,5000\n3,ok,5000\n3,ok,5000\n");
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.map((e) => [e.line, e.code])).toEqual([
      [2, "amount_mismatch"],
      [3, "unknown_record_no"],
      [4, "invalid_status"],
      [6, "duplicate_record_no"],
    ]);
    expect(apply("no,status,amount\n")).toMatchObject({ ok: false, errors: [{ line: 1, code: "invalid_header" }] });
  });
});
