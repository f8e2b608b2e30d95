// The city console's campaign administration: create and fund campaigns, bulk grants from a CSV or a list, approval
// by a second admin_approver, grant-run progress, the expiry sweep, points about to lapse, burn-down and the
// 資金決済法 reference-date figure. Shops, residents and users are administered by admin-shops/residents/users.
import { parseGrantCsv, isReferenceDate } from "@tsubaki/city";
import type { ApprovalRecord, CampaignRecord, GrantRunRecord, PayoutRecord, PayoutRunRecord } from "@tsubaki/db";
import { z } from "zod";
import { isProblemCode, ProblemError } from "../http/problem";
import type { AppDeps } from "../app";
import type { Actor, CityService } from "../services/city";
import { defineRoute, type Reply } from "./registry";

const tags = ["admin-city"];
const admins = ["admin_operator", "admin_approver", "service"] as const;
const readers = ["admin_operator", "admin_approver", "admin_auditor", "service"] as const;
/** Residents in one JSON grant request (a CSV of the whole city fits). */
const grantResidentsMax = 100_000;
const yen = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export function cityOf(deps: AppDeps): CityService {
  if (!deps.city) throw new ProblemError("not_found", "the city console is not enabled on this server");
  return deps.city;
}

export function actorOf(principal: { subject: string; roles: readonly string[] } | null, requestId: string): Actor {
  return principal ? { userId: principal.subject, roles: principal.roles, requestId } : { userId: "anonymous", roles: [], requestId };
}

export function keyOf(request: Request): string {
  const key = request.headers.get("Idempotency-Key");
  if (!key || key.length > 128) throw new ProblemError("idempotency_key_required", "send an Idempotency-Key header (1–128 characters)");
  return key;
}

/** A service failure as a problem; a code without an entry in the problem table is a bug, reported as 500. */
export function fail(r: { code: string; detail: string }): never {
  if (!isProblemCode(r.code)) throw new Error(`BUG: city failure code ${r.code} has no problem entry (${r.detail})`);
  throw new ProblemError(r.code, r.detail);
}

const num = (v: bigint) => Number(v);

export function campaignToJson(c: CampaignRecord) {
  return {
    id: c.id,
    name_ja: c.nameJa,
    name_en: c.nameEn,
    kind: c.kind,
    restriction: c.restriction,
    expiry_date: c.expiryDate,
    expiry_days: c.expiryDays,
    cap_per_person_yen: num(c.capPerPersonYen),
    rate_bps: c.rateBps,
    grant_yen: c.grantYen === null || c.grantYen === undefined ? null : num(c.grantYen),
    eligibility: c.eligibility
      ? { age_min: c.eligibility.ageMin ?? null, age_max: c.eligibility.ageMax ?? null, districts: c.eligibility.districts ?? null, verified_required: c.eligibility.verifiedRequired ?? true }
      : null,
    budget_account_id: c.budgetAccountId,
    expired_account_id: c.expiredAccountId,
    starts_at: c.startsAt.toISOString(),
    ends_at: c.endsAt.toISOString(),
    status: c.status,
  };
}

function approvalToJson(a: ApprovalRecord) {
  return {
    id: a.id,
    kind: a.kind,
    campaign_id: a.campaignId,
    amount_yen: num(a.amountYen),
    requested_by: a.requestedBy,
    requested_at: a.requestedAt.toISOString(),
    status: a.status,
    approved_by: a.approvedBy,
    approved_at: a.approvedAt?.toISOString() ?? null,
    result: a.result,
  };
}

function runToJson(r: GrantRunRecord) {
  return {
    id: r.id,
    campaign_id: r.campaignId,
    status: r.status,
    total_count: r.totalCount,
    done_count: r.doneCount,
    granted_count: r.grantedCount,
    granted_yen: num(r.grantedYen),
    skipped: r.skipped,
    started_by: r.startedBy,
    started_at: r.startedAt.toISOString(),
    finished_at: r.finishedAt?.toISOString() ?? null,
    error: r.error,
  };
}

async function burnDownJson(city: CityService, id: string) {
  const b = await city.campaignBurnDown(id);
  if (!b.ok) fail(b);
  return {
    campaign_id: id,
    issued_yen: num(b.figures.issuedYen),
    used_yen: num(b.figures.usedYen),
    expired_yen: num(b.figures.expiredYen),
    remaining_yen: num(b.figures.remainingYen),
    funded_yen: num(b.fundedYen),
    budget_available_yen: num(b.budgetAvailableYen),
    lots: b.lotCount,
  };
}

