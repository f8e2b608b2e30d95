// The city store: the SQL behind the city console — approval requests, bulk grant runs, the bulk writes a
// 50,000-resident grant needs (lot accounts, lot rows and per-person cap reservations in one statement each), the
// lapsed lots the expiry sweep moves, the burn-down figures and the 資金決済法 reference-date balance. It decides
// nothing about money: @tsubaki/city plans, the ledger moves.
import { assert } from "@tsubaki/ledger";
import type { Db } from "./client";
import { textArray } from "./sql-arrays";
import { containsPattern } from "./sql-like";
import { toDate } from "./rows";

export type ApprovalKind = "fund" | "grant";
export type ApprovalStatus = "pending" | "approved" | "executed" | "failed";

export interface ApprovalRecord {
  id: string;
  kind: ApprovalKind;
  campaignId: string;
  amountYen: bigint;
  payload: Record<string, unknown>;
  requestedBy: string;
  requestedAt: Date;
  status: ApprovalStatus;
  approvedBy: string | null;
  approvedAt: Date | null;
  result: Record<string, unknown> | null;
}

export type GrantRunStatus = "running" | "done" | "failed";

export interface GrantRunRecord {
  id: string;
  campaignId: string;
  status: GrantRunStatus;
  totalCount: number;
  doneCount: number;
  grantedCount: number;
  grantedYen: bigint;
  skipped: Record<string, number> | null;
  startedBy: string;
  startedAt: Date;
  finishedAt: Date | null;
  error: string | null;
}

/** One lot a bulk grant writes: its cap reservation, its ledger account and its row. */
export interface GrantLotInsert {
  lotId: string;
  residentId: string;
  accountId: string;
  amountYen: bigint;
}

export interface ExistingGrantLot {
  lotId: string;
  residentId: string;
  accountId: string;
  grantedYen: bigint;
  /** The lot's grant was posted (its account has received the points). */
  credited: boolean;
}

export interface LapsedLotRow {
  lotId: string;
  accountId: string;
  campaignId: string;
  expiredAccountId: string;
  residentId: string;
  balanceYen: bigint;
  expiresAt: Date;
}

export interface CampaignFigures {
  /** Debits posted from the budget account: every point the campaign gave (grants and premiums). */
  issuedYen: bigint;
  /** Credits posted to the expired account. */
  expiredYen: bigint;
  /** Σ (credits − debits posted) of the campaign's lot accounts. */
  remainingYen: bigint;
  /** What the budget account holds now (available). */
  budgetAvailableYen: bigint;
  /** Credits posted to the budget account (what the city put in). */
  fundedYen: bigint;
  lotCount: number;
}

/** Rows one bulk statement writes; a grant of 50,000 is written in pages of this size. */
export const cityBulkRowsMax = 5000;

interface ApprovalRow {
  id: string;
  kind: ApprovalKind;
  campaign_id: string;
  amount_yen: string;
  payload: unknown;
  requested_by: string;
  requested_at: unknown;
  status: ApprovalStatus;
  approved_by: string | null;
  approved_at: unknown;
  result: unknown;
}

const approvalColumns = `id, kind, campaign_id, amount_yen::text AS amount_yen, payload, requested_by, requested_at, status, approved_by, approved_at, result`;

function json<T>(value: unknown): T {
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}

function approvalFromRow(r: ApprovalRow): ApprovalRecord {
  return {
    id: r.id,
    kind: r.kind,
    campaignId: r.campaign_id,
    amountYen: BigInt(r.amount_yen),
    payload: json<Record<string, unknown>>(r.payload),
    requestedBy: r.requested_by,
    requestedAt: toDate(r.requested_at),
    status: r.status,
    approvedBy: r.approved_by,
    approvedAt: r.approved_at === null ? null : toDate(r.approved_at),
    result: r.result === null ? null : json<Record<string, unknown>>(r.result),
  };
}

interface RunRow {
  id: string;
  campaign_id: string;
  status: GrantRunStatus;
  total_count: number;
  done_count: number;
  granted_count: number;
  granted_yen: string;
  skipped: unknown;
  started_by: string;
  started_at: unknown;
  finished_at: unknown;
  error: string | null;
}

const runColumns = `id, campaign_id, status, total_count, done_count, granted_count, granted_yen::text AS granted_yen, skipped, started_by, started_at, finished_at, error`;

function runFromRow(r: RunRow): GrantRunRecord {
  return {
    id: r.id,
    campaignId: r.campaign_id,
    status: r.status,
    totalCount: Number(r.total_count),
    doneCount: Number(r.done_count),
    grantedCount: Number(r.granted_count),
    grantedYen: BigInt(r.granted_yen),
    skipped: r.skipped === null ? null : json<Record<string, number>>(r.skipped),
    startedBy: r.started_by,
    startedAt: toDate(r.started_at),
    finishedAt: r.finished_at === null ? null : toDate(r.finished_at),
    error: r.error,
  };
}

export type CashRefundReasonName = "business_ended" | "moving_away" | "unavoidable_circumstances" | "holder_request";
export type CashRefundRuleName = "business_ended" | "unavoidable_circumstances" | "issuance_20_percent" | "balance_5_percent";

export interface CashRefundRecord {
  id: string;
  residentId: string;
  amountYen: bigint;
  reason: CashRefundReasonName;
  rule: CashRefundRuleName;
  periodReferenceDate: string;
  evidence: string | null;
  createdBy: string;
  createdAt: Date;
}

interface CashRefundRow {
  id: string;
  resident_id: string;
  amount_yen: string;
  reason: CashRefundReasonName;
  rule: CashRefundRuleName;
  period_reference_date: string;
  evidence: string | null;
  created_by: string;
  created_at: unknown;
}

const cashRefundColumns = `id, resident_id, amount_yen::text AS amount_yen, reason, rule, period_reference_date, evidence, created_by, created_at`;

