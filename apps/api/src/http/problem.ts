// Every error leaves the API as an RFC 9457 problem with a stable `code`. The status of each code is decided in
// one table here (STYLE: errors mapped in one table at the boundary), never in a route.
import { resultTitles, type ResultCode } from "@tsubaki/ledger";

/** Codes that only the HTTP layer produces (the ledger's own codes are ResultCode). */
export type HttpProblemCode =
  | "invalid_request"
  | "malformed_json"
  | "invalid_metadata"
  | "body_too_large"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "account_exists"
  | "idempotency_key_reused"
  | "busy"
  | "internal_error";

export type ProblemCode = ResultCode | HttpProblemCode;

/**
 * code → HTTP status. Bad input is 400 when the request does not fit the schema at all (JSON syntax, unknown
 * fields, wrong types of fields the ledger does not check) and 422 when the ledger's input rules reject a value;
 * missing things are 404; conflicts with what is stored are 409; a sound request the ledger's state refuses is 422.
 */
export const problemStatus: Record<ProblemCode, number> = {
  malformed_json: 400,
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  account_not_found: 404,
  transfer_not_found: 404,
  hold_not_found: 404,
  id_reused: 409,
  idempotency_key_reused: 409,
  account_exists: 409,
  already_reversed: 409,
  hold_closed: 409,
  body_too_large: 413,
  invalid_id: 422,
  invalid_legs: 422,
  too_many_legs: 422,
  invalid_amount: 422,
  same_account: 422,
  invalid_timeout: 422,
  hold_multi_leg: 422,
  invalid_code: 422,
  invalid_account: 422,
  invalid_metadata: 422,
  exceeds_balance: 422,
  exceeds_debits: 422,
  hold_expired: 422,
  hold_exceeded: 422,
  not_reversible: 422,
  internal_error: 500,
  busy: 503,
};

const httpTitles: Record<HttpProblemCode, string> = {
  invalid_request: "The request does not match the schema",
  malformed_json: "The body is not valid JSON",
  invalid_metadata: "Metadata must be a JSON object of at most 4 KiB",
  body_too_large: "The body is too large",
  unauthorized: "Authentication is required",
  forbidden: "Your role may not call this endpoint",
  not_found: "No such endpoint",
  account_exists: "An account with this id exists with a different definition",
  idempotency_key_reused: "This idempotency key was already used with a different request",
  busy: "The ledger is busy; retry shortly",
  internal_error: "Internal error",
};

export const problemTitles: Record<ProblemCode, string> = { ...resultTitles, ...httpTitles };

export const problemCodes = Object.keys(problemStatus) as ProblemCode[];

export function isProblemCode(code: string): code is ProblemCode {
  return Object.hasOwn(problemStatus, code);
}

/** The `type` URI of a code: its entry in the API docs, so a developer can follow it. */
export function problemType(code: ProblemCode): string {
  return `/v1/docs#problem-${code}`;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ProblemCode;
  request_id: string;
}

/** Thrown (or returned) by routes and middleware; the app's one error handler turns it into a response. */
export class ProblemError extends Error {
  override name = "ProblemError";
  readonly status: number;
  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(`${code}: ${detail}`);
    this.status = problemStatus[code];
  }
}

export function problemBody(code: ProblemCode, detail: string, requestId: string): ProblemBody {
  return { type: problemType(code), title: problemTitles[code], status: problemStatus[code], detail, code, request_id: requestId };
}

export function problemResponse(code: ProblemCode, detail: string, requestId: string, headers: Readonly<Record<string, string>> = {}): Response {
  const body = problemBody(code, detail, requestId);
  return new Response(JSON.stringify(body), {
    status: body.status,
    headers: { ...headers, "Content-Type": "application/problem+json", "X-Request-Id": requestId },
  });
}
