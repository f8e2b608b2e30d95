// Bulk grants start from a resident list the city prepares in Excel: one resident id per row, optionally with an
// amount. The whole file is checked before anything is granted, and every bad line is reported with its number,
// so staff fix the file once instead of uploading it ten times.
import type { Failure, LineError } from "./codes";
import { readCsv } from "./csv";

/** A city of 53,000 residents fits with room to spare. */
export const grantCsvRowsMax = 100_000;
/** Errors listed per upload; the rest are counted. */
export const grantCsvErrorsMax = 100;
/** Resident ids as the store writes them: the ledger's id alphabet, at most 64 characters. */
export const residentIdPattern = /^[A-Za-z0-9._:-]{1,64}$/;
/** One row's amount above this is a typing mistake (a campaign's per-person cap is far lower). */
export const grantRowYenMax = 10_000_000n;

export interface GrantCsvRow {
  line: number;
  residentId: string;
  /** null when the file has no amount_yen column (the campaign's amount applies). */
  amountYen: bigint | null;
}

export type GrantCsvResult =
  | { ok: true; rows: GrantCsvRow[]; hasAmounts: boolean }
  | (Failure<"invalid_csv"> & { errors: LineError[]; errorCount: number });

/**
 * Reads `resident_id` or `resident_id,amount_yen` (header required; names are matched ignoring case and surrounding
 * spaces). A BOM, CRLF or LF, quoted fields and blank lines are fine. Line error codes: the CSV reader's,
 * invalid_header, no_rows, wrong_column_count, invalid_resident_id, invalid_amount, duplicate_resident.
 */
export function parseGrantCsv(text: string): GrantCsvResult {
  const read = readCsv(text, grantCsvRowsMax + 1);
  if (!read.ok) return invalidCsv([read.error], 1);
  const [header, ...rows] = read.rows;
  const columns = header?.fields.map((name) => name.trim().toLowerCase()).join(",");
  if (columns !== "resident_id" && columns !== "resident_id,amount_yen") {
    return invalidCsv([{ line: header?.line ?? 1, code: "invalid_header", detail: "the first line must be resident_id or resident_id,amount_yen" }], 1);
  }
  if (rows.length === 0) return invalidCsv([{ line: header!.line + 1, code: "no_rows", detail: "the file lists no residents" }], 1);
  const hasAmounts = columns === "resident_id,amount_yen";
  const errors: LineError[] = [];
  const firstLineOf = new Map<string, number>();
  const parsed: GrantCsvRow[] = [];
  for (const row of rows) {
    const result = parseRow(row.fields, hasAmounts, firstLineOf);
    if ("code" in result) {
      errors.push({ line: row.line, ...result });
      continue;
    }
    firstLineOf.set(result.residentId, row.line);
    parsed.push({ line: row.line, ...result });
  }
  if (errors.length > 0) return invalidCsv(errors.slice(0, grantCsvErrorsMax), errors.length);
  return { ok: true, rows: parsed, hasAmounts };
}

function parseRow(
  fields: readonly string[],
  hasAmounts: boolean,
  firstLineOf: ReadonlyMap<string, number>,
): { residentId: string; amountYen: bigint | null } | { code: string; detail: string } {
  const width = hasAmounts ? 2 : 1;
  if (fields.length !== width) return { code: "wrong_column_count", detail: `${width} column${width > 1 ? "s" : ""} expected, found ${fields.length}` };
  const residentId = fields[0]!.trim();
  if (!residentIdPattern.test(residentId)) return { code: "invalid_resident_id", detail: `"${residentId}" is not a resident id` };
  const firstLine = firstLineOf.get(residentId);
  if (firstLine !== undefined) return { code: "duplicate_resident", detail: `${residentId} is already on line ${firstLine}` };
  if (!hasAmounts) return { residentId, amountYen: null };
  const amountText = fields[1]!.trim();
  if (!/^\d{1,12}$/.test(amountText) || BigInt(amountText) <= 0n || BigInt(amountText) > grantRowYenMax) {
    return { code: "invalid_amount", detail: `"${amountText}" is not a whole number of yen from 1 to ${grantRowYenMax} (no commas or ¥)` };
  }
  return { residentId, amountYen: BigInt(amountText) };
}

function invalidCsv(errors: LineError[], errorCount: number): GrantCsvResult {
  const first = errors[0]!;
  const more = errorCount > 1 ? ` (and ${errorCount - 1} more)` : "";
  return { ok: false, code: "invalid_csv", detail: `line ${first.line}: ${first.detail}${more}`, errors, errorCount };
}
