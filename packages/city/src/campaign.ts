// A point campaign as the city sets it up: what it gives (a grant, a premium on charges, points for checking in at
// an event), where the points may be spent, how long they last, who may get them and how much. The ledger holds the
// budget (the cap is the balance of `cmp:{cid}:budget`); these rules decide who gets what before anything moves.
//
// Expiry. Points are free, so the 資金決済法 six-month exemption for prepaid instruments does not apply to them;
// six months is kept as the default and the longest allowed validity anyway, because lots that linger are the
// "expired balances forfeited silently" complaint (DESIGN §8) and a campaign's cost should be known within a half
// year. Validity counts the grant day as day one (初日算入) and ends by 民法第143条: a lot granted on 4/10 with six
// months is usable through 10/9 and lapses at 00:00 JST on 10/10.
import { assert, assertUnreachable } from "@tsubaki/ledger";
import { merchantTiers, premiumRateBpsMax, tokyoDate, type LotRestriction } from "@tsubaki/payments";
import { addDays, isCalendarDate, lastDayOfMonthsFrom, tokyoStartOfDate, yearsBetween, type CalendarDate } from "./calendar";
import type { Failure } from "./codes";

export type CampaignTerms =
  /** A fixed amount to each listed resident (bulk grant). */
  | { kind: "grant"; grantYen: bigint }
  /** Points on top of a charge at a counter, rateBps of the charge (プレミアム付き). */
  | { kind: "charge_premium"; rateBps: number }
  /** A fixed amount for checking in at an event. */
  | { kind: "event_checkin"; checkInYen: bigint };

export type CampaignKind = CampaignTerms["kind"];

/**
 * months_after_grant / days_after_grant: counted from the grant day inclusive; on_date: usable through lastDate.
 * In every case a lot lapses at 00:00 JST of the day after its last valid day.
 */
export type CampaignExpiry =
  | { kind: "months_after_grant"; months: number }
  | { kind: "days_after_grant"; days: number }
  | { kind: "on_date"; lastDate: CalendarDate };

/** The longest validity a campaign may give, in months (see the top of this file). */
export const lotValidityMonthsMax = 6;
/** The longest days_after_grant that stays within six months whatever the grant day (9/1 → 2/28 is 181 days). */
export const lotValidityDaysMax = 181;
export const campaignExpiryDefault: CampaignExpiry = Object.freeze({ kind: "months_after_grant", months: lotValidityMonthsMax });

/** Who may receive points. Absent fields do not restrict; ages are whole years on the day of the grant (JST). */
export interface EligibilityRule {
  ageMin?: number;
  ageMax?: number;
  districts?: readonly string[];
  /** Only residents whose identity was checked at a counter. Default true: points are worth money. */
  verifiedRequired?: boolean;
}

export interface Campaign {
  id: string;
  name: string;
  terms: CampaignTerms;
  /** Where the points may be spent (categories, tiers); null: every shop that accepts points. */
  restriction: LotRestriction | null;
  /** Default campaignExpiryDefault (six months). */
  expiry?: CampaignExpiry;
  /** Most one resident may receive from this campaign over its life. */
  capYenPerPerson: bigint;
  /** Grants are made in [startsAt, endsAt). */
  startsAt: Date;
  endsAt: Date;
  /** What the city puts into the budget account. */
  budgetYen: bigint;
  eligibility: EligibilityRule | null;
}

/** Ages above this are typing mistakes. */
export const ageMax = 150;

export type CampaignCheck = { ok: true } | (Failure<"invalid_campaign"> & { field: string });

/**
 * Checks a campaign before it is saved, in this order: id → name → cap → terms → restriction (no empty lists,
 * known tiers) → period → expiry (within six months) → budget → eligibility.
 */
