// The payments store: the SQL behind campaigns, point lots, payments, refunds, dynamic QR requests, one-time codes,
// daily spend counters and idempotency keys. It decides nothing about money (the pure rules are in
// @tsubaki/payments, the ledger moves it); it makes the "at most once" facts atomic — a key claimed, a code or a
// request used, a daily limit reserved, a refund planned under the payment's row lock. The hot statements take a
// whole batch of requests at once (one round trip for many concurrent payments).
import { assert, bug, type Account } from "@tsubaki/ledger";
import type { Db, SqlClient } from "./client";
import { paymentRecordCtes, paymentRecordParams } from "./payment-records";
import { textArray } from "./sql-arrays";
import { toDate } from "./rows";

// --- shapes ----------------------------------------------------------------------------------------------------

export type ShopTierName = "small" | "large";

/** A campaign's (or a lot's snapshot of its) restriction; null fields do not restrict. */
export interface LotRestrictionRecord {
  categories?: string[];
  tiers?: ShopTierName[];
}

export type CampaignKind = "grant" | "premium" | "event";

/** A campaign's eligibility rule as stored; structurally a @tsubaki/city EligibilityRule. */
export interface EligibilityRecord {
  ageMin?: number;
  ageMax?: number;
  districts?: readonly string[];
  verifiedRequired?: boolean;
}
export type CampaignStatus = "draft" | "active" | "ended";

export interface CampaignRecord {
  id: string;
  nameJa: string;
  nameEn: string;
  kind: CampaignKind;
  restriction: LotRestrictionRecord | null;
  expiryDate: string | null;
  expiryDays: number | null;
  capPerPersonYen: bigint;
  rateBps: number | null;
  /** grant and event campaigns: what a rule grant or a check-in gives each resident (null/absent: the cap). */
  grantYen?: bigint | null;
  /** Who may receive points (null/absent: every verified resident). */
  eligibility?: EligibilityRecord | null;
  budgetAccountId: string;
  expiredAccountId: string;
  startsAt: Date;
  endsAt: Date;
  status: CampaignStatus;
  createdAt: Date;
}

/** A lot with its balance as the ledger has it now; structurally a @tsubaki/payments PointLot. */
export interface LotRecord {
  lotId: string;
  accountId: string;
  campaignId: string;
  residentId: string;
  grantedYen: bigint;
  balanceYen: bigint;
  grantedAt: Date;
  expiresAt: Date;
  restriction: LotRestrictionRecord | null;
  expiredAccountId: string;
}

export interface WalletState {
  residentId: string;
  /** availableYen = credits − debits − pending debits; exists false ⇒ the coin account was never opened (0). */
  coins: { accountId: string; availableYen: bigint; exists: boolean };
  /** Unexpired lots with a positive available balance, any order. */
  lots: LotRecord[];
  /**
   * The ledger account of a lot or of the coins as read with the wallet, when it was (the claim reads them; other
   * reads do not): offered to the ledger's writer so it need not read it again (LedgerService.prime).
   */
  ledgerAccount?: (accountId: string) => Account | null;
}

/** One source of a payment or refund, as stored (snake_case JSON). */
export interface StoredAllocationPart {
  source: "lot" | "coins";
  account_id: string;
  lot_id?: string;
  campaign_id?: string;
  amount_yen: string;
  expires_at?: string;
}

export type PaymentKind = "pay" | "cpm" | "card";

export interface PaymentRecordRow {
  id: string;
  seq: number;
  ref: string;
  payerResidentId: string;
  shopId: string;
  amountYen: bigint;
  allocation: StoredAllocationPart[];
  kind: PaymentKind;
  requestId: string | null;
  proxyUserId: string | null;
  receipt: string;
  createdAt: Date;
  refundedYen: bigint;
}

export interface RefundRecordRow {
  id: string;
  paymentId: string;
  shopId: string;
  amountYen: bigint;
  allocation: StoredAllocationPart[];
  lapsed: unknown[];
  reason: "refund" | "cancel";
  status: "pending" | "done";
  receipt: string | null;
  createdAt: Date;
}

export interface PaymentRequestRecord {
  id: string;
  shopId: string;
  amountYen: bigint;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date;
  paidAt: Date | null;
  paidBy: string | null;
  paidRef: string | null;
}

export type SpendKind = "payment" | "charge" | "p2p";

export interface SpendReservation {
  residentId: string;
  /** Tokyo date YYYY-MM-DD. */
  day: string;
  kind: SpendKind;
  amountYen: bigint;
  limitYen: bigint;
}

export type ReservationResult = { ok: true; spentYen: bigint } | { ok: false; spentYen: bigint; limitYen: bigint };

export interface KeyClaimInput {
  principal: string;
  key: string;
  requestHash: string;
  /** Reserved in the same statement, only when the key is claimed now. */
  reservation?: SpendReservation;
  /** The resident whose wallet is read in the same statement, only when the key is claimed now. */
  walletOf?: string;
}

export type KeyClaimResult =
  /** This request owns the key now; attempts > 1 ⇒ it took over from a dead attempt. */
  | { kind: "claimed"; attempts: number; reservation: ReservationResult | null; wallet: WalletState | null }
  /** responseBody null: the response is rebuilt from what the request wrote (a payment's row). */
  | { kind: "done"; requestHash: string; responseStatus: number; responseBody: string | null }
  /** Another request holds it (or committed it a moment ago): requestHash null when not yet visible. */
  | { kind: "in_progress"; requestHash: string | null };

export interface PaymentInsert {
  id: string;
  ref: string;
  payerResidentId: string;
  shopId: string;
  amountYen: bigint;
  allocation: StoredAllocationPart[];
  kind: PaymentKind;
  requestId: string | null;
  proxyUserId: string | null;
  receipt: string;
  createdAt: Date;
}

/** The idempotency key finished together with a write: its stored response. */
export interface KeyCompletion {
  principal: string;
  key: string;
  responseStatus: number;
  /** Null: not stored twice; the response is rebuilt from the row the request wrote (see KeyClaimResult). */
  responseBody: string | null;
}

export type CodePurpose = "pay" | "receive";

export type CodeClaimResult =
  | { ok: true; residentId: string; replayed: boolean }
  | { ok: false; code: "code_not_found" | "code_expired" | "code_used" };

export type RequestClaimResult =
  | { ok: true; request: PaymentRequestRecord; replayed: boolean }
  | { ok: false; code: "payment_request_not_found" | "payment_request_paid" | "payment_request_expired"; request: PaymentRequestRecord | null };

export interface HistoryItem {
  transferId: string;
  code: string | null;
  metadata: Record<string, unknown> | null;
  at: Date;
  /** Net change over all the resident's accounts (positive: received). */
  netYen: bigint;
  coinsYen: bigint;
  pointsYen: bigint;
}

export interface ShopSummaryRow {
  paymentsCount: number;
  grossYen: bigint;
  refundsCount: number;
  refundedYen: bigint;
}

// --- rows ------------------------------------------------------------------------------------------------------

const json = <T>(value: unknown): T => (typeof value === "string" ? (JSON.parse(value) as T) : (value as T));
const dateOrNull = (value: unknown): Date | null => (value === null || value === undefined ? null : toDate(value));

