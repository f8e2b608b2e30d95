// Conversions between database rows and ledger values. Bigints travel as decimal text both ways (drivers differ
// in how they parse int8), timestamps as ISO strings into SQL and Date-or-string out of it.
import type { Account, Entry, Hold, Rejection, Transfer } from "@tsubaki/ledger";

export function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === "string" || typeof value === "number") return new Date(value);
  throw new Error(`BUG: not a timestamp: ${String(value)}`);
}

function toJson(value: unknown): Record<string, unknown> | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return JSON.parse(value) as Record<string, unknown>;
  return value as Record<string, unknown>;
}

export const accountColumns = `id, kind, owner, asset, debits_must_not_exceed_credits, credits_must_not_exceed_debits,
  debits_posted::text AS debits_posted, credits_posted::text AS credits_posted,
  debits_pending::text AS debits_pending, credits_pending::text AS credits_pending, entry_seq, metadata, created_at`;

export interface AccountRow {
  id: string;
  kind: string;
  owner: string | null;
  asset: string;
  debits_must_not_exceed_credits: boolean;
  credits_must_not_exceed_debits: boolean;
  debits_posted: string;
  credits_posted: string;
  debits_pending: string;
  credits_pending: string;
  entry_seq: number;
  metadata: unknown;
  created_at: unknown;
}

export function accountFromRow(r: AccountRow): Account {
  return {
    id: r.id,
    kind: r.kind,
    owner: r.owner,
    asset: r.asset,
    flags: { debitsMustNotExceedCredits: r.debits_must_not_exceed_credits, creditsMustNotExceedDebits: r.credits_must_not_exceed_debits },
    debitsPosted: BigInt(r.debits_posted),
    creditsPosted: BigInt(r.credits_posted),
    debitsPending: BigInt(r.debits_pending),
    creditsPending: BigInt(r.credits_pending),
    entrySeq: Number(r.entry_seq),
    metadata: toJson(r.metadata),
    createdAt: toDate(r.created_at),
  };
}

export const transferColumns = `id, op, status, legs, code, metadata, hold_id, reversal_of, timeout_at, request_hash, batch_id, created_at`;

export interface TransferRow {
  id: string;
  op: Transfer["op"];
  status: Transfer["status"];
  legs: unknown;
  code: string | null;
  metadata: unknown;
  hold_id: string | null;
  reversal_of: string | null;
  timeout_at: unknown;
  request_hash: string;
  batch_id: unknown;
  created_at: unknown;
}

export function transferFromRow(r: TransferRow): Transfer {
  const legs = (typeof r.legs === "string" ? JSON.parse(r.legs) : r.legs) as { from: string; to: string; amount: string }[];
  return {
    id: r.id,
    op: r.op,
    status: r.status,
    legs: legs.map((l) => ({ from: l.from, to: l.to, amount: BigInt(l.amount) })),
    code: r.code,
    metadata: toJson(r.metadata),
    holdId: r.hold_id,
    reversalOf: r.reversal_of,
    timeoutAt: r.timeout_at === null ? null : toDate(r.timeout_at),
    requestHash: r.request_hash,
    timestamp: toDate(r.created_at),
  };
}

/** Entry columns, optionally qualified by a table alias ("e." ). */
export function entryColumnsOf(p = ""): string {
  return `${p}account_id, ${p}seq, ${p}transfer_id, ${p}side, ${p}phase, ${p}amount::text AS amount, ${p}balance_after::text AS balance_after,
  ${p}debits_pending_after::text AS debits_pending_after, ${p}credits_pending_after::text AS credits_pending_after, ${p}batch_id, ${p}created_at`;
}
export const entryColumns = entryColumnsOf();

export interface EntryRow {
  account_id: string;
  seq: number;
  transfer_id: string;
  side: Entry["side"];
  phase: Entry["phase"];
  amount: string;
  balance_after: string;
  debits_pending_after: string;
  credits_pending_after: string;
  batch_id: unknown;
  created_at: unknown;
}

export function entryFromRow(r: EntryRow): Entry {
  return {
    accountId: r.account_id,
    seq: Number(r.seq),
    transferId: r.transfer_id,
    side: r.side,
    phase: r.phase,
    amount: BigInt(r.amount),
    balanceAfter: BigInt(r.balance_after),
    debitsPendingAfter: BigInt(r.debits_pending_after),
    creditsPendingAfter: BigInt(r.credits_pending_after),
    timestamp: toDate(r.created_at),
  };
}

export const holdColumns = `id, from_account, to_account, amount::text AS amount, captured::text AS captured, status, timeout_at`;

export interface HoldRow {
  id: string;
  from_account: string;
  to_account: string;
  amount: string;
  captured: string;
  status: Hold["status"];
  timeout_at: unknown;
}

export function holdFromRow(r: HoldRow): Hold {
  return {
    id: r.id,
    from: r.from_account,
    to: r.to_account,
    amount: BigInt(r.amount),
    captured: BigInt(r.captured),
    status: r.status,
    timeoutAt: toDate(r.timeout_at),
  };
}

export interface RejectionRow {
  id: string;
  op: Rejection["op"];
  code: Rejection["code"];
  detail: string;
  request_hash: string;
  created_at: unknown;
}

export function rejectionFromRow(r: RejectionRow): Rejection {
  return { id: r.id, op: r.op, code: r.code, detail: r.detail, requestHash: r.request_hash, timestamp: toDate(r.created_at) };
}
