// Payments: point campaigns and their lots, payments and refunds, dynamic QR requests, one-time customer codes,
// the daily spend counters that make limits hold under concurrency, and the idempotency keys of every
// money-moving POST. The money itself is in the ledger; these tables say what each transfer meant (which lot of
// which campaign, which shop, which resident) and decide what may happen once (a request paid, a code used).
import { sql } from "drizzle-orm";
import { bigint, check, date, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

const at = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

/**
 * A point campaign. The cap on its cost is the balance of budget_account_id (`cmp:{id}:budget`); lapsed points go
 * to expired_account_id (`cmp:{id}:expired`).
 *   kind = 'premium' ⇔ rate_bps IS NOT NULL, 0 < rate_bps ≤ 10,000 (premium on counter charges)
 *   exactly one of expiry_date (usable through that Tokyo date) and expiry_days (days from the grant day, counted
 *   inclusively) is set; restriction_* null ⇒ not restricted on that dimension
 */
export const campaigns = pgTable(
  "campaigns",
  {
    id: text("id").primaryKey(),
    nameJa: text("name_ja").notNull(),
    nameEn: text("name_en").notNull(),
    kind: text("kind").notNull(),
    /** JSON array of shop categories, or null (any category). */
    restrictionCategories: jsonb("restriction_categories"),
    /** JSON array of shop tiers ('small' | 'large'), or null (any tier). */
    restrictionTiers: jsonb("restriction_tiers"),
    expiryDate: date("expiry_date", { mode: "string" }),
    expiryDays: integer("expiry_days"),
    capPerPersonYen: bigint("cap_per_person_yen", { mode: "bigint" }).notNull(),
    rateBps: integer("rate_bps"),
    /** grant and event campaigns: the amount a rule grant or a check-in gives each resident (null: the cap). */
    grantYen: bigint("grant_yen", { mode: "bigint" }),
    /** Who may receive points: {ageMin?, ageMax?, districts?, verifiedRequired?} (@tsubaki/city EligibilityRule); null: every verified resident. */
    eligibility: jsonb("eligibility"),
    budgetAccountId: text("budget_account_id").notNull().unique(),
    expiredAccountId: text("expired_account_id").notNull().unique(),
    startsAt: at("starts_at").notNull(),
    endsAt: at("ends_at").notNull(),
    status: text("status").notNull().default("active"),
    createdAt: at("created_at").notNull(),
  },
  (t) => [
    check("campaigns_kind", sql`${t.kind} IN ('grant','premium','event')`),
    check("campaigns_status", sql`${t.status} IN ('draft','active','ended')`),
    check("campaigns_rate", sql`(${t.kind} = 'premium') = (${t.rateBps} IS NOT NULL) AND (${t.rateBps} IS NULL OR (${t.rateBps} > 0 AND ${t.rateBps} <= 10000))`),
    check("campaigns_expiry", sql`(${t.expiryDate} IS NULL) <> (${t.expiryDays} IS NULL) AND (${t.expiryDays} IS NULL OR (${t.expiryDays} >= 1 AND ${t.expiryDays} <= 366))`),
    check("campaigns_cap", sql`${t.capPerPersonYen} > 0`),
    check("campaigns_period", sql`${t.startsAt} < ${t.endsAt}`),
    check("campaigns_grant_yen", sql`${t.grantYen} IS NULL OR (${t.grantYen} > 0 AND ${t.grantYen} <= ${t.capPerPersonYen})`),
  ],
);

/** Σ granted_yen of one resident's lots of one campaign, kept under a row lock so the per-person cap holds. */
export const campaignRecipients = pgTable(
  "campaign_recipients",
  {
    campaignId: text("campaign_id").notNull().references(() => campaigns.id),
    residentId: text("resident_id").notNull(),
    grantedYen: bigint("granted_yen", { mode: "bigint" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.residentId] }), check("campaign_recipients_granted", sql`${t.grantedYen} >= 0`)],
);

/**
 * Points from one grant, in their own ledger account (`res:{rid}:pts:{id}`). granted_at < expires_at; the
 * restriction is a snapshot of the campaign's at grant time ({categories?, tiers?} or null), so editing a campaign
 * never changes points already given.
 */
