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