const campaignColumns = `id, name_ja, name_en, kind, restriction_categories, restriction_tiers, expiry_date::text AS expiry_date, expiry_days,
  cap_per_person_yen::text AS cap_per_person_yen, rate_bps, grant_yen::text AS grant_yen, eligibility, budget_account_id, expired_account_id, starts_at, ends_at, status, created_at`;

interface CampaignRow {
  id: string;
  name_ja: string;
  name_en: string;
  kind: CampaignKind;
  restriction_categories: unknown;
  restriction_tiers: unknown;
  expiry_date: string | null;
  expiry_days: number | null;
  cap_per_person_yen: string;
  rate_bps: number | null;
  grant_yen: string | null;
  eligibility: unknown;
  budget_account_id: string;
  expired_account_id: string;
  starts_at: unknown;
  ends_at: unknown;
  status: CampaignStatus;
  created_at: unknown;
}

function restrictionOf(categories: unknown, tiers: unknown): LotRestrictionRecord | null {
  const c = categories === null || categories === undefined ? undefined : json<string[]>(categories);
  const t = tiers === null || tiers === undefined ? undefined : json<ShopTierName[]>(tiers);
  if (c === undefined && t === undefined) return null;
  return { ...(c === undefined ? {} : { categories: c }), ...(t === undefined ? {} : { tiers: t }) };
}

function campaignFromRow(r: CampaignRow): CampaignRecord {
  return {
    id: r.id,
    nameJa: r.name_ja,
    nameEn: r.name_en,
    kind: r.kind,
    restriction: restrictionOf(r.restriction_categories, r.restriction_tiers),
    expiryDate: r.expiry_date,
    expiryDays: r.expiry_days === null ? null : Number(r.expiry_days),
    capPerPersonYen: BigInt(r.cap_per_person_yen),
    rateBps: r.rate_bps === null ? null : Number(r.rate_bps),
    grantYen: r.grant_yen === null || r.grant_yen === undefined ? null : BigInt(r.grant_yen),
    eligibility: r.eligibility === null || r.eligibility === undefined ? null : json<EligibilityRecord>(r.eligibility),
    budgetAccountId: r.budget_account_id,
    expiredAccountId: r.expired_account_id,
    startsAt: toDate(r.starts_at),
    endsAt: toDate(r.ends_at),
    status: r.status,
    createdAt: toDate(r.created_at),
  };
}

interface LotRow {
  id: string;
  resident_id: string;
  campaign_id: string;
  account_id: string;
  granted_yen: string;
  balance_yen: string;
  granted_at: unknown;
  expires_at: unknown;
  restriction: unknown;
  expired_account_id: string;
}

function lotFromRow(r: LotRow): LotRecord {
  const restriction = r.restriction === null || r.restriction === undefined ? null : json<LotRestrictionRecord | null>(r.restriction);
  return {
    lotId: r.id,
    accountId: r.account_id,
    campaignId: r.campaign_id,
    residentId: r.resident_id,
    grantedYen: BigInt(r.granted_yen),
    balanceYen: BigInt(r.balance_yen),
    grantedAt: toDate(r.granted_at),
    expiresAt: toDate(r.expires_at),
    restriction,
    expiredAccountId: r.expired_account_id,
  };
}

const lotSelect = `SELECT l.id, l.resident_id, l.campaign_id, l.account_id, l.granted_yen::text AS granted_yen,
    (a.credits_posted - a.debits_posted - a.debits_pending)::text AS balance_yen, l.granted_at, l.expires_at, l.restriction,
    c.expired_account_id
  FROM point_lots l JOIN ledger_accounts a ON a.id = l.account_id JOIN campaigns c ON c.id = l.campaign_id`;

const paymentColumns = `id, seq, ref, payer_resident_id, shop_id, amount_yen::text AS amount_yen, allocation, kind, request_id, proxy_user_id,
  receipt, created_at, refunded_yen::text AS refunded_yen`;

interface PaymentRow {
  id: string;
  seq: string | number;
  ref: string;
  payer_resident_id: string;
  shop_id: string;
  amount_yen: string;
  allocation: unknown;
  kind: PaymentKind;
  request_id: string | null;
  proxy_user_id: string | null;
  receipt: string;
  created_at: unknown;
  refunded_yen: string;
}

function paymentFromRow(r: PaymentRow): PaymentRecordRow {
  return {
    id: r.id,
    seq: Number(r.seq),
    ref: r.ref,
    payerResidentId: r.payer_resident_id,
    shopId: r.shop_id,
    amountYen: BigInt(r.amount_yen),
    allocation: json<StoredAllocationPart[]>(r.allocation),
    kind: r.kind,
    requestId: r.request_id,
    proxyUserId: r.proxy_user_id,
    receipt: r.receipt,
    createdAt: toDate(r.created_at),
    refundedYen: BigInt(r.refunded_yen),
  };
}

const refundColumns = `id, payment_id, shop_id, amount_yen::text AS amount_yen, allocation, lapsed, reason, status, receipt, created_at`;

interface RefundRow {
  id: string;
  payment_id: string;
  shop_id: string;
  amount_yen: string;
  allocation: unknown;
  lapsed: unknown;
  reason: "refund" | "cancel";
  status: "pending" | "done";
  receipt: string | null;
  created_at: unknown;
}

function refundFromRow(r: RefundRow): RefundRecordRow {
  return {
    id: r.id,
    paymentId: r.payment_id,
    shopId: r.shop_id,
    amountYen: BigInt(r.amount_yen),
    allocation: json<StoredAllocationPart[]>(r.allocation),
    lapsed: json<unknown[]>(r.lapsed),
    reason: r.reason,
    status: r.status,
    receipt: r.receipt,
    createdAt: toDate(r.created_at),
  };
}

const requestColumns = `id, shop_id, amount_yen::text AS amount_yen, created_by, created_at, expires_at, paid_at, paid_by, paid_ref`;

interface RequestRow {
  id: string;
  shop_id: string;
  amount_yen: string;
  created_by: string;
  created_at: unknown;
  expires_at: unknown;
  paid_at: unknown;
  paid_by: string | null;
  paid_ref: string | null;
}

function requestFromRow(r: RequestRow): PaymentRequestRecord {
  return {
    id: r.id,
    shopId: r.shop_id,
    amountYen: BigInt(r.amount_yen),
    createdBy: r.created_by,
    createdAt: toDate(r.created_at),
    expiresAt: toDate(r.expires_at),
    paidAt: dateOrNull(r.paid_at),
    paidBy: r.paid_by,
    paidRef: r.paid_ref,
  };
}

// --- statements ------------------------------------------------------------------------------------------------

/**
 * A timestamp(3) column as epoch milliseconds, in text. date_part works in double precision, where extract works
 * in numeric at about twice the cost (three of these per lot of every claimed wallet). It is exact here: the
 * columns hold whole milliseconds, and a double's error at these magnitudes is a few hundred-thousandths of one,
 * so rounding gives the stored value.
 */
export function epochMsText(column: string): string {
  return `round(date_part('epoch', ${column}) * 1000)::bigint::text`;
}

