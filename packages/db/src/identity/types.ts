// What the identity store hands out. None of these carries a secret: no password or PIN hash, no token hash, no
// private key (signing keys come out only through loadSigningKeys, for the key store).
import type { BankAccount, Role, ShopStatus, ShopTier } from "@tsubaki/auth";

export type UserKind = "resident" | "merchant" | "city";
export const userKinds: readonly UserKind[] = ["resident", "merchant", "city"];

export interface User {
  id: string;
  login: string;
  /** Roles granted by an administrator (see IdentityStore.rolesOf for the roles a token carries). */
  grantedRoles: Role[];
  displayName: string;
  kind: UserKind;
  owner: string;
  hasPassword: boolean;
  disabledAt: Date | null;
  createdAt: Date;
}

export interface Resident {
  id: string;
  userId: string | null;
  name: string;
  nameKana: string;
  birthDate: string;
  district: string;
  verified: boolean;
  verifiedAt: Date | null;
  owner: string;
  createdAt: Date;
}

export interface Card {
  id: string;
  number: string;
  residentId: string;
  status: "active" | "revoked";
  pinFailures: number;
  locked: boolean;
  lockedAt: Date | null;
  issuedAt: Date;
  revokedAt: Date | null;
}

export interface Proxy {
  id: string;
  grantorResidentId: string;
  proxyUserId: string;
  dailyLimitYen: bigint;
  canViewHistory: boolean;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface Shop {
  id: string;
  code: string;
  nameJa: string;
  nameLatin: string;
  category: string;
  tier: ShopTier;
  mcc: string;
  feeRateBasisPoints: number;
  bank: BankAccount | null;
  status: ShopStatus;
  owner: string;
  createdAt: Date;
  updatedAt: Date;
}

export type ShopStaffRole = "owner" | "staff";

export interface ShopStaffMember {
  shopId: string;
  userId: string;
  role: ShopStaffRole;
  addedAt: Date;
}

export type DeviceStatus = "pending" | "active" | "revoked";

export interface Device {
  id: string;
  name: string;
  operator: string;
  publicKey: string | null;
  status: DeviceStatus;
  pairingExpiresAt: Date | null;
  pairedAt: Date | null;
  owner: string;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface SigningKeyInfo {
  kid: string;
  createdAt: Date;
  retiredAt: Date | null;
}

export interface AuditEntry {
  seq: number;
  at: Date;
  actor: string;
  actorRoles: string[];
  action: string;
  target: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

/** Who did something, for the audit log. */
export interface AuditActor {
  actor: string;
  actorRoles: readonly string[];
  requestId?: string | null;
}

/** The system itself (start-up key rotation, sweeps). */
export const systemActor: AuditActor = Object.freeze({ actor: "system", actorRoles: Object.freeze([]) as readonly string[] });

/**
 * Audit actions. Names are `<area>.<event>`; `details` never holds a secret (no password, PIN, token, code or key).
 */
export const auditActions = [
  "auth.login_succeeded",
  "auth.login_failed",
  "auth.login_refused",
  "auth.login_unlocked",
  "auth.logout",
  "auth.refresh_reused",
  "auth.keys_rotated",
  "user.created",
  "user.roles_changed",
  "user.password_changed",
  "user.disabled",
  "user.enabled",
  "resident.created",
  "resident.verified",
  "card.issued",
  "card.locked",
  "card.unlocked",
  "card.pin_changed",
  "card.revoked",
  "proxy.granted",
  "proxy.revoked",
  "shop.created",
  "shop.status_changed",
  "shop.bank_changed",
  "shop.staff_added",
  "shop.staff_removed",
  "device.created",
  "device.pairing_code_issued",
  "device.paired",
  "device.revoked",
  // Written by other services through appendAudit (listed so the auditor's filter knows them).
  "campaign.funded",
  "issuance.approved",
  "refund.issued",
  "payout.created",
] as const;
export type AuditAction = (typeof auditActions)[number];

export interface AuditQuery {
  actor?: string;
  action?: string;
  /** e.g. "auth." for every login event. */
  actionPrefix?: string;
  target?: string;
  requestId?: string;
  from?: Date;
  to?: Date;
  /** Rows with seq below this (the next page of a newest-first listing). */
  cursor?: string;
  limit?: number;
}

export interface AuditPage {
  entries: AuditEntry[];
  nextCursor: string | null;
}

export interface PageQuery {
  cursor?: string;
  limit?: number;
}

/** Lists return at most this many rows (DESIGN §6: limit ≤ 100). */
export const pageSizeMax = 100;
export const pageSizeDefault = 50;