const campaignBody = z.strictObject({
  id: z.string().regex(/^[a-z0-9_-]{1,32}$/),
  name_ja: z.string().min(1).max(100),
  name_en: z.string().min(1).max(100),
  kind: z.enum(["grant", "premium", "event"]),
  grant_yen: yen.optional(),
  rate_bps: z.number().int().min(1).max(10_000).optional(),
  cap_per_person_yen: yen,
  restriction: z
    .strictObject({ categories: z.array(z.string().min(1).max(40)).max(50).optional(), tiers: z.array(z.enum(["small", "large"])).max(2).optional() })
    .nullable()
    .default(null),
  expiry_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).nullable().optional(),
  expiry_days: z.number().int().min(1).max(181).nullable().optional(),
  starts_at: z.iso.datetime({ offset: true }),
  ends_at: z.iso.datetime({ offset: true }),
  /** Who may receive points by rule or check-in; absent fields do not restrict (verified_required defaults to true). */
  eligibility: z
    .strictObject({
      age_min: z.number().int().min(0).max(150).optional(),
      age_max: z.number().int().min(0).max(150).optional(),
      districts: z.array(z.string().min(1).max(40)).max(100).optional(),
      verified_required: z.boolean().optional(),
    })
    .nullable()
    .default(null),
});

const idParams = z.object({ id: z.string().min(1).max(64) });
const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().regex(/^\d{1,9}$/).optional(),
  q: z.string().max(100).optional(),
});

const json = (status: number, body: unknown): Reply => ({ status, json: body });
/** CSV for Excel: a BOM, CRLF line ends. */
const csvReply = (lines: readonly string[]): Reply => ({ status: 200, text: `\uFEFF${lines.join("\r\n")}\r\n`, contentType: "text/csv; charset=utf-8" });

function payoutRunToJson(r: PayoutRunRecord) {
  return {
    id: r.id,
    trigger: r.trigger,
    transfer_date: r.transferDate,
    count: r.count,
    total_yen: num(r.totalYen),
    status: r.status,
    created_by: r.createdBy,
    created_at: r.createdAt.toISOString(),
    confirmed_at: r.confirmedAt?.toISOString() ?? null,
  };
}

function payoutToJson(p: PayoutRecord) {
  return {
    id: p.id,
    shop_id: p.shopId,
    record_no: p.recordNo,
    gross_yen: num(p.grossYen),
    fee_yen: num(p.feeYen),
    net_yen: num(p.netYen),
    status: p.status,
    transfer_id: p.transferId,
    settled_at: p.settledAt?.toISOString() ?? null,
  };
}

