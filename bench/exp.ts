import { startTestPostgres, createTestDatabase } from "@tsubaki/testkit/pg";
import { migrate, openDatabase } from "@tsubaki/db/node";
const pg = await startTestPostgres(); const url = await createTestDatabase(pg.url, "exp");
const db = await openDatabase({ url }); await migrate(db);
await db.query(`INSERT INTO ledger_accounts (id, kind) SELECT 'acct' || g, 'bench' FROM generate_series(0, 9999) g`);
await db.query("ANALYZE");
const accts = JSON.stringify(Array.from({ length: 128 }, (_, i) => ({ id: "acct" + i * 7, debits_posted: "1", credits_posted: "5", debits_pending: "0", credits_pending: "0", entry_seq: 1, prev_seq: 0 })));
const r = await db.query(`EXPLAIN ANALYZE UPDATE ledger_accounts AS acc SET debits_posted = x.debits_posted, entry_seq = x.entry_seq
    FROM jsonb_to_recordset($1::text::jsonb) AS x(id text, debits_posted bigint, credits_posted bigint, debits_pending bigint, credits_pending bigint, entry_seq int, prev_seq int)
    WHERE acc.id = x.id AND acc.entry_seq = x.prev_seq`, [accts]);
console.log(r.map((x: any) => x["QUERY PLAN"]).join("\n"));
const ents = JSON.stringify(Array.from({ length: 128 }, (_, i) => ({ account_id: "acct" + i, seq: 1, transfer_id: "t" + (i >> 1), side: i % 2 ? "credit" : "debit", phase: "posted", amount: "5", balance_after: "5", debits_pending_after: "0", credits_pending_after: "0", created_at: new Date().toISOString() })));
const r2 = await db.query(`EXPLAIN ANALYZE INSERT INTO ledger_entries (account_id, seq, transfer_id, side, phase, amount, balance_after, debits_pending_after, credits_pending_after, batch_id, created_at)
    SELECT x.account_id, x.seq, x.transfer_id, x.side, x.phase, x.amount, x.balance_after, x.debits_pending_after, x.credits_pending_after, 1, x.created_at
    FROM jsonb_to_recordset($1::text::jsonb) AS x(account_id text, seq int, transfer_id text, side text, phase text, amount bigint,
      balance_after bigint, debits_pending_after bigint, credits_pending_after bigint, created_at timestamptz)`, [ents]);
console.log(r2.map((x: any) => x["QUERY PLAN"]).join("\n"));
await db.close(); await pg.stop();
