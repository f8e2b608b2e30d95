// A payout moves what a shop has received out of the currency and into its bank account (DESIGN §4 Payout): one
// ledger transfer takes the shop's whole balance, the net to payout pending (it goes into the Zengin file) and the
// fee to the operator. Payouts run monthly for every shop, or when a shop asks; the rules are the same for both.
//
// Rounding: the fee is rounded DOWN to the yen, fee = ⌊gross × feeRateBps / 10,000⌋. A shop is told "the fee is
// X %"; rounding down means it is never charged more than X %, and the operator gives up less than ¥1 per payout.
// It is also the rule the premium on a charge follows (@tsubaki/payments), so the console explains one rule.
import { assert, type Leg } from "@tsubaki/ledger";
import { bpsPerUnit } from "@tsubaki/payments";
import type { Failure } from "./codes";
import { zenginAmountYenMax } from "./zengin-file";

/** 10 % is far above any regional currency's cash-out fee (さるぼぼコイン charges 1.5–1.8 %). */
export const payoutFeeRateBpsMax = 1_000;
/** A bank transfer fee passed on to the shop above this is a typing mistake. */
export const transferFeeYenMax = 1_000n;
export const payoutPendingAccountIdDefault = "payout:pending";
export const feeAccountIdDefault = "fee:operator";

export type PayoutTrigger = "monthly" | "on_request";

export interface PayoutInput {
  merchantAccountId: string;
  /** The shop account's available balance; the payout takes all of it. */
  balanceYen: bigint;
  /** 0 … payoutFeeRateBpsMax; 150 = 1.5 %. */
  feeRateBps: number;
  /** A balance below this stays with the shop until the next run. */
  minimumPayoutYen: bigint;
  /** The bank's transfer fee (振込手数料) when it is passed on to the shop; default 0. */
  transferFeeYen?: bigint;
  trigger: PayoutTrigger;
  payoutPendingAccountId?: string;
  feeAccountId?: string;
}

/**
 * A planned payout. Guarantees:
 *   grossYen = balanceYen = netYen + feeYen + transferFeeYen, netYen > 0
 *   feeYen = ⌊grossYen × feeRateBps / 10,000⌋
 *   legs = [{merchant → payout pending, netYen}] + ({merchant → fee account, feeYen + transferFeeYen} when > 0)
 *   netYen ≤ 9,999,999,999 (one Zengin data record)
 */
export interface PayoutPlan {
  ok: true;
  legs: Leg[];
  grossYen: bigint;
  feeYen: bigint;
  transferFeeYen: bigint;
  netYen: bigint;
  trigger: PayoutTrigger;
}

export type PayoutFailure =
  | Failure<"nothing_to_pay">
  | (Failure<"below_minimum"> & { minimumPayoutYen: bigint })
  | (Failure<"fee_exceeds_balance"> & { feesYen: bigint })
  | (Failure<"amount_too_large"> & { maxYen: bigint });

/** Order of checks: nothing_to_pay (balance ≤ 0) → below_minimum → fee_exceeds_balance (net ≤ 0) → amount_too_large. */
export function planPayout(input: PayoutInput): PayoutPlan | PayoutFailure {
  const { balanceYen, feeRateBps, minimumPayoutYen } = input;
  const transferFeeYen = input.transferFeeYen ?? 0n;
  assert(Number.isInteger(feeRateBps) && feeRateBps >= 0 && feeRateBps <= payoutFeeRateBpsMax, `fee rate ${feeRateBps} bps is out of range`);
  assert(minimumPayoutYen >= 0n, "a minimum payout is ≥ 0");
  assert(transferFeeYen >= 0n && transferFeeYen <= transferFeeYenMax, `transfer fee ¥${transferFeeYen} is out of range`);
  const pending = input.payoutPendingAccountId ?? payoutPendingAccountIdDefault;
  const feeAccount = input.feeAccountId ?? feeAccountIdDefault;
  assert(new Set([input.merchantAccountId, pending, feeAccount]).size === 3, "shop, payout pending and fee are three accounts");

  if (balanceYen <= 0n) return { ok: false, code: "nothing_to_pay", detail: "the shop's balance is ¥0" };
  if (balanceYen < minimumPayoutYen) {
    return { ok: false, code: "below_minimum", detail: `¥${balanceYen} is below the minimum payout of ¥${minimumPayoutYen}; it is paid with a later run`, minimumPayoutYen };
  }
  const feeYen = (balanceYen * BigInt(feeRateBps)) / bpsPerUnit; // bigint division of non-negatives is floor
  const netYen = balanceYen - feeYen - transferFeeYen;
  if (netYen <= 0n) {
    return { ok: false, code: "fee_exceeds_balance", detail: `fees of ¥${feeYen + transferFeeYen} would take all of ¥${balanceYen}`, feesYen: feeYen + transferFeeYen };
  }
  if (netYen > zenginAmountYenMax) {
    return { ok: false, code: "amount_too_large", detail: `¥${netYen} is above one bank transfer's ¥${zenginAmountYenMax}`, maxYen: zenginAmountYenMax };
  }
  const legs: Leg[] = [{ from: input.merchantAccountId, to: pending, amount: netYen }];
  if (feeYen + transferFeeYen > 0n) legs.push({ from: input.merchantAccountId, to: feeAccount, amount: feeYen + transferFeeYen });
  assert(legs.reduce((sum, leg) => sum + leg.amount, 0n) === balanceYen, "a payout moves exactly the balance");
  return { ok: true, legs, grossYen: balanceYen, feeYen, transferFeeYen, netYen, trigger: input.trigger };
}
