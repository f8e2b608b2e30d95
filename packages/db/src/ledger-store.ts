// The ledger store on PostgreSQL: one database transaction per batch. Rows are locked in a fixed order (holds,
// then accounts by id, then the chain head) so concurrent writers cannot deadlock; the pure planner decides;
// one statement writes everything; serialization failures are retried a bounded number of times with jitter.
import {
  assert,
  accountsOfRequest,
  emptyPlanState,
  bug,
  expiryTransferId,
  planBatch,
  batchDigest,
  chainHash,
  validateAccount,
  newAccount,
  type Account,
  type AccountInput,
  type Attachment,
  type BatchPlan,
  type CreateAccountResult,
  type EntryPage,
  type Hold,
  type LedgerStore,
  type PlanState,
  type Transfer,
  type TransferRequest,
  type TransferResult,
} from "@tsubaki/ledger";
import { retryableSqlStates, sqlState, type Db, type SqlClient } from "./client";
import { auditLedger } from "./audit";
import { paymentAttachmentKind, paymentRecordCtes, paymentRecordParamCount, paymentRecordParams, type PaymentRecordItem } from "./payment-records";
import { jsonColumn, numberColumn, textArray, textColumn } from "./sql-arrays";
import {
  accountColumns,
  accountFromRow,
  entryColumns,
  entryFromRow,
  holdColumns,
  holdFromRow,
  rejectionFromRow,
  transferColumns,
  transferFromRow,
  type AccountRow,
  type EntryRow,
  type HoldRow,
  type RejectionRow,
  type TransferRow,
} from "./rows";

export interface LedgerStoreOptions {
  /** Largest amount accepted (validated again by the planner). */
  amountMax?: bigint;
  /** Attempts for one batch before the error is returned to every caller in it. */
  retryCountMax?: number;
  /** Clock, for tests of expiry. */
  now?: () => Date;
  /**
   * Plain transfers go through the pipelined path (see createLedgerStore). Default true; false sends every batch
   * through the locking path (tests compare the two).
   */
  pipelined?: boolean;
  /** Most accounts the pipelined path keeps in memory; past it the cache starts over. */
  accountCacheMax?: number;
}

const ids = textArray;

async function loadState(tx: SqlClient, requests: readonly TransferRequest[]): Promise<PlanState> {
  const state = emptyPlanState();
  const holdIds = requests.flatMap((r) => (r.op === "capture" || r.op === "void" || r.op === "expire" ? [r.holdId] : []));
  const originalIds = requests.flatMap((r) => (r.op === "reversal" ? [r.reversalOf] : []));
  const accountIds = new Set(requests.flatMap((r) => (r.op === "transfer" ? r.legs.flatMap((l) => [l.from, l.to]) : [])));

  if (holdIds.length > 0) {
    const rows = await tx.query<HoldRow>(
      `SELECT ${holdColumns} FROM ledger_holds WHERE id IN (SELECT unnest($1::text::text[])) ORDER BY id FOR UPDATE`,
      [ids(holdIds)],
    );
    for (const row of rows) {
      const hold = holdFromRow(row);
      state.holds.set(hold.id, hold);
      accountIds.add(hold.from).add(hold.to);
    }
  }
  if (originalIds.length > 0) {
    const rows = await tx.query<TransferRow>(
      `SELECT ${transferColumns} FROM ledger_transfers WHERE id IN (SELECT unnest($1::text::text[]))`,
      [ids(originalIds)],
    );
    for (const row of rows) {
      const t = transferFromRow(row);
      state.originals.set(t.id, t);
      for (const leg of t.legs) accountIds.add(leg.from).add(leg.to);
    }
  }
  // The account locks and the outcomes of the requests' ids go in one round trip (postgres.js pipelines them on
  // the transaction's connection; the server runs them in order, so the outcomes are read after the locks are
  // held and a same-body duplicate in flight elsewhere is seen once it commits). A different-body duplicate
  // that commits later fails our insert on the primary key, and the batch is retried and sees it.
  const requestIds = ids(requests.flatMap((r) => [r.id, ...(r.op === "capture" || r.op === "void" ? [expiryTransferId(r.holdId)] : [])]));
  const [accountRows, outcomes] = await Promise.all([
    accountIds.size === 0
      ? Promise.resolve([] as AccountRow[])
      : tx.query<AccountRow>(`SELECT ${accountColumns} FROM ledger_accounts WHERE id IN (SELECT unnest($1::text::text[])) ORDER BY id FOR UPDATE`, [ids(accountIds)]),
    tx.query<TransferRow & { detail: string | null; is_rejection: boolean }>(
      `SELECT ${transferColumns}, NULL AS detail, false AS is_rejection FROM ledger_transfers WHERE id IN (SELECT unnest($1::text::text[]))
       UNION ALL
       SELECT id, op, code AS status, NULL, NULL, NULL, NULL, NULL, NULL, request_hash, NULL, created_at, detail, true
       FROM ledger_rejections WHERE id IN (SELECT unnest($1::text::text[]))`,
      [requestIds],
    ),
  ]);
  for (const row of accountRows) state.accounts.set(row.id, accountFromRow(row));
  for (const row of outcomes) {
    if (row.is_rejection) {
      state.outcomes.set(row.id, {
        kind: "rejection",
        rejection: rejectionFromRow({ id: row.id, op: row.op, code: row.status as never, detail: row.detail ?? "", request_hash: row.request_hash, created_at: row.created_at }),
      });
    } else {
      state.outcomes.set(row.id, { kind: "transfer", transfer: transferFromRow(row) });
    }
  }
  if (originalIds.length > 0) {
    const rows = await tx.query<{ reversal_of: string }>(
      `SELECT reversal_of FROM ledger_transfers WHERE reversal_of IN (SELECT unnest($1::text::text[]))`,
      [ids(originalIds)],
    );
    for (const row of rows) state.reversed.add(row.reversal_of);
  }
  return state;
}

