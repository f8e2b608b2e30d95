// The audit log for the city's auditors: who did what to whom and when (logins, role and staff changes, pairings,
// unlocks, …), newest first, filtered; and a check of the whole hash chain.
import { z } from "zod";
import { auditEntryJson, auditEntryToJson, auditQuery } from "../schemas/identity";
import { defineRoute } from "./registry";

const tags = ["admin"];
const auditors = ["admin_auditor", "service"] as const;

export const adminAuditRoutes = [
  defineRoute({
    method: "get",
    path: "/v1/admin/audit",
    roles: auditors,
    tags,
    summary: "監査ログ The audit log",
    request: { query: auditQuery },
    responses: { 200: { description: "Newest first", schema: z.object({ entries: z.array(auditEntryJson), next_cursor: z.string().nullable() }) } },
    async handler({ query, deps }) {
      const page = await deps.identity.queryAudit({
        limit: query.limit,
        ...(query.cursor ? { cursor: query.cursor } : {}),
        ...(query.actor ? { actor: query.actor } : {}),
        ...(query.action ? { action: query.action } : {}),
        ...(query.action_prefix ? { actionPrefix: query.action_prefix } : {}),
        ...(query.target ? { target: query.target } : {}),
        ...(query.request_id ? { requestId: query.request_id } : {}),
        ...(query.from ? { from: new Date(query.from) } : {}),
        ...(query.to ? { to: new Date(query.to) } : {}),
      });
      return { status: 200, json: { entries: page.entries.map(auditEntryToJson), next_cursor: page.nextCursor } };
    },
  }),

  defineRoute({
    method: "get",
    path: "/v1/admin/audit/verify",
    roles: auditors,
    tags,
    summary: "監査ログの検証 Recompute the audit log's hash chain",
    responses: { 200: { description: "ok is false when any entry was altered, removed or reordered", schema: z.object({ name: z.string(), ok: z.boolean(), detail: z.string() }) } },
    async handler({ deps }) {
      return { status: 200, json: await deps.identity.verifyAuditChain() };
    },
  }),
];
