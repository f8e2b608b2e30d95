// The audit recomputes everything from the journal and checks every invariant of DESIGN §3. It names each
// failure (up to a few examples) so an operator knows where to look.
import { batchDigest, chainGenesis, chainHash, type AuditCheck, type AuditReport } from "@tsubaki/ledger";
import type { SqlClient } from "./client";
import { auditLogChain } from "./audit-log-check";
import { entryColumnsOf, entryFromRow, transferColumns, transferFromRow, type EntryRow, type TransferRow } from "./rows";

/** Examples listed per failed check. */
const examplesMax = 5;
/** Seals verified per round trip. */
const sealsPerChunk = 200;

const entrySums = `
  SELECT account_id,
    coalesce(sum(amount) FILTER (WHERE side = 'debit' AND phase = 'posted'), 0) AS dp,
    coalesce(sum(amount) FILTER (WHERE side = 'credit' AND phase = 'posted'), 0) AS cp,
    coalesce(sum(CASE WHEN phase = 'pending' THEN amount WHEN phase = 'release' THEN -amount END) FILTER (WHERE side = 'debit'), 0) AS dpe,
    coalesce(sum(CASE WHEN phase = 'pending' THEN amount WHEN phase = 'release' THEN -amount END) FILTER (WHERE side = 'credit'), 0) AS cpe,
    count(*) AS n, coalesce(max(seq), 0) AS max_seq
  FROM ledger_entries GROUP BY account_id`;

async function examples(db: SqlClient, sql: string): Promise<AuditCheck["detail"]> {
  const rows = await db.query<{ x: string }>(`${sql} LIMIT ${examplesMax}`);
  return rows.map((r) => r.x).join("; ");
}

async function check(name: string, okDetail: string, db: SqlClient, sql: string): Promise<AuditCheck> {
  const detail = await examples(db, sql);
  return detail === "" ? { name, ok: true, detail: okDetail } : { name, ok: false, detail };
}

async function totalsBalance(db: SqlClient): Promise<AuditCheck> {
  const [row] = await db.query<Record<string, string>>(`
    SELECT
      (SELECT coalesce(sum(amount), 0) FROM ledger_entries WHERE side = 'debit' AND phase = 'posted')::text AS entries_dp,
      (SELECT coalesce(sum(amount), 0) FROM ledger_entries WHERE side = 'credit' AND phase = 'posted')::text AS entries_cp,
      (SELECT coalesce(sum(CASE WHEN phase = 'pending' THEN amount ELSE -amount END), 0) FROM ledger_entries WHERE side = 'debit' AND phase <> 'posted')::text AS entries_dpe,
      (SELECT coalesce(sum(CASE WHEN phase = 'pending' THEN amount ELSE -amount END), 0) FROM ledger_entries WHERE side = 'credit' AND phase <> 'posted')::text AS entries_cpe,
      coalesce(sum(debits_posted), 0)::text AS dp, coalesce(sum(credits_posted), 0)::text AS cp,
      coalesce(sum(debits_pending), 0)::text AS dpe, coalesce(sum(credits_pending), 0)::text AS cpe
    FROM ledger_accounts`);
  const r = row ?? {};
  const problems: string[] = [];
  if (r.entries_dp !== r.entries_cp) problems.push(`posted entries: debits ${r.entries_dp} ≠ credits ${r.entries_cp}`);
  if (r.entries_dpe !== r.entries_cpe) problems.push(`pending entries: debits ${r.entries_dpe} ≠ credits ${r.entries_cpe}`);
  if (r.dp !== r.cp) problems.push(`accounts: debits_posted ${r.dp} ≠ credits_posted ${r.cp}`);
  if (r.dpe !== r.cpe) problems.push(`accounts: debits_pending ${r.dpe} ≠ credits_pending ${r.cpe}`);
  return problems.length === 0
    ? { name: "debits_equal_credits", ok: true, detail: `posted ${r.dp}, pending ${r.dpe}` }
    : { name: "debits_equal_credits", ok: false, detail: problems.join("; ") };
}

