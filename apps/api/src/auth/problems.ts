// The identity store answers expected failures as values ({ok: false, code, detail, ...}); this turns one into the
// API's problem, with what the caller can act on: Retry-After for a lock that lifts by itself, tries_left for a
// wrong PIN, the field for invalid input. The status of each code is in http/problem.ts's one table.
import { isProblemCode, ProblemError, problemStatus, type ProblemExtensions } from "../http/problem";

export interface StoreFailure {
  ok: false;
  code: string;
  detail: string;
  field?: string;
  triesLeft?: number;
  retryAfterSeconds?: number;
  remainingYen?: bigint;
}

/** A ProblemError for a store failure. A code missing from the table is a bug (a 500), never a guessed status. */
export function identityProblem(failure: StoreFailure): ProblemError {
  if (!isProblemCode(failure.code)) throw new Error(`BUG: the identity store's code ${failure.code} has no HTTP status in http/problem.ts`);
  const headers: Record<string, string> = {};
  const extensions: Record<string, string | number | null> = {};
  if (failure.retryAfterSeconds !== undefined) {
    headers["Retry-After"] = String(failure.retryAfterSeconds);
    extensions.retry_after_s = failure.retryAfterSeconds;
  }
  if (failure.triesLeft !== undefined) extensions.tries_left = failure.triesLeft;
  if (failure.field !== undefined) extensions.field = failure.field;
  if (failure.remainingYen !== undefined) extensions.remaining_yen = Number(failure.remainingYen);
  const detail = failure.field !== undefined ? `${failure.field}: ${failure.detail}` : failure.detail;
  // RFC 9110: every 401 carries a challenge; a refused token says so (RFC 6750 error="invalid_token").
  if (problemStatus[failure.code] === 401) headers["WWW-Authenticate"] = `Bearer realm="tsubaki"${failure.code.startsWith("token_") ? ', error="invalid_token"' : ""}`;
  return new ProblemError(failure.code, detail, headers, extensions as ProblemExtensions);
}

/** The value of a store result, or its failure thrown as a problem. */
export function orProblem<R extends { ok: true } | StoreFailure>(result: R): Extract<R, { ok: true }> {
  if (result.ok) return result as Extract<R, { ok: true }>;
  throw identityProblem(result as StoreFailure);
}
