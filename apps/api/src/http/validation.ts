// Turns zod issues into one problem with a stable code. A field the ledger has rules for keeps the ledger's code
// whatever is wrong with it (a string amount is invalid_amount, like a negative one); anything else that does
// not fit the schema is invalid_request. Several issues → the one first in the ledger's precedence.
import { inputCodePrecedence } from "@tsubaki/ledger";
import type { z } from "zod";
import { ProblemError, type ProblemCode } from "./problem";

/** Body field name → the code for any problem with it (one table, like the status table). */
const fieldCodes: Readonly<Record<string, ProblemCode>> = {
  id: "invalid_id",
  from: "invalid_id",
  to: "invalid_id",
  amount: "invalid_amount",
  legs: "invalid_legs",
  timeout_s: "invalid_timeout",
  code: "invalid_code",
  kind: "invalid_account",
  owner: "invalid_account",
  asset: "invalid_account",
  metadata: "invalid_metadata",
};

/** Structural problems first (nothing else can be trusted), then the ledger's documented order. */
const precedence: readonly ProblemCode[] = ["invalid_request", ...inputCodePrecedence, "invalid_account", "invalid_metadata"];

function formatPath(path: readonly PropertyKey[]): string {
  let text = "";
  for (const key of path) text += typeof key === "number" ? `[${key}]` : `${text ? "." : ""}${String(key)}`;
  return text || "body";
}

function codeOfIssue(issue: z.core.$ZodIssue, codes: Readonly<Record<string, ProblemCode>>): ProblemCode {
  if (issue.code === "unrecognized_keys") return "invalid_request";
  // legs[2] (not an object) belongs to `legs`; legs[2].amount to `amount`.
  const named = [...issue.path].reverse().find((k): k is string => typeof k === "string");
  const last = issue.path[issue.path.length - 1];
  if (typeof last === "number" && named === "legs" && codes.legs !== undefined) return codes.legs;
  return typeof last === "string" ? (codes[last] ?? "invalid_request") : "invalid_request";
}

function messageOf(issue: z.core.$ZodIssue, code: ProblemCode): string {
  if (issue.code === "unrecognized_keys") return `unknown field${issue.keys.length > 1 ? "s" : ""}: ${issue.keys.join(", ")}`;
  if (code === "invalid_amount") return "amount must be an integer";
  if (issue.code === "invalid_type" && issue.input === undefined) return "is required";
  return issue.message;
}

/** The problem for a failed body parse; `codes` maps field names to codes (default the ledger's table). */
export function bodyProblem(error: z.ZodError, codes: Readonly<Record<string, ProblemCode>> = fieldCodes): ProblemError {
  const ranked = error.issues
    .map((issue) => ({ issue, code: codeOfIssue(issue, codes) }))
    .sort((a, b) => precedence.indexOf(a.code) - precedence.indexOf(b.code));
  const first = ranked[0];
  if (!first) return new ProblemError("invalid_request", "the body does not match the schema");
  const where = first.issue.path.length === 0 ? "body" : formatPath(first.issue.path);
  return new ProblemError(first.code, `${where}: ${messageOf(first.issue, first.code)}`);
}

/** The problem for failed path or query parameters: always invalid_request. */
export function parameterProblem(error: z.ZodError, where: "path" | "query"): ProblemError {
  const issue = error.issues[0];
  const name = issue && issue.path.length > 0 ? formatPath(issue.path) : where;
  return new ProblemError("invalid_request", `${where} parameter ${name}: ${issue?.message ?? "invalid"}`);
}
