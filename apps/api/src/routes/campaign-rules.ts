// Grants by rule and event check-in. The city grants a campaign to every resident its eligibility rule admits
// (preview first, then the CSV grant's own path: approval above the threshold, idempotent runs with progress); an
// event campaign's console shows a rotating signed QR that residents scan in the wallet to check in once.
import { z } from "zod";
import { ProblemError } from "../http/problem";
import { actorOf, campaignToJson, cityOf, fail, keyOf } from "./admin-city";
import { defineRoute, type Reply } from "./registry";

const tags = ["admin-city"];
const admins = ["admin_operator", "admin_approver", "service"] as const;
const readers = ["admin_operator", "admin_approver", "admin_auditor", "service"] as const;
const yen = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const idParams = z.object({ id: z.string().min(1).max(64) });
const num = (v: bigint) => Number(v);
const json = (status: number, body: unknown): Reply => ({ status, json: body });

export const campaignRuleRoutes = [
  defineRoute({
    method: "get",
    path: "/v1/admin/campaigns/{id}/rule-grant/preview",
    roles: readers,
    tags,
    summary: "条件付与の試算 Preview a grant by the campaign's eligibility rule",
    description:
      "Writes nothing. Residents the rule admits today (JST ages, districts, verified), those left out by reason, those already granted, " +
      "and the plan for the rest: how many, the total yen, whether it needs a second approver.",
    request: { params: idParams, query: z.object({ amount: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional() }) },
    responses: { 200: { description: "The preview" } },
    errors: ["campaign_not_found", "invalid_campaign", "campaign_not_active"],
    async handler({ params, query, deps }) {
      const p = await cityOf(deps).previewRuleGrant(params.id, query.amount === undefined ? null : BigInt(query.amount));
      if (!p.ok) fail(p);
      return json(200, {
        campaign_id: p.campaignId,
        grant_date: p.grantDate,
        amount_yen: num(p.amountYen),
        considered_count: p.consideredCount,
        matched_count: p.matchedCount,
        grant_count: p.grantCount,
        total_yen: num(p.totalYen),
        budget_available_yen: num(p.budgetAvailableYen),
        budget_exhausted_at: p.budgetExhaustedAt,
        needs_approval: p.needsApproval,
        approval_threshold_yen: num(p.thresholdYen),
        skipped: p.skipped,
      });
    },
  }),
  defineRoute({
    method: "post",
    path: "/v1/admin/campaigns/{id}/rule-grants",
    roles: admins,
    tags,
    summary: "条件付与 Grant to every resident the campaign's rule admits",
    description:
      "The residents the rule admits now become the grant's list, which goes the CSV grant's way: idempotent per (campaign, resident), " +
      "a total at or above ¥1,000,000 waits for a second admin_approver (202), a grant past the budget is refused whole. Requires Idempotency-Key.",
    request: { params: idParams, body: z.strictObject({ amount: yen.optional() }).default({}) },
    responses: { 201: { description: "Granted" }, 202: { description: "Waiting for approval" } },
    errors: ["campaign_not_found", "invalid_campaign", "exceeds_budget", "campaign_not_active", "idempotency_key_required"],
    async handler({ params, body, principal, deps, requestId, request }) {
      const key = keyOf(request);
      const r = await cityOf(deps).requestRuleGrant(params.id, body.amount === undefined ? null : BigInt(body.amount), key, actorOf(principal, requestId));
      if (!r.ok) fail(r);
      const rule = { matched_count: r.matchedCount, grant_date: r.grantDate, rule_skipped: r.ruleSkipped };
      if (r.status === "pending_approval") {
        const a = r.request;
        return json(202, {
          status: "pending_approval",
          approval: { id: a.id, kind: a.kind, campaign_id: a.campaignId, amount_yen: num(a.amountYen), requested_by: a.requestedBy, status: a.status },
          planned_yen: num(r.plannedYen),
          planned_count: r.plannedCount,
          ...rule,
        });
      }
      return json(201, { status: "executed", run_id: r.runId, granted_count: r.grantedCount, granted_yen: num(r.grantedYen), replayed_count: r.replayedCount, skipped: r.skipped, ...rule });
    },
  }),
  defineRoute({
    method: "get",
    path: "/v1/admin/campaigns/{id}/checkin-code",
    roles: admins,
    tags,
    summary: "受付QR The event's check-in code now (it rotates every minute)",
    description:
      "For the screen at the venue: the payload to show as a QR, when the next one replaces it and when this one stops being accepted " +
      "(two minutes after it is first shown). Not for auditors: a live code gives points.",
    request: { params: idParams },
    responses: { 200: { description: "The code" } },
    errors: ["campaign_not_found", "not_an_event"],
    async handler({ params, deps }) {
      const r = await cityOf(deps).checkInCode(params.id);
      if (!r.ok) fail(r);
      return json(200, { campaign: campaignToJson(r.campaign), payload: r.payload, rotates_at: r.rotatesAt.toISOString(), expires_at: r.expiresAt.toISOString() });
    },
  }),
  defineRoute({
    method: "post",
    path: "/v1/wallet/checkins",
    roles: ["resident"],
    ownership: { kind: "resident", proxy: "none", target: { caller: true } },
    bodyFieldCodes: {},
    tags: ["wallet"],
    summary: "イベント受付 Check in at an event with its scanned QR and receive its points",
    description:
      "Once per resident per event: the lot is named by (event, resident), so scanning again answers 200 with the same lot (already_checked_in) " +
      "and moves nothing; that natural key makes an Idempotency-Key unnecessary here. Refusals write nothing.",
    request: { body: z.strictObject({ code: z.string().min(1).max(200) }) },
    responses: { 201: { description: "Checked in; the points are in a new lot" }, 200: { description: "Already checked in at this event" } },
    errors: ["checkin_code_invalid", "checkin_code_forged", "checkin_code_expired", "campaign_not_found", "not_an_event", "campaign_not_active", "resident_not_found", "not_eligible", "cap_reached", "exceeds_budget"],
    async handler({ body, access, deps }) {
      if (access.target === null) throw new ProblemError("forbidden", "this caller has no resident record");
      const r = await cityOf(deps).checkIn(access.target, body.code);
      if (!r.ok) {
        if ("reason" in r) throw new ProblemError("not_eligible", r.detail, {}, { reason: r.reason });
        fail(r);
      }
      return json(r.already ? 200 : 201, {
        campaign_id: r.campaign.id,
        campaign_name_ja: r.campaign.nameJa,
        campaign_name_en: r.campaign.nameEn,
        lot_id: r.lotId,
        account_id: r.accountId,
        amount_yen: num(r.amountYen),
        already_checked_in: r.already,
      });
    },
  }),
];
