// The store interface the ledger needs (Formance habit: the domain declares it, packages/db implements it), and
// the shapes the audit reports.
import type { Account, Entry, Hold, Transfer, TransferRequest, TransferResult } from "./types";
import type { AccountInput, Validation } from "./validate";

export type CreateAccountResult =
  | { ok: true; account: Account; created: boolean }
  | { ok: false; code: "account_exists" | "invalid_id" | "invalid_account"; detail: string };

export interface EntryPage {
  entries: Entry[];
  /** Opaque; pass back as `cursor` for the next page; null at the end. */
  nextCursor: string | null;
}

export interface AuditCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface AuditReport {
  ok: boolean;
  checks: AuditCheck[];
}

/**
 * Rows that another part of the system writes in the same database transaction as a transfer (a payment's record
 * with its transfer, say), so the two commit together or not at all. The ledger only carries it; the store knows
 * each kind it can write and ignores the rest (outcome stays undefined, and the caller writes its rows itself).
 */
export interface Attachment {
  /** Which of the store's attachment writers takes the rows. */
  readonly kind: string;
  /**
   * The rows, made from the transfer's result as planned (a posted transfer's entries and balances are known
   * before the write); null: nothing to write (the transfer was refused, say). May be called more than once when
   * the batch is planned again (a retry), so it must only compute.
   */
  make(result: TransferResult): unknown;
  /** Set by the store once the batch committed: what its writer returned for these rows. */
  outcome?: unknown;
}

export interface LedgerStore {
  /** Creates an account; the same id with the same definition returns it again (created: false). */
  createAccount(input: AccountInput): Promise<CreateAccountResult>;
  getAccount(id: string): Promise<Account | null>;
  getAccounts(ids: readonly string[]): Promise<Account[]>;
  getTransfer(id: string): Promise<Transfer | null>;
  getHold(id: string): Promise<Hold | null>;
  /**
   * Decides and writes one batch atomically (one database transaction); one result per request, in order.
   * `onLocked` is called once a later batch can no longer overtake this one on any account they share (it holds
   * its row locks, or its statement is queued ahead on an ordered connection): from then on a later batch may
   * start, so the order per account is the order of submission. `attachments[i]`, when given, goes with
   * `requests[i]` into the same transaction.
   */
  submitBatch(requests: readonly TransferRequest[], onLocked?: () => void, attachments?: readonly (Attachment | undefined)[]): Promise<TransferResult[]>;
  /**
   * Accounts read elsewhere (by a statement that ran anyway), offered to a writer that keeps accounts in memory so
   * it need not read them again before it plans; it keeps one only where it holds none. A stale one can cost a
   * retry, never a wrong write: the write checks every account against the state its plan started from. Optional.
   */
  prime?(accounts: readonly Account[]): void;
  /** An account's entries, oldest first, optionally only those at or before `asOf`. */
  listEntries(accountId: string, options: { cursor?: string | null; limit: number; asOf?: Date | null }): Promise<EntryPage>;
  /** Ids of pending holds whose timeout has passed (for the sweeper), at most `limit`. */
  dueHoldIds(now: Date, limit: number): Promise<string[]>;
  /** Recomputes everything from the journal and checks every invariant. */
  audit(): Promise<AuditReport>;
}

export type { AccountInput, Validation };