/**
 * The statement that writes a batch's plan. Parameters: $1–$10 the transfers' columns, $11–$19 the entries',
 * $20–$30 the accounts' new and previous totals, $31 the batch digest, $32 and $33 the counts of transfers and
 * entries, $34 the time (of every transfer and entry in the batch), $35 the count of accounts, $36 the ids to check
 * against rejections. With holds and rejections (the locking path's batches that have them) also $37–$38 their
 * counts and $39–$40 their rows; batches of plain transfers, the hot path, leave those two inserts out of the
 * statement, which PostgreSQL would otherwise set up for every batch. With payments attached (see Attachment), the
 * record CTEs of payment-records.ts follow, their parameters numbered after all of those.
 */
function writeStatementText(holdsAndRejections: boolean, payments: boolean): string {
  const paymentsFrom = holdsAndRejections ? 41 : 37;
  return `
WITH
  b AS (SELECT nextval('ledger_batch_seq') AS id),
${payments ? `  -- The payments these transfers make, and their idempotency keys, in the same transaction (payment-records.ts).
  -- The main query reads them first, before the account locks are taken, so the hot accounts are not held longer.
${paymentRecordCtes(paymentsFrom)},
` : ""}
  t AS (
    INSERT INTO ledger_transfers (id, op, status, legs, code, metadata, hold_id, reversal_of, timeout_at, request_hash, batch_id, created_at)
    SELECT x.id, x.op, x.status, x.legs::jsonb, x.code, x.metadata::jsonb, x.hold_id, x.reversal_of, x.timeout_at, x.request_hash, (SELECT id FROM b), $34::timestamptz
    FROM unnest($1::text::text[], $2::text::text[], $3::text::text[], string_to_array($4::text, chr(31), chr(30)), $5::text::text[],
      string_to_array($6::text, chr(31), chr(30)), $7::text::text[],
      $8::text::text[], $9::text::timestamptz[], $10::text::text[])
      AS x(id, op, status, legs, code, metadata, hold_id, reversal_of, timeout_at, request_hash)
    RETURNING 1),
  e AS (
    INSERT INTO ledger_entries (account_id, seq, transfer_id, side, phase, amount, balance_after, debits_pending_after, credits_pending_after, batch_id, created_at)
    SELECT x.account_id, x.seq, x.transfer_id, x.side, x.phase, x.amount, x.balance_after, x.debits_pending_after, x.credits_pending_after, (SELECT id FROM b), $34::timestamptz
    FROM unnest($11::text::text[], $12::text::int[], $13::text::text[], $14::text::text[], $15::text::text[], $16::text::bigint[], $17::text::bigint[],
      $18::text::bigint[], $19::text::bigint[])
      AS x(account_id, seq, transfer_id, side, phase, amount, balance_after, debits_pending_after, credits_pending_after)
    RETURNING 1),
  -- The accounts, updated (so locked) in id order before any other lock: the main query reads a first (after any
  -- payments, which lock only their own new rows and keys), and the
  -- update walks the planned rows sorted by id, finding each by its primary key (the ordered writer's connection
  -- disables the other join methods, see openPostgres). The locking path holds these locks already; the
  -- pipelined path takes them here in the same order, so the two cannot deadlock.
  a AS (
    UPDATE ledger_accounts AS acc SET debits_posted = x.debits_posted, credits_posted = x.credits_posted,
      debits_pending = x.debits_pending, credits_pending = x.credits_pending, entry_seq = x.entry_seq
    FROM (SELECT * FROM unnest($20::text::text[], $21::text::bigint[], $22::text::bigint[], $23::text::bigint[], $24::text::bigint[],
        $25::text::int[], $26::text::int[], $27::text::bigint[], $28::text::bigint[], $29::text::bigint[], $30::text::bigint[])
        AS x(id, debits_posted, credits_posted, debits_pending, credits_pending, entry_seq, prev_seq, prev_debits_posted, prev_credits_posted,
          prev_debits_pending, prev_credits_pending)
      ORDER BY id) AS x
    -- The row must be exactly the state the plan started from (entry_seq alone is not enough: a plan built on
    -- another pipelined plan that failed can name the same entry_seq as a different history).
    WHERE acc.id = x.id AND acc.entry_seq = x.prev_seq
      AND acc.debits_posted = x.prev_debits_posted AND acc.credits_posted = x.prev_credits_posted
      AND acc.debits_pending = x.prev_debits_pending AND acc.credits_pending = x.prev_credits_pending
    RETURNING 1),
${holdsAndRejections ? `  h AS (
    INSERT INTO ledger_holds (id, from_account, to_account, amount, captured, status, timeout_at)
    SELECT x.id, x.from_account, x.to_account, x.amount, x.captured, x.status, x.timeout_at
    FROM jsonb_to_recordset($39::text::jsonb) AS x(id text, from_account text, to_account text, amount bigint, captured bigint, status text, timeout_at timestamptz)
    ON CONFLICT (id) DO UPDATE SET captured = excluded.captured, status = excluded.status
    RETURNING 1),
  r AS (
    INSERT INTO ledger_rejections (id, op, code, detail, request_hash, created_at)
    SELECT x.id, x.op, x.code, x.detail, x.request_hash, x.created_at
    FROM jsonb_to_recordset($40::text::jsonb) AS x(id text, op text, code text, detail text, request_hash text, created_at timestamptz)
    RETURNING 1),
` : ""}  -- Joining the hash chain: the head is the one row every batch locks, so it is locked last, here, and held only
  -- from this statement to the commit. The formula is chainHash() of packages/ledger; $31 is the batch digest.
  c AS (SELECT seq, hash FROM ledger_chain WHERE id = 1 AND $31::text IS NOT NULL FOR UPDATE),
  n AS (SELECT c.seq + 1 AS seq, c.hash AS prev_hash,
          encode(sha256(convert_to(c.hash || E'\\n' || (c.seq + 1)::text || E'\\n' || $31::text, 'UTF8')), 'hex') AS hash FROM c),
  u AS (UPDATE ledger_chain SET seq = n.seq, hash = n.hash FROM n WHERE ledger_chain.id = 1 RETURNING 1),
  s AS (INSERT INTO ledger_seals (seq, batch_id, digest, prev_hash, hash, transfer_count, entry_count, created_at)
        SELECT n.seq, (SELECT id FROM b), $31::text, n.prev_hash, n.hash, $32::int, $33::int, $34::timestamptz FROM n RETURNING 1)
SELECT ${payments ? "(SELECT string_agg(p.id || chr(31) || p.seq::text, chr(30)) FROM p) AS payments, (SELECT count(*) FROM k)::int AS keys," : "NULL AS payments, 0 AS keys,"}
  (SELECT count(*) FROM a)::int AS a, (SELECT id FROM b)::text AS batch_id, (SELECT count(*) FROM t)::int AS t, (SELECT count(*) FROM e)::int AS e,
  ${holdsAndRejections ? "(SELECT count(*) FROM h)::int AS h, (SELECT count(*) FROM r)::int AS r" : "0 AS h, 0 AS r"},
  (SELECT count(*) FROM u)::int AS u, (SELECT count(*) FROM s)::int AS s,
  (SELECT seq::text FROM n) AS seal_seq, (SELECT prev_hash FROM n) AS prev_hash, (SELECT hash FROM n) AS hash,
  -- The same checks as the asserts in writePlan, inside the statement, so that even a caller that ignored the
  -- asserts could not commit a batch that did not write exactly what was planned.
  -- The cast of a non-constant text to int raises, aborting the transaction.
  CASE WHEN (SELECT count(*) FROM t) = $32::int AND (SELECT count(*) FROM e) = $33::int AND (SELECT count(*) FROM a) = $35::int
        ${holdsAndRejections ? "AND (SELECT count(*) FROM h) = $37::int AND (SELECT count(*) FROM r) = $38::int" : ""}
       -- Last, with every lock held: no id of a pipelined batch was rejected meanwhile (see its migration, 0012).
       THEN ledger_ids_not_rejected($36::text::text[])
       ELSE CAST('ledger batch write mismatch, accounts updated ' || (SELECT count(*) FROM a)::text AS int) END AS guard`;
}
const writeStatements = {
  plain: writeStatementText(false, false),
  full: writeStatementText(true, false),
  plainWithPayments: writeStatementText(false, true),
  fullWithPayments: writeStatementText(true, true),
} as const;

