// Stateless checks of a request, in the documented order (codes.ts). Run at the HTTP edge before anything is
// queued, and again by the planner, so a bad request can never reach the journal.
import type { Account, AccountFlags, InputResultCode, Leg, TransferRequest } from "./types";
import { amountMaxDefault, holdTimeoutSecondsMax, idLengthMax, legsMax } from "./types";

export const idPattern = /^[A-Za-z0-9_:.\-]{1,64}$/;
export const kindPattern = /^[a-z0-9_]{1,32}$/;
export const codePattern = /^[a-z0-9_.:\-]{1,32}$/;

export interface ValidateOptions {
  amountMax?: bigint;
}

export type Validation = { ok: true } | { ok: false; code: InputResultCode; detail: string };

const ok: Validation = { ok: true };
function fail(code: InputResultCode, detail: string): Validation {
  return { ok: false, code, detail };
}

export function isValidId(id: unknown): id is string {
  return typeof id === "string" && id.length <= idLengthMax && idPattern.test(id);
}

function checkAmount(amount: bigint, where: string, amountMax: bigint): Validation {
  if (typeof amount !== "bigint" || amount <= 0n) return fail("invalid_amount", `${where}: amount must be a positive integer`);
  if (amount > amountMax) return fail("invalid_amount", `${where}: amount exceeds the maximum of ${amountMax}`);
  return ok;
}

function checkLegs(legs: readonly Leg[], amountMax: bigint): Validation {
  for (const [i, leg] of legs.entries()) {
    if (!isValidId(leg.from)) return fail("invalid_id", `legs[${i}].from is not a valid account id`);
    if (!isValidId(leg.to)) return fail("invalid_id", `legs[${i}].to is not a valid account id`);
  }
  for (const [i, leg] of legs.entries()) {
    const r = checkAmount(leg.amount, `legs[${i}]`, amountMax);
    if (!r.ok) return r;
  }
  for (const [i, leg] of legs.entries()) {
    if (leg.from === leg.to) return fail("same_account", `legs[${i}] moves money from ${leg.from} to itself`);
  }
  return ok;
}

export function validateRequest(request: TransferRequest, options: ValidateOptions = {}): Validation {
  const amountMax = options.amountMax ?? amountMaxDefault;
  if (request.op !== "expire" && !isValidId(request.id)) return fail("invalid_id", "id must be 1–64 characters of A-Z a-z 0-9 - _ : .");
  switch (request.op) {
    case "transfer": {
      if (request.code !== undefined && !codePattern.test(request.code)) {
        return fail("invalid_code", "code must be 1–32 characters of a-z 0-9 _ . : -");
      }
      if (request.legs.length === 0) return fail("invalid_legs", "a transfer needs at least one leg");
      if (request.legs.length > legsMax) return fail("too_many_legs", `at most ${legsMax} legs per transfer`);
      if (request.pending) {
        if (request.legs.length !== 1) return fail("hold_multi_leg", "a hold (pending transfer) has exactly one leg");
        const t = request.pending.timeoutSeconds;
        if (!Number.isInteger(t) || t < 1 || t > holdTimeoutSecondsMax) {
          return fail("invalid_timeout", `timeout_s must be an integer from 1 to ${holdTimeoutSecondsMax}`);
        }
      }
      return checkLegs(request.legs, amountMax);
    }
    case "reversal":
      if (request.code !== undefined && !codePattern.test(request.code)) {
        return fail("invalid_code", "code must be 1–32 characters of a-z 0-9 _ . : -");
      }
      if (!isValidId(request.reversalOf)) return fail("invalid_id", "reversal_of is not a valid transfer id");
      return ok;
    case "capture":
      if (!isValidId(request.holdId)) return fail("invalid_id", "the hold id is not valid");
      return checkAmount(request.amount, "capture", amountMax);
    case "void":
      if (!isValidId(request.holdId)) return fail("invalid_id", "the hold id is not valid");
      return ok;
    case "expire":
      if (!isValidId(request.holdId)) return fail("invalid_id", "the hold id is not valid");
      if (request.id !== `${request.holdId}~expired`) return fail("invalid_id", "an expiry's id is the hold id followed by ~expired");
      return ok;
  }
}

export interface AccountInput {
  id: string;
  kind: string;
  owner: string | null;
  asset: string;
  flags: AccountFlags;
  metadata: Record<string, unknown> | null;
}

export function validateAccount(input: AccountInput): Validation {
  if (!isValidId(input.id)) return fail("invalid_id", "id must be 1–64 characters of A-Z a-z 0-9 - _ : .");
  if (!kindPattern.test(input.kind)) return fail("invalid_account", "kind must be 1–32 characters of a-z 0-9 _");
  if (input.owner !== null && (input.owner.length === 0 || input.owner.length > 128)) {
    return fail("invalid_account", "owner must be 1–128 characters");
  }
  if (!/^[A-Z]{3,8}$/.test(input.asset)) return fail("invalid_account", "asset must be 3–8 capital letters");
  if (input.flags.debitsMustNotExceedCredits && input.flags.creditsMustNotExceedDebits) {
    return fail("invalid_account", "an account cannot limit both debits and credits");
  }
  return ok;
}

/** A new, empty account. */
export function newAccount(input: AccountInput, now: Date): Account {
  return {
    ...input,
    debitsPosted: 0n,
    creditsPosted: 0n,
    debitsPending: 0n,
    creditsPending: 0n,
    entrySeq: 0,
    createdAt: now,
  };
}
