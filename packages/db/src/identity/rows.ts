// Rows of the identity tables ↔ the store's values. Column lists never include a secret column (password_hash,
// pin_hash, token_hash, pairing_code_hash, private_jwk); the few queries that need one name it explicitly.
import { parseRoles, type BankAccountType, type Role, type ShopStatus, type ShopTier } from "@tsubaki/auth";
import { toDate } from "../rows";
import type { AuditEntry, Card, Device, DeviceStatus, Proxy, Resident, Shop, ShopStaffMember, ShopStaffRole, User, UserKind } from "./types";

export function json<T>(value: unknown): T {
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}

function dateOrNull(value: unknown): Date | null {
  return value === null || value === undefined ? null : toDate(value);
}

export const userColumns = `id, login, roles, display_name, kind, owner, password_hash IS NOT NULL AS has_password, disabled_at, created_at`;
export interface UserRow {
  id: string;
  login: string;
  roles: unknown;
  display_name: string;
  kind: UserKind;
  owner: string;
  has_password: boolean;
  disabled_at: unknown;
  created_at: unknown;
}
export function userFromRow(r: UserRow): User {
  return {
    id: r.id,
    login: r.login,
    grantedRoles: parseRoles(json<unknown[]>(r.roles)) ?? [],
    displayName: r.display_name,
    kind: r.kind,
    owner: r.owner,
    hasPassword: r.has_password,
    disabledAt: dateOrNull(r.disabled_at),
    createdAt: toDate(r.created_at),
  };
}
export function rolesJson(roles: readonly Role[]): string {
  return JSON.stringify(roles);
}

export const residentColumns = `id, user_id, name, name_kana, birth_date::text AS birth_date, district, verified_at, owner, created_at`;
export interface ResidentRow {
  id: string;
  user_id: string | null;
  name: string;
  name_kana: string;
  birth_date: string;
  district: string;
  verified_at: unknown;
  owner: string;
  created_at: unknown;
}
export function residentFromRow(r: ResidentRow): Resident {
  const verifiedAt = dateOrNull(r.verified_at);
  return {
    id: r.id,
    userId: r.user_id,
    name: r.name,
    nameKana: r.name_kana,
    birthDate: r.birth_date,
    district: r.district,
    verified: verifiedAt !== null,
    verifiedAt,
    owner: r.owner,
    createdAt: toDate(r.created_at),
  };
}

export const cardColumns = `id, number, resident_id, status, pin_failures, locked_at, issued_at, revoked_at`;
export interface CardRow {
  id: string;
  number: string;
  resident_id: string;
  status: Card["status"];
  pin_failures: number;
  locked_at: unknown;
  issued_at: unknown;
  revoked_at: unknown;
}
export function cardFromRow(r: CardRow): Card {
  const lockedAt = dateOrNull(r.locked_at);
  return {
    id: r.id,
    number: r.number,
    residentId: r.resident_id,
    status: r.status,
    pinFailures: Number(r.pin_failures),
    locked: lockedAt !== null,
    lockedAt,
    issuedAt: toDate(r.issued_at),
    revokedAt: dateOrNull(r.revoked_at),
  };
}

export const proxyColumns = `id, grantor_resident_id, proxy_user_id, daily_limit_yen::text AS daily_limit_yen, can_view_history, created_at, revoked_at`;
export interface ProxyRow {
  id: string;
  grantor_resident_id: string;
  proxy_user_id: string;
  daily_limit_yen: string;
  can_view_history: boolean;
  created_at: unknown;
  revoked_at: unknown;
}
export function proxyFromRow(r: ProxyRow): Proxy {
  return {
    id: r.id,
    grantorResidentId: r.grantor_resident_id,
    proxyUserId: r.proxy_user_id,
    dailyLimitYen: BigInt(r.daily_limit_yen),
    canViewHistory: r.can_view_history,
    createdAt: toDate(r.created_at),
    revokedAt: dateOrNull(r.revoked_at),
  };
}

