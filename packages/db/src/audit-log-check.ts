// The audit log's hash chain: the formula (shared by the identity store, which appends, and the ledger audit
// command, which recomputes) and the check. Each row's digest is sha256 of the canonical JSON of its content; the
// chain link is the ledger's own formula, hash n = sha256(hash n−1 ‖ "\n" ‖ n ‖ "\n" ‖ digest n).
import { canonicalJson, chainGenesis, chainHash, sha256Hex, type AuditCheck } from "@tsubaki/ledger";
import type { SqlClient } from "./client";
import { toDate } from "./rows";

/** Rows verified per round trip. */
const auditRowsPerChunk = 500;

export interface AuditEntryContent {
  at: Date;
  actor: string;
  actorRoles: readonly string[];
  action: string;
  target: string | null;
  requestId: string | null;
  /** Plain JSON (normaliseDetails): what jsonb gives back must hash the same as what went in. */
  details: Record<string, unknown>;
}

/** Details as stored: canonical JSON parsed back (bigints become strings, Dates ISO strings, undefined dropped). */
export function normaliseDetails(details: Record<string, unknown> | undefined): Record<string, unknown> {
  return JSON.parse(canonicalJson(details ?? {})) as Record<string, unknown>;
}

export function auditEntryDigest(e: AuditEntryContent): string {
  return sha256Hex(canonicalJson([e.at.toISOString(), e.actor, [...e.actorRoles], e.action, e.target, e.requestId, e.details]));
}

interface AuditRow {
  seq: string;
  at: unknown;
  actor: string;
  actor_roles: unknown;
  action: string;
  target: string | null;
  request_id: string | null;
  details: unknown;
  prev_hash: string;
  hash: string;
}

function json<T>(value: unknown): T {
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}

const appendOnlyTriggers = ["audit_log_append_only", "audit_log_no_truncate", "audit_log_head_forward"];

/**
 * Recomputes the audit log's chain from the first row: gapless seq, each prev_hash = the previous hash, each hash
 * from its row's content, the head at the last row, and the append-only triggers in place.
 */
export async function auditLogChain(db: SqlClient): Promise<AuditCheck> {
  const name = "audit_log_chain";
  const [head] = await db.query<{ seq: string; hash: string }>(`SELECT seq::text AS seq, hash FROM audit_log_head WHERE id = 1`);
  if (!head) return { name, ok: false, detail: "the audit head row is missing" };
  const headSeq = Number(head.seq);
  let prevHash = chainGenesis;
  for (let from = 1; from <= headSeq; from += auditRowsPerChunk) {
    const to = Math.min(headSeq, from + auditRowsPerChunk - 1);
    const rows = await db.query<AuditRow>(
      `SELECT seq::text AS seq, at, actor, actor_roles, action, target, request_id, details, prev_hash, hash
       FROM audit_log WHERE seq BETWEEN $1 AND $2 ORDER BY audit_log.seq`,
      [from, to],
    );
    if (rows.length !== to - from + 1) return { name, ok: false, detail: `rows ${from}..${to}: ${rows.length} found, expected ${to - from + 1} (rows missing)` };
    for (const [i, row] of rows.entries()) {
      const seq = Number(row.seq);
      if (seq !== from + i) return { name, ok: false, detail: `row ${from + i} is missing` };
      if (row.prev_hash !== prevHash) return { name, ok: false, detail: `row ${seq}: prev_hash does not match row ${seq - 1}` };
      const digest = auditEntryDigest({
        at: toDate(row.at),
        actor: row.actor,
        actorRoles: json<string[]>(row.actor_roles),
        action: row.action,
        target: row.target,
        requestId: row.request_id,
        details: json<Record<string, unknown>>(row.details),
      });
      if (chainHash(prevHash, seq, digest) !== row.hash) return { name, ok: false, detail: `row ${seq}: hash mismatch (the row changed after it was written)` };
      prevHash = row.hash;
    }
  }
  if (prevHash !== head.hash) return { name, ok: false, detail: "the audit head does not match the last row" };
  const [beyond] = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM audit_log WHERE seq > $1`, [headSeq]);
  if (beyond && beyond.n !== "0") return { name, ok: false, detail: `${beyond.n} rows beyond the head` };
  const triggers = await db.query<{ tgname: string }>(
    `SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D' AND tgname = ANY($1::text::text[])`,
    [`{${appendOnlyTriggers.join(",")}}`],
  );
  const missing = appendOnlyTriggers.filter((t) => !triggers.some((r) => r.tgname === t));
  if (missing.length > 0) return { name, ok: false, detail: `append-only triggers missing or disabled: ${missing.join(", ")}` };
  return { name, ok: true, detail: `${headSeq} audit rows verified` };
}