/**
 * The statement that writes a batch's plan, with its parameters (exported for the test that reads its query plan).
 * `freshIds`: the pipelined path's ids, checked against rejections committed while the statement waited for its
 * locks; null on the locking path, which read them under its locks.
 */
export function writeStatementFor(plan: BatchPlan, previous: ReadonlyMap<string, Account>, now: Date, freshIds: string | null, payments: readonly PaymentRecordItem[] = []) {
  const befores = plan.accounts.map((a) => {
    const before = previous.get(a.id);
    if (!before) bug(`the plan started from a known state of ${a.id}`);
    return before;
  });
  const holds = plan.holds.map((h) => ({
    id: h.id,
    from_account: h.from,
    to_account: h.to,
    amount: h.amount.toString(),
    captured: h.captured.toString(),
    status: h.status,
    timeout_at: h.timeoutAt.toISOString(),
  }));
  const rejections = plan.rejections.map((r) => ({ id: r.id, op: r.op, code: r.code, detail: r.detail, request_hash: r.requestHash, created_at: r.timestamp.toISOString() }));
  const digest = plan.transfers.length > 0 ? batchDigest(plan.transfers, plan.entries) : null;
  const plain = holds.length === 0 && rejections.length === 0;
  // The planner stamps a batch with one time; the statement writes it once for every row.
  const at = now.getTime();
  assert(plan.transfers.every((t) => t.timestamp.getTime() === at) && plan.entries.every((e) => e.timestamp.getTime() === at), "one time for the whole batch");
  const params: unknown[] = [
    // Rows go column by column, each column one array literal: PostgreSQL parses these several times faster than
    // the same rows as JSON (jsonb_to_recordset was a quarter of the statement's CPU).
    textColumn(plan.transfers.map((t) => t.id)),
    textColumn(plan.transfers.map((t) => t.op)),
    textColumn(plan.transfers.map((t) => t.status)),
    // The two JSON columns go joined (jsonColumn), not as array literals: nothing in them needs escaping.
    jsonColumn(plan.transfers.map((t) => JSON.stringify(t.legs.map((l) => ({ from: l.from, to: l.to, amount: l.amount.toString() }))))),
    textColumn(plan.transfers.map((t) => t.code)),
    jsonColumn(plan.transfers.map((t) => (t.metadata === null ? null : JSON.stringify(t.metadata)))),
    textColumn(plan.transfers.map((t) => t.holdId)),
    textColumn(plan.transfers.map((t) => t.reversalOf)),
    textColumn(plan.transfers.map((t) => t.timeoutAt?.toISOString() ?? null)),
    textColumn(plan.transfers.map((t) => t.requestHash)),
    textColumn(plan.entries.map((e) => e.accountId)),
    numberColumn(plan.entries.map((e) => e.seq)),
    textColumn(plan.entries.map((e) => e.transferId)),
    textColumn(plan.entries.map((e) => e.side)),
    textColumn(plan.entries.map((e) => e.phase)),
    numberColumn(plan.entries.map((e) => e.amount)),
    numberColumn(plan.entries.map((e) => e.balanceAfter)),
    numberColumn(plan.entries.map((e) => e.debitsPendingAfter)),
    numberColumn(plan.entries.map((e) => e.creditsPendingAfter)),
    textColumn(plan.accounts.map((a) => a.id)),
    numberColumn(plan.accounts.map((a) => a.debitsPosted)),
    numberColumn(plan.accounts.map((a) => a.creditsPosted)),
    numberColumn(plan.accounts.map((a) => a.debitsPending)),
    numberColumn(plan.accounts.map((a) => a.creditsPending)),
    numberColumn(plan.accounts.map((a) => a.entrySeq)),
    numberColumn(befores.map((a) => a.entrySeq)),
    numberColumn(befores.map((a) => a.debitsPosted)),
    numberColumn(befores.map((a) => a.creditsPosted)),
    numberColumn(befores.map((a) => a.debitsPending)),
    numberColumn(befores.map((a) => a.creditsPending)),
    digest,
    plan.transfers.length,
    plan.entries.length,
    now.toISOString(),
    plan.accounts.length,
    freshIds,
    ...(plain ? [] : [holds.length, rejections.length, JSON.stringify(holds), JSON.stringify(rejections)]),
  ];
  if (payments.length > 0) {
    const record = paymentRecordParams(payments, now);
    assert(record.length === paymentRecordParamCount, "the payment record's parameters");
    params.push(...record);
  }
  const text =
    payments.length > 0 ? (plain ? writeStatements.plainWithPayments : writeStatements.fullWithPayments) : plain ? writeStatements.plain : writeStatements.full;
  return { text, params, digest, holds: holds.length };
}