/**
 * Fields joined by U+001F, NULL written U+001D: one array and one copy, where a chain of || copies the growing
 * text once per operator (that was 3% of PostgreSQL's samples in bench:pay).
 */
function joinedFields(fields: readonly string[]): string {
  return `array_to_string(ARRAY[${fields.join(", ")}], chr(31), chr(29))`;
}

/**
 * A ledger account's whole state as twelve fields (accountFromClaimFields reads them): the claim reads the payer's
 * accounts anyway, and the ledger's writer takes them instead of reading them again before it plans
 * (LedgerService.prime). NULL when the owner (free text up to 128 characters) holds a separator.
 */
function ledgerAccountText(a: string): string {
  return `CASE WHEN ${a}.owner IS NULL OR (strpos(${a}.owner, chr(30)) = 0 AND strpos(${a}.owner, chr(31)) = 0) THEN ${joinedFields([
    `${a}.kind`,
    `${a}.owner`,
    `${a}.asset`,
    `${a}.debits_must_not_exceed_credits::text`,
    `${a}.credits_must_not_exceed_debits::text`,
    `${a}.debits_posted::text`,
    `${a}.credits_posted::text`,
    `${a}.debits_pending::text`,
    `${a}.credits_pending::text`,
    `${a}.entry_seq::text`,
    `${a}.metadata::text`,
    epochMsText(`${a}.created_at`),
  ])} END`;
}

// Claims a batch of idempotency keys and, for each key claimed now, reserves its daily spend. A key is claimed
// when it is new, or when it is in progress with the same request hash and was last touched before $3 (its
// request died: the retry takes over). The caller guarantees each (principal, key) and each (resident, day, kind)
// appears once per batch (ON CONFLICT DO UPDATE may touch a row once per statement). Rows of keys not claimed are
// read from the statement's snapshot: a key another transaction committed a moment ago may not be visible yet,
// which the caller treats as in progress. The lookups are LATERAL with LIMIT so they stay index lookups: a hash
// join would read the whole keys table for every batch. A claim may ask for a wallet too (walletOf): for a key
// claimed now, the coins and open lots are read as loadWallets reads them, in the same round trip.
//
// The claim commits without waiting for its WAL flush (synchronous_commit off for this statement's transaction
// only). Nothing a client is told rests on the claim alone: every outcome is answered after a later synchronous
// commit of the same request (the ledger batch, the payment row, the key's release), and WAL is flushed in order,
// so that commit makes the claim durable too. A crash can lose only claims whose requests never answered; their
// retries claim afresh and find whatever was posted by its transfer ids. A duplicate told "in progress" meanwhile
// just retries. What it saves: one flush wait on every claim batch, the first round trip of every payment.
const claimStatement = `
WITH
  quick AS (SELECT set_config('synchronous_commit', 'off', true) AS setting),
  x AS (SELECT * FROM jsonb_to_recordset($1::text::jsonb) AS x(i int, principal text, key text, request_hash text,
          resident_id text, day date, kind text, amount_yen bigint, limit_yen bigint, wallet_of text, coins_account text)),
  claimed AS (
    INSERT INTO idempotency_keys AS k (principal, key, request_hash, status, attempts, created_at, updated_at)
    SELECT principal, key, request_hash, 'in_progress', 1, $2::timestamptz, $2::timestamptz FROM x
    ON CONFLICT (principal, key) DO UPDATE SET attempts = k.attempts + 1, updated_at = excluded.updated_at
      WHERE k.status = 'in_progress' AND k.request_hash = excluded.request_hash AND k.updated_at < $3::timestamptz
    RETURNING k.principal, k.key, k.attempts),
  reserved AS (
    INSERT INTO spend_totals AS s (resident_id, day, kind, spent_yen, limit_yen)
    SELECT x.resident_id, x.day, x.kind, x.amount_yen, x.limit_yen FROM x JOIN claimed c ON c.principal = x.principal AND c.key = x.key
    WHERE x.resident_id IS NOT NULL AND x.amount_yen <= x.limit_yen
    ON CONFLICT (resident_id, day, kind) DO UPDATE SET spent_yen = s.spent_yen + excluded.spent_yen, limit_yen = excluded.limit_yen
      WHERE s.spent_yen + excluded.spent_yen <= excluded.limit_yen
    RETURNING s.resident_id, s.day, s.kind, s.spent_yen)
SELECT x.i, c.attempts, (r.resident_id IS NOT NULL) AS reserved, coalesce(r.spent_yen, s.spent_yen, 0)::text AS spent_yen,
  k.request_hash, k.status, k.response_status, k.response_body, wc.coins_yen, wc.coins_account, wl.lots
FROM x
CROSS JOIN quick
LEFT JOIN claimed c ON c.principal = x.principal AND c.key = x.key
LEFT JOIN reserved r ON r.resident_id = x.resident_id AND r.day = x.day AND r.kind = x.kind
LEFT JOIN LATERAL (SELECT s.spent_yen FROM spend_totals s
  WHERE c.key IS NOT NULL AND r.resident_id IS NULL AND s.resident_id = x.resident_id AND s.day = x.day AND s.kind = x.kind LIMIT 1) s ON true
LEFT JOIN LATERAL (SELECT k.request_hash, k.status, k.response_status, k.response_body FROM idempotency_keys k
  WHERE c.key IS NULL AND k.principal = x.principal AND k.key = x.key LIMIT 1) k ON true
LEFT JOIN LATERAL (SELECT (a.credits_posted - a.debits_posted - a.debits_pending)::text AS coins_yen, ${ledgerAccountText("a")} AS coins_account
  FROM ledger_accounts a WHERE c.key IS NOT NULL AND x.coins_account IS NOT NULL AND a.id = x.coins_account LIMIT 1) wc ON true
-- The lots as one text (walletFromClaim reads it): fields joined by U+001F (NULL is U+001D), lots by U+001E, times
-- as epoch milliseconds. Ids are validated (no control characters) and a restriction is jsonb's own output, so nothing needs
-- escaping. It replaced json_agg(json_build_object(...)), which was a tenth of PostgreSQL's time in bench:pay: it
-- looks up each value's type on every row and formats two timestamps per lot. Each lot ends with its ledger
-- account's state (ledgerAccountText), as does the coin account's column: see WalletState.ledgerAccount.
LEFT JOIN LATERAL (SELECT string_agg(${joinedFields([
  "l.id",
  "l.campaign_id",
  "l.account_id",
  "l.granted_yen::text",
  "a.available::text",
  epochMsText("l.granted_at"),
  epochMsText("l.expires_at"),
  "l.restriction::text",
  "cp.expired_account_id",
  ledgerAccountText("a"),
])}, chr(30)) AS lots
  FROM point_lots l
  CROSS JOIN LATERAL (SELECT a.*, a.credits_posted - a.debits_posted - a.debits_pending AS available FROM ledger_accounts a WHERE a.id = l.account_id LIMIT 1) a
  JOIN campaigns cp ON cp.id = l.campaign_id
  WHERE c.key IS NOT NULL AND x.wallet_of IS NOT NULL AND l.resident_id = x.wallet_of AND l.expires_at > $2::timestamptz AND a.available > 0) wl ON true
ORDER BY x.i`;