async function hashChain(db: SqlClient): Promise<AuditCheck> {
  const name = "hash_chain";
  const [head] = await db.query<{ seq: string; hash: string }>(`SELECT seq::text AS seq, hash FROM ledger_chain WHERE id = 1`);
  if (!head) return { name, ok: false, detail: "the chain head row is missing" };
  const headSeq = Number(head.seq);
  let prevHash = chainGenesis;
  for (let from = 1; from <= headSeq; from += sealsPerChunk) {
    const to = Math.min(headSeq, from + sealsPerChunk - 1);
    const seals = await db.query<{ seq: string; batch_id: string; digest: string; prev_hash: string; hash: string; transfer_count: number; entry_count: number }>(
      `SELECT seq::text AS seq, batch_id::text AS batch_id, digest, prev_hash, hash, transfer_count, entry_count
       FROM ledger_seals WHERE seq BETWEEN $1 AND $2 ORDER BY ledger_seals.seq`,
      [from, to],
    );
    if (seals.length !== to - from + 1) return { name, ok: false, detail: `seals ${from}..${to}: ${seals.length} rows, expected ${to - from + 1}` };
    const batchIds = `{${seals.map((s) => s.batch_id).join(",")}}`;
    const [transfers, entries] = await Promise.all([
      db.query<TransferRow>(`SELECT ${transferColumns} FROM ledger_transfers WHERE batch_id = ANY($1::text::bigint[])`, [batchIds]),
      db.query<EntryRow>(
        `SELECT ${entryColumnsOf("e.")} FROM ledger_entries e WHERE e.batch_id = ANY($1::text::bigint[])`,
        [batchIds],
      ),
    ]);
    const transfersByBatch = groupBy(transfers, (t) => String(t.batch_id));
    const entriesByBatch = groupBy(entries, (e) => String(e.batch_id));
    for (const seal of seals) {
      const seq = Number(seal.seq);
      const ts = (transfersByBatch.get(seal.batch_id) ?? []).map(transferFromRow);
      const es = (entriesByBatch.get(seal.batch_id) ?? []).map(entryFromRow);
      if (seal.prev_hash !== prevHash) return { name, ok: false, detail: `seal ${seq}: prev_hash does not match seal ${seq - 1}` };
      if (ts.length !== seal.transfer_count || es.length !== seal.entry_count) {
        return { name, ok: false, detail: `seal ${seq}: ${ts.length} transfers/${es.length} entries, sealed ${seal.transfer_count}/${seal.entry_count}` };
      }
      const digest = batchDigest(ts, es);
      if (digest !== seal.digest || chainHash(prevHash, seq, digest) !== seal.hash) {
        return { name, ok: false, detail: `seal ${seq}: hash mismatch (journal rows of batch ${seal.batch_id} changed after sealing)` };
      }
      prevHash = seal.hash;
    }
  }
  if (prevHash !== head.hash) return { name, ok: false, detail: "the chain head does not match the last seal" };
  // Rows are read by the batch id they carry: one whose batch was never sealed would be read by nothing above.
  const [stray] = await db.query<{ transfers: string; entries: string }>(
    `SELECT (SELECT count(*) FROM ledger_transfers t WHERE NOT EXISTS (SELECT 1 FROM ledger_seals s WHERE s.batch_id = t.batch_id))::text AS transfers,
       (SELECT count(*) FROM ledger_entries e WHERE NOT EXISTS (SELECT 1 FROM ledger_seals s WHERE s.batch_id = e.batch_id))::text AS entries`,
  );
  if (stray && stray.transfers !== "0") return { name, ok: false, detail: `${stray.transfers} transfers outside any seal` };
  if (stray && stray.entries !== "0") return { name, ok: false, detail: `${stray.entries} entries outside any seal` };
  return { name, ok: true, detail: `${headSeq} seals verified` };
}

function groupBy<T, K>(rows: readonly T[], key: (row: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = map.get(k);
    if (list) list.push(row);
    else map.set(k, [row]);
  }
  return map;
}

async function appendOnlyGuards(db: SqlClient): Promise<AuditCheck> {
  const rows = await db.query<{ tgname: string }>(
    `SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D' AND tgname LIKE 'ledger_%_append_only'`,
  );
  const present = new Set(rows.map((r) => r.tgname));
  const missing = ["transfers", "entries", "rejections", "seals"].map((t) => `ledger_${t}_append_only`).filter((n) => !present.has(n));
  return missing.length === 0
    ? { name: "journal_append_only", ok: true, detail: "update/delete triggers enabled" }
    : { name: "journal_append_only", ok: false, detail: `missing or disabled: ${missing.join(", ")}` };
}