/**
 * Writes a batch's plan with one statement (see writeStatementFor) and checks it wrote exactly the plan. Returns
 * the seq of each payment it recorded (a payment recorded before is absent).
 */
async function writePlan(
  tx: SqlClient,
  plan: BatchPlan,
  previous: Map<string, Account>,
  now: Date,
  freshIds: string | null = null,
  payments: readonly PaymentRecordItem[] = [],
): Promise<Map<string, number>> {
  const seqs = new Map<string, number>();
  if (plan.transfers.length === 0 && plan.rejections.length === 0) return seqs;
  const { text, params, digest, holds } = writeStatementFor(plan, previous, now, freshIds, payments);
  const [counts] = await tx.query<{
    payments: string | null; keys: number;
    batch_id: string; t: number; e: number; a: number; h: number; r: number; u: number; s: number;
    seal_seq: string | null; prev_hash: string | null; hash: string | null;
  }>(text, params);
  assert(counts, "the write statement returns its counts");
  assert(counts.t === plan.transfers.length && counts.e === plan.entries.length && counts.r === plan.rejections.length, "every journal row was written");
  // An account row that moved under us (entry_seq changed) would be a broken lock: fail loudly, never write half.
  assert(counts.a === plan.accounts.length, "every account was updated from the state it was locked in");
  assert(counts.h === holds, "every hold was written");
  if (counts.payments) {
    for (const pair of counts.payments.split("\u001e")) {
      const [id, seq] = pair.split("\u001f") as [string, string];
      seqs.set(id, Number(seq));
    }
  }
  if (digest === null) {
    assert(counts.u === 0 && counts.s === 0, "a batch without transfers is not sealed");
    return seqs;
  }
  assert(counts.u === 1 && counts.s === 1 && counts.seal_seq && counts.prev_hash && counts.hash, "the batch joined the chain");
  assert(counts.hash === chainHash(counts.prev_hash, Number(counts.seal_seq), digest), "PostgreSQL and the ledger compute the same chain hash");
  return seqs;
}

