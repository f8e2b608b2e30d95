// Campaign administration for the city console: create a campaign and its ledger accounts, fund it from
// `fund:city`, grant points to many residents at once, sweep lapsed points back, and read the burn-down. Funding or
// issuance at or above the approval threshold waits for a second admin_approver; both acts go to the audit log.
//
// A bulk grant is idempotent per (campaign, resident): the lot id and its account are derived from the pair and the
// lot row is written once, so running the same grant again finds every posted lot and grants nobody twice. Lots are
// posted legsMax to a transfer whose id is derived from the lots it carries (the same lots again are a ledger
// replay); a run that crashed between writing lots and posting them is finished by running it again.
//
// A grant by rule selects the residents the campaign's eligibility rule admits and then takes that same path; an
// event check-in is a grant of one lot to one resident, named by the same (campaign, resident) pair, so it too
// happens once.
import { createHash, randomBytes } from "node:crypto";
import {
  approve,
  burnDown,
  checkCashRefund,
  referenceDateFigures,
  referencePeriodContaining,
  referencePeriodEndingOn,
  type CashRefundCheck,
  type CashRefundReason,
  lotExpiresAt,
  needsSecondApproval,
  planGrant,
  selectByRule,
  eligible,
  validateCampaign,
  type EligibilityRule,
  type RuleSelection,
  type BurnDown,
  type CampaignExpiry,
  type GrantPlan,
} from "@tsubaki/city";
import {
  createCityStore,
  createPaymentsStore,
  type ApprovalRecord,
  type CampaignRecord,
  type CityStore,
  type Db,
  type GrantLotInsert,
  type IdentityStore,
  type LotRestrictionRecord,
  type PaymentsStore,
} from "@tsubaki/db";
import { assert, legsMax, type TransferRequest, type TransferResult } from "@tsubaki/ledger";
import { sweepLotsMax, type MerchantTier } from "@tsubaki/payments";
import { checkInSlotExpiresAt, checkInSlotOf, encodeCheckInCode, verifyCheckInCode } from "@tsubaki/qr";
import { createPayoutService, type PayoutService } from "./city-payouts";
import type { LedgerService } from "./ledger";

/** Where cash refunds of coins go until the cash is handed over. */
export const refundPayableAccountId = "refund:payable";
/** The account every campaign is funded from (the city's money, not limited). */
export const cityFundingAccountId = "fund:city";
/** Residents a grant run submits per page: one reservation statement, then that many transfers to the group committer. */
export const grantPageSizeMax = 2500;
/** A grant this large refreshes the planner's statistics after its first page (see refreshGrantStatistics). */
export const statisticsRefreshResidentsMin = 10_000;
/** Residents a rule grant reads per page, and the most pages (200,000 residents: four times Nonoichi). */
export const ruleResidentPageSize = 10_000;
export const ruleResidentPagesMax = 20;
/** The name of the event check-in MAC key in server_secrets. */
export const checkInKeySecretName = "event_checkin_key";
const checkInSlotMs = 60_000;
/** Lots the expiry sweep moves per page (the pure planner's limit). */
export const sweepPageSizeMax = sweepLotsMax;

export interface Actor {
  userId: string;
  roles: readonly string[];
  requestId?: string | null;
}

export type CityFailure = { ok: false; code: string; detail: string; status: 400 | 403 | 404 | 409 | 410 | 422 };

export interface CampaignInput {
  id: string;
  nameJa: string;
  nameEn: string;
  kind: "grant" | "premium" | "event";
  /** Grant and event campaigns: the default amount per resident; premium: ignored. */
  grantYen?: bigint;
  rateBps?: number;
  capPerPersonYen: bigint;
  restriction: { categories?: string[]; tiers?: MerchantTier[] } | null;
  /** Exactly one, or neither (the default: six months from the grant). */
  expiryDate?: string | null;
  expiryDays?: number | null;
  startsAt: Date;
  endsAt: Date;
  /** Who may receive points (rule grants and check-ins apply it); null: every verified resident. */
  eligibility?: EligibilityRule | null;
}

export interface GrantProgress {
  runId: string;
  doneCount: number;
  totalCount: number;
  grantedCount: number;
  grantedYen: bigint;
}

export interface GrantOutcome {
  runId: string;
  campaignId: string;
  totalCount: number;
  /** Residents whose lot was posted by this run. */
  grantedCount: number;
  grantedYen: bigint;
  /** Residents whose lot already existed (the transfer replayed). */
  replayedCount: number;
  skipped: Record<string, number>;
  budgetExhaustedAt: number | null;
}

export interface CityServiceOptions {
  db: Db;
  ledger: LedgerService;
  identity: Pick<IdentityStore, "appendAudit" | "listShops" | "getShop">;
  now?: () => Date;
  approvalThresholdYen?: bigint;
}

const failure = (status: CityFailure["status"], code: string, detail: string): CityFailure => ({ ok: false, code, detail, status });

function shortHash(text: string, chars: number): string {
  return createHash("sha256").update(text).digest("base64url").slice(0, chars);
}