export function validateCampaign(c: Campaign): CampaignCheck {
  if (!/^[a-z0-9_-]{1,32}$/.test(c.id)) return invalidCampaign("id", "1–32 of a-z 0-9 _ -");
  if (c.name.trim() === "") return invalidCampaign("name", "a campaign needs a name");
  if (c.capYenPerPerson <= 0n) return invalidCampaign("capYenPerPerson", "a positive amount");
  const terms = checkTerms(c.terms, c.capYenPerPerson);
  if (terms) return terms;
  if (c.restriction) {
    const { categories, tiers } = c.restriction;
    if (categories && categories.length === 0) return invalidCampaign("restriction.categories", "an empty list would allow no shop; omit it to allow all");
    if (tiers && (tiers.length === 0 || !tiers.every((t) => merchantTiers.includes(t)))) {
      return invalidCampaign("restriction.tiers", `a non-empty list of ${merchantTiers.join(", ")}`);
    }
  }
  if (!(c.startsAt.getTime() < c.endsAt.getTime())) return invalidCampaign("endsAt", "a campaign ends after it starts");
  const expiry = checkExpiry(c.expiry ?? campaignExpiryDefault, c.startsAt, c.endsAt);
  if (expiry) return expiry;
  if (c.budgetYen <= 0n) return invalidCampaign("budgetYen", "a positive amount");
  return c.eligibility ? checkEligibilityRule(c.eligibility) : { ok: true };
}

function invalidCampaign(field: string, detail: string): Failure<"invalid_campaign"> & { field: string } {
  return { ok: false, code: "invalid_campaign", detail: `${field}: ${detail}`, field };
}

function checkTerms(terms: CampaignTerms, capYenPerPerson: bigint): CampaignCheck | null {
  switch (terms.kind) {
    case "grant":
      if (terms.grantYen <= 0n || terms.grantYen > capYenPerPerson) return invalidCampaign("terms.grantYen", "positive and at most the per-person cap");
      return null;
    case "charge_premium":
      if (!Number.isInteger(terms.rateBps) || terms.rateBps <= 0 || terms.rateBps > premiumRateBpsMax) {
        return invalidCampaign("terms.rateBps", `1 to ${premiumRateBpsMax} basis points`);
      }
      return null;
    case "event_checkin":
      if (terms.checkInYen <= 0n || terms.checkInYen > capYenPerPerson) return invalidCampaign("terms.checkInYen", "positive and at most the per-person cap");
      return null;
    default:
      return assertUnreachable(terms);
  }
}

function checkExpiry(expiry: CampaignExpiry, startsAt: Date, endsAt: Date): CampaignCheck | null {
  switch (expiry.kind) {
    case "months_after_grant":
      if (!Number.isInteger(expiry.months) || expiry.months < 1 || expiry.months > lotValidityMonthsMax) {
        return invalidCampaign("expiry.months", `1 to ${lotValidityMonthsMax} months`);
      }
      return null;
    case "days_after_grant":
      if (!Number.isInteger(expiry.days) || expiry.days < 1 || expiry.days > lotValidityDaysMax) {
        return invalidCampaign("expiry.days", `1 to ${lotValidityDaysMax} days (six months from any grant day)`);
      }
      return null;
    case "on_date": {
      if (!isCalendarDate(expiry.lastDate)) return invalidCampaign("expiry.lastDate", "a date YYYY-MM-DD");
      const lastGrantDate = tokyoDate(new Date(endsAt.getTime() - 1));
      if (expiry.lastDate < lastGrantDate) return invalidCampaign("expiry.lastDate", `points granted on the last day (${lastGrantDate}) would already have lapsed`);
      const longest = lastDayOfMonthsFrom(tokyoDate(startsAt), lotValidityMonthsMax);
      if (expiry.lastDate > longest) return invalidCampaign("expiry.lastDate", `points granted on the first day would last beyond six months (${longest})`);
      return null;
    }
    default:
      return assertUnreachable(expiry);
  }
}

