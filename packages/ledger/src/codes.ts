// Result codes and the order in which they are checked. The order is part of the contract: a request that is
// wrong in two ways always gets the same code, so clients and tests can rely on it.
import type { InputResultCode, ResultCode, StateResultCode } from "./types";

/**
 * Input checks, in this order (stateless; a failure writes nothing and is not remembered):
 *   invalid_id → invalid_code → invalid_legs → too_many_legs → hold_multi_leg → invalid_timeout
 *   → invalid_amount (each leg in order; capture amount) → same_account (each leg in order)
 */
export const inputCodePrecedence: readonly InputResultCode[] = [
  "invalid_id",
  "invalid_code",
  "invalid_legs",
  "too_many_legs",
  "hold_multi_leg",
  "invalid_timeout",
  "invalid_amount",
  "same_account",
];

/**
 * State checks, in this order (after the id check below; a failure is remembered so the id stays failed):
 *   id_reused (same id, other body; never remembered as the id's own outcome)
 *   → account_not_found → transfer_not_found → not_reversible → already_reversed
 *   → hold_not_found → hold_expired → hold_closed → hold_exceeded
 *   → exceeds_balance → exceeds_debits
 */
export const stateCodePrecedence: readonly (StateResultCode | "id_reused")[] = [
  "id_reused",
  "account_not_found",
  "transfer_not_found",
  "not_reversible",
  "already_reversed",
  "hold_not_found",
  "hold_expired",
  "hold_closed",
  "hold_exceeded",
  "exceeds_balance",
  "exceeds_debits",
];

/** Human titles (English; the apps translate by code). */
export const resultTitles: Record<ResultCode, string> = {
  invalid_id: "The id is missing or malformed",
  invalid_code: "The transfer code is malformed",
  invalid_legs: "A transfer needs at least one leg",
  too_many_legs: "Too many legs in one transfer",
  hold_multi_leg: "A hold has exactly one leg",
  invalid_timeout: "The hold timeout is out of range",
  invalid_amount: "The amount must be a positive integer within the limit",
  same_account: "A leg cannot move money from an account to itself",
  invalid_account: "The account definition is invalid",
  id_reused: "This id was already used with a different request",
  account_not_found: "No such account",
  transfer_not_found: "No such transfer",
  not_reversible: "Only posted transfers and captures can be reversed",
  already_reversed: "This transfer has already been reversed",
  hold_not_found: "No such hold",
  hold_expired: "The hold has expired",
  hold_closed: "The hold is already captured in full or voided",
  hold_exceeded: "The capture exceeds what remains of the hold",
  exceeds_balance: "Insufficient balance",
  exceeds_debits: "The account may not be credited beyond its debits",
};

/** True for codes that describe the request itself (HTTP 400/422) rather than the ledger's state (409/404/422). */
export function isInputCode(code: ResultCode): code is InputResultCode {
  return (inputCodePrecedence as readonly string[]).includes(code);
}
