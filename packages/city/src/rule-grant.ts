// A grant by rule: instead of a CSV of resident ids, the city grants a campaign to every resident its eligibility
// rule admits on the grant day (age in JST, district, verified). This picks those residents; the grant itself then
// goes through the same plan (cap, budget), approval and run as a CSV grant, so both paths hold the same guarantees.
import { tokyoDate } from "@tsubaki/payments";
import type { CalendarDate } from "./calendar";
import { eligible, type EligibilityRule, type ResidentFacts } from "./campaign";

/** Residents one selection looks at (the city has about 53,000; the store pages through them). */
export const ruleResidentsMax = 200_000;

export interface ResidentRecordFacts extends ResidentFacts {
  id: string;
}

/** Why a resident was left out by the rule (the eligible() codes), or a birth date after the grant day. */
export type RuleSkipReason = "not_verified" | "below_age_min" | "above_age_max" | "district_not_eligible" | "born_after_grant_day";

/**
 * Guarantees: residentIds keeps the input order; considered = residentIds.length + Σ skipped;
 * r ∈ residentIds ⇔ eligible(r, rule, at).ok.
 */
export interface RuleSelection {
  residentIds: string[];
  skipped: Partial<Record<RuleSkipReason, number>>;
  considered: number;
  /** The Tokyo day ages were counted on. */
  grantDate: CalendarDate;
}

export function selectByRule(residents: Iterable<ResidentRecordFacts>, rule: EligibilityRule | null, at: Date): RuleSelection {
  const grantDate = tokyoDate(at);
  const selection: RuleSelection = { residentIds: [], skipped: {}, considered: 0, grantDate };
  const skip = (reason: RuleSkipReason) => void (selection.skipped[reason] = (selection.skipped[reason] ?? 0) + 1);
  for (const resident of residents) {
    selection.considered += 1;
    if (selection.considered > ruleResidentsMax) throw new Error(`BUG: more than ${ruleResidentsMax} residents in one rule selection`);
    // Not a person the rule can judge (data entry error); eligible() asserts against it.
    if (resident.birthDate > grantDate) {
      skip("born_after_grant_day");
      continue;
    }
    const decision = eligible(resident, rule, at);
    if (decision.ok) selection.residentIds.push(resident.id);
    else skip(decision.code);
  }
  return selection;
}
