// Lists passed to PostgreSQL as array literals, each in one text parameter (`$1::text::text[]`): both drivers
// send a text as-is, and PostgreSQL parses these several times faster than the same values as JSON.

/** One column of rows as a text[] literal: order and repeats kept, null is NULL. For `unnest($n::text::text[], …)`. */
export function textColumn(values: readonly (string | null)[]): string {
  let out = "{";
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as string | null;
    if (i > 0) out += ",";
    out += v === null ? "NULL" : `"${v.includes('"') || v.includes("\\") ? v.replace(/["\\]/g, "\\$&") : v}"`;
  }
  return out + "}";
}

/** jsonColumn's separator between values and its mark for NULL (ASCII unit and record separators). */
const jsonSeparator = "\u001f";
const jsonNull = "\u001e";

/**
 * One column of JSON texts (or NULLs) as one text, for `string_to_array($n::text, chr(31), chr(30))`: the values
 * joined by U+001F, NULL written U+001E. JSON text never holds a raw control character (JSON.stringify writes
 * them as \u escapes), so nothing needs escaping: a 1.5 kB receipt goes as it is, where an array literal has to
 * escape every quote in it (ten times the cost of the join, measured on receipts). A value that is not such a
 * text throws.
 */
export function jsonColumn(values: readonly (string | null)[]): string {
  let out = "";
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as string | null;
    if (v !== null && (v.length === 0 || v.includes(jsonSeparator) || v.includes(jsonNull))) {
      throw new Error(`jsonColumn takes JSON texts: value ${i} is empty or holds a raw control character`);
    }
    if (i > 0) out += jsonSeparator;
    out += v === null ? jsonNull : v;
  }
  return out;
}

/** One column of integers as an array literal (bigint[] or int[]). */
export function numberColumn(values: readonly (bigint | number)[]): string {
  return `{${values.join(",")}}`;
}

/**
 * A set of ids as a text[] literal (each once). Match it with `IN (SELECT unnest($1::text::text[]))`, not
 * `= ANY(...)`: the planner joins the unnested ids (by the index, or by hashing them), where `= ANY` of a
 * non-constant array in a sequential scan compares every row with every id (seen: 1.4 s to read 2,500 accounts of
 * a grant while the table's statistics were still those of an empty one).
 */
export function textArray(values: Iterable<string>): string {
  return textColumn([...new Set(values)]);
}
