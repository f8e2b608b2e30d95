// JSON out of the API: amounts are bigint inside the ledger and must leave as JSON integers, exactly, even past
// 2^53 (JSON.stringify cannot write a bigint). Key order is kept, so responses read in a stable order.
export function toJsonText(value: unknown): string {
  if (typeof value === "bigint") return value.toString();
  if (value === null || value === undefined) return "null";
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(",")}]`;
  if (typeof value === "object") {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) parts.push(`${JSON.stringify(k)}:${toJsonText(v)}`);
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
