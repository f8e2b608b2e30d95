// The ledger's wire format, written once in zod: requests are validated with these schemas and the OpenAPI
// document is generated from the same ones. Value rules (id alphabet, limits, amounts) come from the ledger's
// own constants and are enforced by the ledger's validateRequest, so the documentation cannot drift from them.
import {
  codePattern,
  holdTimeoutSecondsMax,
  idLengthMax,
  idPattern,
  kindPattern,
  legsMax,
} from "@tsubaki/ledger";
import { z } from "zod";
import { utf8Length } from "../http/json";

/** Largest metadata object, serialized as JSON. */
export const metadataBytesMax = 4096;
/** Entries per page. */
export const entryPageSizeMax = 100;
export const entryPageSizeDefault = 50;

export const idSchema = z.string().meta({
  pattern: idPattern.source,
  maxLength: idLengthMax,
  description: "Caller-chosen id: 1–64 characters of A-Z a-z 0-9 - _ : . (keep it before sending: a retry is then safe)",
});

/**
 * An amount in yen. Any JSON number passes the schema; the route turns it into a bigint and the ledger refuses
 * anything but a positive safe integer within the deployment's maximum (invalid_amount), in its own precedence.
 */
export const amountSchema = z.number().meta({
  type: "integer",
  minimum: 1,
  maximum: Number.MAX_SAFE_INTEGER,
  description: "Integer yen, ≥ 1 and ≤ the deployment's maximum (TSUBAKI_AMOUNT_MAX_YEN)",
});

export const metadataSchema = z
  .record(z.string(), z.unknown())
  .refine((m) => utf8Length(JSON.stringify(m)) <= metadataBytesMax, `metadata must be at most ${metadataBytesMax} bytes as JSON`)
  .meta({ description: `Any JSON object, at most ${metadataBytesMax} bytes serialized; stored as given, returned with sorted keys` });

const codeSchema = z.string().meta({ pattern: codePattern.source, description: "A label for reports (payment, charge, ...); the ledger does not interpret it" });

export const legSchema = z.strictObject({
  from: idSchema.meta({ description: "Account debited" }),
  to: idSchema.meta({ description: "Account credited" }),
  amount: amountSchema,
});

export const createAccountBody = z.strictObject({
  id: idSchema.optional().meta({ description: "Optional; generated when absent. Same id + same definition returns the account again (200)" }),
  kind: z.string().meta({ pattern: kindPattern.source, description: "A short lowercase label (a-z 0-9 _, ≤ 32)" }),
  owner: z.string().nullable().optional().meta({ minLength: 1, maxLength: 128 }),
  asset: z.string().optional().meta({ pattern: "^[A-Z]{3,8}$", description: "Default JPY" }),
  flags: z
    .strictObject({
      debits_must_not_exceed_credits: z.boolean().optional().meta({ description: "No overdraft: debits_posted + debits_pending ≤ credits_posted" }),
      credits_must_not_exceed_debits: z.boolean().optional().meta({ description: "Only pays out: credits_posted + credits_pending ≤ debits_posted" }),
    })
    .optional(),
  metadata: metadataSchema.nullable().optional(),
});

export const createTransferBody = z.strictObject({
  id: idSchema,
  legs: z.array(legSchema).meta({ minItems: 1, maxItems: legsMax, description: `1–${legsMax} legs, applied all or none` }),
  pending: z
    .strictObject({
      timeout_s: z.number().meta({ type: "integer", minimum: 1, maximum: holdTimeoutSecondsMax, description: "Seconds until the hold lapses" }),
    })
    .optional()
    .meta({ description: "Present ⇒ a hold (one leg): reserved until captured, voided or expired" }),
  code: codeSchema.optional(),
  metadata: metadataSchema.optional(),
});

export const captureBody = z.strictObject({ id: idSchema, amount: amountSchema, metadata: metadataSchema.optional() });
export const voidBody = z.strictObject({ id: idSchema, metadata: metadataSchema.optional() });
export const reversalBody = z.strictObject({ id: idSchema, code: codeSchema.optional(), metadata: metadataSchema.optional() });

export const idParams = z.object({ id: z.string().meta({ description: "An id (A-Z a-z 0-9 - _ : .)" }) });

export const entriesQuery = z.object({
  cursor: z.string().max(64).regex(/^[A-Za-z0-9_:.\-]*$/).optional().meta({ description: "next_cursor of the previous page" }),
  limit: z.coerce.number().int().min(1).max(entryPageSizeMax).default(entryPageSizeDefault),
  as_of: z.iso.datetime({ offset: true }).optional().meta({ description: "Only entries at or before this time (ISO 8601 with offset)" }),
});

// ---- responses (documentation, and checked against real responses in the tests) ----

const yen = z.int().meta({ description: "Integer yen" });
const time = z.iso.datetime({ offset: true });

export const accountJson = z.object({
  id: z.string(),
  kind: z.string(),
  owner: z.string().nullable(),
  asset: z.string(),
  flags: z.object({ debits_must_not_exceed_credits: z.boolean(), credits_must_not_exceed_debits: z.boolean() }),
  debits_posted: yen,
  credits_posted: yen,
  debits_pending: yen,
  credits_pending: yen,
  available: yen.meta({ description: "credits_posted − debits_posted − debits_pending" }),
  metadata: z.record(z.string(), z.unknown()).nullable(),
  created_at: time,
});

export const holdJson = z.object({
  amount: yen,
  captured: yen,
  remaining: yen,
  status: z.enum(["pending", "posted", "voided", "expired"]),
  timeout_at: time,
});

export const transferJson = z.object({
  id: z.string(),
  op: z.enum(["transfer", "reversal", "capture", "void", "expire"]),
  status: z.enum(["posted", "pending", "voided", "expired"]),
  legs: z.array(z.object({ from: z.string(), to: z.string(), amount: yen })),
  code: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()).nullable(),
  hold_id: z.string().nullable().meta({ description: "The hold a capture, void or expiry acts on" }),
  reversal_of: z.string().nullable().meta({ description: "The transfer a reversal reverses" }),
  timeout_at: time.nullable().meta({ description: "For a hold: when it lapses" }),
  timestamp: time,
  hold: holdJson.optional().meta({ description: "GET only, for a hold: its current state (captures change it)" }),
});

export const entryJson = z.object({
  account_id: z.string(),
  seq: z.int(),
  transfer_id: z.string(),
  side: z.enum(["debit", "credit"]),
  phase: z.enum(["posted", "pending", "release"]),
  amount: yen,
  balance_after: yen.meta({ description: "credits_posted − debits_posted after this entry" }),
  debits_pending_after: yen,
  credits_pending_after: yen,
  timestamp: time,
});

export const entryPageJson = z.object({ entries: z.array(entryJson), next_cursor: z.string().nullable() });

export const auditJson = z.object({
  ok: z.boolean(),
  checks: z.array(z.object({ name: z.string(), ok: z.boolean(), detail: z.string() })),
});
