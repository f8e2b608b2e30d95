// A charge at a counter: cash becomes coins, and a premium campaign (プレミアム付き) may add points in the same
// transfer (DESIGN §4). The premium is worked out here so the counter, the wallet and the report agree on it.
import { assert, type Leg } from "@tsubaki/ledger";
import type { Failure } from "./codes";
import { checkAmount, limitsDefault, type LimitName, type Limits } from "./limits";

/** Basis points in 100 %. */
export const bpsPerUnit = 10_000n;
/** A premium rate above 100 % is refused when a campaign is set up; here it is a bug. */
export const premiumRateBpsMax = 10_000;

/** The premium campaign running at this counter, as it stands for this resident right now. */
export interface PremiumCampaign {
  campaignId: string;
  /** The campaign budget (`cmp:{cid}:budget`): the cap is the balance. */
  budgetAccountId: string;
  /** The new lot's account, created for this charge (with the campaign's expiry and restriction). */
  lotAccountId: string;
  /** 0 ≤ rateBps ≤ premiumRateBpsMax; 2,000 = 20 %. */
  rateBps: number;
  /** Most premium one resident may get from this campaign over its life. */
  capYenPerPerson: bigint;
  /** Premium this resident already got from this campaign. */
  alreadyGrantedYen: bigint;
  /** What is left of the campaign budget (its available balance). */
  budgetAvailableYen: bigint;
}

export interface ChargeInput {
  amountYen: bigint;
  /** The counter's cash account (`cashin:{agent}`). */
  cashinAccountId: string;
  coinsAccountId: string;
  premium?: PremiumCampaign;
  limits?: Pick<Limits, "chargeYenMax">;
}

/** What held the premium below amount × rate; `person_cap` wins a tie with the budget. */
export type PremiumLimitedBy = "none" | "person_cap" | "budget";

/**
 * A planned charge. Guarantees:
 *   legs[0] = {from: cashinAccountId, to: coinsAccountId, amount: coinsYen}, coinsYen = amountYen
 *   premiumYen = min(⌊amountYen × rateBps / 10,000⌋, max(0, capYenPerPerson − alreadyGrantedYen), budgetAvailableYen)
 *   premiumYen > 0 ⇔ legs[1] = {from: budgetAccountId, to: lotAccountId, amount: premiumYen}
 * Rounding is down (floor) to the yen: a premium never includes a fraction of a yen the budget does not hold,
 * and the rule is the one residents know from shop points (20 % of ¥1,999 is ¥399).
 */
export interface ChargePlan {
  ok: true;
  legs: Leg[];
  coinsYen: bigint;
  premiumYen: bigint;
  premiumLimitedBy: PremiumLimitedBy;
}

export type ChargeFailure = Failure<"invalid_amount"> | (Failure<"limit_exceeded"> & { limit: LimitName; limitYen: bigint });

/** Order of checks: invalid_amount (≤ 0) → limit_exceeded (> chargeYenMax). A used-up budget is not an error. */
export function planCharge(input: ChargeInput): ChargePlan | ChargeFailure {
  const { amountYen, premium } = input;
  const amount = checkAmount(amountYen, (input.limits ?? limitsDefault).chargeYenMax, "chargeYenMax");
  if (!amount.ok) return amount;
  assert(input.cashinAccountId !== input.coinsAccountId, "the counter and the resident are different accounts");
  const legs: Leg[] = [{ from: input.cashinAccountId, to: input.coinsAccountId, amount: amountYen }];
  if (!premium) return { ok: true, legs, coinsYen: amountYen, premiumYen: 0n, premiumLimitedBy: "none" };

  const { premiumYen, premiumLimitedBy } = premiumFor(amountYen, premium);
  if (premiumYen > 0n) legs.push({ from: premium.budgetAccountId, to: premium.lotAccountId, amount: premiumYen });
  return { ok: true, legs, coinsYen: amountYen, premiumYen, premiumLimitedBy };
}

/** The premium on a charge of amountYen (formula on ChargePlan). */
export function premiumFor(
  amountYen: bigint,
  campaign: Pick<PremiumCampaign, "rateBps" | "capYenPerPerson" | "alreadyGrantedYen" | "budgetAvailableYen">,
): { premiumYen: bigint; premiumLimitedBy: PremiumLimitedBy } {
  const { rateBps, capYenPerPerson, alreadyGrantedYen, budgetAvailableYen } = campaign;
  assert(Number.isInteger(rateBps) && rateBps >= 0 && rateBps <= premiumRateBpsMax, `premium rate ${rateBps} bps is out of range`);
  assert(capYenPerPerson >= 0n && alreadyGrantedYen >= 0n, "a campaign's cap and a resident's grants are ≥ 0");
  assert(budgetAvailableYen >= 0n, "a campaign budget never shows a negative available balance");
  const byRateYen = (amountYen * BigInt(rateBps)) / bpsPerUnit; // bigint division of non-negatives is floor
  const capLeftYen = alreadyGrantedYen < capYenPerPerson ? capYenPerPerson - alreadyGrantedYen : 0n;
  if (byRateYen <= capLeftYen && byRateYen <= budgetAvailableYen) return { premiumYen: byRateYen, premiumLimitedBy: "none" };
  if (capLeftYen <= budgetAvailableYen) return { premiumYen: capLeftYen, premiumLimitedBy: "person_cap" };
  return { premiumYen: budgetAvailableYen, premiumLimitedBy: "budget" };
}
