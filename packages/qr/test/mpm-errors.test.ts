// Each way a payload can be wrong maps to one stable code (and a detail that names the field), so the wallet
// can say what is wrong and support can tell a bad print from a foreign scheme.
import { describe, expect, test } from "vitest";
import { encodeMpm, MpmEncodeError, MPM_PAYLOAD_CHARS_MAX, parseMpm, type MpmEncodeErrorCode, type TlvInput } from "../src/index";
import { rawFields, withCrc, type RawField } from "./helpers";

/** A minimal valid payload's fields (00 and 63 are added by rawFields/withCrc). */
const base: RawField[] = [
  { id: "00", value: "01" },
  { id: "01", value: "11" },
  { id: "26", sub: [{ id: "00", value: "com.example" }, { id: "01", value: "SHOP1" }] },
  { id: "52", value: "5812" },
  { id: "53", value: "392" },
  { id: "58", value: "JP" },
  { id: "59", value: "Example" },
  { id: "60", value: "Nonoichi" },
];

function replace(id: string, field: RawField | null): RawField[] {
  return base.flatMap((f) => (f.id === id ? (field ? [field] : []) : [f]));
}

function payloadOf(fields: RawField[]): string {
  return withCrc(rawFields(fields));
}

describe("parseMpm rejects", () => {
  test("the baseline is valid", () => {
    expect(parseMpm(payloadOf(base)).ok).toBe(true);
  });

  test("an empty payload", () => {
    expect(parseMpm("")).toEqual({ ok: false, code: "qr_empty", detail: "the payload is empty" });
  });

  test("a payload over 512 characters, counted in code points", () => {
    const long = "椿".repeat(MPM_PAYLOAD_CHARS_MAX + 1);
    expect(parseMpm(long)).toMatchObject({ ok: false, code: "qr_too_long" });
    expect(parseMpm("椿".repeat(MPM_PAYLOAD_CHARS_MAX)).ok).toBe(false);
    expect(parseMpm("椿".repeat(MPM_PAYLOAD_CHARS_MAX))).not.toMatchObject({ code: "qr_too_long" });
  });

  test("an id that is not two digits", () => {
    expect(parseMpm(withCrc("000201A10211"))).toMatchObject({ ok: false, code: "tlv_bad_id" });
  });

  test("a length that is not digits, or 00", () => {
    expect(parseMpm(withCrc(rawFields(replace("59", { id: "59", value: "Example", length: "7x" }))))).toMatchObject({
      ok: false,
      code: "tlv_bad_length",
      field: "59",
    });
    expect(parseMpm(withCrc(`${rawFields(base)}6100`))).toMatchObject({ ok: false, code: "tlv_bad_length", field: "61" });
  });

  test("a length that runs past the end", () => {
    const body = rawFields(replace("60", { id: "60", value: "Nonoichi", length: "90" }));
    expect(parseMpm(withCrc(body))).toMatchObject({ ok: false, code: "tlv_truncated", field: "60" });
    expect(parseMpm(`${payloadOf(base)}0`)).toMatchObject({ ok: false, code: "tlv_truncated" });
  });

  test("a bad length inside a template, naming the template", () => {
    const broken = replace("26", { id: "26", sub: [{ id: "00", value: "com.example", length: "20" }] });
    expect(parseMpm(payloadOf(broken))).toMatchObject({ ok: false, code: "tlv_truncated", field: "26.00" });
  });

  test("no CRC, or a CRC that is not last or not 4 long", () => {
    expect(parseMpm(rawFields(base))).toEqual({
      ok: false,
      code: "crc_missing",
      detail: "there is no 63 (CRC) data object",
      field: "63",
    });
    const notLast = `${rawFields(base)}6304ABCD6103123`;
    expect(parseMpm(notLast)).toMatchObject({ ok: false, code: "crc_missing", field: "63" });
    expect(parseMpm(`${rawFields(base)}6305ABCDE`)).toMatchObject({ ok: false, code: "crc_missing" });
  });

  test("a wrong CRC, and a lower-case one", () => {
    const good = payloadOf(base);
    const wrong = `${good.slice(0, -4)}${good.slice(-4) === "0000" ? "0001" : "0000"}`;
    expect(parseMpm(wrong)).toEqual({
      ok: false,
      code: "crc_mismatch",
      detail: `63 is "${wrong.slice(-4)}", the payload's CRC is "${good.slice(-4)}"`,
      field: "63",
    });
    const lower = withCrc(rawFields(base)).replace(/....$/, (crc) => crc.toLowerCase());
    if (lower !== good) expect(parseMpm(lower)).toMatchObject({ code: "crc_mismatch" });
  });

  test("a payload that does not start with 00 = 01", () => {
    const [, ...rest] = base;
    expect(parseMpm(payloadOf([...rest.slice(0, 1), { id: "00", value: "01" }, ...rest.slice(1)]))).toEqual({
      ok: false,
      code: "format_indicator_missing",
      detail: "the first data object is 01, not 00",
      field: "00",
    });
    expect(parseMpm(payloadOf(replace("00", { id: "00", value: "02" })))).toEqual({
      ok: false,
      code: "format_indicator_missing",
      detail: '00 is "02", not "01"',
      field: "00",
    });
  });

  test("a field given twice, at the top or inside a template", () => {
    expect(parseMpm(payloadOf([...base, { id: "59", value: "Other" }]))).toEqual({
      ok: false,
      code: "duplicate_field",
      detail: "59",
      field: "59",
    });
    const twice = [...base, { id: "62", sub: [{ id: "05", value: "A" }, { id: "05", value: "B" }] }];
    expect(parseMpm(payloadOf(twice))).toEqual({ ok: false, code: "duplicate_field", detail: "62.05", field: "62.05" });
  });

  test("non-ASCII outside the language template, and control characters anywhere", () => {
    expect(parseMpm(payloadOf(replace("59", { id: "59", value: "椿" })))).toEqual({
      ok: false,
      code: "value_bad_charset",
      detail: "59",
      field: "59",
    });
    const language = (name: string): RawField => ({ id: "64", sub: [{ id: "00", value: "JA" }, { id: "01", value: name }] });
    expect(parseMpm(payloadOf([...base, language("椿🍵")])).ok).toBe(true);
    expect(parseMpm(payloadOf([...base, language("椿\n")]))).toMatchObject({ code: "value_bad_charset", detail: "64.01" });
    expect(parseMpm(payloadOf([...base, language("\ud800")]))).toMatchObject({ code: "value_bad_charset", detail: "64.01" });
  });

  test.each([
    ["53", replace("53", null)],
    ["58", replace("58", null)],
    ["02-51", replace("26", null)],
    ["26.00", replace("26", { id: "26", sub: [{ id: "01", value: "SHOP1" }] })],
    ["64.00", [...base, { id: "64", sub: [{ id: "01", value: "椿" }] }]],
    ["64.01", [...base, { id: "64", sub: [{ id: "00", value: "JA" }] }]],
  ])("a missing mandatory field %s", (field, fields) => {
    expect(parseMpm(payloadOf(fields))).toEqual({ ok: false, code: "mandatory_field_missing", detail: field, field });
  });

  test("missing 52, 59 or 60 only in strict mode", () => {
    for (const id of ["52", "59", "60"]) {
      const payload = payloadOf(replace(id, null));
      expect(parseMpm(payload).ok).toBe(true);
      expect(parseMpm(payload, { strict: true })).toEqual({ ok: false, code: "mandatory_field_missing", detail: id, field: id });
    }
  });

  test.each([
    ["01", "13"],
    ["52", "581"],
    ["53", "JPY"],
    ["58", "jp"],
  ])("a malformed %s = %s", (id, value) => {
    expect(parseMpm(payloadOf(replace(id, { id, value })))).toMatchObject({ ok: false, code: "field_invalid", field: id });
  });

  test.each([
    ["-1", "amount_format"],
    ["1e3", "amount_format"],
    [".5", "amount_format"],
    ["1,000", "amount_format"],
    [" 100", "amount_format"],
    ["12345678901234", "amount_too_long"],
  ])("an amount %s that EMV does not allow (%s)", (amount, detail) => {
    expect(parseMpm(payloadOf([...base, { id: "54", value: amount }]))).toEqual({ ok: false, code: "amount_invalid", detail, field: "54" });
  });

  test.each(["550", "4.22", "550.00", "100.", "0"])("an amount %s that EMV allows (currency rules come later)", (amount) => {
    expect(parseMpm(payloadOf([...base, { id: "54", value: amount }])).ok).toBe(true);
  });
});