export async function auditLedger(db: SqlClient): Promise<AuditReport> {
  const checks: AuditCheck[] = [];
  checks.push(await totalsBalance(db));
  checks.push(
    await check(
      "balances_match_entries",
      "every account's totals equal the sums of its entries",
      db,
      `SELECT a.id || ': stored ' || a.debits_posted || '/' || a.credits_posted || '/' || a.debits_pending || '/' || a.credits_pending
          || ' (seq ' || a.entry_seq || '), entries ' || coalesce(s.dp, 0) || '/' || coalesce(s.cp, 0) || '/' || coalesce(s.dpe, 0) || '/'
          || coalesce(s.cpe, 0) || ' (' || coalesce(s.n, 0) || ' entries, max seq ' || coalesce(s.max_seq, 0) || ')' AS x
       FROM ledger_accounts a LEFT JOIN (${entrySums}) s ON s.account_id = a.id
       WHERE a.debits_posted <> coalesce(s.dp, 0) OR a.credits_posted <> coalesce(s.cp, 0) OR a.debits_pending <> coalesce(s.dpe, 0)
          OR a.credits_pending <> coalesce(s.cpe, 0) OR a.entry_seq <> coalesce(s.n, 0) OR a.entry_seq <> coalesce(s.max_seq, 0)`,
    ),
  );
  checks.push(
    await check(
      "entries_have_accounts",
      "every entry belongs to an account",
      db,
      `SELECT DISTINCT e.account_id AS x FROM ledger_entries e LEFT JOIN ledger_accounts a ON a.id = e.account_id WHERE a.id IS NULL`,
    ),
  );
  checks.push(
    await check(
      "entries_have_transfers",
      "every entry belongs to a transfer",
      db,
      `SELECT e.account_id || '#' || e.seq AS x FROM ledger_entries e LEFT JOIN ledger_transfers t ON t.id = e.transfer_id WHERE t.id IS NULL`,
    ),
  );
  checks.push(
    await check(
      "limits",
      "no flagged account is over its limit",
      db,
      `SELECT id || CASE WHEN debits_must_not_exceed_credits THEN ': debits exceed credits' ELSE ': credits exceed debits' END AS x
       FROM ledger_accounts
       WHERE (debits_must_not_exceed_credits AND debits_posted + debits_pending > credits_posted)
          OR (credits_must_not_exceed_debits AND credits_posted + credits_pending > debits_posted)`,
    ),
  );
  checks.push(
    await check(
      "balance_after",
      "every entry's balance_after and pending totals follow from the entries before it",
      db,
      `SELECT account_id || '#' || seq AS x FROM (
         SELECT account_id, seq, balance_after, debits_pending_after, credits_pending_after,
           sum(CASE WHEN phase = 'posted' THEN (CASE WHEN side = 'credit' THEN amount ELSE -amount END) ELSE 0 END)
             OVER (PARTITION BY account_id ORDER BY seq) AS running_balance,
           sum(CASE WHEN side = 'debit' AND phase = 'pending' THEN amount WHEN side = 'debit' AND phase = 'release' THEN -amount ELSE 0 END)
             OVER (PARTITION BY account_id ORDER BY seq) AS running_dpe,
           sum(CASE WHEN side = 'credit' AND phase = 'pending' THEN amount WHEN side = 'credit' AND phase = 'release' THEN -amount ELSE 0 END)
             OVER (PARTITION BY account_id ORDER BY seq) AS running_cpe
         FROM ledger_entries) w
       WHERE balance_after <> running_balance OR debits_pending_after <> running_dpe OR credits_pending_after <> running_cpe`,
    ),
  );
  checks.push(
    await check(
      "transfers_balanced",
      "every transfer's entries balance",
      db,
      `SELECT transfer_id AS x FROM ledger_entries GROUP BY transfer_id
       HAVING sum(CASE WHEN side = 'debit' THEN amount ELSE -amount END) <> 0`,
    ),
  );
  checks.push(
    await check(
      "holds_match_pending",
      "open holds account for every pending amount",
      db,
      `SELECT a.id || ': debits_pending ' || a.debits_pending || ' vs open holds ' || coalesce(h.out, 0)
          || ', credits_pending ' || a.credits_pending || ' vs ' || coalesce(h2.inn, 0) AS x
       FROM ledger_accounts a
       LEFT JOIN (SELECT from_account, sum(amount - captured) AS out FROM ledger_holds WHERE status = 'pending' GROUP BY from_account) h ON h.from_account = a.id
       LEFT JOIN (SELECT to_account, sum(amount - captured) AS inn FROM ledger_holds WHERE status = 'pending' GROUP BY to_account) h2 ON h2.to_account = a.id
       WHERE a.debits_pending <> coalesce(h.out, 0) OR a.credits_pending <> coalesce(h2.inn, 0)`,
    ),
  );
  checks.push(await hashChain(db));
  checks.push(await appendOnlyGuards(db));
  checks.push(await auditLogChain(db));
  return { ok: checks.every((c) => c.ok), checks };
}
