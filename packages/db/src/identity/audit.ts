// Reading and appending the audit log. The auditor's view is newest first, filtered by actor, action (or an
// action prefix such as "auth."), target, request id and time; pages follow seq downwards.
import type { AuditCheck } from "@tsubaki/ledger";
import { auditLogChain } from "../audit-log-check";
import { appendAudit, pageLimit, paginate, type IdentityContext } from "./context";
import { auditColumns, auditFromRow, type AuditRow } from "./rows";
import type { AuditActor, AuditEntry, AuditPage, AuditQuery } from "./types";

export function createAuditStore(ctx: IdentityContext) {
  const { db } = ctx;
  return {
    /** For other services (campaign funding, issuance, refunds, payouts): one audited fact, in its own transaction. */
    async appendAudit(by: AuditActor, action: string, target: string | null, details: Record<string, unknown> = {}): Promise<AuditEntry> {
      return db.transaction((tx) => appendAudit(tx, ctx.now(), by, action, target, details));
    },

    async queryAudit(query: AuditQuery = {}): Promise<AuditPage> {
      const limit = pageLimit(query.limit);
      const cursor = query.cursor !== undefined && /^\d{1,18}$/.test(query.cursor) ? query.cursor : null;
      const prefix = query.actionPrefix ? query.actionPrefix.replace(/[%_\\]/g, "\\$&") + "%" : null;
      const rows = await db.query<AuditRow>(
        `SELECT ${auditColumns} FROM audit_log
         WHERE ($1::bigint IS NULL OR seq < $1::bigint)
           AND ($2::text IS NULL OR actor = $2) AND ($3::text IS NULL OR action = $3) AND ($4::text IS NULL OR action LIKE $4)
           AND ($5::text IS NULL OR target = $5) AND ($6::text IS NULL OR request_id = $6)
           AND ($7::timestamptz IS NULL OR at >= $7::timestamptz) AND ($8::timestamptz IS NULL OR at < $8::timestamptz)
         ORDER BY audit_log.seq DESC LIMIT $9`,
        [cursor, query.actor ?? null, query.action ?? null, prefix, query.target ?? null, query.requestId ?? null, query.from?.toISOString() ?? null, query.to?.toISOString() ?? null, limit + 1],
      );
      const page = paginate(rows, limit, (r) => r.seq);
      return { entries: page.items.map(auditFromRow), nextCursor: page.nextCursor };
    },

    /** Recomputes the whole chain (also part of the ledger audit command). */
    verifyAuditChain: (): Promise<AuditCheck> => auditLogChain(db),
  };
}
