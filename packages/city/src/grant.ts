// A bulk grant (DESIGN §4 Grant): one campaign to many residents, each resident one ledger transfer budget → a new
// point lot. This plans who gets how much before anything moves, so the console can show the plan, a second person
// can approve it, and the result is the same when the API then executes it.
//
// Rules:
//   - the per-person cap holds exactly: a resident near the cap gets what is left of it (already + granted ≤ cap,
//     with equality when the cap limited the grant);
//   - all or nothing per resident: a resident gets the full (cap-limited) amount or nothing, never a part because
//     the budget ran low;
//   - the budget stops the plan cleanly: at the first resident the remaining budget cannot cover, the plan stops
//     granting; that resident and every later one is reported as budget_exhausted (first come, first served in the
//     list's order, and "the budget ran out at row N" is one sentence to explain), so the budget never goes below 0;
//   - a resident listed twice is granted once; the repeat is reported as duplicate.
import { assert } from "@tsubaki/ledger";
import type { CalendarDate } from "./calendar";
import { campaignExpiryDefault, isCampaignActive, lotExpiresAt, lotLastValidDate, type Campaign } from "./campaign";
import type { Failure } from "./codes";
import { shareBps } from "./reports";

/** Residents in one plan; the API pages larger lists (a city of 53,000 fits in one). */
export const grantRecipientsMax = 100_000;

export interface GrantInput {
  campaign: Pick<Campaign, "id" | "capYenPerPerson" | "startsAt" | "endsAt" | "expiry">;
  /** In the order grants are made (the CSV's order). */
  residentIds: readonly string[];
  /** The amount for each resident, unless amountYenByResident names another. */
  amountYen: bigint;
  /** Per-resident amounts from a CSV with an amount_yen column. */
  amountYenByResident?: ReadonlyMap<string, bigint>;
  /** What each resident already received from this campaign (absent: 0). */
  alreadyGrantedByResident: ReadonlyMap<string, bigint>;
  /** The campaign budget account's available balance. */
  budgetAvailableYen: bigint;
  now: Date;
}

export interface PlannedGrant {
  residentId: string;
  /** What the list asked for. */
  requestedYen: bigint;
  /** What the resident gets: min(requested, cap − already). */
  amountYen: bigint;
  limitedBy: "none" | "person_cap";
}

export type GrantSkipReason = "duplicate" | "cap_reached" | "budget_exhausted";

export interface SkippedResident {
  residentId: string;
  /** Position in residentIds (0-based). */
  index: number;
  reason: GrantSkipReason;
}

/**
 * A planned bulk grant. Guarantees:
 *   totalYen = Σ grants.amountYen ≤ budgetAvailableYen; budgetAfterYen = budgetAvailableYen − totalYen ≥ 0
 *   for every grant g: 0 < g.amountYen ≤ g.requestedYen and already(g) + g.amountYen ≤ cap
 *   every resident id of the input is in exactly one of grants (first occurrence) and skipped
 *   every lot of this plan lapses at expiresAt (usable through lastValidDate)
 */
export interface GrantPlan {
  ok: true;
  campaignId: string;
  grants: PlannedGrant[];
  skipped: SkippedResident[];
  totalYen: bigint;
  budgetAfterYen: bigint;
  /** Index in residentIds where the budget ran out, or null. */
  budgetExhaustedAt: number | null;
  expiresAt: Date;
  lastValidDate: CalendarDate;
}

export type GrantFailure =
  | (Failure<"invalid_amount"> & { residentId: string | null })
  | Failure<"campaign_not_active">
  | Failure<"too_many_recipients">;

/** Order of checks: too_many_recipients → campaign_not_active → invalid_amount (the default, then per resident). */
export function planGrant(input: GrantInput): GrantPlan | GrantFailure {
  const { campaign, residentIds, now } = input;
  assert(input.budgetAvailableYen >= 0n, "a campaign budget never shows a negative available balance");
  assert(campaign.capYenPerPerson > 0n, "a campaign's per-person cap is positive");
  if (residentIds.length > grantRecipientsMax) {
    return { ok: false, code: "too_many_recipients", detail: `${residentIds.length} residents; at most ${grantRecipientsMax} per plan` };
  }
  if (!isCampaignActive(campaign, now)) {
    return { ok: false, code: "campaign_not_active", detail: `campaign ${campaign.id} grants from ${campaign.startsAt.toISOString()} until ${campaign.endsAt.toISOString()}` };
  }
  if (typeof input.amountYen !== "bigint" || input.amountYen <= 0n) {
    return { ok: false, code: "invalid_amount", detail: "the grant amount must be a positive whole number of yen", residentId: null };
  }
  for (const [residentId, yen] of input.amountYenByResident ?? []) {
    if (yen <= 0n) return { ok: false, code: "invalid_amount", detail: `the amount for ${residentId} must be positive`, residentId };
  }
  return allocate(input);
}

