// Identity and access: who the people and organisations are, how they prove it, and the audit log of what
// administrators and the system did. Secrets are stored only as hashes (passwords and PINs: scrypt; refresh
// tokens and pairing codes: sha256); the one piece of key material, signing_keys.private_jwk, is read only by
// loadSigningKeys and never by a list. The audit log is append-only (triggers in drizzle/0004_identity_guards.sql)
// and hash-chained through audit_log_head, like the ledger's journal.
import { sql } from "drizzle-orm";
import { bigint, boolean, check, date, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

const at = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

/**
 * A login: a resident, a shop's owner or staff, a proxy, a counter clerk or a city administrator.
 *   login is NFKC-lower-cased and unique; roles ⊆ @tsubaki/auth userRoles (checked by the store);
 *   disabled_at ≠ null ⇒ no login, no refresh. Guessing limits live in auth_throttle under `login:<login>`, so an
 *   unknown login is throttled exactly like a real one and lockouts do not reveal which logins exist.
 */
export const users = pgTable(
  "users",
  {
    id: text("id").primaryKey(),
    login: text("login").notNull().unique(),
    /** scrypt PHC string; null: the user cannot log in with a password yet. */
    passwordHash: text("password_hash"),
    roles: jsonb("roles").notNull().default(sql`'[]'::jsonb`),
    displayName: text("display_name").notNull(),
    kind: text("kind").notNull(),
    owner: text("owner").generatedAlwaysAs(sql`'user:' || id`),
    disabledAt: at("disabled_at"),
    createdAt: at("created_at").notNull(),
    updatedAt: at("updated_at").notNull(),
  },
  (t) => [check("users_kind", sql`${t.kind} IN ('resident','merchant','city')`), check("users_roles_array", sql`jsonb_typeof(${t.roles}) = 'array'`)],
);

/** A resident (住民). verified_at ≠ null ⇒ identity checked at the counter (P2P needs it). */
export const residents = pgTable(
  "residents",
  {
    id: text("id").primaryKey(),
    /** The resident's own login, if they have one (a card-only resident may not). */
    userId: text("user_id").references(() => users.id).unique(),
    name: text("name").notNull(),
    nameKana: text("name_kana").notNull(),
    birthDate: date("birth_date", { mode: "string" }).notNull(),
    district: text("district").notNull(),
    verifiedAt: at("verified_at"),
    verifiedBy: text("verified_by"),
    owner: text("owner").generatedAlwaysAs(sql`'resident:' || id`),
    createdAt: at("created_at").notNull(),
  },
  (t) => [index("residents_name_kana_idx").on(t.nameKana)],
);

/** A printed QR card. pin_failures ≤ 5; locked_at ≠ null ⇒ refused until an administrator unlocks. */
export const cards = pgTable(
  "cards",
  {
    id: text("id").primaryKey(),
    number: text("number").notNull().unique(),
    residentId: text("resident_id").notNull().references(() => residents.id),
    pinHash: text("pin_hash").notNull(),
    pinFailures: integer("pin_failures").notNull().default(0),
    lockedAt: at("locked_at"),
    /** active | revoked (lost or replaced: on the negative list for offline terminals). */
    status: text("status").notNull().default("active"),
    issuedAt: at("issued_at").notNull(),
    revokedAt: at("revoked_at"),
  },
  (t) => [
    index("cards_resident_idx").on(t.residentId),
    check("cards_status", sql`${t.status} IN ('active','revoked')`),
    check("cards_pin_failures", sql`${t.pinFailures} >= 0 AND ${t.pinFailures} <= 5`),
  ],
);

/** A resident lets a user act for them. At most one live grant per (grantor, proxy user). */
export const proxies = pgTable(
  "proxies",
  {
    id: text("id").primaryKey(),
    grantorResidentId: text("grantor_resident_id").notNull().references(() => residents.id),
    proxyUserId: text("proxy_user_id").notNull().references(() => users.id),
    dailyLimitYen: bigint("daily_limit_yen", { mode: "bigint" }).notNull(),
    canViewHistory: boolean("can_view_history").notNull(),
    createdAt: at("created_at").notNull(),
    revokedAt: at("revoked_at"),
  },
  (t) => [
    uniqueIndex("proxies_live_uq").on(t.grantorResidentId, t.proxyUserId).where(sql`${t.revokedAt} IS NULL`),
    index("proxies_proxy_user_idx").on(t.proxyUserId),
    check("proxies_daily_limit", sql`${t.dailyLimitYen} >= 0 AND ${t.dailyLimitYen} <= 1000000`),
  ],
);

/**
 * What a proxy spent, per payment (ref = the payment's transfer id, so a retried payment counts once). A payment
 * that failed afterwards is released. Σ amount_yen of unreleased rows of one (proxy, day) ≤ the grant's limit.
 */
export const proxySpends = pgTable(
  "proxy_spends",
  {
    proxyId: text("proxy_id").notNull().references(() => proxies.id),
    ref: text("ref").notNull(),
    /** The calendar day in Japan (UTC+9). */
    day: date("day", { mode: "string" }).notNull(),
    amountYen: bigint("amount_yen", { mode: "bigint" }).notNull(),
    createdAt: at("created_at").notNull(),
    releasedAt: at("released_at"),
  },
  (t) => [primaryKey({ columns: [t.proxyId, t.ref] }), index("proxy_spends_day_idx").on(t.proxyId, t.day), check("proxy_spends_amount", sql`${t.amountYen} > 0`)],
);

/** A shop (加盟店). Bank fields are all present or all absent. */
export const shops = pgTable(
  "shops",
  {
    id: text("id").primaryKey(),
    code: text("code").notNull().unique(),
    nameJa: text("name_ja").notNull(),
    nameLatin: text("name_latin").notNull(),
    category: text("category").notNull(),
    tier: text("tier").notNull(),
    mcc: text("mcc").notNull(),
    feeRateBp: integer("fee_rate_bp").notNull(),
    bankCode: text("bank_code"),
    bankBranchCode: text("bank_branch_code"),
    bankAccountType: text("bank_account_type"),
    bankAccountNumber: text("bank_account_number"),
    bankHolderKana: text("bank_holder_kana"),
    status: text("status").notNull().default("applied"),
    owner: text("owner").generatedAlwaysAs(sql`'shop:' || id`),
    createdAt: at("created_at").notNull(),
    updatedAt: at("updated_at").notNull(),
  },
  (t) => [
    check("shops_tier", sql`${t.tier} IN ('small','large')`),
    check("shops_status", sql`${t.status} IN ('applied','active','suspended')`),
    check("shops_fee_rate", sql`${t.feeRateBp} >= 0 AND ${t.feeRateBp} <= 1000`),
    check("shops_mcc", sql`${t.mcc} ~ '^[0-9]{4}$'`),
    check(
      "shops_bank",
      sql`(${t.bankCode} IS NULL AND ${t.bankBranchCode} IS NULL AND ${t.bankAccountType} IS NULL AND ${t.bankAccountNumber} IS NULL AND ${t.bankHolderKana} IS NULL)
        OR (${t.bankCode} ~ '^[0-9]{4}$' AND ${t.bankBranchCode} ~ '^[0-9]{3}$' AND ${t.bankAccountType} IN ('ordinary','current','savings')
            AND ${t.bankAccountNumber} ~ '^[0-9]{7}$' AND ${t.bankHolderKana} IS NOT NULL)`,
    ),
  ],
);

export const shopStaff = pgTable(
  "shop_staff",
  {
    shopId: text("shop_id").notNull().references(() => shops.id),
    userId: text("user_id").notNull().references(() => users.id),
    role: text("role").notNull(),
    addedAt: at("added_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.shopId, t.userId] }), index("shop_staff_user_idx").on(t.userId), check("shop_staff_role", sql`${t.role} IN ('owner','staff')`)],
);

/**
 * A fare terminal. pending: created, waiting for pairing (pairing_code_hash and pairing_expires_at set);
 * active: paired, public_key set, code cleared; revoked: its signatures are refused.
 */
export const devices = pgTable(
  "devices",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    /** Who runs it (the bus operator's name). */
    operator: text("operator").notNull(),
    /** base64url of the 32-byte Ed25519 public key. */
    publicKey: text("public_key"),
    status: text("status").notNull().default("pending"),
    pairingCodeHash: text("pairing_code_hash").unique(),
    pairingExpiresAt: at("pairing_expires_at"),
    pairedAt: at("paired_at"),
    owner: text("owner").generatedAlwaysAs(sql`'device:' || id`),
    createdAt: at("created_at").notNull(),
    revokedAt: at("revoked_at"),
  },
  (t) => [
    check("devices_status", sql`${t.status} IN ('pending','active','revoked')`),
    check("devices_active_key", sql`${t.status} <> 'active' OR ${t.publicKey} IS NOT NULL`),
  ],
);

/** Nonces seen in signed device requests, kept for the signature window; (device, nonce) is seen once. */
export const deviceNonces = pgTable(
  "device_nonces",
  {
    deviceId: text("device_id").notNull(),
    nonce: text("nonce").notNull(),
    seenAt: at("seen_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.deviceId, t.nonce] }), index("device_nonces_seen_idx").on(t.seenAt)],
);

/**
 * Refresh tokens, by sha256. One family = one login session; each use spends a token (used_at) and issues its
 * child (parent_id). A spent token used again revokes every token of its family (revoked_at).
 */
export const refreshTokens = pgTable(
  "refresh_tokens",
  {
    id: text("id").primaryKey(),
    familyId: text("family_id").notNull(),
    userId: text("user_id").notNull().references(() => users.id),
    tokenHash: text("token_hash").notNull().unique(),
    parentId: text("parent_id"),
    sessionStartedAt: at("session_started_at").notNull(),
    issuedAt: at("issued_at").notNull(),
    expiresAt: at("expires_at").notNull(),
    usedAt: at("used_at"),
    revokedAt: at("revoked_at"),
  },
  (t) => [index("refresh_tokens_family_idx").on(t.familyId), index("refresh_tokens_user_idx").on(t.userId)],
);

/** Access-token signing keys (Ed25519 JWKs). private_jwk is null once the key is retired. */
export const signingKeys = pgTable("signing_keys", {
  kid: text("kid").primaryKey(),
  publicJwk: jsonb("public_jwk").notNull(),
  privateJwk: jsonb("private_jwk"),
  createdAt: at("created_at").notNull(),
  retiredAt: at("retired_at"),
});

/** Guessing limits: `login:<login>` and `address:<ip>` counters (see @tsubaki/auth throttle.ts). */
export const authThrottle = pgTable("auth_throttle", {
  key: text("key").primaryKey(),
  failures: integer("failures").notNull(),
  lastFailureAt: at("last_failure_at"),
  lockedUntil: at("locked_until"),
  updatedAt: at("updated_at").notNull(),
});

/**
 * The audit log. seq is gapless (taken from the head row under its lock, not from a sequence), so a deleted row
 * shows as a gap as well as a broken chain: hash = sha256(prev_hash ‖ "\n" ‖ seq ‖ "\n" ‖ digest of the row).
 */
export const auditLog = pgTable(
  "audit_log",
  {
    seq: bigint("seq", { mode: "number" }).primaryKey(),
    at: at("at").notNull(),
    /** A user id, a device id, "service", or "system". */
    actor: text("actor").notNull(),
    actorRoles: jsonb("actor_roles").notNull(),
    action: text("action").notNull(),
    target: text("target"),
    requestId: text("request_id"),
    details: jsonb("details").notNull(),
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull(),
  },
  (t) => [
    index("audit_log_actor_idx").on(t.actor, t.seq),
    index("audit_log_action_idx").on(t.action, t.seq),
    index("audit_log_target_idx").on(t.target, t.seq),
    index("audit_log_at_idx").on(t.at),
  ],
);

/** The head of the audit chain: one row, locked by every append. */
export const auditLogHead = pgTable(
  "audit_log_head",
  {
    id: integer("id").primaryKey(),
    seq: bigint("seq", { mode: "number" }).notNull(),
    hash: text("hash").notNull(),
  },
  (t) => [check("audit_log_head_single", sql`${t.id} = 1`)],
);
