import { describe, expect, it } from "vitest";
import { ageOn, eligible, lotExpiresAt, lotLastValidDate, validateCampaign, type Campaign, type ResidentFacts } from "../src";

const jst = (local: string) => new Date(`${local}+09:00`);

const welcome: Campaign = {
  id: "welcome-2025",
  name: "ようこそ野々市 ポイント",
  terms: { kind: "grant", grantYen: 3_000n },
  restriction: { tiers: ["small"] },
  capYenPerPerson: 5_000n,
  startsAt: jst("2025-04-01T00:00:00"),
  endsAt: jst("2025-10-01T00:00:00"),
  budgetYen: 10_000_000n,
  eligibility: { ageMin: 65 },
};

describe("lot expiry", () => {
  it("by default lasts six months counting the grant day, lapsing at 00:00 JST after the last valid day", () => {
    const grantedAt = jst("2025-04-10T10:00:00");
    expect(lotLastValidDate({ kind: "months_after_grant", months: 6 }, grantedAt)).toBe("2025-10-09");
    expect(lotExpiresAt({ kind: "months_after_grant", months: 6 }, grantedAt)).toEqual(jst("2025-10-10T00:00:00"));
  });

  it("ends on the last day of the month when the month has no corresponding day", () => {
    expect(lotLastValidDate({ kind: "months_after_grant", months: 6 }, jst("2025-08-31T09:00:00"))).toBe("2026-02-28");
    expect(lotLastValidDate({ kind: "months_after_grant", months: 6 }, jst("2023-08-31T09:00:00"))).toBe("2024-02-29");
  });

  it("uses the Tokyo date of the grant: 23:30 JST on 4/10 is still 4/10", () => {
    expect(lotLastValidDate({ kind: "days_after_grant", days: 30 }, new Date("2025-04-10T14:30:00Z"))).toBe("2025-05-09");
    expect(lotLastValidDate({ kind: "days_after_grant", days: 30 }, new Date("2025-04-10T15:00:00Z"))).toBe("2025-05-10");
  });

  it("a fixed last date is usable through that date", () => {
    expect(lotExpiresAt({ kind: "on_date", lastDate: "2025-12-31" }, jst("2025-06-01T12:00:00"))).toEqual(jst("2026-01-01T00:00:00"));
  });
});

describe("validating a campaign", () => {
  it("accepts a well-formed campaign with the default six-month expiry", () => {
    expect(validateCampaign(welcome)).toEqual({ ok: true });
  });

  it("refuses expiry beyond six months, empty restriction lists and an inverted age range", () => {
    expect(validateCampaign({ ...welcome, expiry: { kind: "months_after_grant", months: 7 } })).toMatchObject({ ok: false, code: "invalid_campaign", field: "expiry.months" });
    expect(validateCampaign({ ...welcome, expiry: { kind: "days_after_grant", days: 182 } })).toMatchObject({ ok: false, field: "expiry.days" });
    expect(validateCampaign({ ...welcome, expiry: { kind: "days_after_grant", days: 181 } })).toEqual({ ok: true });
    expect(validateCampaign({ ...welcome, expiry: { kind: "on_date", lastDate: "2025-10-01" } })).toMatchObject({ ok: false, field: "expiry.lastDate" });
    expect(validateCampaign({ ...welcome, expiry: { kind: "on_date", lastDate: "2025-09-30" } })).toEqual({ ok: true });
    expect(validateCampaign({ ...welcome, expiry: { kind: "on_date", lastDate: "2025-09-29" } })).toMatchObject({ ok: false, field: "expiry.lastDate" });
    expect(validateCampaign({ ...welcome, restriction: { categories: [] } })).toMatchObject({ ok: false, field: "restriction.categories" });
    expect(validateCampaign({ ...welcome, eligibility: { ageMin: 70, ageMax: 65 } })).toMatchObject({ ok: false, field: "eligibility.ageMax" });
    expect(validateCampaign({ ...welcome, terms: { kind: "grant", grantYen: 6_000n } })).toMatchObject({ ok: false, field: "terms.grantYen" });
    expect(validateCampaign({ ...welcome, terms: { kind: "charge_premium", rateBps: 0 } })).toMatchObject({ ok: false, field: "terms.rateBps" });
  });
});

describe("who is eligible", () => {
  const resident: ResidentFacts = { birthDate: "1960-06-15", district: "本町", verified: true };
  const rule = { ageMin: 65, districts: ["本町", "堀内"] };

  it("computes the age in Tokyo time: at 00:00 JST on the 65th birthday the resident is 65, though UTC is still the day before", () => {
    const midnight = new Date("2025-06-14T15:00:00Z");
    expect(ageOn("1960-06-15", midnight)).toBe(65);
    expect(eligible(resident, rule, midnight)).toEqual({ ok: true, age: 65 });
    expect(eligible(resident, rule, new Date("2025-06-14T14:59:59Z"))).toMatchObject({ ok: false, code: "below_age_min", age: 64 });
  });

  it("a 29 February birthday counts on 1 March in common years", () => {
    expect(ageOn("2004-02-29", jst("2025-02-28T12:00:00"))).toBe(20);
    expect(ageOn("2004-02-29", jst("2025-03-01T00:00:00"))).toBe(21);
  });

  it("checks verification, then age, then district", () => {
    const at = jst("2025-07-01T10:00:00");
    expect(eligible({ ...resident, verified: false, birthDate: "2000-01-01" }, rule, at)).toMatchObject({ ok: false, code: "not_verified" });
    expect(eligible({ ...resident, district: "押野" }, rule, at)).toMatchObject({ ok: false, code: "district_not_eligible" });
    expect(eligible(resident, { ageMax: 64 }, at)).toMatchObject({ ok: false, code: "above_age_max", age: 65 });
    expect(eligible({ ...resident, verified: false }, { verifiedRequired: false }, at)).toEqual({ ok: true, age: 65 });
    expect(eligible(resident, null, at)).toEqual({ ok: true, age: 65 });
  });
});