// Records a batch of payments and finishes their idempotency keys in one statement (the ledger's write statement
// carries the same two CTEs when payments ride with their transfers: see payment-records.ts).
const recordPaymentsStatement = `WITH ${paymentRecordCtes(1)}
SELECT p.id, p.seq::text AS seq, (SELECT count(*) FROM k)::int AS keys FROM p`;

// A resident's history: one row per posted transfer touching any of their accounts, newest first.
const historyStatement = `
SELECT t.id, t.code, t.metadata, t.created_at,
  sum(CASE WHEN e.side = 'credit' THEN e.amount ELSE -e.amount END)::text AS net_yen,
  coalesce(sum(CASE WHEN e.side = 'credit' THEN e.amount ELSE -e.amount END) FILTER (WHERE e.account_id LIKE '%:coins'), 0)::text AS coins_yen,
  coalesce(sum(CASE WHEN e.side = 'credit' THEN e.amount ELSE -e.amount END) FILTER (WHERE e.account_id NOT LIKE '%:coins'), 0)::text AS points_yen
FROM ledger_accounts a
JOIN ledger_entries e ON e.account_id = a.id AND e.phase = 'posted'
JOIN ledger_transfers t ON t.id = e.transfer_id
WHERE a.owner = $1 AND ($2::timestamptz IS NULL OR (t.created_at, t.id) < ($2::timestamptz, $3::text))
GROUP BY t.id, t.code, t.metadata, t.created_at
ORDER BY t.created_at DESC, t.id DESC
LIMIT $4`;

// --- the store -------------------------------------------------------------------------------------------------

export interface PaymentsStoreOptions {
  /** Clock, for tests of expiry. */
  now?: () => Date;
}

