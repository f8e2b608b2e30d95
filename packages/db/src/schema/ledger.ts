// The ledger's tables. Guarantees live in the database too: CHECK constraints on flagged accounts and totals,
// append-only journal tables (triggers in drizzle/0001_ledger_guards.sql), (account, seq) as the entry key.
import { sql } from "drizzle-orm";
import { bigint, pgSequence, boolean, check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

export const ledgerAccounts = pgTable(
  "ledger_accounts",
  {
    id: text("id").primaryKey(),
    kind: text("kind").notNull(),
    owner: text("owner"),
    asset: text("asset").notNull().default("JPY"),
    debitsMustNotExceedCredits: boolean("debits_must_not_exceed_credits").notNull().default(false),
    creditsMustNotExceedDebits: boolean("credits_must_not_exceed_debits").notNull().default(false),
    debitsPosted: bigint("debits_posted", { mode: "bigint" }).notNull().default(sql`0`),
    creditsPosted: bigint("credits_posted", { mode: "bigint" }).notNull().default(sql`0`),
    debitsPending: bigint("debits_pending", { mode: "bigint" }).notNull().default(sql`0`),
    creditsPending: bigint("credits_pending", { mode: "bigint" }).notNull().default(sql`0`),
    entrySeq: integer("entry_seq").notNull().default(0),
    metadata: jsonb("metadata"),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    index("ledger_accounts_owner_idx").on(t.owner),
    index("ledger_accounts_kind_idx").on(t.kind),
    check("ledger_accounts_totals_nonneg", sql`${t.debitsPosted} >= 0 AND ${t.creditsPosted} >= 0 AND ${t.debitsPending} >= 0 AND ${t.creditsPending} >= 0`),
    check("ledger_accounts_one_limit", sql`NOT (${t.debitsMustNotExceedCredits} AND ${t.creditsMustNotExceedDebits})`),
    check("ledger_accounts_debit_limit", sql`NOT ${t.debitsMustNotExceedCredits} OR ${t.debitsPosted} + ${t.debitsPending} <= ${t.creditsPosted}`),
    check("ledger_accounts_credit_limit", sql`NOT ${t.creditsMustNotExceedDebits} OR ${t.creditsPosted} + ${t.creditsPending} <= ${t.debitsPosted}`),
  ],
);

export const ledgerTransfers = pgTable(
  "ledger_transfers",
  {
    id: text("id").primaryKey(),
    op: text("op").notNull(),
    status: text("status").notNull(),
    /** [{from, to, amount}] with amounts as decimal strings. */
    legs: jsonb("legs").notNull(),
    code: text("code"),
    metadata: jsonb("metadata"),
    holdId: text("hold_id"),
    reversalOf: text("reversal_of"),
    timeoutAt: timestamp("timeout_at", { withTimezone: true, precision: 3 }),
    requestHash: text("request_hash").notNull(),
    /** The group commit that wrote it (ledger_batch_seq); its seal is found by batch_id. */
    batchId: bigint("batch_id", { mode: "number" }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [
    uniqueIndex("ledger_transfers_reversal_of_uq").on(t.reversalOf).where(sql`${t.reversalOf} IS NOT NULL`),
    index("ledger_transfers_hold_idx").on(t.holdId).where(sql`${t.holdId} IS NOT NULL`),
    index("ledger_transfers_batch_idx").on(t.batchId),
    check("ledger_transfers_op", sql`${t.op} IN ('transfer','reversal','capture','void','expire')`),
    check("ledger_transfers_status", sql`${t.status} IN ('posted','pending','voided','expired')`),
  ],
);

export const ledgerEntries = pgTable(
  "ledger_entries",
  {
    accountId: text("account_id").notNull(),
    seq: integer("seq").notNull(),
    transferId: text("transfer_id").notNull(),
    side: text("side").notNull(),
    phase: text("phase").notNull(),
    amount: bigint("amount", { mode: "bigint" }).notNull(),
    balanceAfter: bigint("balance_after", { mode: "bigint" }).notNull(),
    debitsPendingAfter: bigint("debits_pending_after", { mode: "bigint" }).notNull(),
    creditsPendingAfter: bigint("credits_pending_after", { mode: "bigint" }).notNull(),
    batchId: bigint("batch_id", { mode: "number" }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.seq] }),
    // The audit reads a sealed batch's entries by batch. Batch ids only grow, so each insert appends to the
    // index's last page; the index on transfer_id it replaces took a search of the whole tree per entry.
    index("ledger_entries_batch_idx").on(t.batchId),
    check("ledger_entries_amount_pos", sql`${t.amount} > 0`),
    check("ledger_entries_side", sql`${t.side} IN ('debit','credit')`),
    check("ledger_entries_phase", sql`${t.phase} IN ('posted','pending','release')`),
  ],
);

export const ledgerHolds = pgTable(
  "ledger_holds",
  {
    id: text("id").primaryKey(),
    fromAccount: text("from_account").notNull(),
    toAccount: text("to_account").notNull(),
    amount: bigint("amount", { mode: "bigint" }).notNull(),
    captured: bigint("captured", { mode: "bigint" }).notNull(),
    status: text("status").notNull(),
    timeoutAt: timestamp("timeout_at", { withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [
    index("ledger_holds_due_idx").on(t.timeoutAt).where(sql`${t.status} = 'pending'`),
    check("ledger_holds_captured", sql`${t.captured} >= 0 AND ${t.captured} <= ${t.amount}`),
    check("ledger_holds_status", sql`${t.status} IN ('pending','posted','voided','expired')`),
  ],
);

export const ledgerRejections = pgTable("ledger_rejections", {
  id: text("id").primaryKey(),
  op: text("op").notNull(),
  code: text("code").notNull(),
  detail: text("detail").notNull(),
  requestHash: text("request_hash").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull(),
});

/** One row per group commit: the hash chain over the journal. */
export const ledgerSeals = pgTable("ledger_seals", {
  seq: bigint("seq", { mode: "number" }).primaryKey(),
  batchId: bigint("batch_id", { mode: "number" }).notNull().unique(),
  /** sha256 of the batch's canonical transfers and entries (batchDigest). */
  digest: text("digest").notNull(),
  prevHash: text("prev_hash").notNull(),
  hash: text("hash").notNull(),
  transferCount: integer("transfer_count").notNull(),
  entryCount: integer("entry_count").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull(),
});

/** The head of the chain: one row, locked last by every batch so seals form one line. */
export const ledgerChain = pgTable(
  "ledger_chain",
  {
    id: integer("id").primaryKey(),
    seq: bigint("seq", { mode: "number" }).notNull(),
    hash: text("hash").notNull(),
  },
  (t) => [check("ledger_chain_single", sql`${t.id} = 1`)],
);

/** Numbers group commits; taken without a lock, so batches write their rows before they join the chain. */
export const ledgerBatchSeq = pgSequence("ledger_batch_seq", { startWith: 1, cache: 1 });
