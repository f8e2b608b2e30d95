// Whatever valid fields we build — any order, any templates, Japanese names with kana, kanji and emoji — come
// back from encodeMpm → parseMpm exactly, and re-encode to the same characters.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { encodeMpm, parseMpm, type TlvInput } from "../src/index";
import { fcSeed, japaneseChar } from "./helpers";

const printable = fc.integer({ min: 0x20, max: 0x7e }).map((n) => String.fromCharCode(n));
const ascii = (minLength: number, maxLength: number) => fc.string({ unit: printable, minLength, maxLength });
const digits = (length: number) => fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: length, maxLength: length });
const upper = fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZ");

const japanese = (minLength: number, maxLength: number) => fc.string({ unit: japaneseChar, minLength, maxLength });

function subIds(count: number, from: number, to: number): fc.Arbitrary<string[]> {
  return fc.uniqueArray(fc.integer({ min: from, max: to }), { minLength: count, maxLength: count }).map((ns) =>
    ns.map((n) => String(n).padStart(2, "0")),
  );
}

const merchantTemplate = fc
  .tuple(fc.integer({ min: 0, max: 3 }), ascii(1, 32))
  .chain(([extra, guid]) =>
    fc.tuple(subIds(extra, 1, 99), fc.array(ascii(1, 14), { minLength: extra, maxLength: extra })).map(([ids, values]) => [
      { id: "00", value: guid },
      ...ids.map((id, k) => ({ id, value: values[k] ?? "x" })),
    ]),
  );

const merchantAccounts: fc.Arbitrary<TlvInput[]> = fc
  .tuple(subIds(1, 2, 25), subIds(2, 26, 51), fc.boolean(), fc.boolean(), ascii(1, 40), merchantTemplate, merchantTemplate)
  .map(([[primitiveId], [t1, t2], withPrimitive, withSecond, primitiveValue, c1, c2]) => [
    ...(withPrimitive ? [{ id: primitiveId ?? "02", value: primitiveValue }] : []),
    { id: t1 ?? "26", children: c1 },
    ...(withSecond ? [{ id: t2 ?? "27", children: c2 }] : []),
  ]);

const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const fieldsArb: fc.Arbitrary<TlvInput[]> = fc
  .record({
    poi: optional(fc.constantFrom("11", "12")),
    accounts: merchantAccounts,
    mcc: optional(digits(4)),
    currency: digits(3),
    amount: optional(fc.oneof(fc.nat({ max: 10_000_000 }).map(String), fc.constantFrom("4.22", "100.", "0.5"))),
    country: fc.tuple(upper, upper).map(([a, b]) => a + b),
    name: optional(ascii(1, 25)),
    city: optional(ascii(1, 15)),
    postal: optional(digits(7)),
    additional: optional(subIds(3, 1, 9).chain((ids) => fc.tuple(...ids.map((id) => ascii(1, 20).map((value) => ({ id, value })))))),
    language: optional(fc.record({ lang: fc.constantFrom("JA", "ja", "EN", "TH"), name: japanese(1, 25), city: optional(japanese(1, 15)) })),
  })
  .chain((r) => {
    const list: TlvInput[] = [
      ...(r.poi ? [{ id: "01", value: r.poi }] : []),
      ...r.accounts,
      ...(r.mcc ? [{ id: "52", value: r.mcc }] : []),
      { id: "53", value: r.currency },
      ...(r.amount ? [{ id: "54", value: r.amount }] : []),
      { id: "58", value: r.country },
      ...(r.name ? [{ id: "59", value: r.name }] : []),
      ...(r.city ? [{ id: "60", value: r.city }] : []),
      ...(r.postal ? [{ id: "61", value: r.postal }] : []),
      ...(r.additional ? [{ id: "62", children: r.additional }] : []),
      ...(r.language
        ? [
            {
              id: "64",
              children: [
                { id: "00", value: r.language.lang },
                { id: "01", value: r.language.name },
                ...(r.language.city ? [{ id: "02", value: r.language.city }] : []),
              ],
            },
          ]
        : []),
    ];
    // "Field order other than 00 first and 63 last is free": shuffle it.
    return fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length });
  });

/** What the parser should give back for a list of inputs: values filled in for templates. */
function normalise(tlvs: readonly TlvInput[]): unknown[] {
  return tlvs.map((t) =>
    t.children ? { id: t.id, children: t.children.map((c) => ({ id: c.id, value: c.value })) } : { id: t.id, value: t.value },
  );
}

describe("encodeMpm → parseMpm", () => {
  test("returns every field, in order, for random payloads with Japanese names", () => {
    const seed = fcSeed("mpm-roundtrip");
    fc.assert(
      fc.property(fieldsArb, (tlvs) => {
        const payload = encodeMpm(tlvs);
        const result = parseMpm(payload);
        if (!result.ok) throw new Error(`${payload}: ${result.code} ${result.detail}`);
        const { fields } = result;
        const parsed = fields.tlvs.map((t) =>
          t.children ? { id: t.id, children: t.children } : { id: t.id, value: t.value },
        );
        expect(parsed).toEqual([{ id: "00", value: "01" }, ...normalise(tlvs), { id: "63", value: payload.slice(-4) }]);
        expect(encodeMpm(fields)).toBe(payload);
        const language = tlvs.find((t) => t.id === "64")?.children;
        expect(fields.language?.name ?? null).toBe(language?.find((c) => c.id === "01")?.value ?? null);
        expect(fields.name).toBe(tlvs.find((t) => t.id === "59")?.value ?? null);
        expect(fields.amount).toBe(tlvs.find((t) => t.id === "54")?.value ?? null);
      }),
      { seed, numRuns: 500 },
    );
  });
});
