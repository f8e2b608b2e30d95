// Who a grant by rule selects: the eligibility rule applied on the Tokyo grant day to every resident, in order,
// with the others counted by reason.
import { describe, expect, it } from "vitest";
import { selectByRule } from "../src/index";

const at = new Date("2026-04-09T15:00:00Z"); // 2026-04-10 00:00 JST

describe("selectByRule", () => {
  it("keeps the residents the rule admits, in order, and counts the others by reason", () => {
    const residents = [
      { id: "a", birthDate: "1961-04-10", district: "本町", verified: true }, // 65 from 00:00 JST today
      { id: "b", birthDate: "1961-04-11", district: "本町", verified: true }, // 64
      { id: "c", birthDate: "1955-04-10", district: "本町", verified: true }, // 71 today
      { id: "d", birthDate: "1955-04-11", district: "押野", verified: true }, // 70
      { id: "e", birthDate: "1958-01-01", district: "御経塚", verified: true },
      { id: "f", birthDate: "1958-01-01", district: "本町", verified: false },
      { id: "g", birthDate: "2026-04-11", district: "本町", verified: true }, // a typing mistake
    ];
    const s = selectByRule(residents, { ageMin: 65, ageMax: 70, districts: ["本町", "押野"] }, at);
    expect(s).toEqual({
      residentIds: ["a", "d"],
      skipped: { below_age_min: 1, above_age_max: 1, district_not_eligible: 1, not_verified: 1, born_after_grant_day: 1 },
      considered: 7,
      grantDate: "2026-04-10",
    });
  });

  it("without a rule, admits every verified resident; verifiedRequired false admits everyone", () => {
    const residents = [
      { id: "a", birthDate: "2000-01-01", district: "x", verified: true },
      { id: "b", birthDate: "2000-01-01", district: "y", verified: false },
    ];
    expect(selectByRule(residents, null, at).residentIds).toEqual(["a"]);
    expect(selectByRule(residents, { verifiedRequired: false }, at).residentIds).toEqual(["a", "b"]);
  });
});
