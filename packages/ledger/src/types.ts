// The ledger's entities, written once so the planner, the store and the API agree on every field.
// Amounts are integer yen as bigint everywhere inside the ledger; JSON numbers are converted at the HTTP edge.

/** At most this many legs in one transfer (TigerBeetle's habit: a named limit on everything). */
export const legsMax = 16;
/** Largest id a caller may choose, in characters. */
export const idLengthMax = 64;
/** Longest allowed hold, seconds (a bus allowance lives ≤ 72 h; a week leaves room). */
export const holdTimeoutSecondsMax = 7 * 24 * 3600;
/** Default upper bound for one amount; deployments may lower it (see validateRequest options). 10^12 yen. */
export const amountMaxDefault = 1_000_000_000_000n;
/** Transfers in one group commit. */
export const batchSizeMax = 1024;

export interface AccountFlags {
  /** debits_posted + debits_pending ≤ credits_posted at all times (wallets, merchants, budgets). */
  debitsMustNotExceedCredits: boolean;
  /** credits_posted + credits_pending ≤ debits_posted at all times (accounts that only pay out). */
  creditsMustNotExceedDebits: boolean;
}

/**
 * An account. Guarantees (checked by the store's CHECK constraints and by the audit):
 *   flags.debitsMustNotExceedCredits ⇒ debitsPosted + debitsPending ≤ creditsPosted
 *   flags.creditsMustNotExceedDebits ⇒ creditsPosted + creditsPending ≤ debitsPosted
 *   each of the four totals = Σ of the account's entries of that side and phase.
 */
export interface Account {
  id: string;
  kind: string;
  owner: string | null;
  asset: string;
  flags: AccountFlags;
  debitsPosted: bigint;
  creditsPosted: bigint;
  debitsPending: bigint;
  creditsPending: bigint;
  /** Number of entries written to this account; the next entry gets seq = entrySeq + 1. */
  entrySeq: number;
  metadata: Record<string, unknown> | null;
  createdAt: Date;
}

export interface Leg {
  from: string;
  to: string;
  amount: bigint;
}

/** What a client asks for. `id` is chosen by the client and kept before sending, so a retry is always safe. */
export type TransferRequest =
  | {
      op: "transfer";
      id: string;
      legs: Leg[];
      /** Present ⇒ a hold: one leg, reserved until captured, voided or timed out. */
      pending?: { timeoutSeconds: number };
      /** A caller's label for reports ("payment", "charge", ...); the ledger does not interpret it. */
      code?: string;
      metadata?: Record<string, unknown>;
    }
  | { op: "reversal"; id: string; reversalOf: string; code?: string; metadata?: Record<string, unknown> }
  | { op: "capture"; id: string; holdId: string; amount: bigint; metadata?: Record<string, unknown> }
  | { op: "void"; id: string; holdId: string; metadata?: Record<string, unknown> }
  /** Written by the ledger itself when a hold outlives its timeout (lazily or by the sweeper). */
  | { op: "expire"; id: string; holdId: string };

export type TransferOp = TransferRequest["op"];

/** The state of a transfer as stored: posted movements, an open hold, or a closed hold. */
export type TransferStatus = "posted" | "pending" | "voided" | "expired";

/** A stored transfer (immutable once written). */
export interface Transfer {
  id: string;
  op: TransferOp;
  status: TransferStatus;
  legs: Leg[];
  code: string | null;
  metadata: Record<string, unknown> | null;
  /** The hold this capture/void/expire acts on. */
  holdId: string | null;
  /** The transfer this reversal reverses. */
  reversalOf: string | null;
  /** For holds: when the hold lapses. */
  timeoutAt: Date | null;
  /** sha256 of the canonical request, so a replay with another body is recognised (id_reused). */
  requestHash: string;
  timestamp: Date;
}

export type EntrySide = "debit" | "credit";
/** posted: moves balance; pending: reserves; release: gives a reservation back (capture, void, expiry). */
export type EntryPhase = "posted" | "pending" | "release";

/** One line on one account. `seq` orders an account's entries; the *_after fields are the account after it. */
export interface Entry {
  accountId: string;
  transferId: string;
  seq: number;
  side: EntrySide;
  phase: EntryPhase;
  amount: bigint;
  /** credits_posted − debits_posted after this entry. */
  balanceAfter: bigint;
  debitsPendingAfter: bigint;
  creditsPendingAfter: bigint;
  timestamp: Date;
}

export type HoldStatus = "pending" | "posted" | "voided" | "expired";

/** Mutable state of a hold (the pending transfer itself is immutable). captured ≤ amount. */
export interface Hold {
  id: string;
  from: string;
  to: string;
  amount: bigint;
  captured: bigint;
  status: HoldStatus;
  timeoutAt: Date;
}

/** The stored outcome of a request that failed on state (not on its input), so that its id stays failed. */
export interface Rejection {
  id: string;
  op: TransferOp;
  code: StateResultCode;
  detail: string;
  requestHash: string;
  timestamp: Date;
}

/** Codes for a request that is wrong on its own, before any state is read. Nothing is written for these. */
export type InputResultCode =
  | "invalid_id"
  | "invalid_legs"
  | "too_many_legs"
  | "invalid_amount"
  | "same_account"
  | "invalid_timeout"
  | "hold_multi_leg"
  | "invalid_code"
  | "invalid_account";

/** Codes that depend on the ledger's state; recorded so that the id stays failed. */
export type StateResultCode =
  | "account_not_found"
  | "transfer_not_found"
  | "already_reversed"
  | "not_reversible"
  | "hold_not_found"
  | "hold_closed"
  | "hold_expired"
  | "hold_exceeded"
  | "exceeds_balance"
  | "exceeds_debits";

export type ResultCode = InputResultCode | StateResultCode | "id_reused";

export type TransferResult =
  | { ok: true; transfer: Transfer; entries: Entry[]; replayed: boolean }
  | { ok: false; code: ResultCode; detail: string; replayed: boolean };