export const pointLots = pgTable(
  "point_lots",
  {
    id: text("id").primaryKey(),
    residentId: text("resident_id").notNull(),
    campaignId: text("campaign_id").notNull().references(() => campaigns.id),
    accountId: text("account_id").notNull().unique(),
    grantedYen: bigint("granted_yen", { mode: "bigint" }).notNull(),
    grantedAt: at("granted_at").notNull(),
    expiresAt: at("expires_at").notNull(),
    restriction: jsonb("restriction"),
  },
  (t) => [
    index("point_lots_resident_idx").on(t.residentId, t.expiresAt),
    index("point_lots_campaign_idx").on(t.campaignId),
    check("point_lots_granted", sql`${t.grantedYen} > 0`),
    check("point_lots_period", sql`${t.grantedAt} < ${t.expiresAt}`),
  ],
);

/**
 * A payment: one posted ledger transfer (id = the transfer's id) from the payer's lots and coins to the shop.
 * seq orders a shop's payments for live notification (SSE ids). ref is the payment's id before re-planning
 * (`{ref}-{attempt}` are the transfer ids tried), unique, so a retried request records one payment.
 *   0 ≤ refunded_yen ≤ amount_yen; Σ allocation.amount_yen = amount_yen
 */
export const payments = pgTable(
  "payments",
  {
    id: text("id").primaryKey(),
    /** Identity: unique by construction (GENERATED ALWAYS); read only with shop_id (payments_shop_seq_idx). */
    seq: bigint("seq", { mode: "number" }).generatedAlwaysAsIdentity().notNull(),
    ref: text("ref").notNull().unique(),
    payerResidentId: text("payer_resident_id").notNull(),
    shopId: text("shop_id").notNull(),
    amountYen: bigint("amount_yen", { mode: "bigint" }).notNull(),
    /** [{source, account_id, lot_id?, campaign_id?, amount_yen, expires_at?}] in spend order. */
    allocation: jsonb("allocation").notNull(),
    kind: text("kind").notNull(),
    /** The dynamic QR request this paid, if any. */
    requestId: text("request_id"),
    /** The proxy user who paid for the resident, if any. */
    proxyUserId: text("proxy_user_id"),
    /** The receipt as returned to the payer (JSON text, so a read is byte for byte the first answer). */
    receipt: text("receipt").notNull(),
    createdAt: at("created_at").notNull(),
    refundedYen: bigint("refunded_yen", { mode: "bigint" }).notNull().default(sql`0`),
  },
  (t) => [
    index("payments_shop_seq_idx").on(t.shopId, t.seq),
    index("payments_shop_created_idx").on(t.shopId, t.createdAt),
    index("payments_payer_created_idx").on(t.payerResidentId, t.createdAt),
    check("payments_kind", sql`${t.kind} IN ('pay','cpm','card')`),
    check("payments_amount", sql`${t.amountYen} > 0`),
    check("payments_refunded", sql`${t.refundedYen} >= 0 AND ${t.refundedYen} <= ${t.amountYen}`),
  ],
);

/**
 * A refund (id = its ledger transfer's id). 'pending' from the moment it is planned under the payment's row lock
 * until its transfer is posted ('done'); a refund whose transfer was refused is deleted with its reservation.
 */
export const refunds = pgTable(
  "refunds",
  {
    id: text("id").primaryKey(),
    paymentId: text("payment_id").notNull().references(() => payments.id),
    shopId: text("shop_id").notNull(),
    amountYen: bigint("amount_yen", { mode: "bigint" }).notNull(),
    /** The sources credited back, as planRefund's allocation (lapsed lots included). */
    allocation: jsonb("allocation").notNull(),
    /** The lapsed shares that went to campaigns' expired accounts. */
    lapsed: jsonb("lapsed").notNull(),
    reason: text("reason").notNull(),
    status: text("status").notNull(),
    receipt: text("receipt"),
    createdAt: at("created_at").notNull(),
  },
  (t) => [
    index("refunds_payment_idx").on(t.paymentId),
    index("refunds_shop_created_idx").on(t.shopId, t.createdAt),
    check("refunds_amount", sql`${t.amountYen} > 0`),
    check("refunds_reason", sql`${t.reason} IN ('refund','cancel')`),
    check("refunds_status", sql`${t.status} IN ('pending','done')`),
  ],
);