/** The payments a batch's attachments made, with the attachments they came from. */
interface Attached {
  payments: PaymentRecordItem[];
  owners: Attachment[];
}

/** A batch's attachments, one place per request (undefined: that request carries none). */
type Attachments = readonly (Attachment | undefined)[] | undefined;

/** The payments a batch's attachments make (the only kind this store writes), from the planned results. */
function attachedTo(results: readonly TransferResult[], attachments: Attachments): Attached {
  const attached: Attached = { payments: [], owners: [] };
  if (!attachments) return attached;
  attachments.forEach((attachment, i) => {
    if (!attachment || attachment.kind !== paymentAttachmentKind) return;
    const result = results[i];
    assert(result, "one result per request");
    const item = attachment.make(result) as PaymentRecordItem | null;
    if (item === null) return;
    assert(result.ok && item.payment.id === result.transfer.id, "a payment is recorded with its own posted transfer");
    attached.payments.push(item);
    attached.owners.push(attachment);
  });
  return attached;
}

/** After the commit: each attachment learns its payment's seq (null: the payment was recorded before). */
function settleAttached(attached: Attached, seqs: ReadonlyMap<string, number>): void {
  attached.owners.forEach((owner, i) => {
    owner.outcome = seqs.get(attached.payments[i]!.payment.id) ?? null;
  });
}

