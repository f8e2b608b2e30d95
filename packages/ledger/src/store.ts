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
   * start, so the order per account is the order of submission.
   */
  submitBatch(requests: readonly TransferRequest[], onLocked?: () => void): Promise<TransferResult[]>;
  /** An account's entries, oldest first, optionally only those at or before `asOf`. */
  listEntries(accountId: string, options: { cursor?: string | null; limit: number; asOf?: Date | null }): Promise<EntryPage>;
  /** Ids of pending holds whose timeout has passed (for the sweeper), at most `limit`. */
  dueHoldIds(now: Date, limit: number): Promise<string[]>;
  /** Recomputes everything from the journal and checks every invariant. */
  audit(): Promise<AuditReport>;
}

export type { AccountInput, Validation };