describe("encodeMpm", () => {
  const fields: TlvInput[] = base.slice(1).map((f) => (f.sub ? { id: f.id, children: f.sub } : { id: f.id, value: f.value }));

  test("writes 00 first and 63 last, wherever they were given", () => {
    const payload = encodeMpm([...fields, { id: "63", value: "XXXX" }, { id: "00", value: "01" }]);
    expect(payload).toBe(payloadOf(base));
  });

  test("counts lengths in code points: 野々市🍵 is 4 characters (and 5 UTF-16 units, 13 bytes)", () => {
    const payload = encodeMpm([...fields, { id: "64", children: [{ id: "00", value: "JA" }, { id: "01", value: "野々市🍵" }] }]);
    expect(payload).toContain("64140002JA0104野々市🍵6304");
  });

  function thrown(fn: () => unknown): MpmEncodeErrorCode | undefined {
    try {
      fn();
    } catch (error) {
      if (error instanceof MpmEncodeError) return error.code;
      throw error;
    }
    return undefined;
  }

  test.each<[MpmEncodeErrorCode, TlvInput[]]>([
    ["value_too_long", [...fields, { id: "61", value: "x".repeat(100) }]],
    ["value_too_long", [...fields, { id: "64", children: [{ id: "00", value: "JA" }, { id: "01", value: "椿".repeat(96) }] }]],
    ["value_empty", [...fields, { id: "61", value: "" }]],
    ["value_missing", [...fields, { id: "61" }]],
    ["tlv_bad_id", [...fields, { id: "6", value: "x" }]],
    ["duplicate_field", [...fields, { id: "59", value: "x" }]],
    ["not_a_template", [...fields, { id: "61", children: [{ id: "00", value: "x" }] }]],
    ["template_nested", [...fields, { id: "62", children: [{ id: "50", children: [{ id: "00", value: "x" }] }] }]],
    ["format_indicator_missing", [{ id: "00", value: "02" }, ...fields]],
    ["mandatory_field_missing", fields.filter((f) => f.id !== "53")],
    ["amount_invalid", [...fields, { id: "54", value: "-1" }]],
    ["qr_too_long", [...fields, ...["80", "81", "82", "83", "84", "85"].map((id) => ({ id, value: "x".repeat(99) }))]],
  ])("throws %s for a bug in the fields", (code, input) => {
    expect(thrown(() => encodeMpm(input))).toBe(code);
  });

  test("a value of exactly 99 characters is fine", () => {
    expect(parseMpm(encodeMpm([...fields, { id: "80", value: "x".repeat(99) }])).ok).toBe(true);
  });
});