function cashRefundFromRow(r: CashRefundRow): CashRefundRecord {
  return {
    id: r.id,
    residentId: r.resident_id,
    amountYen: BigInt(r.amount_yen),
    reason: r.reason,
    rule: r.rule,
    periodReferenceDate: r.period_reference_date,
    evidence: r.evidence,
    createdBy: r.created_by,
    createdAt: toDate(r.created_at),
  };
}

export type PayoutStatus = "pending" | "cleared" | "returned";

export interface PayoutRecord {
  id: string;
  runId: string;
  shopId: string;
  merchantAccountId: string;
  grossYen: bigint;
  feeYen: bigint;
  netYen: bigint;
  transferId: string;
  recordNo: number;
  status: PayoutStatus;
  createdAt: Date;
  settledAt: Date | null;
}

export interface PayoutRunRecord {
  id: string;
  trigger: "monthly" | "on_request";
  transferDate: string;
  fileText: string | null;
  count: number;
  totalYen: bigint;
  status: "sent" | "confirmed";
  createdBy: string;
  createdAt: Date;
  confirmedAt: Date | null;
}

interface PayoutRow {
  id: string;
  run_id: string;
  shop_id: string;
  merchant_account_id: string;
  gross_yen: string;
  fee_yen: string;
  net_yen: string;
  transfer_id: string;
  record_no: number;
  status: PayoutStatus;
  created_at: unknown;
  settled_at: unknown;
}

const payoutColumns = `id, run_id, shop_id, merchant_account_id, gross_yen::text AS gross_yen, fee_yen::text AS fee_yen, net_yen::text AS net_yen, transfer_id, record_no, status, created_at, settled_at`;

function payoutFromRow(r: PayoutRow): PayoutRecord {
  return {
    id: r.id,
    runId: r.run_id,
    shopId: r.shop_id,
    merchantAccountId: r.merchant_account_id,
    grossYen: BigInt(r.gross_yen),
    feeYen: BigInt(r.fee_yen),
    netYen: BigInt(r.net_yen),
    transferId: r.transfer_id,
    recordNo: Number(r.record_no),
    status: r.status,
    createdAt: toDate(r.created_at),
    settledAt: r.settled_at === null ? null : toDate(r.settled_at),
  };
}

interface PayoutRunRow {
  id: string;
  trigger: "monthly" | "on_request";
  transfer_date: string;
  file_text: string | null;
  count: number;
  total_yen: string;
  status: "sent" | "confirmed";
  created_by: string;
  created_at: unknown;
  confirmed_at: unknown;
}

function payoutRunFromRow(r: PayoutRunRow): PayoutRunRecord {
  return {
    id: r.id,
    trigger: r.trigger,
    transferDate: r.transfer_date,
    fileText: r.file_text,
    count: Number(r.count),
    totalYen: BigInt(r.total_yen),
    status: r.status,
    createdBy: r.created_by,
    createdAt: toDate(r.created_at),
    confirmedAt: r.confirmed_at === null ? null : toDate(r.confirmed_at),
  };
}

const payoutRunColumns = `id, trigger, transfer_date, file_text, count, total_yen::text AS total_yen, status, created_by, created_at, confirmed_at`;

/** The Tokyo calendar date of a timestamptz column, "YYYY-MM-DD" (JST is UTC+9 all year). */
const tokyoDay = (column: string) => `to_char((${column} AT TIME ZONE 'UTC') + interval '9 hours', 'YYYY-MM-DD')`;