export const shopColumns = `id, code, name_ja, name_latin, category, tier, mcc, fee_rate_bp, bank_code, bank_branch_code, bank_account_type,
  bank_account_number, bank_holder_kana, status, owner, created_at, updated_at`;
export interface ShopRow {
  id: string;
  code: string;
  name_ja: string;
  name_latin: string;
  category: string;
  tier: ShopTier;
  mcc: string;
  fee_rate_bp: number;
  bank_code: string | null;
  bank_branch_code: string | null;
  bank_account_type: BankAccountType | null;
  bank_account_number: string | null;
  bank_holder_kana: string | null;
  status: ShopStatus;
  owner: string;
  created_at: unknown;
  updated_at: unknown;
}
export function shopFromRow(r: ShopRow): Shop {
  const bank =
    r.bank_code !== null && r.bank_branch_code !== null && r.bank_account_type !== null && r.bank_account_number !== null && r.bank_holder_kana !== null
      ? { bankCode: r.bank_code, branchCode: r.bank_branch_code, accountType: r.bank_account_type, accountNumber: r.bank_account_number, holderKana: r.bank_holder_kana }
      : null;
  return {
    id: r.id,
    code: r.code,
    nameJa: r.name_ja,
    nameLatin: r.name_latin,
    category: r.category,
    tier: r.tier,
    mcc: r.mcc,
    feeRateBasisPoints: Number(r.fee_rate_bp),
    bank,
    status: r.status,
    owner: r.owner,
    createdAt: toDate(r.created_at),
    updatedAt: toDate(r.updated_at),
  };
}

export const staffColumns = `shop_id, user_id, role, added_at`;
export interface StaffRow {
  shop_id: string;
  user_id: string;
  role: ShopStaffRole;
  added_at: unknown;
}
export function staffFromRow(r: StaffRow): ShopStaffMember {
  return { shopId: r.shop_id, userId: r.user_id, role: r.role, addedAt: toDate(r.added_at) };
}

export const deviceColumns = `id, name, operator, public_key, status, pairing_expires_at, paired_at, owner, created_at, revoked_at`;
export interface DeviceRow {
  id: string;
  name: string;
  operator: string;
  public_key: string | null;
  status: DeviceStatus;
  pairing_expires_at: unknown;
  paired_at: unknown;
  owner: string;
  created_at: unknown;
  revoked_at: unknown;
}
export function deviceFromRow(r: DeviceRow): Device {
  return {
    id: r.id,
    name: r.name,
    operator: r.operator,
    publicKey: r.public_key,
    status: r.status,
    pairingExpiresAt: dateOrNull(r.pairing_expires_at),
    pairedAt: dateOrNull(r.paired_at),
    owner: r.owner,
    createdAt: toDate(r.created_at),
    revokedAt: dateOrNull(r.revoked_at),
  };
}

export const auditColumns = `seq::text AS seq, at, actor, actor_roles, action, target, request_id, details, prev_hash, hash`;
export interface AuditRow {
  seq: string;
  at: unknown;
  actor: string;
  actor_roles: unknown;
  action: string;
  target: string | null;
  request_id: string | null;
  details: unknown;
  prev_hash: string;
  hash: string;
}
export function auditFromRow(r: AuditRow): AuditEntry {
  return {
    seq: Number(r.seq),
    at: toDate(r.at),
    actor: r.actor,
    actorRoles: json<string[]>(r.actor_roles),
    action: r.action,
    target: r.target,
    requestId: r.request_id,
    details: json<Record<string, unknown>>(r.details),
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

export interface ThrottleRow {
  key: string;
  failures: number;
  last_failure_at: unknown;
  locked_until: unknown;
}
export function throttleFromRow(r: ThrottleRow) {
  return { failures: Number(r.failures), lastFailureAt: dateOrNull(r.last_failure_at), lockedUntil: dateOrNull(r.locked_until) };
}
export { dateOrNull };