function allocate(input: GrantInput): GrantPlan {
  const { campaign, now } = input;
  const expiry = campaign.expiry ?? campaignExpiryDefault;
  const plan: GrantPlan = {
    ok: true,
    campaignId: campaign.id,
    grants: [],
    skipped: [],
    totalYen: 0n,
    budgetAfterYen: input.budgetAvailableYen,
    budgetExhaustedAt: null,
    expiresAt: lotExpiresAt(expiry, now),
    lastValidDate: lotLastValidDate(expiry, now),
  };
  const seen = new Set<string>();
  for (const [index, residentId] of input.residentIds.entries()) {
    if (seen.has(residentId)) {
      plan.skipped.push({ residentId, index, reason: "duplicate" });
      continue;
    }
    seen.add(residentId);
    const alreadyYen = input.alreadyGrantedByResident.get(residentId) ?? 0n;
    assert(alreadyYen >= 0n, `what ${residentId} already received is ≥ 0`);
    const capLeftYen = campaign.capYenPerPerson - alreadyYen;
    if (capLeftYen <= 0n) {
      plan.skipped.push({ residentId, index, reason: "cap_reached" });
      continue;
    }
    const requestedYen = input.amountYenByResident?.get(residentId) ?? input.amountYen;
    const amountYen = requestedYen < capLeftYen ? requestedYen : capLeftYen;
    if (plan.budgetExhaustedAt !== null || amountYen > plan.budgetAfterYen) {
      plan.budgetExhaustedAt ??= index;
      plan.skipped.push({ residentId, index, reason: "budget_exhausted" });
      continue;
    }
    plan.grants.push({ residentId, requestedYen, amountYen, limitedBy: amountYen < requestedYen ? "person_cap" : "none" });
    plan.totalYen += amountYen;
    plan.budgetAfterYen -= amountYen;
  }
  assert(plan.budgetAfterYen >= 0n && plan.totalYen + plan.budgetAfterYen === input.budgetAvailableYen, "a grant stays within the budget");
  assert(plan.grants.length + plan.skipped.length === input.residentIds.length, "every listed resident is granted or skipped");
  return plan;
}

export interface BurnDownInput {
  /** Points granted by the campaign so far. */
  issuedYen: bigint;
  /** Spent at shops (net of refunds back to valid lots). */
  usedYen: bigint;
  /** Lapsed and returned to the campaign's expired account. */
  expiredYen: bigint;
  /** Still in residents' lots; computed as issued − used − expired when absent. */
  remainingYen?: bigint;
  /** The campaign's budget, to report what is left to grant. */
  budgetYen?: bigint;
}

export interface BurnDown {
  ok: true;
  issuedYen: bigint;
  usedYen: bigint;
  expiredYen: bigint;
  remainingYen: bigint;
  /** Shares of issued, basis points rounded half up (null before anything was issued); they may miss 10,000 by rounding. */
  usedBps: number | null;
  expiredBps: number | null;
  remainingBps: number | null;
  /** budgetYen − issuedYen, when a budget is given. */
  budgetLeftYen: bigint | null;
}

/**
 * Where a campaign's points went: issued = used + expired + remaining. A given remainingYen that breaks the identity
 * is burn_down_mismatch (differenceYen = issued − used − expired − remaining): the figures came from different times.
 */
export function burnDown(input: BurnDownInput): BurnDown | (Failure<"burn_down_mismatch"> & { differenceYen: bigint }) {
  const { issuedYen, usedYen, expiredYen } = input;
  assert([issuedYen, usedYen, expiredYen].every((yen) => yen >= 0n), "burn-down figures are ≥ 0");
  const leftYen = issuedYen - usedYen - expiredYen;
  const remainingYen = input.remainingYen ?? (leftYen > 0n ? leftYen : 0n);
  const differenceYen = issuedYen - usedYen - expiredYen - remainingYen;
  if (differenceYen !== 0n || remainingYen < 0n) {
    return {
      ok: false,
      code: "burn_down_mismatch",
      detail: `issued ¥${issuedYen} ≠ used ¥${usedYen} + expired ¥${expiredYen} + remaining ¥${remainingYen}`,
      differenceYen,
    };
  }
  const budgetLeftYen = input.budgetYen === undefined ? null : input.budgetYen - issuedYen;
  assert(budgetLeftYen === null || budgetLeftYen >= 0n, "a campaign never issues more than its budget");
  return {
    ok: true,
    issuedYen,
    usedYen,
    expiredYen,
    remainingYen,
    usedBps: shareBps(usedYen, issuedYen),
    expiredBps: shareBps(expiredYen, issuedYen),
    remainingBps: shareBps(remainingYen, issuedYen),
    budgetLeftYen,
  };
}
