// The identity API's wire format, written once in zod: requests are validated with these schemas, the OpenAPI
// document is generated from them, and the *ToJson functions are the only way a stored record leaves the API
// (none of them has a field for a secret: no password or PIN hash, no token, no pairing code hash, no private key).
import {
  bankAccountTypes,
  grantableRoles,
  pinDigitsMax,
  proxyDailyLimitYenMax,
  roles,
  shopStatuses,
  shopTiers,
} from "@tsubaki/auth";
import type { AuditEntry, Card, Device, Proxy, Resident, Shop, ShopStaffMember, User } from "@tsubaki/db";
import { pageSizeDefault, pageSizeMax, userKinds } from "@tsubaki/db";
import { z } from "zod";
import { sortKeysDeep } from "../http/json";

const time = z.iso.datetime({ offset: true });
const yen = z.int().meta({ description: "Integer yen" });
const roleEnum = z.enum(roles);
const grantableEnum = z.enum(grantableRoles as [string, ...string[]]);

/** An id in a path: our ids are short; anything longer cannot be one. */
export const idParams = z.object({ id: z.string().min(1).max(128) });

/** Cursor pagination (DESIGN §6): `next_cursor` of the previous page, at most pageSizeMax items. */
export const pageQuery = z.object({
  cursor: z.string().max(128).regex(/^[A-Za-z0-9_:.\-]*$/).optional().meta({ description: "next_cursor of the previous page" }),
  limit: z.coerce.number().int().min(1).max(pageSizeMax).default(pageSizeDefault),
});

