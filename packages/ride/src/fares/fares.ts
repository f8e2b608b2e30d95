// Fares per operator (the issue: adult ¥100, child ¥50, preschool free, disability ¥50, one free transfer within
// 60 minutes). The fare class comes from the certificate, so a rider cannot choose it at the door.
//
// A transfer is free when the rider shows a receipt from another terminal of the same operator for the same
// allowance, paid (> ¥0) no more than `transferWindowMinutes` earlier. Only a paid ride grants a transfer, so
// transfers do not chain. How a receipt reaches the terminal (a slip or a QR on the first bus's screen, signed
// by that terminal's key via @tsubaki/auth) is the app's business: `fareFor` takes it already verified.
import { assertUnreachable } from "../assert";
import { isUint } from "../codec/bytes";
import type { FareClass } from "../certificate/certificate";

export interface FareTable {
  operatorId: string;
  adultYen: number;
  childYen: number;
  preschoolYen: number;
  disabilityYen: number;
  transferWindowMinutes: number;
}

export const FARE_YEN_MAX = 10_000;
export const TRANSFER_WINDOW_MINUTES_MAX = 240;
export const OPERATOR_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/** のっティ's flat fares (DESIGN §8: ¥100), with the issue's reductions. */
export function defaultFareTable(operatorId = "notty"): FareTable {
  return { operatorId, adultYen: 100, childYen: 50, preschoolYen: 0, disabilityYen: 50, transferWindowMinutes: 60 };
}

export type FareTableCheck = { ok: true } | { ok: false; code: "fare_table_invalid"; field: keyof FareTable; detail: string };

export function checkFareTable(t: FareTable): FareTableCheck {
  if (typeof t.operatorId !== "string" || !OPERATOR_ID_PATTERN.test(t.operatorId)) {
    return { ok: false, code: "fare_table_invalid", field: "operatorId", detail: String(OPERATOR_ID_PATTERN) };
  }
  for (const field of ["adultYen", "childYen", "preschoolYen", "disabilityYen"] as const) {
    if (!isUint(t[field], FARE_YEN_MAX)) return { ok: false, code: "fare_table_invalid", field, detail: `integer 0..${FARE_YEN_MAX}` };
  }
  if (!isUint(t.transferWindowMinutes, TRANSFER_WINDOW_MINUTES_MAX)) {
    return { ok: false, code: "fare_table_invalid", field: "transferWindowMinutes", detail: `integer 0..${TRANSFER_WINDOW_MINUTES_MAX}` };
  }
  return { ok: true };
}

export function baseFareYen(fareClass: FareClass, table: FareTable): number {
  switch (fareClass) {
    case "adult":
      return table.adultYen;
    case "child":
      return table.childYen;
    case "preschool":
      return table.preschoolYen;
    case "disability":
      return table.disabilityYen;
    default:
      return assertUnreachable(fareClass);
  }
}

/** A receipt of a paid tap, as another terminal of the operator issued it (verified by the caller). */
export interface TransferReceipt {
  operatorId: string;
  terminalId: string;
  allowanceId: string;
  /** Unix seconds. */
  paidAt: number;
  paidYen: number;
}

export type TransferRefusal = "other_operator" | "other_allowance" | "same_terminal" | "not_paid" | "outside_window";

export interface FareQuote {
  fareYen: number;
  baseFareYen: number;
  transfer: "none" | "applied" | TransferRefusal;
}

export type FareOptions =
  | { transferFromReceipt?: undefined }
  | { transferFromReceipt: TransferReceipt; now: number; terminalId: string; allowanceId: string };

export function transferRefusal(receipt: TransferReceipt, table: FareTable, at: { now: number; terminalId: string; allowanceId: string }): TransferRefusal | null {
  if (receipt.operatorId !== table.operatorId) return "other_operator";
  if (receipt.allowanceId !== at.allowanceId) return "other_allowance";
  if (receipt.terminalId === at.terminalId) return "same_terminal";
  if (!(receipt.paidYen > 0)) return "not_paid";
  const ageSeconds = at.now - receipt.paidAt;
  if (ageSeconds < 0 || ageSeconds > table.transferWindowMinutes * 60) return "outside_window";
  return null;
}

export function fareFor(fareClass: FareClass, table: FareTable, options: FareOptions = {}): FareQuote {
  const base = baseFareYen(fareClass, table);
  if (!options.transferFromReceipt) return { fareYen: base, baseFareYen: base, transfer: "none" };
  const refusal = transferRefusal(options.transferFromReceipt, table, options);
  if (refusal) return { fareYen: base, baseFareYen: base, transfer: refusal };
  return { fareYen: 0, baseFareYen: base, transfer: "applied" };
}