export const adminCityRoutes = [
  defineRoute({
    method: "post",
    path: "/v1/admin/campaigns",
    roles: admins,
    bodyFieldCodes: {},
    tags,
    summary: "キャンペーン作成 Create a campaign",
    description:
      "Opens its budget (`cmp:{id}:budget`, the cap is its balance) and expired accounts. Expiry defaults to 181 days (six months) from the grant. " +
      "`eligibility` (ages on the grant day in JST, inclusive; districts; verified, default true) is applied by grants by rule and event check-ins; " +
      "`grant_yen` is what each of those gives (default: the cap).",
    request: { body: campaignBody },
    responses: { 201: { description: "Created (or the same id existed)" } },
    errors: ["invalid_campaign"],
    async handler({ body, principal, deps, requestId }) {
      const r = await cityOf(deps).createCampaign(
        {
          id: body.id,
          nameJa: body.name_ja,
          nameEn: body.name_en,
          kind: body.kind,
          ...(body.grant_yen ? { grantYen: BigInt(body.grant_yen) } : {}),
          ...(body.rate_bps ? { rateBps: body.rate_bps } : {}),
          capPerPersonYen: BigInt(body.cap_per_person_yen),
          restriction: body.restriction,
          expiryDate: body.expiry_date ?? null,
          expiryDays: body.expiry_days ?? null,
          startsAt: new Date(body.starts_at),
          endsAt: new Date(body.ends_at),
          eligibility: body.eligibility
            ? {
                ...(body.eligibility.age_min === undefined ? {} : { ageMin: body.eligibility.age_min }),
                ...(body.eligibility.age_max === undefined ? {} : { ageMax: body.eligibility.age_max }),
                ...(body.eligibility.districts === undefined ? {} : { districts: body.eligibility.districts }),
                ...(body.eligibility.verified_required === undefined ? {} : { verifiedRequired: body.eligibility.verified_required }),
              }
            : null,
        },
        actorOf(principal, requestId),
      );
      if (!r.ok) fail(r);
      return json(r.created ? 201 : 200, campaignToJson(r.campaign));
    },
  }),
  defineRoute({
    method: "get",
    path: "/v1/admin/campaigns",
    roles: readers,
    tags,
    summary: "キャンペーン一覧 Campaigns with their burn-down",
    request: { query: listQuery },
    responses: { 200: { description: "A page of campaigns" } },
    async handler({ query, deps }) {
      const city = cityOf(deps);
      const offset = query.cursor ? Number(query.cursor) : 0;
      const ids = await city.store.listCampaignIds(query.limit + 1, offset, query.q ?? null);
      const items = [];
      for (const id of ids.slice(0, query.limit)) {
        const c = await city.payments.getCampaign(id);
        if (c) items.push({ ...campaignToJson(c), burn_down: await burnDownJson(city, id) });
      }
      return json(200, { items, next_cursor: ids.length > query.limit ? String(offset + query.limit) : null });
    },
  }),
  defineRoute({
    method: "get",
    path: "/v1/admin/campaigns/{id}",
    roles: readers,
    tags,
    summary: "キャンペーン詳細 A campaign, its burn-down and its grant runs",
    request: { params: idParams },
    responses: { 200: { description: "The campaign" } },
    errors: ["campaign_not_found"],
    async handler({ params, deps }) {
      const city = cityOf(deps);
      const c = await city.payments.getCampaign(params.id);
      if (!c) throw new ProblemError("campaign_not_found", `no campaign ${params.id}`);
      const runs = await city.store.listRuns(c.id, 20);
      return json(200, { ...campaignToJson(c), burn_down: await burnDownJson(city, c.id), grant_runs: runs.map(runToJson) });
    },
  }),
  defineRoute({
    method: "get",
    path: "/v1/admin/campaigns/{id}/burn-down",
    roles: readers,
    tags,
    summary: "消化状況 Burn-down: issued = used + expired + remaining",
    request: { params: idParams },
    responses: { 200: { description: "The figures, yen" } },
    errors: ["campaign_not_found"],
    async handler({ params, deps }) {
      return json(200, await burnDownJson(cityOf(deps), params.id));
    },
  }),
  defineRoute({
    method: "post",
    path: "/v1/admin/campaigns/{id}/fund",
    roles: admins,
    tags,
    summary: "予算投入 Fund a campaign from fund:city",
    description: "Below ¥1,000,000: moves now (201). At or above: an approval request for a second admin_approver (202). Requires Idempotency-Key.",
    request: { params: idParams, body: z.strictObject({ amount: yen }) },
    responses: { 201: { description: "Funded" }, 202: { description: "Waiting for approval" } },
    errors: ["campaign_not_found", "idempotency_key_required"],
    async handler({ params, body, principal, deps, requestId, request }) {
      const r = await cityOf(deps).fundCampaign(params.id, BigInt(body.amount), keyOf(request), actorOf(principal, requestId));
      if (!r.ok) fail(r);
      if (r.status === "pending_approval") return json(202, { status: "pending_approval", approval: approvalToJson(r.request) });
      return json(201, { status: "executed", transfer_id: r.transferId });
    },
  }),
  defineRoute({
    method: "post",
    path: "/v1/admin/campaigns/{id}/grants",
    roles: admins,
    tags,
    summary: "一括付与 Grant points to many residents",
    description:
      "Residents from `csv` (resident_id[,amount_yen]) or `resident_ids`. Idempotent per (campaign, resident): nobody is granted twice. " +
      "A total at or above ¥1,000,000 waits for a second admin_approver (202). A grant past the budget is refused whole (exceeds_budget).",
    request: {
      params: idParams,
      body: z.strictObject({ amount: yen, resident_ids: z.array(z.string().min(1).max(64)).max(grantResidentsMax).optional(), csv: z.string().max(4_000_000).optional() }),
    },
    responses: { 201: { description: "Granted" }, 202: { description: "Waiting for approval" } },
    errors: ["campaign_not_found", "invalid_csv", "exceeds_budget", "campaign_not_active", "idempotency_key_required"],
    async handler({ params, body, principal, deps, requestId, request }) {
      const key = keyOf(request);
      let residentIds: string[] = body.resident_ids ?? [];
      let amounts: Map<string, bigint> | undefined;
      if (body.csv !== undefined) {
        const parsed = parseGrantCsv(body.csv);
        if (!parsed.ok) throw new ProblemError("invalid_csv", parsed.detail, {}, { error_count: parsed.errorCount, first_error_line: parsed.errors[0]?.line ?? null });
        residentIds = parsed.rows.map((r) => r.residentId);
        if (parsed.hasAmounts) amounts = new Map(parsed.rows.map((r) => [r.residentId, r.amountYen ?? BigInt(body.amount)]));
      }
      if (residentIds.length === 0) throw new ProblemError("invalid_request", "give resident_ids or a csv with at least one resident");
      const r = await cityOf(deps).requestGrant(params.id, residentIds, BigInt(body.amount), amounts, key, actorOf(principal, requestId));
      if (!r.ok) fail(r);
      if (r.status === "pending_approval") {
        return json(202, { status: "pending_approval", approval: approvalToJson(r.request), planned_yen: num(r.plannedYen), planned_count: r.plannedCount });
      }
      return json(201, {
        status: "executed",
        run_id: r.runId,
        granted_count: r.grantedCount,
        granted_yen: num(r.grantedYen),
        replayed_count: r.replayedCount,
        skipped: r.skipped,
      });
    },
  }),
  defineRoute({
    method: "get",
    path: "/v1/admin/grant-runs/{id}",
    roles: readers,
    tags,
    summary: "付与の進捗 Progress of a bulk grant",
    request: { params: idParams },
    responses: { 200: { description: "The run" } },
    errors: ["grant_run_not_found"],
    async handler({ params, deps }) {
      const run = await cityOf(deps).store.getRun(params.id);
      if (!run) throw new ProblemError("grant_run_not_found", `no grant run ${params.id}`);
      return json(200, runToJson(run));
    },
  }),
  defineRoute({
    method: "get",
    path: "/v1/admin/approvals",
    roles: readers,
    tags,
    summary: "承認待ち Approval requests",
    request: { query: z.object({ status: z.enum(["pending", "approved", "executed", "failed"]).optional(), limit: z.coerce.number().int().min(1).max(100).default(50) }) },
    responses: { 200: { description: "Newest first" } },
    async handler({ query, deps }) {
      const items = await cityOf(deps).store.listApprovals(query.status ?? null, query.limit);
      return json(200, { items: items.map(approvalToJson), next_cursor: null });
    },
  }),
  defineRoute({
    method: "post",
    path: "/v1/admin/approvals/{id}/approve",
    roles: ["admin_approver"],
    tags,
    summary: "承認 Approve (second person) and execute",
    description: "The approver must hold admin_approver and must not be the requester. Both acts are in the audit log.",
    request: { params: idParams },
    responses: { 200: { description: "Approved and executed" } },
    errors: ["approval_not_found", "approver_role_required", "self_approval", "request_not_pending"],
    async handler({ params, principal, deps, requestId }) {
      const r = await cityOf(deps).approveRequest(params.id, actorOf(principal, requestId));
      if (!r.ok) fail(r);
      return json(200, { approval: approvalToJson(r.request), result: r.result });
    },
  }),
  defineRoute({
    method: "post",
    path: "/v1/admin/expiry-sweep",
    roles: admins,
    tags,
    summary: "失効処理 Move lapsed points to their campaigns' expired accounts",
    request: { body: z.strictObject({ campaign_id: z.string().min(1).max(64).optional() }) },
    responses: { 200: { description: "What was moved" } },
    async handler({ body, deps }) {
      const r = await cityOf(deps).sweepExpired(body.campaign_id ?? null);
      return json(200, { lots: r.lots, total_yen: num(r.totalYen) });
    },
  }),
  defineRoute({
    method: "get",
    path: "/v1/admin/points/lapsing",
    roles: readers,
    tags,
    summary: "失効予定 Residents whose points lapse soon",
    request: { query: z.object({ days: z.coerce.number().int().min(1).max(366).default(30), limit: z.coerce.number().int().min(1).max(100).default(50), cursor: z.string().regex(/^\d{1,9}$/).optional() }) },
    responses: { 200: { description: "Soonest first" } },
    async handler({ query, deps }) {
      const offset = query.cursor ? Number(query.cursor) : 0;
      const rows = await cityOf(deps).lapsingSoon(query.days, query.limit + 1, offset);
      return json(200, {
        items: rows.slice(0, query.limit).map((r) => ({ resident_id: r.residentId, yen: num(r.yen), lots: r.lots, first_expires_at: r.firstExpiresAt.toISOString() })),
        next_cursor: rows.length > query.limit ? String(offset + query.limit) : null,
      });
    },
  }),
  defineRoute({
    method: "get",
    path: "/v1/admin/reports/reference-date",
    roles: readers,
    tags,
    summary: "基準日未使用残高 Unused coin balance at a reference date (資金決済法)",
    description: "Σ of every resident coin account's balance at the end of the date (JST), from balance_after; the deposit it requires.",
    request: { query: z.object({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), format: z.enum(["json", "csv"]).default("json") }) },
    responses: { 200: { description: "The figures" } },
    async handler({ query, deps }) {
      if (!isReferenceDate(query.date)) throw new ProblemError("invalid_request", "a reference date is 03-31 or 09-30");
      const f = await cityOf(deps).referenceDateFigure(query.date);
      const body = {
        reference_date: f.referenceDate,
        unused_balance_yen: num(f.unusedBalanceYen),
        coin_accounts: f.coinAccounts,
        threshold_exceeded: f.thresholdExceeded,
        required_deposit_yen: num(f.requiredDepositYen),
        report_due_date: f.dueDate,
      };
      if (query.format === "csv") {
        const header = Object.keys(body).join(",");
        return { status: 200, text: `\uFEFF${header}\r\n${Object.values(body).join(",")}\r\n`, contentType: "text/csv; charset=utf-8" };
      }
      return json(200, body);
    },
  }),
  defineRoute({
    method: "post",
    path: "/v1/admin/cash-refunds",
    roles: admins,
    tags,
    summary: "払戻し Refund a resident's coins in cash, within the 資金決済法 limits",
    description: "moving_away / unavoidable_circumstances / business_ended are allowed; holder_request only within 20 % of last period's issuance or 5 % of the last 基準日 balance. Requires Idempotency-Key.",
    request: {
      body: z.strictObject({
        resident_id: z.string().min(1).max(64),
        amount: yen,
        reason: z.enum(["business_ended", "moving_away", "unavoidable_circumstances", "holder_request"]),
        evidence: z.string().max(500).optional(),
      }),
    },
    responses: { 201: { description: "Registered and moved to refund:payable" } },
    errors: ["refund_limit_exceeded", "insufficient_funds", "idempotency_key_required"],
    async handler({ body, principal, deps, requestId, request }) {
      const r = await cityOf(deps).cashRefund(
        { residentId: body.resident_id, amountYen: BigInt(body.amount), reason: body.reason, evidence: body.evidence ?? null },
        keyOf(request),
        actorOf(principal, requestId),
      );
      if (!r.ok) fail(r);
      const x = r.refund;
      return json(201, { id: x.id, resident_id: x.residentId, amount_yen: num(x.amountYen), reason: x.reason, rule: x.rule, period_reference_date: x.periodReferenceDate, created_at: x.createdAt.toISOString() });
    },
  }),
  defineRoute({
    method: "get",
    path: "/v1/admin/cash-refunds",
    roles: readers,
    tags,
    summary: "払戻し台帳 The register of cash refunds of one period (JSON or CSV)",
    request: {
      query: z.object({
        period: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
        format: z.enum(["json", "csv"]).default("json"),
        limit: z.coerce.number().int().min(1).max(100).default(100),
        cursor: z.string().regex(/^\d{1,9}$/).optional(),
      }),
    },
    responses: { 200: { description: "Oldest first" } },
    async handler({ query, deps }) {
      const offset = query.cursor ? Number(query.cursor) : 0;
      const all = query.format === "csv";
      const rows = await cityOf(deps).store.listCashRefunds(query.period, all ? 100_000 : query.limit + 1, all ? 0 : offset);
      const items = rows.map((x) => ({ id: x.id, resident_id: x.residentId, amount_yen: num(x.amountYen), reason: x.reason, rule: x.rule, created_by: x.createdBy, created_at: x.createdAt.toISOString() }));
      if (all) {
        const lines = ["id,resident_id,amount_yen,reason,rule,created_by,created_at", ...items.map((i) => Object.values(i).join(","))];
        return { status: 200, text: `\uFEFF${lines.join("\r\n")}\r\n`, contentType: "text/csv; charset=utf-8" };
      }
      return json(200, { items: items.slice(0, query.limit), next_cursor: items.length > query.limit ? String(offset + query.limit) : null });
    },
  }),
  defineRoute({
    method: "post",
    path: "/v1/admin/payout-runs",
    roles: admins,
    tags,
    summary: "精算 Pay out shops (monthly or on request) and write the Zengin transfer file",
    description: "Each shop's balance minus its fee (→ fee:operator) goes to payout:pending. Requires Idempotency-Key; the same key returns the same run.",
    request: {
      body: z.strictObject({
        trigger: z.enum(["monthly", "on_request"]),
        transfer_date: z.string().regex(/^\d{4}$/).meta({ description: "MMDD" }),
        shop_ids: z.array(z.string().min(1).max(64)).max(1000).optional(),
      }),
    },
    responses: { 201: { description: "The run" } },
    errors: ["nothing_to_pay", "idempotency_key_required"],
    async handler({ body, principal, deps, requestId, request }) {
      const r = await cityOf(deps).payouts.runPayouts({ trigger: body.trigger, transferDate: body.transfer_date, shopIds: body.shop_ids ?? null }, keyOf(request), actorOf(principal, requestId));
      if (!r.ok) fail(r);
      const rows = await cityOf(deps).store.payoutsOfRun(r.run.id);
      return json(r.replayed ? 200 : 201, { ...payoutRunToJson(r.run), skipped: r.skipped, payouts: rows.map(payoutToJson) });
    },
  }),
  defineRoute({
    method: "get",
    path: "/v1/admin/payout-runs",
    roles: readers,
    tags,
    summary: "精算一覧 Payout runs, newest first (q: id, MMDD transfer date or trigger contains)",
    request: { query: listQuery },
    responses: { 200: { description: "Runs" } },
    async handler({ query, deps }) {
      const offset = query.cursor ? Number(query.cursor) : 0;
      const runs = await cityOf(deps).store.listPayoutRunsPage(query.limit + 1, offset, query.q ?? null);
      return json(200, { items: runs.slice(0, query.limit).map(payoutRunToJson), next_cursor: runs.length > query.limit ? String(offset + query.limit) : null });
    },
  }),
  defineRoute({
    method: "get",
    path: "/v1/admin/payout-runs/{id}",
    roles: readers,
    tags,
    summary: "精算詳細 A payout run and its payouts (shop, gross, fee, net, status), JSON or CSV",
    request: { params: idParams, query: z.object({ format: z.enum(["json", "csv"]).default("json") }) },
    responses: { 200: { description: "The run" } },
    async handler({ params, query, deps }) {
      const run = await cityOf(deps).store.getPayoutRun(params.id);
      if (!run) throw new ProblemError("not_found", `no payout run ${params.id}`);
      const rows = await cityOf(deps).store.payoutsOfRun(run.id);
      if (query.format === "csv") {
        return csvReply(["record_no,shop_id,gross_yen,fee_yen,net_yen,status,settled_at", ...rows.map((p) => [p.recordNo, p.shopId, num(p.grossYen), num(p.feeYen), num(p.netYen), p.status, p.settledAt?.toISOString() ?? ""].join(","))]);
      }
      const names = await cityOf(deps).store.shopNames([...new Set(rows.map((p) => p.shopId))]);
      return json(200, { ...payoutRunToJson(run), payouts: rows.map((p) => ({ ...payoutToJson(p), shop_name: names.get(p.shopId) ?? null })) });
    },
  }),
  defineRoute({
    method: "get",
    path: "/v1/admin/payout-runs/{id}/zengin",
    roles: readers,
    tags,
    summary: "全銀ファイル The Zengin 総合振込 file (Shift_JIS, CRLF, 120-byte records)",
    request: { params: idParams },
    responses: { 200: { description: "The file", contentType: "text/plain; charset=Shift_JIS" } },
    async handler({ params, deps }) {
      const bytes = await cityOf(deps).payouts.zenginFile(params.id);
      if (!bytes) throw new ProblemError("not_found", `no payout run ${params.id}`);
      return {
        response: new Response(new Blob([bytes as Uint8Array<ArrayBuffer>]), {
          status: 200,
          headers: { "Content-Type": "text/plain; charset=Shift_JIS", "Content-Disposition": `attachment; filename="${params.id}.txt"` },
        }),
      };
    },
  }),
  defineRoute({
    method: "post",
    path: "/v1/admin/payout-runs/{id}/confirmation",
    roles: admins,
    tags,
    summary: "振込結果取込 Import the bank's confirmation (record_no,status,amount)",
    description: "ok clears payout:pending → payout:settled; failed reverses the payout (the shop gets its balance and fee back). A file with any error applies nothing.",
    request: { params: idParams, body: z.strictObject({ csv: z.string().min(1).max(2_000_000) }) },
    responses: { 200: { description: "What was applied" } },
    errors: ["invalid_confirmation"],
    async handler({ params, body, principal, deps, requestId }) {
      const r = await cityOf(deps).payouts.importConfirmation(params.id, body.csv, actorOf(principal, requestId));
      if (!r.ok) fail(r);
      return json(200, { cleared: r.cleared, returned: r.returned, unconfirmed: r.unconfirmed });
    },
  }),
  defineRoute({
    method: "get",
    path: "/v1/admin/reports/outstanding",
    roles: readers,
    tags,
    summary: "残高 Coins and points outstanding (points by campaign), JSON or CSV",
    request: { query: z.object({ format: z.enum(["json", "csv"]).default("json") }) },
    responses: { 200: { description: "Now" } },
    async handler({ query, deps }) {
      const o = await cityOf(deps).store.outstanding();
      const points = o.points.map((p) => ({ campaign_id: p.campaignId, yen: num(p.yen), lots: p.lots }));
      if (query.format === "csv") {
        return csvReply(["kind,campaign_id,yen,accounts", `coins,,${num(o.coinsYen)},${o.coinAccounts}`, ...points.map((p) => `points,${p.campaign_id},${p.yen},${p.lots}`)]);
      }
      return json(200, { coins_yen: num(o.coinsYen), coin_accounts: o.coinAccounts, points_yen: points.reduce((s, p) => s + p.yen, 0), points });
    },
  }),
  defineRoute({
    method: "get",
    path: "/v1/admin/reports/payments",
    roles: readers,
    tags,
    summary: "決済集計 Payments per day and per shop category/tier, active residents and leakage, JSON or CSV",
    description: "leakage_bps: the share of payment yen taken by large shops (money leaving the local economy).",
    request: { query: z.object({ from: z.iso.date(), to: z.iso.date(), format: z.enum(["json", "csv", "csv_category"]).default("json") }) },
    responses: { 200: { description: "From `from` to `to` inclusive (Tokyo days)" } },
    async handler({ query, deps }) {
      const from = new Date(`${query.from}T00:00:00+09:00`);
      const to = new Date(Date.parse(`${query.to}T00:00:00+09:00`) + 86_400_000);
      if (!(from < to) || to.getTime() - from.getTime() > 400 * 86_400_000) throw new ProblemError("invalid_request", "from ≤ to, at most 400 days");
      const store = cityOf(deps).store;
      const [days, categories, active] = await Promise.all([store.paymentsByDay(from, to), store.paymentsByCategory(from, to), store.activeResidents(from, to)]);
      if (query.format === "csv") return csvReply(["day,count,yen,payers", ...days.map((d) => `${d.day},${d.count},${num(d.yen)},${d.payers}`)]);
      if (query.format === "csv_category") return csvReply(["category,tier,count,yen", ...categories.map((c) => `${c.category},${c.tier},${c.count},${num(c.yen)}`)]);
      const totalYen = categories.reduce((s, c) => s + c.yen, 0n);
      const largeYen = categories.filter((c) => c.tier === "large").reduce((s, c) => s + c.yen, 0n);
      return json(200, {
        from: query.from,
        to: query.to,
        active_residents: active,
        total_yen: num(totalYen),
        leakage_bps: totalYen === 0n ? null : Number((largeYen * 10_000n) / totalYen),
        days: days.map((d) => ({ day: d.day, count: d.count, yen: num(d.yen), payers: d.payers })),
        categories: categories.map((c) => ({ category: c.category, tier: c.tier, count: c.count, yen: num(c.yen) })),
      });
    },
  }),
];