export function createPaymentsStore(db: Db, options: PaymentsStoreOptions = {}) {
  const now = options.now ?? (() => new Date());

  async function loadWalletsIn(client: SqlClient, residentIds: readonly string[], at: Date): Promise<Map<string, WalletState>> {
    const wallets = new Map<string, WalletState>();
    for (const residentId of residentIds) {
      wallets.set(residentId, { residentId, coins: { accountId: coinsAccountId(residentId), availableYen: 0n, exists: false }, lots: [] });
    }
    if (residentIds.length === 0) return wallets;
    const rows = await client.query<LotRow & { source: "coins" | "lot" }>(
      `SELECT 'coins' AS source, NULL AS id, NULL AS resident_id, NULL AS campaign_id, a.id AS account_id,
         NULL AS granted_yen, (a.credits_posted - a.debits_posted - a.debits_pending)::text AS balance_yen, NULL AS granted_at,
         NULL AS expires_at, NULL AS restriction, NULL AS expired_account_id
       FROM ledger_accounts a WHERE a.id = ANY($1::text::text[])
       UNION ALL
       SELECT 'lot', l.id, l.resident_id, l.campaign_id, l.account_id, l.granted_yen::text, a.available::text, l.granted_at, l.expires_at,
         l.restriction, c.expired_account_id
       FROM point_lots l
       CROSS JOIN LATERAL (SELECT a.credits_posted - a.debits_posted - a.debits_pending AS available FROM ledger_accounts a WHERE a.id = l.account_id LIMIT 1) a
       JOIN campaigns c ON c.id = l.campaign_id
       WHERE l.resident_id = ANY($2::text::text[]) AND l.expires_at > $3::timestamptz AND a.available > 0`,
      [textArray(residentIds.map(coinsAccountId)), textArray(residentIds), at.toISOString()],
    );
    for (const row of rows) {
      if (row.source === "coins") {
        const residentId = residentOfCoins(row.account_id);
        const wallet = wallets.get(residentId);
        assert(wallet, "a coin account read belongs to a resident asked for");
        wallet.coins = { accountId: row.account_id, availableYen: BigInt(row.balance_yen), exists: true };
      } else {
        const wallet = wallets.get(row.resident_id);
        assert(wallet, "a lot read belongs to a resident asked for");
        wallet.lots.push(lotFromRow(row));
      }
    }
    return wallets;
  }

  return {
    now,

    // --- campaigns and lots ---

    async insertCampaign(c: CampaignRecord): Promise<{ ok: true; campaign: CampaignRecord; created: boolean }> {
      const rows = await db.query<CampaignRow>(
        `INSERT INTO campaigns (id, name_ja, name_en, kind, restriction_categories, restriction_tiers, expiry_date, expiry_days, cap_per_person_yen,
           rate_bps, budget_account_id, expired_account_id, starts_at, ends_at, status, created_at, grant_yen, eligibility)
         VALUES ($1, $2, $3, $4, $5::text::jsonb, $6::text::jsonb, $7::date, $8, $9::text::bigint, $10, $11, $12, $13::timestamptz, $14::timestamptz, $15, $16::timestamptz,
           $17::text::bigint, $18::text::jsonb)
         ON CONFLICT (id) DO NOTHING RETURNING ${campaignColumns}`,
        [
          c.id,
          c.nameJa,
          c.nameEn,
          c.kind,
          c.restriction?.categories ? JSON.stringify(c.restriction.categories) : null,
          c.restriction?.tiers ? JSON.stringify(c.restriction.tiers) : null,
          c.expiryDate,
          c.expiryDays,
          c.capPerPersonYen.toString(),
          c.rateBps,
          c.budgetAccountId,
          c.expiredAccountId,
          c.startsAt.toISOString(),
          c.endsAt.toISOString(),
          c.status,
          c.createdAt.toISOString(),
          c.grantYen?.toString() ?? null,
          c.eligibility ? JSON.stringify(c.eligibility) : null,
        ],
      );
      if (rows[0]) return { ok: true, campaign: campaignFromRow(rows[0]), created: true };
      const existing = await this.getCampaign(c.id);
      assert(existing, "a campaign that conflicted exists");
      return { ok: true, campaign: existing, created: false };
    },

    async getCampaign(id: string): Promise<CampaignRecord | null> {
      const [row] = await db.query<CampaignRow>(`SELECT ${campaignColumns} FROM campaigns WHERE id = $1`, [id]);
      return row ? campaignFromRow(row) : null;
    },

    /**
     * Reserves `amountYen` of a campaign's per-person cap for a resident: granted + amount ≤ cap, else nothing.
     * Returns what the resident had been granted before (so the premium can be cut to the cap by the caller first).
     */
    async reserveCampaignGrant(campaignId: string, residentId: string, amountYen: bigint, capYen: bigint): Promise<{ ok: boolean; grantedBeforeYen: bigint }> {
      const [row] = await db.query<{ granted_yen: string | null; before_yen: string }>(
        `WITH before AS (SELECT coalesce((SELECT granted_yen FROM campaign_recipients WHERE campaign_id = $1 AND resident_id = $2), 0) AS g),
         up AS (INSERT INTO campaign_recipients AS r (campaign_id, resident_id, granted_yen) SELECT $1, $2, $3::text::bigint WHERE $3::text::bigint <= $4::text::bigint
           ON CONFLICT (campaign_id, resident_id) DO UPDATE SET granted_yen = r.granted_yen + excluded.granted_yen
           WHERE r.granted_yen + excluded.granted_yen <= $4::text::bigint RETURNING r.granted_yen)
         SELECT (SELECT granted_yen::text FROM up) AS granted_yen, (SELECT g::text FROM before) AS before_yen`,
        [campaignId, residentId, amountYen.toString(), capYen.toString()],
      );
      assert(row, "the reservation statement returns a row");
      return { ok: row.granted_yen !== null, grantedBeforeYen: row.granted_yen !== null ? BigInt(row.granted_yen) - amountYen : BigInt(row.before_yen) };
    },

    async campaignGrantedTo(campaignId: string, residentId: string): Promise<bigint> {
      const [row] = await db.query<{ g: string }>(`SELECT granted_yen::text AS g FROM campaign_recipients WHERE campaign_id = $1 AND resident_id = $2`, [campaignId, residentId]);
      return row ? BigInt(row.g) : 0n;
    },

    async releaseCampaignGrant(campaignId: string, residentId: string, amountYen: bigint): Promise<void> {
      await db.query(`UPDATE campaign_recipients SET granted_yen = greatest(granted_yen - $3::text::bigint, 0) WHERE campaign_id = $1 AND resident_id = $2`, [
        campaignId,
        residentId,
        amountYen.toString(),
      ]);
    },

    /** A lot row (its ledger account is created by the caller). The same id again is a no-op. */
    async insertLot(lot: { lotId: string; residentId: string; campaignId: string; accountId: string; grantedYen: bigint; grantedAt: Date; expiresAt: Date; restriction: LotRestrictionRecord | null }): Promise<void> {
      await db.query(
        `INSERT INTO point_lots (id, resident_id, campaign_id, account_id, granted_yen, granted_at, expires_at, restriction)
         VALUES ($1, $2, $3, $4, $5::text::bigint, $6::timestamptz, $7::timestamptz, $8::text::jsonb)
         ON CONFLICT (id) DO UPDATE SET granted_yen = excluded.granted_yen`,
        [lot.lotId, lot.residentId, lot.campaignId, lot.accountId, lot.grantedYen.toString(), lot.grantedAt.toISOString(), lot.expiresAt.toISOString(), lot.restriction === null ? null : JSON.stringify(lot.restriction)],
      );
    },

    async deleteLot(lotId: string): Promise<void> {
      await db.query(`DELETE FROM point_lots WHERE id = $1`, [lotId]);
    },

    /** Lots by id, whatever their balance or expiry (refunds go back to them). */
    async getLots(lotIds: readonly string[]): Promise<Map<string, LotRecord>> {
      if (lotIds.length === 0) return new Map();
      const rows = await db.query<LotRow>(`${lotSelect} WHERE l.id = ANY($1::text::text[])`, [textArray(lotIds)]);
      return new Map(rows.map((r) => [r.id, lotFromRow(r)]));
    },

    /** Lots of one resident whatever their balance (the wallet page also shows what lapsed). */
    async lotsOfResident(residentId: string, limit: number): Promise<LotRecord[]> {
      const rows = await db.query<LotRow>(`${lotSelect} WHERE l.resident_id = $1 ORDER BY l.expires_at DESC, l.id LIMIT $2`, [residentId, limit]);
      return rows.map(lotFromRow);
    },

    /** Lots by their ledger account ids (rebuilding a payment's allocation from its legs). */
    async lotsByAccount(accountIds: readonly string[]): Promise<Map<string, LotRecord>> {
      if (accountIds.length === 0) return new Map();
      const rows = await db.query<LotRow>(`${lotSelect} WHERE l.account_id = ANY($1::text::text[])`, [textArray(accountIds)]);
      return new Map(rows.map((r) => [r.account_id, lotFromRow(r)]));
    },

    // --- wallets ---

    /** Coins and open lots (unexpired at `at`, balance > 0) of many residents in one round trip. */
    loadWallets: (residentIds: readonly string[], at: Date) => loadWalletsIn(db, residentIds, at),

    // --- idempotency keys and daily limits ---

    async claimKeys(inputs: readonly KeyClaimInput[], at: Date, takeoverBefore: Date): Promise<KeyClaimResult[]> {
      if (inputs.length === 0) return [];
      const rows = await db.query<{
        i: number;
        attempts: number | null;
        reserved: boolean;
        spent_yen: string;
        request_hash: string | null;
        status: string | null;
        response_status: number | null;
        response_body: string | null;
        coins_yen: string | null;
        coins_account: string | null;
        lots: string | null;
      }>(claimStatement, [
        JSON.stringify(
          inputs.map((input, i) => ({
            i,
            principal: input.principal,
            key: input.key,
            request_hash: input.requestHash,
            resident_id: input.reservation?.residentId ?? null,
            day: input.reservation?.day ?? null,
            kind: input.reservation?.kind ?? null,
            amount_yen: input.reservation?.amountYen.toString() ?? null,
            limit_yen: input.reservation?.limitYen.toString() ?? null,
            wallet_of: input.walletOf ?? null,
            coins_account: input.walletOf === undefined ? null : coinsAccountId(input.walletOf),
          })),
        ),
        at.toISOString(),
        takeoverBefore.toISOString(),
      ]);
      assert(rows.length === inputs.length, "one claim row per input");
      return rows.map((row, i): KeyClaimResult => {
        const input = inputs[i]!;
        assert(Number(row.i) === i, "claim rows come back in input order");
        if (row.attempts !== null) {
          const r = input.reservation;
          const reservation: ReservationResult | null = !r
            ? null
            : row.reserved
              ? { ok: true, spentYen: BigInt(row.spent_yen) }
              : { ok: false, spentYen: BigInt(row.spent_yen), limitYen: r.limitYen };
          const wallet = input.walletOf === undefined ? null : walletFromClaim(input.walletOf, row.coins_yen, row.coins_account, row.lots);
          return { kind: "claimed", attempts: Number(row.attempts), reservation, wallet };
        }
        if (row.status === "done" && row.response_status !== null && row.request_hash !== null) {
          return { kind: "done", requestHash: row.request_hash, responseStatus: Number(row.response_status), responseBody: row.response_body };
        }
        return { kind: "in_progress", requestHash: row.request_hash };
      });
    },

    /** Stores the response of a key's request (the key must be this request's, in progress). */
    async completeKey(completion: KeyCompletion): Promise<void> {
      await db.query(
        `UPDATE idempotency_keys SET status = 'done', response_status = $3, response_body = $4, updated_at = $5::timestamptz
         WHERE principal = $1 AND key = $2 AND status = 'in_progress'`,
        [completion.principal, completion.key, completion.responseStatus, completion.responseBody, now().toISOString()],
      );
    },

    /** Forgets a key whose request failed before anything moved: it leaves no trace, and a retry runs anew. */
    async releaseKey(principal: string, key: string): Promise<void> {
      await db.query(`DELETE FROM idempotency_keys WHERE principal = $1 AND key = $2 AND status = 'in_progress'`, [principal, key]);
    },

    /** Reserves a daily spend on its own (when the resident is known only after the key is claimed). */
    async reserveSpend(r: SpendReservation): Promise<ReservationResult> {
      const [row] = await db.query<{ spent_yen: string | null; current_yen: string }>(
        `WITH up AS (INSERT INTO spend_totals AS s (resident_id, day, kind, spent_yen, limit_yen) SELECT $1, $2::date, $3, $4::text::bigint, $5::text::bigint
           WHERE $4::text::bigint <= $5::text::bigint
           ON CONFLICT (resident_id, day, kind) DO UPDATE SET spent_yen = s.spent_yen + excluded.spent_yen, limit_yen = excluded.limit_yen
           WHERE s.spent_yen + excluded.spent_yen <= excluded.limit_yen RETURNING s.spent_yen)
         SELECT (SELECT spent_yen::text FROM up) AS spent_yen,
           coalesce((SELECT spent_yen FROM spend_totals WHERE resident_id = $1 AND day = $2::date AND kind = $3), 0)::text AS current_yen`,
        [r.residentId, r.day, r.kind, r.amountYen.toString(), r.limitYen.toString()],
      );
      assert(row, "the reservation statement returns a row");
      return row.spent_yen !== null ? { ok: true, spentYen: BigInt(row.spent_yen) } : { ok: false, spentYen: BigInt(row.current_yen), limitYen: r.limitYen };
    },

    async releaseSpend(r: Omit<SpendReservation, "limitYen">): Promise<void> {
      await db.query(
        `UPDATE spend_totals SET spent_yen = greatest(spent_yen - $4::text::bigint, 0) WHERE resident_id = $1 AND day = $2::date AND kind = $3`,
        [r.residentId, r.day, r.kind, r.amountYen.toString()],
      );
    },

    async spentOn(residentId: string, day: string, kind: SpendKind): Promise<bigint> {
      const [row] = await db.query<{ s: string }>(`SELECT spent_yen::text AS s FROM spend_totals WHERE resident_id = $1 AND day = $2::date AND kind = $3`, [residentId, day, kind]);
      return row ? BigInt(row.s) : 0n;
    },

    // --- payments ---

    /** Records payments and finishes their keys; returns each new payment's seq (absent: it was recorded before). */
    async recordPayments(items: readonly { payment: PaymentInsert; completion: KeyCompletion | null }[]): Promise<Map<string, number>> {
      if (items.length === 0) return new Map();
      const rows = await db.query<{ id: string; seq: string; keys: number }>(recordPaymentsStatement, paymentRecordParams(items, now()));
      return new Map(rows.map((r) => [r.id, Number(r.seq)]));
    },

    async getPayment(id: string): Promise<PaymentRecordRow | null> {
      const [row] = await db.query<PaymentRow>(`SELECT ${paymentColumns} FROM payments WHERE id = $1`, [id]);
      return row ? paymentFromRow(row) : null;
    },

    async getPaymentByRef(ref: string): Promise<PaymentRecordRow | null> {
      const [row] = await db.query<PaymentRow>(`SELECT ${paymentColumns} FROM payments WHERE ref = $1`, [ref]);
      return row ? paymentFromRow(row) : null;
    },

    /** The shop's newest payment at or after `since`, if any. */
    async lastPaymentOfShop(shopId: string, since: Date): Promise<PaymentRecordRow | null> {
      const [row] = await db.query<PaymentRow>(
        `SELECT ${paymentColumns} FROM payments WHERE shop_id = $1 AND created_at >= $2::timestamptz ORDER BY seq DESC LIMIT 1`,
        [shopId, since.toISOString()],
      );
      return row ? paymentFromRow(row) : null;
    },

    /** A shop's payments, newest first; cursor = the seq of the last row of the previous page. */
    async listShopPayments(shopId: string, q: { beforeSeq: number | null; from: Date | null; to: Date | null; limit: number }): Promise<PaymentRecordRow[]> {
      const rows = await db.query<PaymentRow>(
        `SELECT ${paymentColumns} FROM payments WHERE shop_id = $1 AND ($2::bigint IS NULL OR seq < $2::bigint)
           AND ($3::timestamptz IS NULL OR created_at >= $3::timestamptz) AND ($4::timestamptz IS NULL OR created_at < $4::timestamptz)
         ORDER BY seq DESC LIMIT $5`,
        [shopId, q.beforeSeq, q.from?.toISOString() ?? null, q.to?.toISOString() ?? null, q.limit],
      );
      return rows.map(paymentFromRow);
    },

    /** A shop's payments after `afterSeq`, oldest first (SSE resume and polling). */
    async shopPaymentsAfter(shopId: string, afterSeq: number, limit: number): Promise<PaymentRecordRow[]> {
      const rows = await db.query<PaymentRow>(`SELECT ${paymentColumns} FROM payments WHERE shop_id = $1 AND seq > $2::bigint ORDER BY seq LIMIT $3`, [
        shopId,
        afterSeq,
        limit,
      ]);
      return rows.map(paymentFromRow);
    },

    async shopLastSeq(shopId: string): Promise<number> {
      const [row] = await db.query<{ s: string | null }>(`SELECT max(seq)::text AS s FROM payments WHERE shop_id = $1`, [shopId]);
      return row?.s ? Number(row.s) : 0;
    },

    async shopSummary(shopId: string, from: Date, to: Date): Promise<ShopSummaryRow> {
      const [row] = await db.query<{ pc: number; gross: string; rc: number; refunded: string }>(
        `SELECT (SELECT count(*)::int FROM payments WHERE shop_id = $1 AND created_at >= $2::timestamptz AND created_at < $3::timestamptz) AS pc,
           (SELECT coalesce(sum(amount_yen), 0)::text FROM payments WHERE shop_id = $1 AND created_at >= $2::timestamptz AND created_at < $3::timestamptz) AS gross,
           (SELECT count(*)::int FROM refunds WHERE shop_id = $1 AND status = 'done' AND created_at >= $2::timestamptz AND created_at < $3::timestamptz) AS rc,
           (SELECT coalesce(sum(amount_yen), 0)::text FROM refunds WHERE shop_id = $1 AND status = 'done' AND created_at >= $2::timestamptz AND created_at < $3::timestamptz) AS refunded`,
        [shopId, from.toISOString(), to.toISOString()],
      );
      assert(row, "a summary row");
      return { paymentsCount: Number(row.pc), grossYen: BigInt(row.gross), refundsCount: Number(row.rc), refundedYen: BigInt(row.refunded) };
    },

    // --- refunds ---

    /**
     * Plans a refund under the payment's row lock and writes it as pending with its amount counted in
     * payments.refunded_yen, so concurrent refunds of one payment see each other. `plan` gets the payment, its
     * earlier refunds (pending ones included) and the payment's lots; it returns the refund row or a refusal.
     */
    async beginRefund<F>(
      paymentId: string,
      plan: (payment: PaymentRecordRow, earlier: RefundRecordRow[], lots: Map<string, LotRecord>) => { ok: true; refund: Omit<RefundRecordRow, "status" | "receipt"> } | { ok: false; failure: F },
    ): Promise<{ ok: true; refund: RefundRecordRow; payment: PaymentRecordRow } | { ok: false; failure: F } | { ok: false; failure: "payment_not_found" }> {
      return db.transaction(async (tx) => {
        const [row] = await tx.query<PaymentRow>(`SELECT ${paymentColumns} FROM payments WHERE id = $1 FOR UPDATE`, [paymentId]);
        if (!row) return { ok: false as const, failure: "payment_not_found" as const };
        const payment = paymentFromRow(row);
        const earlier = (await tx.query<RefundRow>(`SELECT ${refundColumns} FROM refunds WHERE payment_id = $1 ORDER BY created_at, id`, [paymentId])).map(refundFromRow);
        const lotIds = payment.allocation.flatMap((p) => (p.lot_id ? [p.lot_id] : []));
        const lotRows = lotIds.length === 0 ? [] : await tx.query<LotRow>(`${lotSelect} WHERE l.id = ANY($1::text::text[])`, [textArray(lotIds)]);
        const planned = plan(payment, earlier, new Map(lotRows.map((r) => [r.id, lotFromRow(r)])));
        if (!planned.ok) return planned;
        const r = planned.refund;
        await tx.query(
          `INSERT INTO refunds (id, payment_id, shop_id, amount_yen, allocation, lapsed, reason, status, created_at)
           VALUES ($1, $2, $3, $4::text::bigint, $5::text::jsonb, $6::text::jsonb, $7, 'pending', $8::timestamptz)`,
          [r.id, r.paymentId, r.shopId, r.amountYen.toString(), JSON.stringify(r.allocation), JSON.stringify(r.lapsed), r.reason, r.createdAt.toISOString()],
        );
        const [updated] = await tx.query<PaymentRow>(`UPDATE payments SET refunded_yen = refunded_yen + $2::text::bigint WHERE id = $1 RETURNING ${paymentColumns}`, [
          paymentId,
          r.amountYen.toString(),
        ]);
        assert(updated, "the locked payment is updated");
        return { ok: true as const, refund: { ...r, status: "pending" as const, receipt: null }, payment: paymentFromRow(updated) };
      });
    },

    async finishRefund(refundId: string, receipt: string, completion: KeyCompletion | null): Promise<void> {
      await db.transaction(async (tx) => {
        await tx.query(`UPDATE refunds SET status = 'done', receipt = $2 WHERE id = $1`, [refundId, receipt]);
        if (completion) {
          await tx.query(
            `UPDATE idempotency_keys SET status = 'done', response_status = $3, response_body = $4, updated_at = $5::timestamptz
             WHERE principal = $1 AND key = $2 AND status = 'in_progress'`,
            [completion.principal, completion.key, completion.responseStatus, completion.responseBody, now().toISOString()],
          );
        }
      });
    },

    /** Undoes a pending refund whose transfer was refused. */
    async abortRefund(refundId: string): Promise<void> {
      await db.transaction(async (tx) => {
        const [row] = await tx.query<{ payment_id: string; amount_yen: string }>(`DELETE FROM refunds WHERE id = $1 AND status = 'pending' RETURNING payment_id, amount_yen::text AS amount_yen`, [refundId]);
        if (row) await tx.query(`UPDATE payments SET refunded_yen = refunded_yen - $2::text::bigint WHERE id = $1`, [row.payment_id, row.amount_yen]);
      });
    },

    async getRefund(id: string): Promise<RefundRecordRow | null> {
      const [row] = await db.query<RefundRow>(`SELECT ${refundColumns} FROM refunds WHERE id = $1`, [id]);
      return row ? refundFromRow(row) : null;
    },

    // --- dynamic QR requests ---

    async insertRequest(r: PaymentRequestRecord): Promise<void> {
      await db.query(
        `INSERT INTO payment_requests (id, shop_id, amount_yen, created_by, created_at, expires_at) VALUES ($1, $2, $3::text::bigint, $4, $5::timestamptz, $6::timestamptz)`,
        [r.id, r.shopId, r.amountYen.toString(), r.createdBy, r.createdAt.toISOString(), r.expiresAt.toISOString()],
      );
    },

    async getRequest(id: string): Promise<PaymentRequestRecord | null> {
      const [row] = await db.query<RequestRow>(`SELECT ${requestColumns} FROM payment_requests WHERE id = $1`, [id]);
      return row ? requestFromRow(row) : null;
    },

    /**
     * Marks a request paid by `ref` if it is unpaid and unexpired at `at`. The same ref again is a replay (a
     * retried payment). Order of refusals: not found → paid (by another payment) → expired.
     */
    async claimRequest(id: string, ref: string, paidBy: string, at: Date): Promise<RequestClaimResult> {
      const [claimed] = await db.query<RequestRow>(
        `UPDATE payment_requests SET paid_at = $3::timestamptz, paid_by = $4, paid_ref = $2
         WHERE id = $1 AND paid_at IS NULL AND expires_at > $3::timestamptz RETURNING ${requestColumns}`,
        [id, ref, at.toISOString(), paidBy],
      );
      if (claimed) return { ok: true, request: requestFromRow(claimed), replayed: false };
      const [row] = await db.query<RequestRow>(`SELECT ${requestColumns} FROM payment_requests WHERE id = $1`, [id]);
      if (!row) return { ok: false, code: "payment_request_not_found", request: null };
      const request = requestFromRow(row);
      if (request.paidRef === ref) return { ok: true, request, replayed: true };
      if (request.paidRef !== null) return { ok: false, code: "payment_request_paid", request };
      return { ok: false, code: "payment_request_expired", request };
    },

    async releaseRequest(id: string, ref: string): Promise<void> {
      await db.query(`UPDATE payment_requests SET paid_at = NULL, paid_by = NULL, paid_ref = NULL WHERE id = $1 AND paid_ref = $2`, [id, ref]);
    },

    // --- one-time codes ---

    async insertCode(c: { codeHash: string; residentId: string; purpose: CodePurpose; createdAt: Date; expiresAt: Date }): Promise<void> {
      await db.query(
        `INSERT INTO one_time_codes (code_hash, resident_id, purpose, created_at, expires_at) VALUES ($1, $2, $3, $4::timestamptz, $5::timestamptz)`,
        [c.codeHash, c.residentId, c.purpose, c.createdAt.toISOString(), c.expiresAt.toISOString()],
      );
    },

    /**
     * Uses a code once, for `ref`, at `at` (< expires_at). The same ref again is a replay. Order of refusals:
     * not found (or another purpose) → used (by another ref, at any shop) → expired.
     */
    async claimCode(codeHash: string, purpose: CodePurpose, ref: string, shopId: string | null, at: Date): Promise<CodeClaimResult> {
      const [claimed] = await db.query<{ resident_id: string }>(
        `UPDATE one_time_codes SET used_at = $4::timestamptz, used_by_shop = $5, used_ref = $3
         WHERE code_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $4::timestamptz RETURNING resident_id`,
        [codeHash, purpose, ref, at.toISOString(), shopId],
      );
      if (claimed) return { ok: true, residentId: claimed.resident_id, replayed: false };
      const [row] = await db.query<{ resident_id: string; used_ref: string | null; purpose: string }>(
        `SELECT resident_id, used_ref, purpose FROM one_time_codes WHERE code_hash = $1`,
        [codeHash],
      );
      if (!row || row.purpose !== purpose) return { ok: false, code: "code_not_found" };
      if (row.used_ref === ref) return { ok: true, residentId: row.resident_id, replayed: true };
      if (row.used_ref !== null) return { ok: false, code: "code_used" };
      return { ok: false, code: "code_expired" };
    },

    async releaseCode(codeHash: string, ref: string): Promise<void> {
      await db.query(`UPDATE one_time_codes SET used_at = NULL, used_by_shop = NULL, used_ref = NULL WHERE code_hash = $1 AND used_ref = $2`, [codeHash, ref]);
    },

    // --- history, secrets, housekeeping ---

    async residentHistory(owner: string, cursor: { at: Date; transferId: string } | null, limit: number): Promise<HistoryItem[]> {
      const rows = await db.query<{ id: string; code: string | null; metadata: unknown; created_at: unknown; net_yen: string; coins_yen: string; points_yen: string }>(
        historyStatement,
        [owner, cursor?.at.toISOString() ?? null, cursor?.transferId ?? null, limit],
      );
      return rows.map((r) => ({
        transferId: r.id,
        code: r.code,
        metadata: r.metadata === null ? null : json<Record<string, unknown>>(r.metadata),
        at: toDate(r.created_at),
        netYen: BigInt(r.net_yen),
        coinsYen: BigInt(r.coins_yen),
        pointsYen: BigInt(r.points_yen),
      }));
    },

    /** A named secret, created with `generate()` by whichever instance gets there first. */
    async loadOrCreateSecret(name: string, generate: () => string): Promise<string> {
      await db.query(`INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3::timestamptz) ON CONFLICT (name) DO NOTHING`, [name, generate(), now().toISOString()]);
      const [row] = await db.query<{ value: string }>(`SELECT value FROM server_secrets WHERE name = $1`, [name]);
      assert(row, "the secret exists after insert");
      return row.value;
    },

    /** Deletes finished keys and codes past their retention. */
    async sweep(keysBefore: Date, codesBefore: Date): Promise<{ keys: number; codes: number }> {
      const [keys, codes] = await Promise.all([
        db.query(`DELETE FROM idempotency_keys WHERE created_at < $1::timestamptz AND status = 'done' RETURNING 1`, [keysBefore.toISOString()]),
        db.query(`DELETE FROM one_time_codes WHERE expires_at < $1::timestamptz RETURNING 1`, [codesBefore.toISOString()]),
      ]);
      return { keys: keys.length, codes: codes.length };
    },
  };
}

