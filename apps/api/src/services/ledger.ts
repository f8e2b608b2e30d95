// The ledger as the API uses it: reads go straight to the store; every write is validated by the ledger's own
// rules first (a bad request is refused before anything is queued) and then joins a group commit, so many
// concurrent requests share one database transaction.
import {
  GroupCommitter,
  expiryTransferId,
  validateAccount,
  validateRequest,
  type Account,
  type AccountInput,
  type Attachment,
  type AuditReport,
  type CreateAccountResult,
  type EntryPage,
  type Hold,
  type LedgerStore,
  type Transfer,
  type TransferRequest,
  type TransferResult,
} from "@tsubaki/ledger";

export interface LedgerService {
  createAccount(input: AccountInput): Promise<CreateAccountResult>;
  getAccount(id: string): Promise<Account | null>;
  getTransfer(id: string): Promise<Transfer | null>;
  getHold(id: string): Promise<Hold | null>;
  listEntries(accountId: string, options: { cursor?: string | null; limit: number; asOf?: Date | null }): Promise<EntryPage>;
  /**
   * Validates, then queues for the next group commit; resolves with this request's own result. An attachment's
   * rows are written in the same transaction when the store knows their kind (see Attachment).
   */
  submit(request: TransferRequest, attachment?: Attachment): Promise<TransferResult>;
  /** Accounts just read elsewhere, for the store's writer to plan from without reading them again (see LedgerStore.prime). */
  prime(accounts: readonly Account[]): void;
  /** Expires holds whose timeout has passed, at most `limit`; returns how many were expired now. */
  expireDueHolds(now?: Date, limit?: number): Promise<number>;
  audit(): Promise<AuditReport>;
  /** The largest amount accepted, yen. */
  readonly amountMaxYen: bigint;
}

export interface LedgerServiceOptions {
  amountMaxYen: bigint;
  /** Most requests in one group commit (the ledger's batchSizeMax by default). */
  batchSizeMax?: number;
  /** Most requests waiting for a commit; past it a write fails fast with QueueFullError (→ 503 busy). */
  queueLengthMax?: number;
}

/** Holds expired per sweep; a backlog drains over the next sweeps instead of in one unbounded loop. */
export const expirySweepSizeMax = 256;

export function createLedgerService(store: LedgerStore, options: LedgerServiceOptions): LedgerService {
  // onLocked passed through: the next batch starts once this one can no longer be overtaken, not when it ends.
  const committer = new GroupCommitter((requests, onLocked, attachments) => store.submitBatch(requests, onLocked, attachments), {
    ...(options.batchSizeMax === undefined ? {} : { batchSizeMax: options.batchSizeMax }),
    queueLengthMax: options.queueLengthMax ?? 10_000,
  });
  const validateOptions = { amountMax: options.amountMaxYen };

  async function submit(request: TransferRequest, attachment?: Attachment): Promise<TransferResult> {
    const validation = validateRequest(request, validateOptions);
    if (!validation.ok) return { ok: false, code: validation.code, detail: validation.detail, replayed: false };
    return committer.submit(request, attachment);
  }

  return {
    amountMaxYen: options.amountMaxYen,
    async createAccount(input) {
      const validation = validateAccount(input);
      if (!validation.ok) {
        return { ok: false, code: validation.code === "invalid_id" ? "invalid_id" : "invalid_account", detail: validation.detail };
      }
      return store.createAccount(input);
    },
    getAccount: (id) => store.getAccount(id),
    getTransfer: (id) => store.getTransfer(id),
    getHold: (id) => store.getHold(id),
    listEntries: (accountId, page) => store.listEntries(accountId, page),
    submit,
    prime: (accounts) => store.prime?.(accounts),
    async expireDueHolds(now = new Date(), limit = expirySweepSizeMax) {
      const holdIds = await store.dueHoldIds(now, Math.min(limit, expirySweepSizeMax));
      const results = await Promise.all(holdIds.map((holdId) => submit({ op: "expire", id: expiryTransferId(holdId), holdId })));
      return results.filter((r) => r.ok && !r.replayed).length;
    },
    audit: () => store.audit(),
  };
}
