// What every part of the identity store shares: the database, the clock, the policies, and the audit appender
// (used inside the same transaction as the change it records, so a change and its audit row commit together).
import { assert, chainHash } from "@tsubaki/ledger";
import type { LockoutPolicy, ScryptParams } from "@tsubaki/auth";
import type { Db, SqlClient } from "../client";
import { auditEntryDigest, normaliseDetails } from "../audit-log-check";
import { auditFromRow, auditColumns, type AuditRow } from "./rows";
import { pageSizeDefault, pageSizeMax, type AuditActor, type AuditEntry } from "./types";

export interface IdentityContext {
  db: Db;
  now(): Date;
  secretParams: ScryptParams;
  accountLockout: LockoutPolicy;
  addressLockout: LockoutPolicy;
  refreshTokenTtlSeconds: number;
  deviceSignatureWindowSeconds: number;
}

/** Longest action, actor, target or request id stored in the audit log. */
const auditFieldLengthMax = 200;
/** Largest details object, as canonical JSON. */
export const auditDetailsBytesMax = 8192;

// One statement: lock the head, compute the next link in PostgreSQL (the formula of chainHash), advance the head
// and insert the row. The head lock is held from here to the commit of the caller's transaction.
const appendStatement = `
WITH
  c AS (SELECT seq, hash FROM audit_log_head WHERE id = 1 FOR UPDATE),
  n AS (SELECT c.seq + 1 AS seq, c.hash AS prev_hash,
          encode(sha256(convert_to(c.hash || E'\\n' || (c.seq + 1)::text || E'\\n' || $1::text, 'UTF8')), 'hex') AS hash FROM c),
  u AS (UPDATE audit_log_head h SET seq = n.seq, hash = n.hash FROM n WHERE h.id = 1 RETURNING 1),
  i AS (INSERT INTO audit_log (seq, at, actor, actor_roles, action, target, request_id, details, prev_hash, hash)
        SELECT n.seq, $2::timestamptz, $3, $4::text::jsonb, $5, $6, $7, $8::text::jsonb, n.prev_hash, n.hash FROM n
        RETURNING ${auditColumns})
SELECT i.*, (SELECT count(*) FROM u)::int AS advanced FROM i`;

export async function appendAudit(
  tx: SqlClient,
  at: Date,
  by: AuditActor,
  action: string,
  target: string | null,
  details?: Record<string, unknown>,
): Promise<AuditEntry> {
  const content = {
    at,
    actor: by.actor.slice(0, auditFieldLengthMax),
    actorRoles: [...by.actorRoles],
    action: action.slice(0, auditFieldLengthMax),
    target: target === null ? null : target.slice(0, auditFieldLengthMax),
    requestId: by.requestId ? by.requestId.slice(0, auditFieldLengthMax) : null,
    details: normaliseDetails(details),
  };
  const detailsJson = JSON.stringify(content.details);
  assert(detailsJson.length <= auditDetailsBytesMax, `audit details of ${action} stay under ${auditDetailsBytesMax} bytes`);
  const digest = auditEntryDigest(content);
  const [row] = await tx.query<AuditRow & { advanced: number }>(appendStatement, [
    digest,
    at.toISOString(),
    content.actor,
    JSON.stringify(content.actorRoles),
    content.action,
    content.target,
    content.requestId,
    detailsJson,
  ]);
  assert(row && row.advanced === 1, "the audit head advanced");
  const entry = auditFromRow(row);
  assert(entry.hash === chainHash(entry.prevHash, entry.seq, digest), "PostgreSQL and the store compute the same audit hash");
  return entry;
}

export function pageLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isInteger(limit) || limit < 1) return pageSizeDefault;
  return Math.min(limit, pageSizeMax);
}

/** A page of rows fetched with LIMIT n + 1: the rows to return and the cursor of the next page. */
export function paginate<T>(rows: T[], limit: number, cursorOf: (row: T) => string): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last !== undefined ? cursorOf(last) : null };
}
