// JSON out of the API: amounts are bigint inside the ledger and must leave as JSON integers, exactly, even past
// 2^53 (JSON.stringify cannot write a bigint). Key order is kept, so responses read in a stable order.
//
// Most bodies hold no bigint (payments turn yen into safe JSON numbers first): for those JSON.stringify writes the
// very same text several times faster (a receipt: ~13 µs instead of ~58 µs), so it is tried first; it throws a
// TypeError at the first bigint, and the walk below writes those. (The one difference: JSON.stringify honours a
// toJSON method other than Date's. Only log-redaction wrappers like KeyStore have one, and they are never bodies.)
export function toJsonText(value: unknown): string {
  try {
    const text = JSON.stringify(value);
    if (text !== undefined) return text;
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
  }
  return walkJsonText(value);
}

function walkJsonText(value: unknown): string {
  if (typeof value === "bigint") return value.toString();
  if (value === null || value === undefined) return "null";
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(walkJsonText).join(",")}]`;
  if (typeof value === "object") {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) parts.push(`${JSON.stringify(k)}:${walkJsonText(v)}`);
    }
    return `{${parts.join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * A copy with object keys sorted at every level. Metadata comes back from jsonb with its keys reordered, so it is
 * sorted on the way out: the first response and every idempotent replay of it are then byte for byte the same.
 */
export function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    const obj = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(obj)
        .sort()
        .map((k) => [k, sortKeysDeep(obj[k])]),
    );
  }
  return value;
}

/** UTF-8 length of a string, without Node's Buffer (Workers have TextEncoder). */
export function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}