export function createCityStore(db: Db) {
  return {
    // --- approval requests ---

    async insertApproval(a: ApprovalRecord): Promise<void> {
      await db.query(
        `INSERT INTO approval_requests (id, kind, campaign_id, amount_yen, payload, requested_by, requested_at, status)
         VALUES ($1, $2, $3, $4::text::bigint, $5::text::jsonb, $6, $7::timestamptz, 'pending')`,
        [a.id, a.kind, a.campaignId, a.amountYen.toString(), JSON.stringify(a.payload), a.requestedBy, a.requestedAt.toISOString()],
      );
    },

    async getApproval(id: string): Promise<ApprovalRecord | null> {
      const [row] = await db.query<ApprovalRow>(`SELECT ${approvalColumns} FROM approval_requests WHERE id = $1`, [id]);
      return row ? approvalFromRow(row) : null;
    },

    /** Requests newest first, without their payloads' bulk (the list shows kind, amount and people). */
    async listApprovals(status: ApprovalStatus | null, limit: number): Promise<ApprovalRecord[]> {
      const rows = await db.query<ApprovalRow>(
        `SELECT id, kind, campaign_id, amount_yen::text AS amount_yen, '{}'::jsonb AS payload, requested_by, requested_at, status, approved_by, approved_at, result
         FROM approval_requests WHERE ($1::text IS NULL OR status = $1) ORDER BY requested_at DESC, id DESC LIMIT $2`,
        [status, limit],
      );
      return rows.map(approvalFromRow);
    },

    /** pending → approved, only if still pending and approvedBy did not request it. False: someone got there first. */
    async markApproved(id: string, approvedBy: string, at: Date): Promise<boolean> {
      const rows = await db.query(
        `UPDATE approval_requests SET status = 'approved', approved_by = $2, approved_at = $3::timestamptz
         WHERE id = $1 AND status = 'pending' AND requested_by <> $2 RETURNING 1`,
        [id, approvedBy, at.toISOString()],
      );
      return rows.length === 1;
    },

    async finishApproval(id: string, status: "executed" | "failed", result: Record<string, unknown>): Promise<void> {
      await db.query(`UPDATE approval_requests SET status = $2, result = $3::text::jsonb WHERE id = $1 AND status = 'approved'`, [id, status, JSON.stringify(result)]);
    },

    /** Campaign ids newest first (the console's list; details come from the payments store). */
    async listCampaignIds(limit: number, offset: number, search: string | null): Promise<string[]> {
      const pattern = search ? containsPattern(search) : null;
      const rows = await db.query<{ id: string }>(
        `SELECT id FROM campaigns WHERE ($3::text IS NULL OR id ILIKE $3 OR name_ja ILIKE $3 OR name_en ILIKE $3)
         ORDER BY created_at DESC, id LIMIT $1 OFFSET $2`,
        [limit, offset, pattern],
      );
      return rows.map((r) => r.id);
    },

    /**
     * Residents after `afterId` in id order, with what an eligibility rule looks at (a rule grant pages through the
     * whole town with this). verified ⇔ verified_at is set.
     */
    async residentFacts(afterId: string, limit: number): Promise<{ id: string; birthDate: string; district: string; verified: boolean }[]> {
      assert(limit >= 1 && limit <= cityBulkRowsMax * 4, `1 to ${cityBulkRowsMax * 4} residents per page`);
      const rows = await db.query<{ id: string; birth_date: string; district: string; verified: boolean | string }>(
        `SELECT id, birth_date::text AS birth_date, district, verified_at IS NOT NULL AS verified FROM residents WHERE id > $1 ORDER BY id LIMIT $2`,
        [afterId, limit],
      );
      return rows.map((r) => ({ id: r.id, birthDate: r.birth_date, district: r.district, verified: r.verified === true || r.verified === "t" }));
    },

    /** One resident's facts for an eligibility rule, or null. */
    async residentFactsOf(id: string): Promise<{ id: string; birthDate: string; district: string; verified: boolean } | null> {
      const [r] = await db.query<{ id: string; birth_date: string; district: string; verified: boolean | string }>(
        `SELECT id, birth_date::text AS birth_date, district, verified_at IS NOT NULL AS verified FROM residents WHERE id = $1`,
        [id],
      );
      return r ? { id: r.id, birthDate: r.birth_date, district: r.district, verified: r.verified === true || r.verified === "t" } : null;
    },

    // --- grant runs ---

    async insertRun(run: { id: string; campaignId: string; totalCount: number; startedBy: string; startedAt: Date }): Promise<void> {
      await db.query(
        `INSERT INTO grant_runs (id, campaign_id, status, total_count, started_by, started_at) VALUES ($1, $2, 'running', $3, $4, $5::timestamptz)
         ON CONFLICT (id) DO UPDATE SET status = 'running', total_count = excluded.total_count, done_count = 0, granted_count = 0, granted_yen = 0,
           finished_at = NULL, error = NULL`,
        [run.id, run.campaignId, run.totalCount, run.startedBy, run.startedAt.toISOString()],
      );
    },

    async progressRun(id: string, p: { doneCount: number; grantedCount: number; grantedYen: bigint }): Promise<void> {
      await db.query(`UPDATE grant_runs SET done_count = $2, granted_count = $3, granted_yen = $4::text::bigint WHERE id = $1`, [
        id,
        p.doneCount,
        p.grantedCount,
        p.grantedYen.toString(),
      ]);
    },

    async finishRun(id: string, status: "done" | "failed", skipped: Record<string, number>, error: string | null, at: Date): Promise<void> {
      await db.query(`UPDATE grant_runs SET status = $2, skipped = $3::text::jsonb, error = $4, finished_at = $5::timestamptz WHERE id = $1`, [
        id,
        status,
        JSON.stringify(skipped),
        error,
        at.toISOString(),
      ]);
    },

    async getRun(id: string): Promise<GrantRunRecord | null> {
      const [row] = await db.query<RunRow>(`SELECT ${runColumns} FROM grant_runs WHERE id = $1`, [id]);
      return row ? runFromRow(row) : null;
    },

    async listRuns(campaignId: string, limit: number): Promise<GrantRunRecord[]> {
      const rows = await db.query<RunRow>(`SELECT ${runColumns} FROM grant_runs WHERE campaign_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2`, [campaignId, limit]);
      return rows.map(runFromRow);
    },

    // --- bulk grants ---

    /** What each of these residents already received from the campaign (absent: nothing). */
    async grantedTo(campaignId: string, residentIds: readonly string[]): Promise<Map<string, bigint>> {
      if (residentIds.length === 0) return new Map();
      const rows = await db.query<{ resident_id: string; g: string }>(
        `SELECT r.resident_id, r.granted_yen::text AS g FROM unnest($2::text::text[]) AS u(id) JOIN campaign_recipients r ON r.campaign_id = $1 AND r.resident_id = u.id`,
        [campaignId, textArray(residentIds)],
      );
      return new Map(rows.map((r) => [r.resident_id, BigInt(r.g)]));
    },

    /** Lots with these ids (a bulk grant's lot ids are derived from campaign and resident, so a rerun finds them). */
    async existingLots(lotIds: readonly string[]): Promise<Map<string, ExistingGrantLot>> {
      if (lotIds.length === 0) return new Map();
      const rows = await db.query<{ id: string; resident_id: string; account_id: string; g: string; credited: boolean }>(
        `SELECT l.id, l.resident_id, l.account_id, l.granted_yen::text AS g, coalesce(a.credits_posted > 0, false) AS credited
         FROM unnest($1::text::text[]) AS u(id) JOIN point_lots l ON l.id = u.id LEFT JOIN ledger_accounts a ON a.id = l.account_id`,
        [textArray(lotIds)],
      );
      return new Map(
        rows.map((r) => [r.id, { lotId: r.id, residentId: r.resident_id, accountId: r.account_id, grantedYen: BigInt(r.g), credited: r.credited === true || String(r.credited) === "t" }]),
      );
    },

    /**
     * In one transaction: reserves each lot's amount against the per-person cap (granted + amount ≤ cap, else that
     * resident is refused), then opens the ledger accounts and writes the lot rows of those reserved. Returns the
     * lot ids reserved. The money moves afterwards; a lot whose transfer is refused is undone by releaseLots.
     */
    async reserveLots(
      campaign: { id: string; capPerPersonYen: bigint; restriction: unknown },
      lots: readonly GrantLotInsert[],
      grantedAt: Date,
      expiresAt: Date,
    ): Promise<Set<string>> {
      assert(lots.length <= cityBulkRowsMax, `at most ${cityBulkRowsMax} lots per statement`);
      if (lots.length === 0) return new Set();
      return db.transaction(async (tx) => {
        const input = JSON.stringify(lots.map((l) => ({ lot_id: l.lotId, resident_id: l.residentId, account_id: l.accountId, amount_yen: l.amountYen.toString() })));
        const reserved = await tx.query<{ resident_id: string }>(
          `INSERT INTO campaign_recipients AS r (campaign_id, resident_id, granted_yen)
           SELECT $1, x.resident_id, x.amount_yen FROM jsonb_to_recordset($2::text::jsonb) AS x(resident_id text, amount_yen bigint)
           WHERE x.amount_yen <= $3::text::bigint
           ON CONFLICT (campaign_id, resident_id) DO UPDATE SET granted_yen = r.granted_yen + excluded.granted_yen
           WHERE r.granted_yen + excluded.granted_yen <= $3::text::bigint RETURNING r.resident_id`,
          [campaign.id, input, campaign.capPerPersonYen.toString()],
        );
        const ok = new Set(reserved.map((r) => r.resident_id));
        const accepted = lots.filter((l) => ok.has(l.residentId));
        if (accepted.length === 0) return new Set<string>();
        const acceptedJson = JSON.stringify(
          accepted.map((l) => ({ lot_id: l.lotId, resident_id: l.residentId, account_id: l.accountId, amount_yen: l.amountYen.toString() })),
        );
        await tx.query(
          `INSERT INTO ledger_accounts (id, kind, owner, asset, debits_must_not_exceed_credits, credits_must_not_exceed_debits, metadata, created_at)
           SELECT x.account_id, 'points', 'resident:' || x.resident_id, 'JPY', true, false, jsonb_build_object('campaign_id', $2::text, 'lot_id', x.lot_id), $3::timestamptz
           FROM jsonb_to_recordset($1::text::jsonb) AS x(lot_id text, resident_id text, account_id text)
           ON CONFLICT (id) DO NOTHING`,
          [acceptedJson, campaign.id, grantedAt.toISOString()],
        );
        await tx.query(
          `INSERT INTO point_lots (id, resident_id, campaign_id, account_id, granted_yen, granted_at, expires_at, restriction)
           SELECT x.lot_id, x.resident_id, $2, x.account_id, x.amount_yen, $3::timestamptz, $4::timestamptz, $5::text::jsonb
           FROM jsonb_to_recordset($1::text::jsonb) AS x(lot_id text, resident_id text, account_id text, amount_yen bigint)`,
          [acceptedJson, campaign.id, grantedAt.toISOString(), expiresAt.toISOString(), campaign.restriction === null ? null : JSON.stringify(campaign.restriction)],
        );
        return new Set(accepted.map((l) => l.lotId));
      });
    },

    /** Undoes reserveLots for lots whose transfer was refused: the lot row goes, the cap reservation is given back. */
    async releaseLots(campaignId: string, lots: readonly GrantLotInsert[]): Promise<void> {
      if (lots.length === 0) return;
      await db.transaction(async (tx) => {
        const input = JSON.stringify(lots.map((l) => ({ lot_id: l.lotId, resident_id: l.residentId, amount_yen: l.amountYen.toString() })));
        await tx.query(`DELETE FROM point_lots WHERE id IN (SELECT x.lot_id FROM jsonb_to_recordset($1::text::jsonb) AS x(lot_id text))`, [input]);
        await tx.query(
          `UPDATE campaign_recipients r SET granted_yen = greatest(r.granted_yen - x.amount_yen, 0)
           FROM jsonb_to_recordset($2::text::jsonb) AS x(resident_id text, amount_yen bigint) WHERE r.campaign_id = $1 AND r.resident_id = x.resident_id`,
          [campaignId, input],
        );
      });
    },

    /**
     * Refreshes the planner's statistics of the tables a bulk grant fills. A fresh or small database plans its
     * lookups as sequential scans; after the first page of a large grant those plans would scan thousands of new
     * rows per lookup (the usual advice after a bulk load: ANALYZE).
     */
    async refreshGrantStatistics(): Promise<void> {
      await db.query(`ANALYZE point_lots, campaign_recipients, ledger_accounts`);
    },

    // --- expiry ---

    /** Lots lapsed at `at` (expires_at ≤ at) that still hold points, oldest first, at most `limit`. */
    async lapsedLots(at: Date, limit: number, campaignId: string | null = null): Promise<LapsedLotRow[]> {
      const rows = await db.query<{ id: string; account_id: string; campaign_id: string; expired_account_id: string; resident_id: string; b: string; expires_at: unknown }>(
        `SELECT l.id, l.account_id, l.campaign_id, c.expired_account_id, l.resident_id, (a.credits_posted - a.debits_posted - a.debits_pending)::text AS b, l.expires_at
         FROM point_lots l JOIN ledger_accounts a ON a.id = l.account_id JOIN campaigns c ON c.id = l.campaign_id
         WHERE l.expires_at <= $1::timestamptz AND a.credits_posted - a.debits_posted - a.debits_pending > 0 AND ($3::text IS NULL OR l.campaign_id = $3)
         ORDER BY l.expires_at, l.id LIMIT $2`,
        [at.toISOString(), limit, campaignId],
      );
      return rows.map((r) => ({
        lotId: r.id,
        accountId: r.account_id,
        campaignId: r.campaign_id,
        expiredAccountId: r.expired_account_id,
        residentId: r.resident_id,
        balanceYen: BigInt(r.b),
        expiresAt: toDate(r.expires_at),
      }));
    },

    /** Residents whose points lapse in (at, until]: one row per resident with the sum and the soonest lapse. */
    async lapsingSoon(at: Date, until: Date, limit: number, offset: number): Promise<{ residentId: string; yen: bigint; lots: number; firstExpiresAt: Date }[]> {
      const rows = await db.query<{ resident_id: string; yen: string; lots: number; first: unknown }>(
        `SELECT l.resident_id, sum(a.credits_posted - a.debits_posted - a.debits_pending)::text AS yen, count(*)::int AS lots, min(l.expires_at) AS first
         FROM point_lots l JOIN ledger_accounts a ON a.id = l.account_id
         WHERE l.expires_at > $1::timestamptz AND l.expires_at <= $2::timestamptz AND a.credits_posted - a.debits_posted - a.debits_pending > 0
         GROUP BY l.resident_id ORDER BY min(l.expires_at), l.resident_id LIMIT $3 OFFSET $4`,
        [at.toISOString(), until.toISOString(), limit, offset],
      );
      return rows.map((r) => ({ residentId: r.resident_id, yen: BigInt(r.yen), lots: Number(r.lots), firstExpiresAt: toDate(r.first) }));
    },

    // --- cash refunds (払戻し) ---

    /**
     * Under one lock for all cash refunds: reads what was refunded in the period, lets `decide` check the legal
     * limits, and writes the register row if allowed — so two refunds at once cannot pass a limit together. The
     * same id again returns the stored row (a retry).
     */
    async registerCashRefund<F>(
      row: Omit<CashRefundRecord, "rule">,
      decide: (refundedInPeriodYen: bigint) => { ok: true; rule: CashRefundRuleName } | { ok: false; failure: F },
    ): Promise<{ ok: true; refund: CashRefundRecord; replayed: boolean } | { ok: false; failure: F }> {
      return db.transaction(async (tx) => {
        await tx.query(`SELECT pg_advisory_xact_lock(7310001)`);
        const [existing] = await tx.query<CashRefundRow>(`SELECT ${cashRefundColumns} FROM cash_refunds WHERE id = $1`, [row.id]);
        if (existing) return { ok: true as const, refund: cashRefundFromRow(existing), replayed: true };
        const [sum] = await tx.query<{ s: string }>(`SELECT coalesce(sum(amount_yen), 0)::text AS s FROM cash_refunds WHERE period_reference_date = $1`, [row.periodReferenceDate]);
        const decided = decide(BigInt(sum?.s ?? "0"));
        if (!decided.ok) return decided;
        const [inserted] = await tx.query<CashRefundRow>(
          `INSERT INTO cash_refunds (id, resident_id, amount_yen, reason, rule, period_reference_date, evidence, created_by, created_at)
           VALUES ($1, $2, $3::text::bigint, $4, $5, $6, $7, $8, $9::timestamptz) RETURNING ${cashRefundColumns}`,
          [row.id, row.residentId, row.amountYen.toString(), row.reason, decided.rule, row.periodReferenceDate, row.evidence, row.createdBy, row.createdAt.toISOString()],
        );
        assert(inserted, "the register row is written");
        return { ok: true as const, refund: cashRefundFromRow(inserted), replayed: false };
      });
    },

    /** Removes a register row whose transfer was refused (nothing was paid out). */
    async deleteCashRefund(id: string): Promise<void> {
      await db.query(`DELETE FROM cash_refunds WHERE id = $1`, [id]);
    },

    async listCashRefunds(periodReferenceDate: string, limit: number, offset: number): Promise<CashRefundRecord[]> {
      const rows = await db.query<CashRefundRow>(
        `SELECT ${cashRefundColumns} FROM cash_refunds WHERE period_reference_date = $1 ORDER BY created_at, id LIMIT $2 OFFSET $3`,
        [periodReferenceDate, limit, offset],
      );
      return rows.map(cashRefundFromRow);
    },

    /** Coins issued (charges: posted credits to resident coin accounts by transfers coded 'charge') in [from, to). */
    async coinIssuance(from: Date, to: Date): Promise<bigint> {
      const [row] = await db.query<{ s: string }>(
        `SELECT coalesce(sum(e.amount), 0)::text AS s FROM ledger_entries e JOIN ledger_transfers t ON t.id = e.transfer_id
         WHERE e.account_id LIKE 'res:%:coins' AND e.side = 'credit' AND e.phase = 'posted' AND t.code = 'charge'
           AND e.created_at >= $1::timestamptz AND e.created_at < $2::timestamptz`,
        [from.toISOString(), to.toISOString()],
      );
      return BigInt(row?.s ?? "0");
    },

    // --- payouts ---

    /** A run with its payouts, written together once their transfers have posted. The same run id again is a no-op. */
    async insertPayoutRun(run: PayoutRunRecord, rows: readonly PayoutRecord[]): Promise<void> {
      await db.transaction(async (tx) => {
        const inserted = await tx.query(
          `INSERT INTO payout_runs (id, trigger, transfer_date, file_text, count, total_yen, status, created_by, created_at)
           VALUES ($1, $2, $3, $4, $5, $6::text::bigint, $7, $8, $9::timestamptz) ON CONFLICT (id) DO NOTHING RETURNING 1`,
          [run.id, run.trigger, run.transferDate, run.fileText, run.count, run.totalYen.toString(), run.status, run.createdBy, run.createdAt.toISOString()],
        );
        if (inserted.length === 0 || rows.length === 0) return;
        await tx.query(
          `INSERT INTO payouts (id, run_id, shop_id, merchant_account_id, gross_yen, fee_yen, net_yen, transfer_id, record_no, status, created_at)
           SELECT x.id, x.run_id, x.shop_id, x.merchant_account_id, x.gross_yen, x.fee_yen, x.net_yen, x.transfer_id, x.record_no, 'pending', $2::timestamptz
           FROM jsonb_to_recordset($1::text::jsonb) AS x(id text, run_id text, shop_id text, merchant_account_id text, gross_yen bigint, fee_yen bigint, net_yen bigint, transfer_id text, record_no int)`,
          [
            JSON.stringify(
              rows.map((p) => ({
                id: p.id,
                run_id: p.runId,
                shop_id: p.shopId,
                merchant_account_id: p.merchantAccountId,
                gross_yen: p.grossYen.toString(),
                fee_yen: p.feeYen.toString(),
                net_yen: p.netYen.toString(),
                transfer_id: p.transferId,
                record_no: p.recordNo,
              })),
            ),
            run.createdAt.toISOString(),
          ],
        );
      });
    },

    async getPayoutRun(id: string): Promise<PayoutRunRecord | null> {
      const [row] = await db.query<PayoutRunRow>(`SELECT ${payoutRunColumns} FROM payout_runs WHERE id = $1`, [id]);
      return row ? payoutRunFromRow(row) : null;
    },

    async listPayoutRuns(limit: number): Promise<PayoutRunRecord[]> {
      const rows = await db.query<PayoutRunRow>(
        `SELECT id, trigger, transfer_date, NULL AS file_text, count, total_yen::text AS total_yen, status, created_by, created_at, confirmed_at
         FROM payout_runs ORDER BY created_at DESC, id DESC LIMIT $1`,
        [limit],
      );
      return rows.map(payoutRunFromRow);
    },

    async payoutsOfRun(runId: string): Promise<PayoutRecord[]> {
      const rows = await db.query<PayoutRow>(`SELECT ${payoutColumns} FROM payouts WHERE run_id = $1 ORDER BY record_no`, [runId]);
      return rows.map(payoutFromRow);
    },

    /** The shops' registered Japanese names, for the console's payout lines (a shop removed since: absent). */
    async shopNames(shopIds: readonly string[]): Promise<Map<string, string>> {
      if (shopIds.length === 0) return new Map();
      const rows = await db.query<{ id: string; name_ja: string }>(`SELECT s.id, s.name_ja FROM unnest($1::text::text[]) AS u(id) JOIN shops s ON s.id = u.id`, [textArray(shopIds)]);
      return new Map(rows.map((r) => [r.id, r.name_ja]));
    },

    async settlePayouts(runId: string, settled: readonly { id: string; status: "cleared" | "returned" }[], at: Date): Promise<void> {
      await db.transaction(async (tx) => {
        if (settled.length > 0) {
          await tx.query(
            `UPDATE payouts p SET status = x.status, settled_at = $2::timestamptz FROM jsonb_to_recordset($1::text::jsonb) AS x(id text, status text)
             WHERE p.id = x.id AND p.status = 'pending'`,
            [JSON.stringify(settled), at.toISOString()],
          );
        }
        await tx.query(
          `UPDATE payout_runs SET status = 'confirmed', confirmed_at = $2::timestamptz WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM payouts WHERE run_id = $1 AND status = 'pending')`,
          [runId, at.toISOString()],
        );
      });
    },

    // --- reports ---

    /** Coins outstanding (Σ resident coin balances) and points outstanding per campaign (Σ lot balances), now. */
    async outstanding(): Promise<{ coinsYen: bigint; coinAccounts: number; points: { campaignId: string; yen: bigint; lots: number }[] }> {
      const [coins] = await db.query<{ s: string; n: number }>(
        `SELECT coalesce(sum(credits_posted - debits_posted), 0)::text AS s, count(*)::int AS n FROM ledger_accounts WHERE id LIKE 'res:%:coins'`,
      );
      const points = await db.query<{ campaign_id: string; s: string; n: number }>(
        `SELECT l.campaign_id, coalesce(sum(a.credits_posted - a.debits_posted), 0)::text AS s, count(*)::int AS n
         FROM point_lots l JOIN ledger_accounts a ON a.id = l.account_id GROUP BY l.campaign_id ORDER BY l.campaign_id`,
      );
      return {
        coinsYen: BigInt(coins?.s ?? "0"),
        coinAccounts: Number(coins?.n ?? 0),
        points: points.map((r) => ({ campaignId: r.campaign_id, yen: BigInt(r.s), lots: Number(r.n) })),
      };
    },

    /** Payments per Tokyo day in [from, to): count, yen, distinct payers. */
    async paymentsByDay(from: Date, to: Date): Promise<{ day: string; count: number; yen: bigint; payers: number }[]> {
      const rows = await db.query<{ day: string; n: number; s: string; payers: number }>(
        `SELECT to_char((created_at AT TIME ZONE 'UTC') + interval '9 hours', 'YYYY-MM-DD') AS day, count(*)::int AS n, sum(amount_yen)::text AS s,
           count(DISTINCT payer_resident_id)::int AS payers
         FROM payments WHERE created_at >= $1::timestamptz AND created_at < $2::timestamptz GROUP BY 1 ORDER BY 1`,
        [from.toISOString(), to.toISOString()],
      );
      return rows.map((r) => ({ day: r.day, count: Number(r.n), yen: BigInt(r.s), payers: Number(r.payers) }));
    },

    /** Payments in [from, to) per shop category and tier (leakage: the share taken by large shops). */
    async paymentsByCategory(from: Date, to: Date): Promise<{ category: string; tier: string; count: number; yen: bigint }[]> {
      const rows = await db.query<{ category: string; tier: string; n: number; s: string }>(
        `SELECT coalesce(s.category, 'unknown') AS category, coalesce(s.tier, 'unknown') AS tier, count(*)::int AS n, sum(p.amount_yen)::text AS s
         FROM payments p LEFT JOIN shops s ON s.id = p.shop_id
         WHERE p.created_at >= $1::timestamptz AND p.created_at < $2::timestamptz GROUP BY 1, 2 ORDER BY 1, 2`,
        [from.toISOString(), to.toISOString()],
      );
      return rows.map((r) => ({ category: r.category, tier: r.tier, count: Number(r.n), yen: BigInt(r.s) }));
    },

    /** Residents who paid at least once in [from, to). */
    async activeResidents(from: Date, to: Date): Promise<number> {
      const [row] = await db.query<{ n: number }>(
        `SELECT count(DISTINCT payer_resident_id)::int AS n FROM payments WHERE created_at >= $1::timestamptz AND created_at < $2::timestamptz`,
        [from.toISOString(), to.toISOString()],
      );
      return Number(row?.n ?? 0);
    },

    /**
     * Money in and out of shops per Tokyo day in [from, to): payments made to shops, refunds they gave (done), and
     * the gross of payouts taken from them (net + fee; payouts the bank returned are left out, their money came back).
     * The bus operator is not a shop here (its fares are reported as rides).
     */
    async shopFlowsByDay(from: Date, to: Date): Promise<{ day: string; paymentsYen: bigint; refundsYen: bigint; paidOutYen: bigint }[]> {
      const rows = await db.query<{ day: string; p: string; r: string; o: string }>(
        `WITH flows AS (
           SELECT created_at, amount_yen AS p, 0::bigint AS r, 0::bigint AS o FROM payments WHERE created_at >= $1::timestamptz AND created_at < $2::timestamptz
           UNION ALL
           SELECT created_at, 0, amount_yen, 0 FROM refunds WHERE status = 'done' AND created_at >= $1::timestamptz AND created_at < $2::timestamptz
           UNION ALL
           SELECT created_at, 0, 0, gross_yen FROM payouts WHERE status <> 'returned' AND created_at >= $1::timestamptz AND created_at < $2::timestamptz)
         SELECT ${tokyoDay("created_at")} AS day, sum(p)::text AS p, sum(r)::text AS r, sum(o)::text AS o FROM flows GROUP BY 1 ORDER BY 1`,
        [from.toISOString(), to.toISOString()],
      );
      return rows.map((r) => ({ day: r.day, paymentsYen: BigInt(r.p), refundsYen: BigInt(r.r), paidOutYen: BigInt(r.o) }));
    },

    /** Bus rides per service day (bus_taps.ride_date) from fromDate to toDate inclusive: taps, fares, debt, riders. */
    async busRidesByDay(fromDate: string, toDate: string): Promise<{ day: string; rides: number; fareYen: bigint; debtYen: bigint; riders: number }[]> {
      const rows = await db.query<{ day: string; n: number; fare: string; debt: string; riders: number }>(
        `SELECT t.ride_date AS day, count(*)::int AS n, sum(t.capture_yen + t.debt_yen)::text AS fare, sum(t.debt_yen)::text AS debt,
           count(DISTINCT a.resident_id)::int AS riders
         FROM bus_taps t LEFT JOIN bus_allowances a ON a.id = t.allowance_id
         WHERE t.ride_date >= $1 AND t.ride_date <= $2 GROUP BY t.ride_date ORDER BY t.ride_date`,
        [fromDate, toDate],
      );
      return rows.map((r) => ({ day: String(r.day), rides: Number(r.n), fareYen: BigInt(r.fare), debtYen: BigInt(r.debt), riders: Number(r.riders) }));
    },

    /**
     * A campaign's posted ledger movements per Tokyo day, up to `to`: budget debits (issued), expired-account
     * credits (lapsed) and the net of its lot accounts. burnDownSeries (@tsubaki/city) turns these into the curve.
     */
    async campaignFlowsByDay(campaign: { id: string; budgetAccountId: string; expiredAccountId: string }, to: Date): Promise<{ day: string; issuedYen: bigint; expiredYen: bigint; lotNetYen: bigint }[]> {
      const rows = await db.query<{ day: string; issued: string; expired: string; lots: string }>(
        `SELECT ${tokyoDay("e.created_at")} AS day,
           coalesce(sum(e.amount) FILTER (WHERE e.account_id = $2 AND e.side = 'debit'), 0)::text AS issued,
           coalesce(sum(e.amount) FILTER (WHERE e.account_id = $3 AND e.side = 'credit'), 0)::text AS expired,
           coalesce(sum(CASE WHEN e.side = 'credit' THEN e.amount ELSE -e.amount END) FILTER (WHERE e.account_id <> $2 AND e.account_id <> $3), 0)::text AS lots
         FROM ledger_entries e
         WHERE e.phase = 'posted' AND e.created_at < $4::timestamptz
           AND (e.account_id = $2 OR e.account_id = $3 OR e.account_id IN (SELECT account_id FROM point_lots WHERE campaign_id = $1))
         GROUP BY 1 ORDER BY 1`,
        [campaign.id, campaign.budgetAccountId, campaign.expiredAccountId, to.toISOString()],
      );
      return rows.map((r) => ({ day: r.day, issuedYen: BigInt(r.issued), expiredYen: BigInt(r.expired), lotNetYen: BigInt(r.lots) }));
    },

    /** Residents who paid at a shop at least once, per Tokyo day or month ("YYYY-MM-DD" / "YYYY-MM") in [from, to). */
    async activeResidentsBy(unit: "day" | "month", from: Date, to: Date): Promise<{ period: string; residents: number; payments: number }[]> {
      const format = unit === "day" ? "YYYY-MM-DD" : "YYYY-MM";
      const rows = await db.query<{ period: string; n: number; c: number }>(
        `SELECT to_char((created_at AT TIME ZONE 'UTC') + interval '9 hours', '${format}') AS period, count(DISTINCT payer_resident_id)::int AS n, count(*)::int AS c
         FROM payments WHERE created_at >= $1::timestamptz AND created_at < $2::timestamptz GROUP BY 1 ORDER BY 1`,
        [from.toISOString(), to.toISOString()],
      );
      return rows.map((r) => ({ period: r.period, residents: Number(r.n), payments: Number(r.c) }));
    },

    /** Payout runs newest first, a page at a time, optionally those whose id or transfer date contains `search`. */
    async listPayoutRunsPage(limit: number, offset: number, search: string | null): Promise<PayoutRunRecord[]> {
      const pattern = search ? containsPattern(search) : null;
      const rows = await db.query<PayoutRunRow>(
        `SELECT id, trigger, transfer_date, NULL AS file_text, count, total_yen::text AS total_yen, status, created_by, created_at, confirmed_at
         FROM payout_runs WHERE ($3::text IS NULL OR id ILIKE $3 OR transfer_date ILIKE $3 OR trigger ILIKE $3)
         ORDER BY created_at DESC, id DESC LIMIT $1 OFFSET $2`,
        [limit, offset, pattern],
      );
      return rows.map(payoutRunFromRow);
    },

    // --- scheduled runs (the monthly payout) ---

    /**
     * Claims a scheduled run for `leaseMs`: the first claim of an id, or a takeover of one whose lease lapsed and
     * that never finished. Returns the attempt number, or null when it is finished or someone else holds it.
     */
    async claimScheduledRun(id: string, claimedBy: string, at: Date, leaseMs: number): Promise<number | null> {
      assert(Number.isInteger(leaseMs) && leaseMs > 0, "a claim has a lease");
      const rows = await db.query<{ attempts: number }>(
        `INSERT INTO scheduled_runs AS s (id, claimed_by, claimed_until, attempts, created_at) VALUES ($1, $2, $4::timestamptz, 1, $3::timestamptz)
         ON CONFLICT (id) DO UPDATE SET claimed_by = excluded.claimed_by, claimed_until = excluded.claimed_until, attempts = s.attempts + 1
           WHERE s.finished_at IS NULL AND s.claimed_until <= $3::timestamptz
         RETURNING attempts`,
        [id, claimedBy, at.toISOString(), new Date(at.getTime() + leaseMs).toISOString()],
      );
      return rows[0] ? Number(rows[0].attempts) : null;
    },

    /** Finishes a run this claimant holds (done: finished_at set) or gives it back for a later retry (done false). */
    async endScheduledRun(id: string, claimedBy: string, at: Date, done: boolean, result: Record<string, unknown>): Promise<boolean> {
      const rows = await db.query(
        `UPDATE scheduled_runs SET finished_at = CASE WHEN $4 THEN $3::timestamptz ELSE NULL END, claimed_until = $3::timestamptz, result = $5::text::jsonb
         WHERE id = $1 AND claimed_by = $2 AND finished_at IS NULL RETURNING 1`,
        [id, claimedBy, at.toISOString(), done, JSON.stringify(result)],
      );
      return rows.length === 1;
    },

    async getScheduledRun(id: string): Promise<{ id: string; claimedBy: string; attempts: number; finishedAt: Date | null; result: Record<string, unknown> | null } | null> {
      const [row] = await db.query<{ id: string; claimed_by: string; attempts: number; finished_at: unknown; result: unknown }>(
        `SELECT id, claimed_by, attempts, finished_at, result FROM scheduled_runs WHERE id = $1`,
        [id],
      );
      if (!row) return null;
      return {
        id: row.id,
        claimedBy: row.claimed_by,
        attempts: Number(row.attempts),
        finishedAt: row.finished_at === null ? null : toDate(row.finished_at),
        result: row.result === null ? null : json<Record<string, unknown>>(row.result),
      };
    },

    // --- figures ---

    async campaignFigures(campaign: { id: string; budgetAccountId: string; expiredAccountId: string }): Promise<CampaignFigures> {
      const [row] = await db.query<{ issued: string | null; funded: string | null; budget: string | null; expired: string | null; remaining: string; lots: number }>(
        `SELECT (SELECT debits_posted::text FROM ledger_accounts WHERE id = $2) AS issued,
           (SELECT credits_posted::text FROM ledger_accounts WHERE id = $2) AS funded,
           (SELECT (credits_posted - debits_posted - debits_pending)::text FROM ledger_accounts WHERE id = $2) AS budget,
           (SELECT credits_posted::text FROM ledger_accounts WHERE id = $3) AS expired,
           (SELECT coalesce(sum(a.credits_posted - a.debits_posted), 0)::text FROM point_lots l JOIN ledger_accounts a ON a.id = l.account_id WHERE l.campaign_id = $1) AS remaining,
           (SELECT count(*)::int FROM point_lots WHERE campaign_id = $1) AS lots`,
        [campaign.id, campaign.budgetAccountId, campaign.expiredAccountId],
      );
      assert(row, "a figures row");
      return {
        issuedYen: BigInt(row.issued ?? "0"),
        fundedYen: BigInt(row.funded ?? "0"),
        budgetAvailableYen: BigInt(row.budget ?? "0"),
        expiredYen: BigInt(row.expired ?? "0"),
        remainingYen: BigInt(row.remaining),
        lotCount: Number(row.lots),
      };
    },

    /**
     * 資金決済法 未使用残高 at `asOf`: Σ over resident coin accounts of the balance_after of each account's last entry
     * created before asOf (posted balance; holds do not change it). Points are not prepaid instruments and are left out.
     */
    async unusedCoinBalanceAsOf(asOf: Date): Promise<{ totalYen: bigint; accounts: number }> {
      const [row] = await db.query<{ total: string; n: number }>(
        `SELECT coalesce(sum(last.balance_after), 0)::text AS total, count(*)::int AS n FROM (
           SELECT DISTINCT ON (e.account_id) e.balance_after FROM ledger_entries e
           WHERE e.account_id LIKE 'res:%:coins' AND e.created_at < $1::timestamptz
           ORDER BY e.account_id, e.seq DESC) AS last`,
        [asOf.toISOString()],
      );
      assert(row, "a total row");
      return { totalYen: BigInt(row.total), accounts: Number(row.n) };
    },
  };
}

export type CityStore = ReturnType<typeof createCityStore>;