/** The lot a bulk grant gives one resident from one campaign: the same pair always names the same lot. */
export function grantLotId(campaignId: string, residentId: string): string {
  return `g${shortHash(`${campaignId}\u0000${residentId}`, 22)}`;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function budgetAccountId(campaignId: string): string {
  return `cmp:${campaignId}:budget`;
}

export function expiredAccountId(campaignId: string): string {
  return `cmp:${campaignId}:expired`;
}

function expiryOf(c: Pick<CampaignRecord, "expiryDate" | "expiryDays">): CampaignExpiry {
  if (c.expiryDate) return { kind: "on_date", lastDate: c.expiryDate };
  assert(c.expiryDays !== null, "a campaign has an expiry date or days");
  return { kind: "days_after_grant", days: c.expiryDays };
}

function hexBytes(hex: string): Uint8Array {
  assert(/^(?:[0-9a-f]{2}){32,}$/i.test(hex), "the check-in key is 32 or more bytes of hex");
  return Uint8Array.from(hex.match(/../g)!, (pair) => Number.parseInt(pair, 16));
}

/** The default validity (six months) as the table stores it: 181 days from the grant day. */
const expiryDaysDefault = 181;

export function createCityService(options: CityServiceOptions) {
  const { db, ledger, identity } = options;
  const now = options.now ?? (() => new Date());
  const thresholdYen = options.approvalThresholdYen ?? 1_000_000n;
  const store: CityStore = createCityStore(db);
  const payments: PaymentsStore = createPaymentsStore(db, { now });

  const audit = (actor: Actor, action: string, target: string, details: Record<string, unknown>) =>
    identity.appendAudit({ actor: actor.userId, actorRoles: actor.roles, requestId: actor.requestId ?? null }, action, target, details);

  async function ensureAccount(id: string, kind: string, owner: string | null, noOverdraft: boolean): Promise<void> {
    const r = await ledger.createAccount({ id, kind, owner, asset: "JPY", flags: { debitsMustNotExceedCredits: noOverdraft, creditsMustNotExceedDebits: false }, metadata: null });
    // account_exists: opened by another part (the seed's city accounts) with its own label; the id is what counts.
    assert(r.ok || r.code === "account_exists", `account ${id} could be opened: ${r.ok ? "" : r.detail}`);
  }

  async function createCampaign(input: CampaignInput, actor: Actor): Promise<{ ok: true; campaign: CampaignRecord; created: boolean } | CityFailure> {
    const expiryDays = input.expiryDate || input.expiryDays ? (input.expiryDays ?? null) : expiryDaysDefault;
    const expiry: CampaignExpiry = input.expiryDate ? { kind: "on_date", lastDate: input.expiryDate } : { kind: "days_after_grant", days: expiryDays ?? expiryDaysDefault };
    if (input.expiryDate && input.expiryDays) return failure(422, "invalid_campaign", "expiry: give a date or a number of days, not both");
    const terms =
      input.kind === "premium"
        ? { kind: "charge_premium" as const, rateBps: input.rateBps ?? 0 }
        : input.kind === "event"
          ? { kind: "event_checkin" as const, checkInYen: input.grantYen ?? input.capPerPersonYen }
          : { kind: "grant" as const, grantYen: input.grantYen ?? input.capPerPersonYen };
    const check = validateCampaign({
      id: input.id,
      name: input.nameJa,
      terms,
      restriction: input.restriction,
      expiry,
      capYenPerPerson: input.capPerPersonYen,
      startsAt: input.startsAt,
      endsAt: input.endsAt,
      budgetYen: 1n,
      eligibility: input.eligibility ?? null,
    });
    if (!check.ok) return failure(422, check.code, check.detail);
    await ensureAccount(cityFundingAccountId, "funding", "city", false);
    await ensureAccount(budgetAccountId(input.id), "campaign_budget", `campaign:${input.id}`, true);
    await ensureAccount(expiredAccountId(input.id), "campaign_expired", `campaign:${input.id}`, false);
    const restriction: LotRestrictionRecord | null = input.restriction
      ? { ...(input.restriction.categories ? { categories: input.restriction.categories } : {}), ...(input.restriction.tiers ? { tiers: input.restriction.tiers } : {}) }
      : null;
    const r = await payments.insertCampaign({
      id: input.id,
      nameJa: input.nameJa,
      nameEn: input.nameEn,
      kind: input.kind,
      restriction,
      expiryDate: input.expiryDate ?? null,
      expiryDays: input.expiryDate ? null : expiryDays,
      capPerPersonYen: input.capPerPersonYen,
      rateBps: input.kind === "premium" ? (input.rateBps ?? null) : null,
      grantYen: input.kind === "premium" ? null : (input.grantYen ?? null),
      eligibility: input.eligibility ?? null,
      budgetAccountId: budgetAccountId(input.id),
      expiredAccountId: expiredAccountId(input.id),
      startsAt: input.startsAt,
      endsAt: input.endsAt,
      status: "active",
      createdAt: now(),
    });
    if (r.created) await audit(actor, "campaign.created", input.id, { kind: input.kind, cap_per_person_yen: input.capPerPersonYen.toString() });
    return r;
  }

  async function loadCampaign(id: string): Promise<CampaignRecord | CityFailure> {
    const c = await payments.getCampaign(id);
    return c ?? failure(404, "campaign_not_found", `no campaign ${id}`);
  }

  // --- funding ---

  async function executeFunding(campaign: CampaignRecord, amountYen: bigint, transferId: string, actor: Actor, approvedBy: string | null) {
    const result = await ledger.submit({
      op: "transfer",
      id: transferId,
      legs: [{ from: cityFundingAccountId, to: campaign.budgetAccountId, amount: amountYen }],
      code: "campaign_funding",
      metadata: { campaign_id: campaign.id },
    });
    if (!result.ok) return failure(409, result.code, result.detail ?? "the funding transfer was refused");
    if (!result.replayed) {
      await audit(actor, "campaign.funded", campaign.id, { amount_yen: amountYen.toString(), transfer_id: transferId, approved_by: approvedBy });
    }
    return { ok: true as const, status: "executed" as const, transferId, replayed: result.replayed };
  }

  /**
   * Funds a campaign's budget from fund:city. Below the threshold the transfer is made now (id from the caller's
   * key, so a retry is a replay); at or above it an approval request is stored and nothing moves yet.
   */
  async function fundCampaign(campaignId: string, amountYen: bigint, key: string, actor: Actor) {
    if (amountYen <= 0n) return failure(422, "invalid_amount", "the amount must be a positive whole number of yen");
    const campaign = await loadCampaign(campaignId);
    if ("ok" in campaign) return campaign;
    const transferId = `fund:${campaignId}:${shortHash(key, 16)}`;
    if (needsSecondApproval(amountYen, thresholdYen)) {
      const request = await requestApproval("fund", campaign.id, amountYen, { transfer_id: transferId }, actor, `fund:${key}`);
      return { ok: true as const, status: "pending_approval" as const, request };
    }
    return executeFunding(campaign, amountYen, transferId, actor, null);
  }

  async function requestApproval(kind: "fund" | "grant", campaignId: string, amountYen: bigint, payload: Record<string, unknown>, actor: Actor, key: string): Promise<ApprovalRecord> {
    const id = `apr-${shortHash(`${actor.userId}\u0000${kind}\u0000${campaignId}\u0000${key}`, 20)}`;
    const existing = await store.getApproval(id);
    if (existing) return existing;
    const request: ApprovalRecord = {
      id,
      kind,
      campaignId,
      amountYen,
      payload,
      requestedBy: actor.userId,
      requestedAt: now(),
      status: "pending",
      approvedBy: null,
      approvedAt: null,
      result: null,
    };
    await store.insertApproval(request);
    await audit(actor, "issuance.requested", campaignId, { request_id: id, kind, amount_yen: amountYen.toString() });
    return request;
  }

  /**
   * A second administrator approves a pending request, which is then executed. Refusals, in order:
   * approval_not_found → approver_role_required → self_approval → request_not_pending.
   */
  async function approveRequest(requestId: string, actor: Actor, onProgress?: (p: GrantProgress) => void) {
    const request = await store.getApproval(requestId);
    if (!request) return failure(404, "approval_not_found", `no approval request ${requestId}`);
    const decided = approve(
      { id: request.id, kind: request.kind, amountYen: request.amountYen, requestedBy: request.requestedBy, status: request.status === "pending" ? "pending" : "approved", approvedBy: request.approvedBy, approvedAt: request.approvedAt },
      { userId: actor.userId, roles: actor.roles },
      now(),
    );
    if (!decided.ok) return failure(decided.code === "request_not_pending" ? 409 : 403, decided.code, decided.detail);
    if (!(await store.markApproved(request.id, actor.userId, now()))) return failure(409, "request_not_pending", `request ${request.id} is no longer pending`);
    await audit(actor, "issuance.approved", request.campaignId, { request_id: request.id, kind: request.kind, amount_yen: request.amountYen.toString(), requested_by: request.requestedBy });
    const requester: Actor = { userId: request.requestedBy, roles: [], requestId: actor.requestId ?? null };
    const campaign = await loadCampaign(request.campaignId);
    if ("ok" in campaign) return campaign;
    if (request.kind === "fund") {
      const r = await executeFunding(campaign, request.amountYen, String(request.payload.transfer_id), requester, actor.userId);
      await store.finishApproval(request.id, r.ok ? "executed" : "failed", r.ok ? { transfer_id: r.transferId } : { code: r.code, detail: r.detail });
      return r.ok ? { ok: true as const, request: { ...request, status: "executed" as const }, result: { transfer_id: r.transferId } } : r;
    }
    const payload = request.payload as { resident_ids: string[]; amount_yen: string; amounts?: Record<string, string>; run_id: string };
    const amounts = payload.amounts ? new Map(Object.entries(payload.amounts).map(([k, v]) => [k, BigInt(v)])) : undefined;
    const r = await runGrant(campaign.id, payload.resident_ids, BigInt(payload.amount_yen), amounts, requester, { runId: payload.run_id, approvedBy: actor.userId, ...(onProgress ? { onProgress } : {}) });
    await store.finishApproval(request.id, r.ok ? "executed" : "failed", r.ok ? { run_id: r.runId, granted_yen: r.grantedYen.toString(), granted_count: r.grantedCount } : { code: r.code, detail: r.detail });
    return r.ok ? { ok: true as const, request: { ...request, status: "executed" as const }, result: { run_id: r.runId, granted_yen: r.grantedYen.toString(), granted_count: r.grantedCount } } : r;
  }

  // --- grants ---

  async function planFor(
    campaign: CampaignRecord,
    residentIds: readonly string[],
    amountYen: bigint,
    amounts: ReadonlyMap<string, bigint> | undefined,
    budgetCeilingYen: bigint | null = null,
  ): Promise<GrantPlan | CityFailure> {
    const [already, budget] = await Promise.all([store.grantedTo(campaign.id, residentIds), ledger.getAccount(campaign.budgetAccountId)]);
    const ledgerYen = budget ? budget.creditsPosted - budget.debitsPosted - budget.debitsPending : 0n;
    const plan = planGrant({
      campaign: { id: campaign.id, capYenPerPerson: campaign.capPerPersonYen, startsAt: campaign.startsAt, endsAt: campaign.endsAt, expiry: expiryOf(campaign) },
      residentIds,
      amountYen,
      ...(amounts ? { amountYenByResident: amounts } : {}),
      alreadyGrantedByResident: already,
      budgetAvailableYen: budgetCeilingYen !== null && budgetCeilingYen < ledgerYen ? (budgetCeilingYen > 0n ? budgetCeilingYen : 0n) : ledgerYen,
      now: now(),
    });
    if (!plan.ok) return failure(422, plan.code, plan.detail);
    return plan;
  }

  /**
   * Asks for a bulk grant. When the planned total (for residents not yet granted) reaches the threshold an approval
   * request is stored; otherwise the grant runs now.
   */
  async function requestGrant(
    campaignId: string,
    residentIds: readonly string[],
    amountYen: bigint,
    amounts: ReadonlyMap<string, bigint> | undefined,
    key: string,
    actor: Actor,
    onProgress?: (p: GrantProgress) => void,
  ) {
    const campaign = await loadCampaign(campaignId);
    if ("ok" in campaign) return campaign;
    const existing = await store.existingLots(residentIds.map((rid) => grantLotId(campaignId, rid)));
    const fresh = residentIds.filter((rid) => !existing.has(grantLotId(campaignId, rid)));
    const plan = await planFor(campaign, fresh, amountYen, amounts);
    if ("code" in plan) return plan;
    if (plan.budgetExhaustedAt !== null) {
      return failure(409, "exceeds_budget", `the budget (¥${plan.totalYen + plan.budgetAfterYen} left) runs out at resident ${plan.budgetExhaustedAt + 1} of ${fresh.length}; nothing was granted`);
    }
    const runId = `run-${shortHash(`${campaignId}\u0000${key}`, 20)}`;
    if (needsSecondApproval(plan.totalYen, thresholdYen)) {
      const payload: Record<string, unknown> = {
        resident_ids: residentIds,
        amount_yen: amountYen.toString(),
        run_id: runId,
        ...(amounts ? { amounts: Object.fromEntries([...amounts].map(([k, v]) => [k, v.toString()])) } : {}),
      };
      const request = await requestApproval("grant", campaignId, plan.totalYen, payload, actor, `grant:${key}`);
      return { ok: true as const, status: "pending_approval" as const, request, plannedYen: plan.totalYen, plannedCount: plan.grants.length };
    }
    const r = await runGrant(campaignId, residentIds, amountYen, amounts, actor, { runId, approvedBy: null, ...(onProgress ? { onProgress } : {}) });
    return r.ok ? { ...r, status: "executed" as const } : r;
  }

  /**
   * Grants now, page by page. Residents with a lot of this campaign already are replayed (same transfer id and
   * body); the others are planned (cap, budget), reserved and transferred. A grant past the budget fails before
   * anything moves (exceeds_budget); a concurrent spender taking the budget mid-run makes the refused lots undo.
   */
  async function runGrant(
    campaignId: string,
    residentIds: readonly string[],
    amountYen: bigint,
    amounts: ReadonlyMap<string, bigint> | undefined,
    actor: Actor,
    run: { runId: string; approvedBy: string | null; onProgress?: (p: GrantProgress) => void },
  ): Promise<({ ok: true } & GrantOutcome) | CityFailure> {
    const campaign = await loadCampaign(campaignId);
    if ("ok" in campaign) return campaign;
    const startedAt = now();
    await store.insertRun({ id: run.runId, campaignId, totalCount: residentIds.length, startedBy: actor.userId, startedAt });
    const outcome: GrantOutcome = { runId: run.runId, campaignId, totalCount: residentIds.length, grantedCount: 0, grantedYen: 0n, replayedCount: 0, skipped: {}, budgetExhaustedAt: null };
    const skip = (reason: string, n = 1) => void (outcome.skipped[reason] = (outcome.skipped[reason] ?? 0) + n);
    const seen = new Set<string>();
    const expiresAt = lotExpiresAt(expiryOf(campaign), startedAt);
    // Pages are pipelined: while one page's transfers wait for their group commits, the next page is planned and
    // reserved. The budget the next page plans against is what the ledger shows minus what is still in flight.
    const budgetAccount = await ledger.getAccount(campaign.budgetAccountId);
    let budgetLeftYen = budgetAccount ? budgetAccount.creditsPosted - budgetAccount.debitsPosted - budgetAccount.debitsPending : 0n;
    let inFlight: Promise<void> | null = null;
    const report = (doneCount: number) => {
      const p = { runId: run.runId, doneCount, totalCount: residentIds.length, grantedCount: outcome.grantedCount + outcome.replayedCount, grantedYen: outcome.grantedYen };
      run.onProgress?.(p);
      return store.progressRun(run.runId, p);
    };
    try {
      for (let start = 0; start < residentIds.length; start += grantPageSizeMax) {
        const page = residentIds.slice(start, start + grantPageSizeMax).filter((rid) => {
          if (seen.has(rid)) return skip("duplicate"), false;
          seen.add(rid);
          return true;
        });
        const prepared = await preparePage(campaign, page, amountYen, amounts, startedAt, expiresAt, outcome, skip, start, budgetLeftYen);
        if ("code" in prepared) {
          await inFlight;
          await store.finishRun(run.runId, "failed", outcome.skipped, prepared.detail, now());
          return prepared;
        }
        budgetLeftYen -= prepared.plannedYen;
        await inFlight;
        if (start === 0 && residentIds.length >= statisticsRefreshResidentsMin) await store.refreshGrantStatistics();
        const doneCount = Math.min(start + grantPageSizeMax, residentIds.length);
        inFlight = commitPage(campaign, prepared.chunks, outcome, skip).then(() => report(doneCount));
      }
      await inFlight;
      if (residentIds.length === 0) await report(0);
    } catch (error) {
      await inFlight?.catch(() => undefined);
      await store.finishRun(run.runId, "failed", outcome.skipped, error instanceof Error ? error.message : String(error), now());
      throw error;
    }
    await store.finishRun(run.runId, "done", outcome.skipped, null, now());
    await audit(actor, "campaign.granted", campaignId, {
      run_id: run.runId,
      granted_count: outcome.grantedCount,
      replayed_count: outcome.replayedCount,
      granted_yen: outcome.grantedYen.toString(),
      approved_by: run.approvedBy,
    });
    return { ok: true, ...outcome };
  }

  /** Finds the page's lots, plans the new ones (cap, budget) and reserves them; returns the transfers to post. */
  async function preparePage(
    campaign: CampaignRecord,
    page: readonly string[],
    amountYen: bigint,
    amounts: ReadonlyMap<string, bigint> | undefined,
    grantedAt: Date,
    expiresAt: Date,
    outcome: GrantOutcome,
    skip: (reason: string, n?: number) => void,
    offset: number,
    budgetLeftYen: bigint,
  ): Promise<{ chunks: GrantLotInsert[][]; plannedYen: bigint } | CityFailure> {
    const existing = await store.existingLots(page.map((rid) => grantLotId(campaign.id, rid)));
    const unposted: GrantLotInsert[] = [];
    const fresh: string[] = [];
    for (const rid of page) {
      const lot = existing.get(grantLotId(campaign.id, rid));
      if (!lot) fresh.push(rid);
      else if (lot.credited) outcome.replayedCount += 1;
      else unposted.push({ lotId: lot.lotId, residentId: rid, accountId: lot.accountId, amountYen: lot.grantedYen });
    }
    const unpostedYen = unposted.reduce((sum, l) => sum + l.amountYen, 0n);
    const plan = await planFor(campaign, fresh, amountYen, amounts, budgetLeftYen - unpostedYen);
    if ("code" in plan) return plan;
    for (const s of plan.skipped) skip(s.reason);
    if (plan.budgetExhaustedAt !== null) outcome.budgetExhaustedAt ??= offset + plan.budgetExhaustedAt;
    const lots: GrantLotInsert[] = plan.grants.map((g) => {
      const lotId = grantLotId(campaign.id, g.residentId);
      return { lotId, residentId: g.residentId, accountId: `res:${g.residentId}:pts:${lotId}`, amountYen: g.amountYen };
    });
    const reserved = await store.reserveLots({ id: campaign.id, capPerPersonYen: campaign.capPerPersonYen, restriction: campaign.restriction }, lots, grantedAt, expiresAt);
    const accepted = lots.filter((l) => reserved.has(l.lotId));
    skip("cap_reached", lots.length - accepted.length);
    const all = [...unposted, ...accepted];
    return { chunks: chunk(all, legsMax), plannedYen: all.reduce((sum, l) => sum + l.amountYen, 0n) };
  }

  /** Posts a page's transfers; the lots of a refused transfer are undone (row deleted, cap given back). */
  async function commitPage(campaign: CampaignRecord, chunks: readonly GrantLotInsert[][], outcome: GrantOutcome, skip: (reason: string, n?: number) => void): Promise<void> {
    const results = await Promise.all(chunks.map((lotsOfChunk) => ledger.submit(grantTransfer(campaign, lotsOfChunk))));
    const refused: GrantLotInsert[] = [];
    results.forEach((r: TransferResult, i) => {
      const lotsOfChunk = chunks[i]!;
      if (!r.ok) {
        refused.push(...lotsOfChunk);
        skip(r.code === "exceeds_balance" ? "budget_exhausted" : r.code, lotsOfChunk.length);
      } else if (r.replayed) {
        outcome.replayedCount += lotsOfChunk.length;
      } else {
        outcome.grantedCount += lotsOfChunk.length;
        outcome.grantedYen += lotsOfChunk.reduce((sum, l) => sum + l.amountYen, 0n);
      }
    });
    await store.releaseLots(campaign.id, refused);
  }

  /**
   * Up to legsMax lots in one transfer (one leg each, all or none). Its id is derived from the lots it carries, so
   * the same lots again are a replay; a lot is posted by exactly one transfer because its row is written once.
   */
  function grantTransfer(campaign: CampaignRecord, lots: readonly GrantLotInsert[]): TransferRequest {
    assert(lots.length >= 1 && lots.length <= legsMax, "a grant transfer carries 1 to legsMax lots");
    return {
      op: "transfer",
      id: `grant:${shortHash(lots.map((l) => `${l.lotId}=${l.amountYen}`).join(","), 24)}`,
      legs: lots.map((l) => ({ from: campaign.budgetAccountId, to: l.accountId, amount: l.amountYen })),
      code: "grant",
      metadata: { campaign_id: campaign.id, lot_ids: lots.map((l) => l.lotId) },
    };
  }

  // --- expiry and burn-down ---

  /** Moves every lapsed lot's balance to its campaign's expired account (one transfer per lot, id from the lot). */
  async function sweepExpired(campaignId: string | null = null): Promise<{ lots: number; totalYen: bigint }> {
    const at = now();
    let lots = 0;
    let totalYen = 0n;
    for (let pass = 0; pass < 1000; pass += 1) {
      const lapsed = await store.lapsedLots(at, sweepPageSizeMax, campaignId);
      if (lapsed.length === 0) break;
      const results = await Promise.all(
        lapsed.map((lot) =>
          ledger.submit({
            op: "transfer",
            id: `lapse:${lot.lotId}`.length <= 64 ? `lapse:${lot.lotId}` : `lapse:${shortHash(lot.lotId, 24)}`,
            legs: [{ from: lot.accountId, to: lot.expiredAccountId, amount: lot.balanceYen }],
            code: "expiry",
            metadata: { campaign_id: lot.campaignId, lot_id: lot.lotId, resident_id: lot.residentId },
          }),
        ),
      );
      let moved = 0;
      results.forEach((r, i) => {
        if (r.ok && !r.replayed) {
          moved += 1;
          totalYen += lapsed[i]!.balanceYen;
        }
      });
      lots += moved;
      if (moved === 0) break;
    }
    return { lots, totalYen };
  }

  async function campaignBurnDown(campaignId: string): Promise<({ ok: true; figures: BurnDown; fundedYen: bigint; budgetAvailableYen: bigint; lotCount: number }) | CityFailure> {
    const campaign = await loadCampaign(campaignId);
    if ("ok" in campaign) return campaign;
    const f = await store.campaignFigures(campaign);
    const used = f.issuedYen - f.expiredYen - f.remainingYen;
    const figures = burnDown({ issuedYen: f.issuedYen, usedYen: used < 0n ? 0n : used, expiredYen: f.expiredYen, remainingYen: f.remainingYen });
    if (!figures.ok) return failure(409, figures.code, figures.detail);
    return { ok: true, figures, fundedYen: f.fundedYen, budgetAvailableYen: f.budgetAvailableYen, lotCount: f.lotCount };
  }

  // --- 資金決済法: reference-date figure and cash refunds ---

  /** 基準日未使用残高 of a reference date: Σ resident coin balances at 00:00 JST of the next day, and the deposit due. */
  async function referenceDateFigure(referenceDate: string) {
    const period = referencePeriodEndingOn(referenceDate);
    const sum = await store.unusedCoinBalanceAsOf(period.endsAt);
    return { ...referenceDateFigures({ referenceDate, unusedBalanceYen: sum.totalYen }), coinAccounts: sum.accounts };
  }

  /**
   * Pays a resident's coins back in cash (coins → refund:payable), if the law allows it now: checked against the
   * current period's refunds, last period's issuance and the last reference-date balance, under one lock. The
   * transfer id comes from the caller's key, so a retry is a replay.
   */
  async function cashRefund(input: { residentId: string; amountYen: bigint; reason: CashRefundReason; evidence: string | null }, key: string, actor: Actor) {
    const at = now();
    const period = referencePeriodContaining(at);
    const previous = referencePeriodEndingOn(period.previousReferenceDate);
    const [issuedYen, balance] = await Promise.all([store.coinIssuance(previous.startsAt, previous.endsAt), store.unusedCoinBalanceAsOf(period.startsAt)]);
    const id = `cashrefund:${shortHash(`${actor.userId}\u0000${key}`, 24)}`;
    let limits: CashRefundCheck | null = null;
    const registered = await store.registerCashRefund(
      { id, residentId: input.residentId, amountYen: input.amountYen, reason: input.reason, periodReferenceDate: period.referenceDate, evidence: input.evidence, createdBy: actor.userId, createdAt: at },
      (refundedInPeriodYen) => {
        limits = checkCashRefund({
          reason: input.reason,
          amountYen: input.amountYen,
          refundedInPeriodYen,
          previousPeriodIssuanceYen: issuedYen,
          previousReferenceBalanceYen: balance.totalYen,
        });
        return limits.ok ? { ok: true, rule: limits.rule } : { ok: false, failure: limits };
      },
    );
    if (!registered.ok) {
      const f = registered.failure;
      return failure(422, f.code, f.detail);
    }
    await ensureAccount(refundPayableAccountId, "refund", "city", false);
    const result = await ledger.submit({
      op: "transfer",
      id,
      legs: [{ from: `res:${input.residentId}:coins`, to: refundPayableAccountId, amount: input.amountYen }],
      code: "cash_refund",
      metadata: { resident_id: input.residentId, reason: input.reason, rule: registered.refund.rule },
    });
    if (!result.ok) {
      if (!registered.replayed) await store.deleteCashRefund(id);
      return failure(422, result.code === "exceeds_balance" ? "insufficient_funds" : result.code, result.detail ?? "the refund transfer was refused");
    }
    if (!result.replayed) {
      await audit(actor, "refund.issued", input.residentId, { refund_id: id, amount_yen: input.amountYen.toString(), reason: input.reason, rule: registered.refund.rule });
    }
    return { ok: true as const, refund: registered.refund, limits: limits as CashRefundCheck | null, replayed: result.replayed };
  }

  // --- grants by rule ---

  /** The amount a rule grant or a check-in gives: the caller's, else the campaign's grant_yen, else its cap. */
  const perPersonYen = (campaign: CampaignRecord, amountYen: bigint | null) => amountYen ?? campaign.grantYen ?? campaign.capPerPersonYen;

  /** Every resident the campaign's rule admits today (JST), in id order, paging through the town. */
  async function selectResidents(campaign: CampaignRecord): Promise<RuleSelection> {
    const rows: { id: string; birthDate: string; district: string; verified: boolean }[] = [];
    let after = "";
    for (let page = 0; page < ruleResidentPagesMax; page += 1) {
      const batch = await store.residentFacts(after, ruleResidentPageSize);
      rows.push(...batch);
      if (batch.length < ruleResidentPageSize) break;
      // Never a silent partial grant: a town larger than the limit is a configuration to revisit, not to truncate.
      assert(page < ruleResidentPagesMax - 1, `a rule grant reads at most ${ruleResidentPageSize * ruleResidentPagesMax} residents`);
      after = batch[batch.length - 1]!.id;
    }
    return selectByRule(rows, campaign.eligibility ?? null, now());
  }

  async function ruleGrantCampaign(campaignId: string): Promise<CampaignRecord | CityFailure> {
    const campaign = await loadCampaign(campaignId);
    if ("ok" in campaign) return campaign;
    if (campaign.kind !== "grant") return failure(422, "invalid_campaign", `campaign ${campaignId} is a ${campaign.kind} campaign; only grant campaigns are granted by rule`);
    return campaign;
  }

  /**
   * What a grant by rule would do now, writing nothing: who the rule admits (and why the others are left out), who
   * already has their points, and the plan for the rest (cap, budget) — the figures the console shows before the
   * operator asks for the grant.
   */
  async function previewRuleGrant(campaignId: string, amountYen: bigint | null) {
    const campaign = await ruleGrantCampaign(campaignId);
    if ("ok" in campaign) return campaign;
    const amount = perPersonYen(campaign, amountYen);
    const selection = await selectResidents(campaign);
    const existing = await store.existingLots(selection.residentIds.map((rid) => grantLotId(campaign.id, rid)));
    const fresh = selection.residentIds.filter((rid) => !existing.has(grantLotId(campaign.id, rid)));
    const plan = await planFor(campaign, fresh, amount, undefined);
    if ("code" in plan) return plan;
    const skipped: Record<string, number> = { ...selection.skipped };
    if (existing.size > 0) skipped.already_granted = existing.size;
    for (const s of plan.skipped) skipped[s.reason] = (skipped[s.reason] ?? 0) + 1;
    return {
      ok: true as const,
      campaignId: campaign.id,
      grantDate: selection.grantDate,
      amountYen: amount,
      consideredCount: selection.considered,
      matchedCount: selection.residentIds.length,
      grantCount: plan.grants.length,
      totalYen: plan.totalYen,
      budgetAvailableYen: plan.totalYen + plan.budgetAfterYen,
      budgetExhaustedAt: plan.budgetExhaustedAt,
      needsApproval: needsSecondApproval(plan.totalYen, thresholdYen),
      thresholdYen,
      skipped,
    };
  }

  /**
   * Grants by rule: the residents the rule admits now are fixed into a list, which then takes the CSV grant's path
   * (requestGrant): the same plan, the same approval above the threshold (the approver approves exactly this list,
   * even if a birthday passes before they do), the same idempotent run. Residents already granted are replayed.
   */
  async function requestRuleGrant(campaignId: string, amountYen: bigint | null, key: string, actor: Actor, onProgress?: (p: GrantProgress) => void) {
    const campaign = await ruleGrantCampaign(campaignId);
    if ("ok" in campaign) return campaign;
    const selection = await selectResidents(campaign);
    const r = await requestGrant(campaign.id, selection.residentIds, perPersonYen(campaign, amountYen), undefined, `rule:${key}`, actor, onProgress);
    if (!r.ok) return r;
    return { ...r, ruleSkipped: selection.skipped, matchedCount: selection.residentIds.length, grantDate: selection.grantDate };
  }

  // --- event check-in ---

  let checkInKeys: Promise<readonly Uint8Array[]> | null = null;
  /** The check-in MAC key: its own server secret, never the shop QR key (a MAC of one kind must not pass as the other). */
  const keysForCheckIn = () => {
    if (checkInKeys === null) {
      checkInKeys = payments.loadOrCreateSecret(checkInKeySecretName, () => randomBytes(32).toString("hex")).then((hex) => [hexBytes(hex)]);
      checkInKeys.catch(() => (checkInKeys = null));
    }
    return checkInKeys;
  };

  async function eventCampaign(campaignId: string): Promise<CampaignRecord | CityFailure> {
    const campaign = await loadCampaign(campaignId);
    if ("ok" in campaign) return campaign;
    if (campaign.kind !== "event") return failure(422, "not_an_event", `campaign ${campaignId} is a ${campaign.kind} campaign, not an event`);
    return campaign;
  }

  /** The code the console shows now for an event; it rotates every slot (see packages/qr checkin-code.ts). */
  async function checkInCode(campaignId: string) {
    const campaign = await eventCampaign(campaignId);
    if ("ok" in campaign) return campaign;
    const at = now();
    const slot = checkInSlotOf(at);
    const [key] = await keysForCheckIn();
    return {
      ok: true as const,
      campaign,
      payload: encodeCheckInCode(key!, campaign.id, slot),
      rotatesAt: new Date((slot + 1) * checkInSlotMs),
      expiresAt: checkInSlotExpiresAt(slot),
    };
  }

  /**
   * A resident checks in at an event with the code they scanned and receives the event's points as a lot of their
   * own, once: the lot id comes from (event, resident), so a second scan finds the lot and returns it (already).
   * Refusals, in order, all writing nothing: checkin_code_invalid → checkin_code_forged → checkin_code_expired →
   * campaign_not_found → not_an_event → campaign_not_active → resident_not_found → not_eligible → cap_reached →
   * exceeds_budget.
   */
  async function checkIn(residentId: string, code: string) {
    const at = now();
    const verified = verifyCheckInCode(await keysForCheckIn(), code, at);
    if (!verified.ok) return failure(verified.code === "checkin_code_expired" ? 410 : 422, verified.code, verified.detail);
    const campaign = await eventCampaign(verified.campaignId);
    if ("ok" in campaign) return campaign;
    if (!(campaign.startsAt <= at && at < campaign.endsAt)) {
      return failure(409, "campaign_not_active", `the event checks in from ${campaign.startsAt.toISOString()} until ${campaign.endsAt.toISOString()}`);
    }
    const resident = await store.residentFactsOf(residentId);
    if (!resident) return failure(404, "resident_not_found", `no resident ${residentId}`);
    const lotId = grantLotId(campaign.id, residentId);
    const accountId = `res:${residentId}:pts:${lotId}`;
    const done = (amountYen: bigint, already: boolean) => ({ ok: true as const, campaign, lotId, accountId, amountYen, already });
    const existing = (await store.existingLots([lotId])).get(lotId);
    if (existing?.credited) return done(existing.grantedYen, true);
    if (existing) {
      // Reserved by a check-in that stopped before its transfer: finish it (same transfer id and body).
      const lot = { lotId, residentId, accountId: existing.accountId, amountYen: existing.grantedYen };
      const r = await ledger.submit(grantTransfer(campaign, [lot]));
      if (!r.ok) return failure(409, "exceeds_budget", r.detail ?? "the campaign budget cannot cover this check-in");
      return done(existing.grantedYen, r.replayed);
    }
    const decision = eligible(resident, campaign.eligibility ?? null, at);
    if (!decision.ok) return { ...failure(422, "not_eligible", decision.detail), reason: decision.code };
    const plan = await planFor(campaign, [residentId], perPersonYen(campaign, null), undefined);
    if ("code" in plan) return plan;
    const [skipped] = plan.skipped;
    if (skipped?.reason === "cap_reached") return failure(409, "cap_reached", `resident ${residentId} has received the campaign's cap of ¥${campaign.capPerPersonYen}`);
    if (skipped) return failure(409, "exceeds_budget", `the event's budget (¥${plan.budgetAfterYen} left) cannot cover a check-in; nothing was granted`);
    const [grant] = plan.grants;
    assert(grant !== undefined, "a check-in plan grants the one resident or skips them");
    const lot = { lotId, residentId, accountId, amountYen: grant.amountYen };
    const expiresAt = lotExpiresAt(expiryOf(campaign), at);
    let reserved: Set<string>;
    try {
      reserved = await store.reserveLots({ id: campaign.id, capPerPersonYen: campaign.capPerPersonYen, restriction: campaign.restriction }, [lot], at, expiresAt);
    } catch (error) {
      // Two scans of one resident at once, with room under the cap for both: the second lot row collides with the
      // first (same id) and its transaction rolls back, cap reservation included. The first one is the answer.
      if ((await store.existingLots([lotId])).has(lotId)) reserved = new Set();
      else throw error;
    }
    if (!reserved.has(lotId)) {
      // A concurrent scan of the same resident got there first: its lot is (or is about to be) the answer.
      const raced = (await store.existingLots([lotId])).get(lotId);
      if (raced) return done(raced.grantedYen, true);
      return failure(409, "cap_reached", `resident ${residentId} has received the campaign's cap of ¥${campaign.capPerPersonYen}`);
    }
    const r = await ledger.submit(grantTransfer(campaign, [lot]));
    if (!r.ok) {
      await store.releaseLots(campaign.id, [lot]);
      return failure(409, "exceeds_budget", `the event's budget cannot cover a check-in (${r.code}); nothing was granted`);
    }
    return done(grant.amountYen, r.replayed);
  }

  const payouts: PayoutService = createPayoutService({ ledger, identity, store, now });

  return {
    store,
    payments,
    payouts,
    referenceDateFigure,
    cashRefund,
    thresholdYen,
    createCampaign,
    fundCampaign,
    requestGrant,
    runGrant,
    approveRequest,
    previewRuleGrant,
    requestRuleGrant,
    checkInCode,
    checkIn,
    sweepExpired,
    campaignBurnDown,
    lapsingSoon: (days: number, limit: number, offset: number) => {
      const at = now();
      return store.lapsingSoon(at, new Date(at.getTime() + days * 86_400_000), limit, offset);
    },
  };
}

export type CityService = ReturnType<typeof createCityService>;
