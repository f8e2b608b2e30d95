// After the bank runs a transfer file it reports, per transfer, whether the money arrived. Banks deliver that in
// their own formats (a 振込結果 file, a screen to export); the city console turns it into this one small CSV, so the
// rule that decides which payouts cleared is written once and tested:
//
//   record_no,status,amount        header, exactly these names
//   1,ok,120000                    record_no: the data record's position in the transfer file (1 = first transfer)
//   2,failed,5000                  status: ok (振込済) or failed (振込不能: closed account, wrong name, ...)
//                                  amount: the transfer's yen, which must equal what the file sent
//
// A file with any error applies nothing: a confirmation that disagrees with what was sent is a question for a person,
// not something to half-apply. Transfers the file does not mention stay pending (the bank has not answered yet).
//
// What the caller then does (one ledger transfer each, idempotent by payout id):
//   cleared  → leg payout:pending → the settled account (the money has left the city's bank account)
//   returned → a reversal of the payout transfer: the net goes back to the shop and the fee is given back too,
//              since no payout happened; the shop fixes its bank details and the next payout run pays it
import { assert, type Leg } from "@tsubaki/ledger";
import type { Failure, LineError } from "./codes";
import { readCsv } from "./csv";
import { zenginRecordsMax } from "./zengin-file";

/** Errors listed per file before the rest are counted but not shown. */
export const confirmationErrorsMax = 100;

/** A payout as it went into the transfer file: the n-th entry is data record n. */
export interface SentPayout {
  payoutId: string;
  /** The ledger transfer that moved the shop's balance to payout pending (reversed if the transfer fails). */
  transferId: string;
  merchantAccountId: string;
  /** The net amount transferred (the data record's 振込金額). */
  amountYen: bigint;
}

export interface ConfirmedPayout {
  payoutId: string;
  transferId: string;
  merchantAccountId: string;
  recordNo: number;
  amountYen: bigint;
}

export interface BankConfirmation {
  ok: true;
  cleared: ConfirmedPayout[];
  returned: ConfirmedPayout[];
  /** Sent but not in the file: still pending. */
  unconfirmed: ConfirmedPayout[];
  /** Legs payout pending → settled, one per cleared payout, in record order. */
  clearingLegs: Leg[];
  /** Payout transfers to reverse (returned payouts), in record order. */
  reversals: { payoutId: string; reversalOf: string }[];
}

export type BankConfirmationResult =
  | BankConfirmation
  | (Failure<"invalid_confirmation"> & { errors: LineError[]; errorCount: number });

export interface BankConfirmationInput {
  /** In the order of the transfer file's data records. */
  sent: readonly SentPayout[];
  csv: string;
  /** Default "payout:pending". */
  payoutPendingAccountId?: string;
  /** Where cleared payouts go, e.g. "payout:settled" (the account that stands for money that left the bank). */
  settledAccountId: string;
}

/**
 * Reads the confirmation CSV against what was sent. Line errors (code): the CSV reader's, invalid_header,
 * wrong_column_count, invalid_record_no, unknown_record_no, duplicate_record_no, invalid_status, invalid_amount,
 * amount_mismatch. Any error ⇒ invalid_confirmation with every error (up to confirmationErrorsMax listed).
 */
export function applyBankConfirmation(input: BankConfirmationInput): BankConfirmationResult {
  const { sent } = input;
  assert(sent.length <= zenginRecordsMax, "a transfer file holds at most 999,999 payouts");
  assert(input.settledAccountId !== (input.payoutPendingAccountId ?? "payout:pending"), "settled and pending are different accounts");
  const read = readCsv(input.csv, zenginRecordsMax + 1);
  if (!read.ok) return invalid([read.error], 1);
  const [header, ...rows] = read.rows;
  const errors: LineError[] = [];
  if (!header || header.fields.join(",") !== "record_no,status,amount") {
    errors.push({ line: header?.line ?? 1, code: "invalid_header", detail: "the first line must be record_no,status,amount" });
  }
  const statusByRecord = new Map<number, "ok" | "failed">();
  for (const row of rows) {
    const error = checkRow(row.fields, sent, statusByRecord);
    if (error) errors.push({ line: row.line, ...error });
  }
  if (errors.length > 0) return invalid(errors.slice(0, confirmationErrorsMax), errors.length);

  const result: BankConfirmation = { ok: true, cleared: [], returned: [], unconfirmed: [], clearingLegs: [], reversals: [] };
  const pending = input.payoutPendingAccountId ?? "payout:pending";
  for (const [index, payout] of sent.entries()) {
    const confirmed: ConfirmedPayout = { ...payout, recordNo: index + 1 };
    const status = statusByRecord.get(index + 1);
    if (status === "ok") {
      result.cleared.push(confirmed);
      result.clearingLegs.push({ from: pending, to: input.settledAccountId, amount: payout.amountYen });
    } else if (status === "failed") {
      result.returned.push(confirmed);
      result.reversals.push({ payoutId: payout.payoutId, reversalOf: payout.transferId });
    } else {
      result.unconfirmed.push(confirmed);
    }
  }
  return result;
}

function checkRow(
  fields: readonly string[],
  sent: readonly SentPayout[],
  statusByRecord: Map<number, "ok" | "failed">,
): { code: string; detail: string } | null {
  if (fields.length !== 3) return { code: "wrong_column_count", detail: `3 columns (record_no,status,amount), found ${fields.length}` };
  const [recordText, status, amountText] = fields as [string, string, string];
  if (!/^[1-9]\d{0,5}$/.test(recordText)) return { code: "invalid_record_no", detail: `record_no "${recordText}" is not a record number` };
  const recordNo = Number(recordText);
  const payout = sent[recordNo - 1];
  if (!payout) return { code: "unknown_record_no", detail: `record ${recordNo} is not in the transfer file (it has ${sent.length})` };
  if (statusByRecord.has(recordNo)) return { code: "duplicate_record_no", detail: `record ${recordNo} appears twice` };
  if (status !== "ok" && status !== "failed") return { code: "invalid_status", detail: `status "${status}" is not ok or failed` };
  if (!/^\d{1,13}$/.test(amountText)) return { code: "invalid_amount", detail: `amount "${amountText}" is not a whole number of yen` };
  if (BigInt(amountText) !== payout.amountYen) {
    return { code: "amount_mismatch", detail: `record ${recordNo} was sent for ¥${payout.amountYen}; the bank reports ¥${BigInt(amountText)}` };
  }
  statusByRecord.set(recordNo, status);
  return null;
}

function invalid(errors: LineError[], errorCount: number): BankConfirmationResult {
  const first = errors[0];
  const detail = first ? `line ${first.line}: ${first.detail}${errorCount > 1 ? ` (and ${errorCount - 1} more)` : ""}` : "invalid file";
  return { ok: false, code: "invalid_confirmation", detail, errors, errorCount };
}