export type PaymentsStore = ReturnType<typeof createPaymentsStore>;

/** The ledger account of a resident's coins (the same name as @tsubaki/auth accountIdOf.residentCoins). */
export function coinsAccountId(residentId: string): string {
  return `res:${residentId}:coins`;
}

/**
 * The wallet a claim read: the coin balance (null: the account does not exist yet), the coin account's state, and
 * the lots as the claim's wl writes them (each lot's fields, then its account's).
 */
function walletFromClaim(residentId: string, coinsYen: string | null, coinsAccount: string | null, lots: string | null): WalletState {
  const coinsAccountIdOf = coinsAccountId(residentId);
  /** Each account's state text, parsed into an Account only when asked for (a payment takes from two or three). */
  const accountTexts = new Map<string, string>();
  if (coinsAccount) accountTexts.set(coinsAccountIdOf, coinsAccount);
  const lotRecords: LotRecord[] = [];
  if (lots !== null) {
    for (const text of lots.split("\u001e")) {
      // The lot's own fields, then its account's: split only the lot's now.
      let end = -1;
      for (let n = 0; n < claimedLotFields; n++) {
        end = text.indexOf("\u001f", end + 1);
        assert(end >= 0, "a claimed lot has nine fields and its account's");
      }
      const lot = lotFromClaimFields(residentId, text.slice(0, end).split("\u001f"));
      lotRecords.push(lot);
      const account = text.slice(end + 1);
      if (account !== nullField) accountTexts.set(lot.accountId, account);
    }
  }
  return {
    residentId,
    coins: { accountId: coinsAccountIdOf, availableYen: coinsYen === null ? 0n : BigInt(coinsYen), exists: coinsYen !== null },
    lots: lotRecords,
    ledgerAccount(accountId) {
      const fields = accountTexts.get(accountId)?.split("\u001f");
      return fields && fields.length === claimedAccountFields ? accountFromClaimFields(accountId, fields) : null;
    },
  };
}