function checkEligibilityRule(rule: EligibilityRule): CampaignCheck {
  const { ageMin, ageMax: ruleAgeMax, districts } = rule;
  const isAge = (age: number | undefined) => age === undefined || (Number.isInteger(age) && age >= 0 && age <= ageMax);
  if (!isAge(ageMin)) return invalidCampaign("eligibility.ageMin", `a whole number of years, 0 to ${ageMax}`);
  if (!isAge(ruleAgeMax)) return invalidCampaign("eligibility.ageMax", `a whole number of years, 0 to ${ageMax}`);
  if (ageMin !== undefined && ruleAgeMax !== undefined && ageMin > ruleAgeMax) return invalidCampaign("eligibility.ageMax", "at least ageMin");
  if (districts && districts.length === 0) return invalidCampaign("eligibility.districts", "an empty list would allow nobody; omit it to allow all");
  return { ok: true };
}

/** The last Tokyo day a lot granted at `grantedAt` may be spent. */
export function lotLastValidDate(expiry: CampaignExpiry, grantedAt: Date): CalendarDate {
  const grantDate = tokyoDate(grantedAt);
  switch (expiry.kind) {
    case "months_after_grant":
      return lastDayOfMonthsFrom(grantDate, expiry.months);
    case "days_after_grant":
      assert(Number.isInteger(expiry.days) && expiry.days >= 1, "a lot is valid for at least one day");
      return addDays(grantDate, expiry.days - 1);
    case "on_date":
      return expiry.lastDate;
    default:
      return assertUnreachable(expiry);
  }
}

/** The instant the lot lapses (PointLot.expiresAt): 00:00 JST of the day after its last valid day. */
export function lotExpiresAt(expiry: CampaignExpiry, grantedAt: Date): Date {
  const expiresAt = tokyoStartOfDate(addDays(lotLastValidDate(expiry, grantedAt), 1));
  assert(expiresAt.getTime() > grantedAt.getTime(), "a lot is granted before it lapses");
  return expiresAt;
}

/** True while a campaign grants: startsAt ≤ at < endsAt. */
export function isCampaignActive(campaign: Pick<Campaign, "startsAt" | "endsAt">, at: Date): boolean {
  return campaign.startsAt.getTime() <= at.getTime() && at.getTime() < campaign.endsAt.getTime();
}

export interface ResidentFacts {
  /** YYYY-MM-DD */
  birthDate: CalendarDate;
  district: string;
  verified: boolean;
}

/** Age in whole years on the Tokyo date of `at`, growing on the birthday itself (see yearsBetween). */
export function ageOn(birthDate: CalendarDate, at: Date): number {
  const today = tokyoDate(at);
  assert(isCalendarDate(birthDate) && birthDate <= today, `birth date ${birthDate} is a date not after ${today}`);
  return yearsBetween(birthDate, today);
}

export type Eligibility =
  | { ok: true; age: number }
  | (Failure<"not_verified" | "below_age_min" | "above_age_max" | "district_not_eligible"> & { age: number });

/**
 * Whether a resident may receive a campaign's points at `at`. Order: not_verified → below_age_min → above_age_max
 * → district_not_eligible. ageMin and ageMax are inclusive ("65 or older": ageMin 65). The age grows on the
 * birthday; the 年齢計算ニ関スル法律 counts a year complete the day before, which matters only for rules written
 * in terms of that law (school years) — such a campaign should state an as-of date instead.
 */
export function eligible(resident: ResidentFacts, rule: EligibilityRule | null, at: Date): Eligibility {
  const age = ageOn(resident.birthDate, at);
  if ((rule?.verifiedRequired ?? true) && !resident.verified) {
    return { ok: false, code: "not_verified", detail: "the resident's identity has not been checked at a counter", age };
  }
  if (rule?.ageMin !== undefined && age < rule.ageMin) {
    return { ok: false, code: "below_age_min", detail: `aged ${age}; the campaign is for ${rule.ageMin} and older`, age };
  }
  if (rule?.ageMax !== undefined && age > rule.ageMax) {
    return { ok: false, code: "above_age_max", detail: `aged ${age}; the campaign is for ${rule.ageMax} and younger`, age };
  }
  if (rule?.districts && !rule.districts.includes(resident.district)) {
    return { ok: false, code: "district_not_eligible", detail: `district ${resident.district} is not part of the campaign`, age };
  }
  return { ok: true, age };
}