function jitterMs(attempt: number): number {
  return Math.random() * Math.min(200, 5 * 2 ** attempt);
}

/**
 * Two write paths, one planner, one statement.
 *
 * The locking path (any batch): BEGIN; lock holds, accounts and read the ids' outcomes (one round trip); plan;
 * write; COMMIT. Always right, four round trips, and the next batch waits for its locks.
 *
 * The pipelined path (batches of plain transfers, the hot path of payments): the store keeps the accounts it
 * wrote in memory, plans from them, and sends the write statement alone (its own implicit transaction) on the
 * ordered connection, without waiting for the batch before it to answer. The statement proves the plan's
 * premises itself, or writes nothing: every account still has the entry_seq the plan started from (so no other
 * writer moved it), no id has posted (primary key) or was rejected (ledger_ids_not_rejected), the chain head is
 * the one it extends. A batch whose statement fails (a stale account, a replayed or reused id, a deadlock with
 * another process, a lost connection) is forgotten from the cache and run again through the locking path, which
 * answers replays and rejections as before. While such a replay is pending every new batch takes the locking
 * path too, in order, so no later batch can overtake an earlier one on the same account.
 * A batch the planner would reject any part of, or that touches holds and reversals, takes the locking path:
 * rejections need the stored outcomes, and holds and reversals depend on rows this cache does not keep.
 */
export interface LedgerStoreStats {
  pipelinedBatches: number;
  lockingBatches: number;
  /** Pipelined statements that wrote nothing and were run again through the locking path. */
  pipelinedFailures: number;
}

/**
 * An account the write leaves with nothing in it and nothing pending, when the account may not go below zero:
 * spent (a point lot used up). The pipelined path does not keep it: it is seldom written again (a refund, an
 * expiry), and kept it would stay in the cache, and in the heap, until the cache starts over. Written again, it is
 * read first, as any account not in the cache is.
 */
function isEmptied(a: Account): boolean {
  return a.flags.debitsMustNotExceedCredits && a.debitsPosted === a.creditsPosted && a.debitsPending === 0n && a.creditsPending === 0n;
}

