import { describe, expect, it } from "vitest";
import { planCharge, premiumFor, type PremiumCampaign } from "../src";

const counter = { cashinAccountId: "cashin:city-hall", coinsAccountId: "res:r1:coins" };
const premium: PremiumCampaign = {
  campaignId: "premium25",
  budgetAccountId: "cmp:premium25:budget",
  lotAccountId: "res:r1:pts:L-prem-1",
  rateBps: 2_000,
  capYenPerPerson: 5_000n,
  alreadyGrantedYen: 0n,
  budgetAvailableYen: 1_000_000n,
};

describe("charging coins at a counter", () => {
  it("without a campaign, cash becomes coins, yen for yen", () => {
    expect(planCharge({ ...counter, amountYen: 10_000n })).toEqual({
      ok: true,
      legs: [{ from: "cashin:city-hall", to: "res:r1:coins", amount: 10_000n }],
      coinsYen: 10_000n,
      premiumYen: 0n,
      premiumLimitedBy: "none",
    });
  });

  it("a 20 % premium on ¥10,000 adds ¥2,000 of points from the campaign budget to a new lot, in the same transfer", () => {
    expect(planCharge({ ...counter, amountYen: 10_000n, premium })).toEqual({
      ok: true,
      legs: [
        { from: "cashin:city-hall", to: "res:r1:coins", amount: 10_000n },
        { from: "cmp:premium25:budget", to: "res:r1:pts:L-prem-1", amount: 2_000n },
      ],
      coinsYen: 10_000n,
      premiumYen: 2_000n,
      premiumLimitedBy: "none",
    });
  });

  it("the premium is rounded down to the yen: 20 % of ¥1,999 is ¥399, 15 % of ¥333 is ¥49, 20 % of ¥4 is ¥0", () => {
    expect(planCharge({ ...counter, amountYen: 1_999n, premium })).toMatchObject({ premiumYen: 399n });
    expect(planCharge({ ...counter, amountYen: 333n, premium: { ...premium, rateBps: 1_500 } })).toMatchObject({ premiumYen: 49n });
    const tiny = planCharge({ ...counter, amountYen: 4n, premium });
    expect(tiny).toMatchObject({ premiumYen: 0n, premiumLimitedBy: "none" });
    expect(tiny.ok && tiny.legs).toHaveLength(1);
  });

  it("a resident near the per-person cap gets only what is left of it", () => {
    const plan = planCharge({ ...counter, amountYen: 10_000n, premium: { ...premium, alreadyGrantedYen: 4_500n } });
    expect(plan).toMatchObject({ premiumYen: 500n, premiumLimitedBy: "person_cap" });
    expect(plan.ok && plan.legs[1]).toEqual({ from: "cmp:premium25:budget", to: "res:r1:pts:L-prem-1", amount: 500n });
  });

  it("a resident at the cap still charges coins, with no premium and no lot", () => {
    const plan = planCharge({ ...counter, amountYen: 10_000n, premium: { ...premium, alreadyGrantedYen: 5_000n } });
    expect(plan).toMatchObject({ coinsYen: 10_000n, premiumYen: 0n, premiumLimitedBy: "person_cap" });
    expect(plan.ok && plan.legs).toEqual([{ from: "cashin:city-hall", to: "res:r1:coins", amount: 10_000n }]);
  });

  it("when the budget is nearly spent the premium is what is left; when it is gone, none", () => {
    expect(planCharge({ ...counter, amountYen: 10_000n, premium: { ...premium, budgetAvailableYen: 120n } })).toMatchObject({
      premiumYen: 120n,
      premiumLimitedBy: "budget",
    });
    const gone = planCharge({ ...counter, amountYen: 10_000n, premium: { ...premium, budgetAvailableYen: 0n } });
    expect(gone).toMatchObject({ premiumYen: 0n, premiumLimitedBy: "budget" });
    expect(gone.ok && gone.legs).toHaveLength(1);
  });

  it("when the cap and the budget hold it back equally, the cap is named", () => {
    expect(premiumFor(10_000n, { rateBps: 2_000, capYenPerPerson: 100n, alreadyGrantedYen: 0n, budgetAvailableYen: 100n })).toEqual({
      premiumYen: 100n,
      premiumLimitedBy: "person_cap",
    });
  });

  it("amounts must be positive and within the charge limit of ¥100,000", () => {
    expect(planCharge({ ...counter, amountYen: 0n })).toMatchObject({ ok: false, code: "invalid_amount" });
    expect(planCharge({ ...counter, amountYen: 100_001n, premium })).toEqual({
      ok: false,
      code: "limit_exceeded",
      detail: "¥100001 is above the chargeYenMax of ¥100000",
      limit: "chargeYenMax",
      limitYen: 100_000n,
    });
    expect(planCharge({ ...counter, amountYen: 100_000n })).toMatchObject({ ok: true });
  });

  it("a rate above 100 % is a bug in campaign set-up", () => {
    expect(() => planCharge({ ...counter, amountYen: 1_000n, premium: { ...premium, rateBps: 10_001 } })).toThrow(/BUG: premium rate 10001 bps/);
  });
});