/** Fields of a lot in the claim's wl, before its account's. */
const claimedLotFields = 9;
/** Fields of ledgerAccountText. */
const claimedAccountFields = 12;
/** A NULL field in the claim's texts (joinedFields). */
const nullField = "\u001d";

/**
 * A copy of a string that does not keep alive the text it was cut from. V8 makes a substring of 13 characters or
 * more a view into its parent: an account id or owner cut from a claim's row would keep that whole row (every lot
 * of the wallet, a kilobyte or two) alive for as long as the ledger's account cache holds the account, which for a
 * spent single-use lot is until the cache starts over. In bench:pay those rows were over a third of what payments
 * left in the heap.
 */
function detached(text: string): string {
  return (" " + text).slice(1);
}

/** A primed account's state (see ledgerAccountText): it goes into the ledger's account cache, so its texts are detached. */
function accountFromClaimFields(id: string, f: string[]): Account {
  const [kind, owner, asset, debitsMust, creditsMust, debitsPosted, creditsPosted, debitsPending, creditsPending, entrySeq, metadata, createdAtMs] = f as [
    string, string, string, string, string, string, string, string, string, string, string, string,
  ];
  return {
    id: detached(id),
    kind: detached(kind),
    owner: owner === nullField ? null : detached(owner),
    asset: detached(asset),
    flags: { debitsMustNotExceedCredits: debitsMust === "true", creditsMustNotExceedDebits: creditsMust === "true" },
    debitsPosted: BigInt(debitsPosted),
    creditsPosted: BigInt(creditsPosted),
    debitsPending: BigInt(debitsPending),
    creditsPending: BigInt(creditsPending),
    entrySeq: Number(entrySeq),
    metadata: metadata === nullField ? null : json<Record<string, unknown> | null>(metadata),
    createdAt: new Date(Number(createdAtMs)),
  };
}

/** One lot as the claim statement writes it (see its wl): nine fields joined by U+001F, then its account's. */
function lotFromClaimFields(residentId: string, f: string[]): LotRecord {
  assert(f.length === claimedLotFields, "a claimed lot has nine fields");
  const [lotId, campaignId, accountId, grantedYen, balanceYen, grantedAtMs, expiresAtMs, restriction, expiredAccountId] = f as [string, string, string, string, string, string, string, string, string];
  return {
    lotId,
    accountId,
    campaignId,
    residentId,
    grantedYen: BigInt(grantedYen),
    balanceYen: BigInt(balanceYen),
    grantedAt: new Date(Number(grantedAtMs)),
    expiresAt: new Date(Number(expiresAtMs)),
    restriction: restriction === nullField ? null : json<LotRestrictionRecord | null>(restriction),
    expiredAccountId,
  };
}

function residentOfCoins(accountId: string): string {
  if (!accountId.startsWith("res:") || !accountId.endsWith(":coins")) bug(`${accountId} is a coin account`);
  return accountId.slice(4, -6);
}
