// Search boxes: what was typed, as an ILIKE pattern that finds it anywhere in a text.

/** `%search%` with LIKE's own characters (\ % _) escaped, so they match only themselves. */
export function containsPattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, "\\$&")}%`;
}