/** A dynamic (amount-bearing) QR: paid at most once, before expires_at. paid_ref is the paying payment's ref. */
export const paymentRequests = pgTable(
  "payment_requests",
  {
    id: text("id").primaryKey(),
    shopId: text("shop_id").notNull(),
    amountYen: bigint("amount_yen", { mode: "bigint" }).notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: at("created_at").notNull(),
    expiresAt: at("expires_at").notNull(),
    paidAt: at("paid_at"),
    paidBy: text("paid_by"),
    paidRef: text("paid_ref"),
  },
  (t) => [
    index("payment_requests_shop_idx").on(t.shopId, t.createdAt),
    check("payment_requests_amount", sql`${t.amountYen} > 0`),
    check("payment_requests_paid", sql`(${t.paidAt} IS NULL) = (${t.paidRef} IS NULL)`),
  ],
);

/**
 * A one-time code a resident shows (purpose 'pay') or gives to a sender (purpose 'receive'). Only its sha256 is
 * stored. Used at most once (used_at), and only while now < expires_at.
 */
export const oneTimeCodes = pgTable(
  "one_time_codes",
  {
    codeHash: text("code_hash").primaryKey(),
    residentId: text("resident_id").notNull(),
    purpose: text("purpose").notNull(),
    createdAt: at("created_at").notNull(),
    expiresAt: at("expires_at").notNull(),
    usedAt: at("used_at"),
    usedByShop: text("used_by_shop"),
    usedRef: text("used_ref"),
  },
  (t) => [
    index("one_time_codes_expires_idx").on(t.expiresAt),
    check("one_time_codes_purpose", sql`${t.purpose} IN ('pay','receive')`),
    check("one_time_codes_used", sql`(${t.usedAt} IS NULL) = (${t.usedRef} IS NULL)`),
  ],
);

/**
 * What a resident spent in one Tokyo day, per kind ('payment', 'charge', 'p2p'). A request reserves its amount
 * here (one conditional upsert: spent_yen + amount ≤ limit_yen) before any money moves and gives it back if the
 * transfer is then refused, so concurrent requests cannot pass a daily limit together.
 */
export const spendTotals = pgTable(
  "spend_totals",
  {
    residentId: text("resident_id").notNull(),
    day: date("day", { mode: "string" }).notNull(),
    kind: text("kind").notNull(),
    spentYen: bigint("spent_yen", { mode: "bigint" }).notNull(),
    /** The limit the last reservation was checked against. */
    limitYen: bigint("limit_yen", { mode: "bigint" }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.residentId, t.day, t.kind] }),
    check("spend_totals_kind", sql`${t.kind} IN ('payment','charge','p2p')`),
    check("spend_totals_spent", sql`${t.spentYen} >= 0`),
  ],
);

/**
 * The Idempotency-Key of a money-moving POST, per caller. request_hash is sha256 of method, path and canonical
 * body: the same key with another hash is refused. 'in_progress' until the response is stored ('done'); an
 * in-progress key older than the takeover age belongs to a request that died and may be resumed by its retry.
 */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    principal: text("principal").notNull(),
    key: text("key").notNull(),
    requestHash: text("request_hash").notNull(),
    status: text("status").notNull(),
    /** Times the request was started (1, then +1 for each takeover of a dead attempt). */
    attempts: integer("attempts").notNull().default(1),
    responseStatus: integer("response_status"),
    /** The JSON text of the response, replayed byte for byte. */
    responseBody: text("response_body"),
    createdAt: at("created_at").notNull(),
    updatedAt: at("updated_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.principal, t.key] }),
    index("idempotency_keys_created_idx").on(t.createdAt),
    check("idempotency_keys_status", sql`${t.status} IN ('in_progress','done')`),
    check("idempotency_keys_response", sql`(${t.status} = 'done') = (${t.responseStatus} IS NOT NULL)`),
  ],
);

/** Server secrets generated on first start when the environment gives none (the demo's shop QR key). */
export const serverSecrets = pgTable("server_secrets", {
  name: text("name").primaryKey(),
  value: text("value").notNull(),
  createdAt: at("created_at").notNull(),
});