/** A page of an already bounded list (≤ 100 rows from the store), ordered by `key`. */
export function pageOf<T>(items: readonly T[], key: (item: T) => string, query: { cursor?: string | undefined; limit: number }): { items: T[]; nextCursor: string | null } {
  const sorted = [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const after = query.cursor ? sorted.filter((item) => key(item) > query.cursor!) : sorted;
  const page = after.slice(0, query.limit);
  const last = page[page.length - 1];
  return { items: page, nextCursor: after.length > query.limit && last !== undefined ? key(last) : null };
}

// ---- auth ----

export const loginBody = z.strictObject({
  login: z.string().max(256).meta({ description: "ログインID Login name" }),
  password: z.string().max(1024),
});

export const refreshBody = z.strictObject({ refresh_token: z.string().max(256) });

export const tokenJson = z.object({
  access_token: z.string().meta({ description: "EdDSA JWT, typ at+jwt; send as Authorization: Bearer" }),
  refresh_token: z.string().meta({ description: "Single use: each refresh returns its successor; a reused one ends the session" }),
  token_type: z.literal("Bearer"),
  expires_in: z.int().meta({ description: "Seconds until the access token expires (≤ 900)" }),
});

export const jwksJson = z.object({
  keys: z.array(z.object({ kty: z.literal("OKP"), crv: z.literal("Ed25519"), x: z.string(), kid: z.string(), alg: z.literal("EdDSA"), use: z.literal("sig") })),
});

// ---- users ----

export const userJson = z.object({
  id: z.string(),
  login: z.string(),
  display_name: z.string(),
  kind: z.enum(userKinds as [string, ...string[]]),
  granted_roles: z.array(roleEnum).meta({ description: "Granted by an administrator (counter_staff, admin_*)" }),
  roles: z.array(roleEnum).meta({ description: "What a token issued now would carry: granted + derived from records" }),
  has_password: z.boolean(),
  disabled: z.boolean(),
  created_at: time,
});

export function userToJson(user: User, currentRoles: readonly string[]): z.output<typeof userJson> {
  return {
    id: user.id,
    login: user.login,
    display_name: user.displayName,
    kind: user.kind,
    granted_roles: [...user.grantedRoles],
    roles: [...currentRoles] as z.output<typeof userJson>["roles"],
    has_password: user.hasPassword,
    disabled: user.disabledAt !== null,
    created_at: user.createdAt.toISOString(),
  };
}

export const createUserBody = z.strictObject({
  login: z.string().max(256),
  password: z.string().max(1024).nullable().optional().meta({ description: "Absent: the user cannot log in until one is set" }),
  display_name: z.string().max(200),
  kind: z.enum(userKinds as [string, ...string[]]),
  roles: z.array(grantableEnum).max(roles.length).optional().meta({ description: "Granted roles only; resident/proxy/merchant_* follow from records" }),
});

export const setRolesBody = z.strictObject({ roles: z.array(grantableEnum).max(roles.length) });
export const setPasswordBody = z.strictObject({ password: z.string().max(1024) });
export const changePasswordBody = z.strictObject({ current_password: z.string().max(1024), new_password: z.string().max(1024) });

// ---- residents and cards ----

export const residentJson = z.object({
  id: z.string(),
  user_id: z.string().nullable(),
  name: z.string(),
  name_kana: z.string(),
  birth_date: z.string().meta({ description: "YYYY-MM-DD" }),
  district: z.string(),
  verified: z.boolean(),
  verified_at: time.nullable(),
  coins_account: z.string().meta({ description: "The resident's coins account in the ledger" }),
  created_at: time,
});

export function residentToJson(r: Resident, coinsAccount: string): z.output<typeof residentJson> {
  return {
    id: r.id,
    user_id: r.userId,
    name: r.name,
    name_kana: r.nameKana,
    birth_date: r.birthDate,
    district: r.district,
    verified: r.verified,
    verified_at: r.verifiedAt?.toISOString() ?? null,
    coins_account: coinsAccount,
    created_at: r.createdAt.toISOString(),
  };
}

export const createResidentBody = z.strictObject({
  name: z.string().max(200),
  name_kana: z.string().max(200).meta({ description: "カタカナ" }),
  birth_date: z.string().max(10).meta({ description: "YYYY-MM-DD" }),
  district: z.string().max(200),
  user_id: z.string().max(128).nullable().optional().meta({ description: "The resident's login, when they have a smartphone" }),
});

export const residentsQuery = pageQuery.extend({ name_kana: z.string().max(100).optional().meta({ description: "Prefix of the kana name (the counter's search)" }) });

export const cardJson = z.object({
  id: z.string(),
  number: z.string().meta({ description: "16 digits, printed on the card" }),
  resident_id: z.string(),
  status: z.enum(["active", "revoked"]),
  locked: z.boolean(),
  pin_failures: z.int(),
  issued_at: time,
  revoked_at: time.nullable(),
});

export function cardToJson(c: Card): z.output<typeof cardJson> {
  return {
    id: c.id,
    number: c.number,
    resident_id: c.residentId,
    status: c.status,
    locked: c.locked,
    pin_failures: c.pinFailures,
    issued_at: c.issuedAt.toISOString(),
    revoked_at: c.revokedAt?.toISOString() ?? null,
  };
}

export const pinBody = z.strictObject({ pin: z.string().max(pinDigitsMax * 4).meta({ description: "4–6 digits, not a run, a repeat or the holder's birth date" }) });

// ---- proxies ----

export const proxyJson = z.object({
  id: z.string(),
  resident_id: z.string(),
  proxy_user_id: z.string(),
  daily_limit_yen: yen,
  can_view_history: z.boolean(),
  created_at: time,
  revoked_at: time.nullable(),
});

export function proxyToJson(p: Proxy): z.output<typeof proxyJson> {
  return {
    id: p.id,
    resident_id: p.grantorResidentId,
    proxy_user_id: p.proxyUserId,
    daily_limit_yen: Number(p.dailyLimitYen),
    can_view_history: p.canViewHistory,
    created_at: p.createdAt.toISOString(),
    revoked_at: p.revokedAt?.toISOString() ?? null,
  };
}

export const grantProxyBody = z.strictObject({
  login: z.string().max(256).meta({ description: "The family member's or supporter's login" }),
  daily_limit_yen: z.int().min(0).max(Number(proxyDailyLimitYenMax)).meta({ description: "What they may pay for you per day (Japan's calendar day); 0: none" }),
  can_view_history: z.boolean(),
});

export const allowanceJson = z.object({ proxy_id: z.string(), daily_limit_yen: yen, spent_today_yen: yen, remaining_yen: yen });

// ---- shops ----

const bankSchema = z.strictObject({
  bank_code: z.string().max(8).meta({ description: "4 digits (全銀)" }),
  branch_code: z.string().max(8).meta({ description: "3 digits" }),
  account_type: z.enum(bankAccountTypes),
  account_number: z.string().max(16).meta({ description: "7 digits" }),
  holder_kana: z.string().max(100).meta({ description: "Katakana as on the account (≤ 30 half-width characters)" }),
});
export type BankJson = z.output<typeof bankSchema>;

export const shopJson = z.object({
  id: z.string(),
  code: z.string(),
  name_ja: z.string(),
  name_latin: z.string(),
  category: z.string(),
  tier: z.enum(shopTiers),
  mcc: z.string(),
  fee_rate_bp: z.int(),
  status: z.enum(shopStatuses),
  bank: bankSchema.nullable().optional().meta({ description: "Owners and administrators only" }),
  account: z.string().meta({ description: "The shop's account in the ledger" }),
  created_at: time,
  updated_at: time,
});

export function shopToJson(s: Shop, account: string, options: { withBank: boolean }): z.output<typeof shopJson> {
  const bank = s.bank === null ? null : { bank_code: s.bank.bankCode, branch_code: s.bank.branchCode, account_type: s.bank.accountType, account_number: s.bank.accountNumber, holder_kana: s.bank.holderKana };
  return {
    id: s.id,
    code: s.code,
    name_ja: s.nameJa,
    name_latin: s.nameLatin,
    category: s.category,
    tier: s.tier,
    mcc: s.mcc,
    fee_rate_bp: s.feeRateBasisPoints,
    status: s.status,
    ...(options.withBank ? { bank } : {}),
    account,
    created_at: s.createdAt.toISOString(),
    updated_at: s.updatedAt.toISOString(),
  };
}

export function bankFromJson(b: BankJson | null) {
  return b === null ? null : { bankCode: b.bank_code, branchCode: b.branch_code, accountType: b.account_type, accountNumber: b.account_number, holderKana: b.holder_kana };
}

export const createShopBody = z.strictObject({
  code: z.string().max(64),
  name_ja: z.string().max(200),
  name_latin: z.string().max(64).meta({ description: "EMV tag 59: ≤ 25 printable ASCII characters" }),
  category: z.string().max(64),
  tier: z.enum(shopTiers),
  mcc: z.string().max(8).meta({ description: "ISO 18245, 4 digits" }),
  fee_rate_bp: z.int().min(0).max(10_000),
  bank: bankSchema.nullable().optional(),
  status: z.enum(shopStatuses).optional(),
});

export const shopsQuery = pageQuery.extend({
  status: z.enum(shopStatuses).optional(),
  /** A part of the code or of either name (any case), or a whole shop id. */
  q: z.string().trim().min(1).max(64).optional(),
});
export const shopStatusBody = z.strictObject({ status: z.enum(shopStatuses) });
export const shopBankBody = z.strictObject({ bank: bankSchema.nullable() });

export const staffJson = z.object({ shop_id: z.string(), user_id: z.string(), role: z.enum(["owner", "staff"]), added_at: time });

export function staffToJson(m: ShopStaffMember): z.output<typeof staffJson> {
  return { shop_id: m.shopId, user_id: m.userId, role: m.role, added_at: m.addedAt.toISOString() };
}

export const staffParams = z.object({ id: z.string().min(1).max(128), user_id: z.string().min(1).max(128) });
export const staffBody = z.strictObject({ role: z.enum(["owner", "staff"]) });

// ---- devices ----

export const deviceJson = z.object({
  id: z.string(),
  name: z.string(),
  operator: z.string(),
  status: z.enum(["pending", "active", "revoked"]),
  public_key: z.string().nullable(),
  pairing_expires_at: time.nullable(),
  paired_at: time.nullable(),
  created_at: time,
  revoked_at: time.nullable(),
});

export function deviceToJson(d: Device): z.output<typeof deviceJson> {
  return {
    id: d.id,
    name: d.name,
    operator: d.operator,
    status: d.status,
    public_key: d.publicKey,
    pairing_expires_at: d.pairingExpiresAt?.toISOString() ?? null,
    paired_at: d.pairedAt?.toISOString() ?? null,
    created_at: d.createdAt.toISOString(),
    revoked_at: d.revokedAt?.toISOString() ?? null,
  };
}

export const createDeviceBody = z.strictObject({ name: z.string().max(200), operator: z.string().max(200) });

export const pairingJson = z.object({
  device: deviceJson,
  pairing_code: z.string().meta({ description: "XXXX-XXXX; shown once, valid 10 minutes, stored only as a hash" }),
  pairing_expires_at: time,
});

export const pairBody = z.strictObject({
  pairing_code: z.string().max(32),
  public_key: z.string().max(64).meta({ description: "Ed25519 public key, 32 bytes base64url (the terminal keeps the secret key)" }),
});

export const rotateKeysBody = z.strictObject({
  immediate: z.boolean().optional().meta({ description: "A suspected leak: old keys stop verifying at once (every session must refresh)" }),
});

export const signingKeyJson = z.object({ kid: z.string(), created_at: time, retired_at: time.nullable() });

// ---- audit ----

export const auditQuery = pageQuery.extend({
  cursor: z.string().max(18).regex(/^\d*$/).optional().meta({ description: "next_cursor of the previous page" }),
  actor: z.string().max(200).optional(),
  action: z.string().max(200).optional().meta({ description: "Exact action, e.g. auth.login_failed" }),
  action_prefix: z.string().max(200).optional().meta({ description: "e.g. auth. for every login event" }),
  target: z.string().max(200).optional(),
  request_id: z.string().max(200).optional(),
  from: time.optional().meta({ description: "At or after (ISO 8601 with offset)" }),
  to: time.optional().meta({ description: "Before" }),
});

export const auditEntryJson = z.object({
  seq: z.int(),
  at: time,
  actor: z.string(),
  actor_roles: z.array(z.string()),
  action: z.string(),
  target: z.string().nullable(),
  request_id: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  prev_hash: z.string(),
  hash: z.string(),
});

export function auditEntryToJson(e: AuditEntry): z.output<typeof auditEntryJson> {
  return {
    seq: e.seq,
    at: e.at.toISOString(),
    actor: e.actor,
    actor_roles: e.actorRoles,
    action: e.action,
    target: e.target,
    request_id: e.requestId,
    details: sortKeysDeep(e.details) as Record<string, unknown>,
    prev_hash: e.prevHash,
    hash: e.hash,
  };
}
