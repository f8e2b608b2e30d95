// A misprinted, scratched or hand-edited QR must never read as a different valid payload: every
// one-character change to a published vector (substitution, deletion, insertion) is rejected.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { parseMpm } from "../src/index";
import { fcSeed, loadVectors } from "./helpers";

const vectors = loadVectors();

/** Every printable ASCII character, plus non-ASCII, control and astral characters. */
const ALPHABET: readonly string[] = [
  ...Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)),
  "\u0000",
  "\n",
  "\u007f",
  "é",
  "ー",
  "椿",
  "🍵",
  "\ud800",
];

function at(payload: string): string[] {
  return Array.from(payload);
}

function substitute(chars: readonly string[], i: number, c: string): string {
  return [...chars.slice(0, i), c, ...chars.slice(i + 1)].join("");
}

function remove(chars: readonly string[], i: number): string {
  return [...chars.slice(0, i), ...chars.slice(i + 1)].join("");
}

function insert(chars: readonly string[], i: number, c: string): string {
  return [...chars.slice(0, i), c, ...chars.slice(i)].join("");
}

describe("single-character corruption of a published vector", () => {
  test.each(vectors)("%s: every substitution, deletion and insertion is rejected (exhaustive)", (payload) => {
    const chars = at(payload);
    const accepted: string[] = [];
    let tried = 0;
    for (let i = 0; i <= chars.length; i++) {
      if (i < chars.length) {
        tried++;
        if (parseMpm(remove(chars, i)).ok) accepted.push(`delete ${i}`);
      }
      for (const c of ALPHABET) {
        if (i < chars.length && c !== chars[i]) {
          tried++;
          if (parseMpm(substitute(chars, i, c)).ok) accepted.push(`substitute ${i} ${JSON.stringify(c)}`);
        }
        tried++;
        if (parseMpm(insert(chars, i, c)).ok) accepted.push(`insert ${i} ${JSON.stringify(c)}`);
      }
    }
    expect(tried).toBeGreaterThan(chars.length * ALPHABET.length);
    expect(accepted).toEqual([]);
  });

  test("any code point at any position is rejected (fast-check)", () => {
    const seed = fcSeed("mpm-corruption");
    const codePoint = fc.integer({ min: 0, max: 0x10ffff }).map((n) => String.fromCodePoint(n));
    const corruption = fc.record({
      payload: fc.constantFrom(...vectors),
      position: fc.nat(),
      kind: fc.constantFrom("substitute", "delete", "insert"),
      c: codePoint,
    });
    fc.assert(
      fc.property(corruption, ({ payload, position, kind, c }) => {
        const chars = at(payload);
        const i = position % (chars.length + (kind === "insert" ? 1 : 0));
        if (kind === "substitute" && chars[i] === c) return;
        const corrupted = kind === "substitute" ? substitute(chars, i, c) : kind === "delete" ? remove(chars, i) : insert(chars, i, c);
        expect(parseMpm(corrupted).ok).toBe(false);
      }),
      { seed, numRuns: 20_000 },
    );
  });
});
