// The city console's own records, on top of the payments tables (campaigns, point_lots, campaign_recipients):
// approval requests for large funding or issuance (four eyes), and bulk grant runs with their progress, so a
// console or a CLI can watch a 50,000-resident grant and a crashed run can be resumed by running it again.
import { sql } from "drizzle-orm";
import { bigint, check, index, integer, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

const at = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

/**
 * A funding or grant at or above the approval threshold, waiting for a second admin_approver.
 *   status: pending → approved (by approved_by ≠ requested_by) → executed | failed
 *   (status = 'pending') ⇔ approved_by IS NULL
 */
export const approvalRequests = pgTable(
  "approval_requests",
  {
    id: text("id").primaryKey(),
    kind: text("kind").notNull(),
    campaignId: text("campaign_id").notNull(),
    amountYen: bigint("amount_yen", { mode: "bigint" }).notNull(),
    /** What will be executed on approval (grant: resident ids and amounts). */
    payload: jsonb("payload").notNull(),
    requestedBy: text("requested_by").notNull(),
    requestedAt: at("requested_at").notNull(),
    status: text("status").notNull(),
    approvedBy: text("approved_by"),
    approvedAt: at("approved_at"),
    /** The outcome of the execution (grant run id, funding transfer id, or the failure). */
    result: jsonb("result"),
  },
  (t) => [
    index("approval_requests_status_idx").on(t.status, t.requestedAt),
    check("approval_requests_kind", sql`${t.kind} IN ('fund','grant')`),
    check("approval_requests_status", sql`${t.status} IN ('pending','approved','executed','failed')`),
    check("approval_requests_approved", sql`(${t.status} = 'pending') = (${t.approvedBy} IS NULL)`),
    check("approval_requests_amount", sql`${t.amountYen} > 0`),
  ],
);

/**
 * One bulk grant run. done_count ≤ total_count; granted_yen = Σ of the lots this run posted or replayed.
 *   status: running → done | failed
 */
export const grantRuns = pgTable(
  "grant_runs",
  {
    id: text("id").primaryKey(),
    campaignId: text("campaign_id").notNull(),
    status: text("status").notNull(),
    totalCount: integer("total_count").notNull(),
    doneCount: integer("done_count").notNull().default(0),
    grantedCount: integer("granted_count").notNull().default(0),
    grantedYen: bigint("granted_yen", { mode: "bigint" }).notNull().default(sql`0`),
    /** Counts of skipped residents by reason. */
    skipped: jsonb("skipped"),
    startedBy: text("started_by").notNull(),
    startedAt: at("started_at").notNull(),
    finishedAt: at("finished_at"),
    error: text("error"),
  },
  (t) => [
    index("grant_runs_campaign_idx").on(t.campaignId, t.startedAt),
    check("grant_runs_status", sql`${t.status} IN ('running','done','failed')`),
    check("grant_runs_counts", sql`${t.doneCount} >= 0 AND ${t.doneCount} <= ${t.totalCount}`),
  ],
);

/**
 * The register of cash refunds (払戻し) of coins: each one checked against the 資金決済法 limits before its transfer
 * (coins → refund:payable). rule says which exception allowed it; period_reference_date is the 基準日 closing the
 * period it counts in. id = the ledger transfer's id.
 */
export const cashRefunds = pgTable(
  "cash_refunds",
  {
    id: text("id").primaryKey(),
    residentId: text("resident_id").notNull(),
    amountYen: bigint("amount_yen", { mode: "bigint" }).notNull(),
    reason: text("reason").notNull(),
    rule: text("rule").notNull(),
    periodReferenceDate: text("period_reference_date").notNull(),
    /** What the counter checked (e.g. 転出届 seen), free text. */
    evidence: text("evidence"),
    createdBy: text("created_by").notNull(),
    createdAt: at("created_at").notNull(),
  },
  (t) => [
    index("cash_refunds_period_idx").on(t.periodReferenceDate, t.createdAt),
    check("cash_refunds_amount", sql`${t.amountYen} > 0`),
    check("cash_refunds_reason", sql`${t.reason} IN ('business_ended','moving_away','unavoidable_circumstances','holder_request')`),
    check("cash_refunds_rule", sql`${t.rule} IN ('business_ended','unavoidable_circumstances','issuance_20_percent','balance_5_percent')`),
  ],
);

/**
 * One payout run: the shops paid, the Zengin 総合振込 file sent to the bank (stored as its text; downloaded as
 * Shift_JIS), and whether the bank's confirmation was imported. count = number of payouts; total_yen = Σ net_yen.
 */
export const payoutRuns = pgTable(
  "payout_runs",
  {
    id: text("id").primaryKey(),
    trigger: text("trigger").notNull(),
    transferDate: text("transfer_date").notNull(),
    fileText: text("file_text"),
    count: integer("count").notNull(),
    totalYen: bigint("total_yen", { mode: "bigint" }).notNull(),
    status: text("status").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: at("created_at").notNull(),
    confirmedAt: at("confirmed_at"),
  },
  (t) => [check("payout_runs_status", sql`${t.status} IN ('sent','confirmed')`), check("payout_runs_trigger", sql`${t.trigger} IN ('monthly','on_request')`)],
);

/**
 * One shop's payout in a run: gross = net + fee, moved shop → payout:pending (net) and → fee:operator (fee) by
 * transfer_id; record_no is its data record in the run's file. status: pending → cleared | returned.
 */
export const payouts = pgTable(
  "payouts",
  {
    id: text("id").primaryKey(),
    runId: text("run_id").notNull(),
    shopId: text("shop_id").notNull(),
    merchantAccountId: text("merchant_account_id").notNull(),
    grossYen: bigint("gross_yen", { mode: "bigint" }).notNull(),
    feeYen: bigint("fee_yen", { mode: "bigint" }).notNull(),
    netYen: bigint("net_yen", { mode: "bigint" }).notNull(),
    transferId: text("transfer_id").notNull(),
    recordNo: integer("record_no").notNull(),
    status: text("status").notNull(),
    createdAt: at("created_at").notNull(),
    settledAt: at("settled_at"),
  },
  (t) => [
    index("payouts_run_idx").on(t.runId, t.recordNo),
    index("payouts_shop_idx").on(t.shopId, t.createdAt),
    check("payouts_status", sql`${t.status} IN ('pending','cleared','returned')`),
    check("payouts_amounts", sql`${t.netYen} > 0 AND ${t.feeYen} >= 0 AND ${t.grossYen} = ${t.netYen} + ${t.feeYen}`),
  ],
);

/**
 * A job the server runs on the calendar (the monthly payout), one row per job and period ("payout-monthly:2026-10").
 * One process at a time holds it: claimed_until is a lease, so a process that died lets it lapse and the next one
 * takes over; the job itself is idempotent, so a takeover replays rather than repeats.
 *   finished_at IS NOT NULL ⇒ done (result says what happened); attempts counts claims.
 */
export const scheduledRuns = pgTable(
  "scheduled_runs",
  {
    id: text("id").primaryKey(),
    claimedBy: text("claimed_by").notNull(),
    claimedUntil: at("claimed_until").notNull(),
    attempts: integer("attempts").notNull().default(1),
    finishedAt: at("finished_at"),
    result: jsonb("result"),
    createdAt: at("created_at").notNull(),
  },
  (t) => [check("scheduled_runs_attempts", sql`${t.attempts} >= 1`)],
);
