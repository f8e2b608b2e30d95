// CSV in and out of the city console. Staff upload resident lists exported from Excel (often with a BOM, CRLF line
// ends, sometimes quoted), and download reports they open in Excel. Both directions follow RFC 4180; the reader
// remembers the line each row started on so every error can name it.
import { assert } from "@tsubaki/ledger";
import type { LineError } from "./codes";

const bom = "\ufeff";
export const csvLineEnd = "\r\n";

export interface CsvRow {
  /** The 1-based line the row starts on (the header is line 1). */
  line: number;
  fields: string[];
}

export type CsvReadResult = { ok: true; rows: CsvRow[] } | { ok: false; error: LineError };

/**
 * Splits CSV text into rows. Accepts a leading BOM, CRLF, LF or CR line ends, quoted fields with "" for a quote
 * and line breaks inside quotes. Rows with nothing on them are skipped (a trailing newline, blank lines).
 * Errors (code): quote_in_unquoted_field, text_after_quote, unterminated_quote, too_many_rows (> rowsMax).
 */
export function readCsv(text: string, rowsMax: number): CsvReadResult {
  assert(Number.isInteger(rowsMax) && rowsMax > 0, "a CSV read has a row limit");
  const source = text.startsWith(bom) ? text.slice(bom.length) : text;
  const rows: CsvRow[] = [];
  let line = 1;
  let i = 0;
  while (i < source.length) {
    const rowLine = line;
    const fields: string[] = [];
    let quotedAny = false;
    for (;;) {
      let field = "";
      if (source[i] === '"') {
        quotedAny = true;
        i++;
        for (;;) {
          if (i >= source.length) return fail(rowLine, "unterminated_quote", "a quoted field is not closed");
          const c = source[i]!;
          if (c === '"' && source[i + 1] === '"') {
            field += '"';
            i += 2;
          } else if (c === '"') {
            i++;
            break;
          } else {
            if (c === "\n" || (c === "\r" && source[i + 1] !== "\n")) line++;
            field += c;
            i++;
          }
        }
        if (i < source.length && source[i] !== "," && source[i] !== "\r" && source[i] !== "\n") {
          return fail(line, "text_after_quote", "a closing quote must be followed by a comma or the end of the line");
        }
      } else {
        while (i < source.length && source[i] !== "," && source[i] !== "\r" && source[i] !== "\n") {
          if (source[i] === '"') return fail(line, "quote_in_unquoted_field", 'a quote (") inside a field that does not start with one');
          field += source[i];
          i++;
        }
      }
      fields.push(field);
      if (source[i] === ",") {
        i++;
        continue;
      }
      break;
    }
    if (source[i] === "\r") i++;
    if (source[i] === "\n") i++;
    line++;
    const blank = fields.length === 1 && fields[0] === "" && !quotedAny;
    if (blank) continue;
    if (rows.length === rowsMax) return fail(rowLine, "too_many_rows", `more than ${rowsMax} rows; split the file`);
    rows.push({ line: rowLine, fields });
  }
  return { ok: true, rows };
}

function fail(line: number, code: string, detail: string): CsvReadResult {
  return { ok: false, error: { line, code, detail } };
}

export type CsvCell = string | number | bigint | boolean | null | undefined;

export interface CsvWriteOptions {
  /** Start with a UTF-8 BOM so Excel opens Japanese text correctly. Default false. */
  bom?: boolean;
  /**
   * Prefix text cells that start with = + - @ TAB or CR with an apostrophe, so a shop or resident name cannot run as
   * a spreadsheet formula (CSV injection). Numbers and bigints are never touched. Default true.
   */
  guardFormulas?: boolean;
}

/** RFC 4180 text: fields quoted when they hold a comma, quote, CR or LF; quotes doubled; CRLF after every row. */
export function writeCsv(rows: readonly (readonly CsvCell[])[], options: CsvWriteOptions = {}): string {
  const guard = options.guardFormulas ?? true;
  const body = rows.map((row) => row.map((cell) => csvField(cell, guard)).join(",") + csvLineEnd).join("");
  return (options.bom ? bom : "") + body;
}

function csvField(cell: CsvCell, guardFormulas: boolean): string {
  if (cell === null || cell === undefined) return "";
  if (typeof cell === "number") {
    assert(Number.isFinite(cell), "a CSV number is finite");
    return String(cell);
  }
  if (typeof cell === "bigint" || typeof cell === "boolean") return String(cell);
  const text = guardFormulas && /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