export function createLedgerStore(db: Db, options: LedgerStoreOptions = {}): LedgerStore & { readonly stats: LedgerStoreStats; prime(accounts: readonly Account[]): void } {
  const now = options.now ?? (() => new Date());
  const retryCountMax = options.retryCountMax ?? 8;
  const validateOptions = options.amountMax === undefined ? {} : { amountMax: options.amountMax };
  const pipelined = options.pipelined ?? true;
  const accountCacheMax = options.accountCacheMax ?? 200_000;
  const ordered = db.ordered ?? db;
  /** Accounts as the last planned write left them (ahead of the database while a statement is in flight). */
  const cache = new Map<string, Account>();
  /** Locking-path batches queued or running; while > 0 new batches take the locking path too. */
  let lockingPending = 0;
  /**
   * The turn of the newest batch: it opens once no later batch can overtake that batch on an account they share
   * (a locking batch holds its locks; a pipelined batch was answered, or its replay holds its locks) and every
   * earlier turn is open. A locking batch waits for the turn before it; pipelined statements need no turns, the
   * ordered connection runs them in order.
   */
  let lastTurn: Promise<void> = Promise.resolve();
  /** What each path did (for benchmarks and tests). */
  const stats: LedgerStoreStats = { pipelinedBatches: 0, lockingBatches: 0, pipelinedFailures: 0 };

  interface Turn {
    /** The turn of the batch before. */
    before: Promise<void>;
    open(): void;
  }
  function takeTurn(): Turn {
    const before = lastTurn;
    let open!: () => void;
    lastTurn = new Promise<void>((resolve) => (open = resolve));
    return { before, open };
  }

  async function submitOnce(requests: readonly TransferRequest[], onLocked?: () => void, attachments?: Attachments): Promise<TransferResult[]> {
    const { results, attached, seqs } = await db.transaction(async (tx) => {
      const state = await loadState(tx, requests);
      onLocked?.();
      const previous = new Map(state.accounts);
      const at = now();
      const plan = planBatch(state, requests, at, validateOptions);
      const attached = attachedTo(plan.results, attachments);
      const seqs = await writePlan(tx, plan, previous, at, null, attached.payments);
      // Another batch may have planned from the cache meanwhile; its statement will fail on entry_seq and replay.
      for (const id of previous.keys()) cache.delete(id);
      return { results: plan.results, attached, seqs };
    });
    settleAttached(attached, seqs);
    return results;
  }

  async function submitLocking(requests: readonly TransferRequest[], onLocked: () => void, attachments?: Attachments): Promise<TransferResult[]> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await submitOnce(requests, onLocked, attachments);
      } catch (error) {
        const state = sqlState(error);
        if (!state || !retryableSqlStates.has(state) || attempt + 1 >= retryCountMax) throw error;
        await new Promise((resolve) => setTimeout(resolve, jitterMs(attempt)));
      }
    }
  }

  /** Runs a batch through the locking path once the batch before it can no longer be overtaken. */
  async function runLocking(requests: readonly TransferRequest[], turn: Turn, onLocked?: () => void, attachments?: Attachments): Promise<TransferResult[]> {
    lockingPending += 1;
    stats.lockingBatches += 1;
    try {
      await turn.before;
      return await submitLocking(
        requests,
        () => {
          turn.open();
          onLocked?.();
        },
        attachments,
      );
    } finally {
      turn.open();
      lockingPending -= 1;
    }
  }

  function isPipelinable(requests: readonly TransferRequest[]): boolean {
    return pipelined && lockingPending === 0 && requests.every((r) => r.op === "transfer" && !r.pending);
  }

  async function submitPipelined(requests: readonly TransferRequest[], turn: Turn, onLocked?: () => void, attachments?: Attachments): Promise<TransferResult[]> {
    let sent: { plan: BatchPlan; attached: Attached; written: Promise<Map<string, number>> };
    try {
      const accountIds = [...new Set(requests.flatMap(accountsOfRequest))];
      const missing = accountIds.filter((id) => !cache.has(id));
      if (missing.length > 0) {
        const rows = await db.query<AccountRow>(`SELECT ${accountColumns} FROM ledger_accounts WHERE id IN (SELECT unnest($1::text::text[]))`, [ids(missing)]);
        if (cache.size + rows.length > accountCacheMax) cache.clear();
        // A batch planned while we read may have written one of these: keep its (newer) state.
        for (const row of rows) if (!cache.has(row.id)) cache.set(row.id, accountFromRow(row));
        if (!isPipelinable(requests)) return runLocking(requests, turn, onLocked, attachments);
      }
      const state = emptyPlanState();
      for (const id of accountIds) {
        const account = cache.get(id);
        if (account) state.accounts.set(id, account);
      }
      const previous = new Map(state.accounts);
      const at = now();
      const plan = planBatch(state, requests, at, validateOptions);
      if (plan.rejections.length > 0 || plan.holds.length > 0 || plan.results.some((r) => !r.ok)) return runLocking(requests, turn, onLocked, attachments);
      for (const account of plan.accounts) {
        if (isEmptied(account)) cache.delete(account.id);
        else cache.set(account.id, account);
      }
      const attached = attachedTo(plan.results, attachments);
      sent = { plan, attached, written: writePlan(ordered, plan, previous, at, ids(requests.map((r) => r.id)), attached.payments) };
    } catch (error) {
      // Before anything was sent: nothing to replay, but later batches must not wait for this turn forever.
      turn.open();
      throw error;
    }
    // The statement is queued on the ordered connection: any later batch's statement runs after it, so the next
    // batch may be planned (from the cache, which already holds this one's result) and sent now.
    onLocked?.();
    let seqs: Map<string, number>;
    try {
      seqs = await sent.written;
    } catch {
      // Nothing was written (one statement). Whatever the reason, the locking path decides again, reading the
      // ids' outcomes: an id that did post (an answer lost with the connection) comes back as a replay.
      stats.pipelinedFailures += 1;
      for (const account of sent.plan.accounts) cache.delete(account.id);
      return runLocking(requests, turn, undefined, attachments);
    }
    settleAttached(sent.attached, seqs);
    stats.pipelinedBatches += 1;
    void turn.before.then(turn.open);
    return sent.plan.results;
  }

  async function getAccount(id: string): Promise<Account | null> {
    const rows = await db.query<AccountRow>(`SELECT ${accountColumns} FROM ledger_accounts WHERE id = $1`, [id]);
    return rows[0] ? accountFromRow(rows[0]) : null;
  }

  return {
    getAccount,
    async createAccount(input: AccountInput): Promise<CreateAccountResult> {
      const validation = validateAccount(input);
      if (!validation.ok) return { ok: false, code: validation.code === "invalid_id" ? "invalid_id" : "invalid_account", detail: validation.detail };
      const account = newAccount(input, now());
      const rows = await db.query<AccountRow>(
        `INSERT INTO ledger_accounts (id, kind, owner, asset, debits_must_not_exceed_credits, credits_must_not_exceed_debits, metadata, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7::text::jsonb, $8::timestamptz) ON CONFLICT (id) DO NOTHING RETURNING ${accountColumns}`,
        [
          account.id,
          account.kind,
          account.owner,
          account.asset,
          account.flags.debitsMustNotExceedCredits,
          account.flags.creditsMustNotExceedDebits,
          account.metadata === null ? null : JSON.stringify(account.metadata),
          account.createdAt.toISOString(),
        ],
      );
      if (rows[0]) return { ok: true, account: accountFromRow(rows[0]), created: true };
      const existing = await getAccount(input.id);
      assert(existing, "an account that conflicted exists");
      const same =
        existing.kind === input.kind &&
        existing.owner === input.owner &&
        existing.asset === input.asset &&
        existing.flags.debitsMustNotExceedCredits === input.flags.debitsMustNotExceedCredits &&
        existing.flags.creditsMustNotExceedDebits === input.flags.creditsMustNotExceedDebits;
      if (same) return { ok: true, account: existing, created: false };
      return { ok: false, code: "account_exists", detail: `account ${input.id} exists with a different definition` };
    },

    async getAccounts(accountIds: readonly string[]): Promise<Account[]> {
      if (accountIds.length === 0) return [];
      const rows = await db.query<AccountRow>(
        `SELECT ${accountColumns} FROM ledger_accounts WHERE id IN (SELECT unnest($1::text::text[])) ORDER BY id`,
        [ids(accountIds)],
      );
      return rows.map(accountFromRow);
    },

    async getTransfer(id: string): Promise<Transfer | null> {
      const rows = await db.query<TransferRow>(`SELECT ${transferColumns} FROM ledger_transfers WHERE id = $1`, [id]);
      return rows[0] ? transferFromRow(rows[0]) : null;
    },

    async getHold(id: string): Promise<Hold | null> {
      const rows = await db.query<HoldRow>(`SELECT ${holdColumns} FROM ledger_holds WHERE id = $1`, [id]);
      return rows[0] ? holdFromRow(rows[0]) : null;
    },

    prime(accounts: readonly Account[]): void {
      if (!pipelined) return;
      for (const account of accounts) {
        if (cache.has(account.id)) continue;
        if (cache.size >= accountCacheMax) cache.clear();
        cache.set(account.id, account);
      }
    },

    async submitBatch(requests: readonly TransferRequest[], onLocked?: () => void, attachments?: Attachments): Promise<TransferResult[]> {
      const turn = takeTurn();
      return isPipelinable(requests) ? submitPipelined(requests, turn, onLocked, attachments) : runLocking(requests, turn, onLocked, attachments);
    },

    stats,

    async listEntries(accountId, { cursor, limit, asOf }): Promise<EntryPage> {
      const after = cursor ? Number.parseInt(cursor, 10) : 0;
      const rows = await db.query<EntryRow>(
        `SELECT ${entryColumns} FROM ledger_entries WHERE account_id = $1 AND seq > $2
           AND ($3::timestamptz IS NULL OR created_at <= $3::timestamptz) ORDER BY seq LIMIT $4`,
        [accountId, Number.isFinite(after) ? after : 0, asOf ? asOf.toISOString() : null, limit + 1],
      );
      const page = rows.slice(0, limit).map(entryFromRow);
      const last = page[page.length - 1];
      return { entries: page, nextCursor: rows.length > limit && last ? String(last.seq) : null };
    },

    async dueHoldIds(at: Date, limit: number): Promise<string[]> {
      const rows = await db.query<{ id: string }>(
        `SELECT id FROM ledger_holds WHERE status = 'pending' AND timeout_at <= $1::timestamptz ORDER BY timeout_at LIMIT $2`,
        [at.toISOString(), limit],
      );
      return rows.map((r) => r.id);
    },

    audit: () => auditLedger(db),
  };
}
