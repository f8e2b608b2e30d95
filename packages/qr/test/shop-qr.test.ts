// The Tsubaki shop QR as a wallet meets it: our stickers and dynamic QRs read back exactly; forged, foreign
// and damaged ones are refused with a code the app can explain; yen amounts follow one strict spelling.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  base32,
  encodeShopQr,
  parseMpm,
  parseShopQr,
  SHOP_QR_AMOUNT_YEN_MAX,
  signShop,
  TSUBAKI_QR_IDENTIFIER,
  type ShopQrInput,
} from "../src/index";
import { fcSeed, japaneseChar, loadVectors, rawFields, withCrc, type RawField } from "./helpers";


const key = new Uint8Array(32).map((_, i) => i + 1);
const oldKey = new Uint8Array(32).fill(0xa5);
const otherKey = new Uint8Array(32).fill(0x5a);

const sticker: ShopQrInput = {
  merchantCode: "M00042",
  register: "R1",
  mcc: "5812",
  nameLatin: "Cafe Tsubaki",
  nameJa: "カフェ椿 野々市店",
  city: "Nonoichi",
  key,
};

function payloadOf(input: ShopQrInput): string {
  const result = encodeShopQr(input);
  if (!result.ok) throw new Error(`${result.code} ${result.detail}`);
  return result.payload;
}

/** A shop QR's fields with a correct signature, to corrupt one at a time; written with rawFields + withCrc. */
function shopFields(over: { poi?: string; amount?: string | null; requestId?: string | null; merchantCode?: string; signature?: string | null } = {}): RawField[] {
  const merchantCode = over.merchantCode ?? "M00042";
  const signature = over.signature === undefined ? signShop(key, "M00042", null) : over.signature;
  return [
    { id: "00", value: "01" },
    { id: "01", value: over.poi ?? "12" },
    {
      id: "26",
      sub: [
        { id: "00", value: TSUBAKI_QR_IDENTIFIER },
        { id: "01", value: merchantCode },
        ...(signature === null ? [] : [{ id: "03", value: signature }]),
      ],
    },
    { id: "52", value: "5812" },
    { id: "53", value: "392" },
    ...(over.amount === null ? [] : [{ id: "54", value: over.amount ?? "550" }]),
    { id: "58", value: "JP" },
    { id: "59", value: "Cafe Tsubaki" },
    { id: "60", value: "Nonoichi" },
    ...(over.requestId === null ? [] : [{ id: "62", sub: [{ id: "05", value: over.requestId ?? "REQ123" }] }]),
    { id: "64", sub: [{ id: "00", value: "JA" }, { id: "01", value: "カフェ椿" }] },
  ];
}

const crafted = (over: Parameters<typeof shopFields>[0] = {}) => withCrc(rawFields(shopFields(over)));

describe("encodeShopQr / parseShopQr", () => {
  test("a static sticker follows the DESIGN layout and reads back", () => {
    const payload = payloadOf(sticker);
    const signature = signShop(key, "M00042", "R1");
    expect(payload).toBe(
      withCrc(
        "000201" +
          "010211" +
          `2659` + `0019${TSUBAKI_QR_IDENTIFIER}` + "0106M00042" + "0202R1" + `0316${signature}` +
          "52045812" +
          "5303392" +
          "5802JP" +
          "5912Cafe Tsubaki" +
          "6008Nonoichi" +
          "64190002JA0109カフェ椿 野々市店",
      ),
    );
    expect(parseShopQr(payload, key)).toEqual({
      ok: true,
      shop: {
        merchantCode: "M00042",
        register: "R1",
        mcc: "5812",
        nameLatin: "Cafe Tsubaki",
        nameJa: "カフェ椿 野々市店",
        city: "Nonoichi",
        dynamic: false,
      },
    });
    const fields = parseMpm(payload);
    expect(fields.ok && fields.fields.pointOfInitiation).toBe("static");
  });

  test("a dynamic QR carries the amount (54) and the request id (62.05)", () => {
    const payload = payloadOf({ ...sticker, register: undefined, amountYen: 550, requestId: "01JREQ7Z" });
    expect(payload).toContain("010212");
    expect(payload).toContain("5403550");
    expect(payload).toContain("62120508" + "01JREQ7Z");
    expect(parseShopQr(payload, key)).toEqual({
      ok: true,
      shop: {
        merchantCode: "M00042",
        register: null,
        mcc: "5812",
        nameLatin: "Cafe Tsubaki",
        nameJa: "カフェ椿 野々市店",
        city: "Nonoichi",
        dynamic: true,
        amountYen: 550,
        requestId: "01JREQ7Z",
      },
    });
  });

  test("the signature is the first 80 bits of HMAC-SHA256 in base32 (16 characters)", () => {
    expect(base32(new TextEncoder().encode("foobar"))).toBe("MZXW6YTBOI"); // RFC 4648 §10
    const signature = signShop(key, "M00042", "R1");
    expect(signature).toMatch(/^[A-Z2-7]{16}$/);
    expect(signShop(key, "M00042", null)).toBe(signShop(key, "M00042", ""));
    expect(signShop(key, "M00042", null)).not.toBe(signature);
    expect(() => signShop(new Uint8Array(31), "M00042", null)).toThrow(/at least 32 bytes/);
  });

  test("round-trips random shops with Japanese names (kana, kanji, emoji)", () => {
    const seed = fcSeed("shop-roundtrip");
    const idChar = fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-");
    const id = (max: number) => fc.string({ unit: idChar, minLength: 1, maxLength: max });
    const latin = (max: number) =>
      fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((n) => String.fromCharCode(n)), minLength: 1, maxLength: max }).filter((s) => s.trim() !== "");
    const shop = fc.record({
      merchantCode: id(32),
      register: fc.option(id(16), { nil: undefined }),
      mcc: fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, "0")),
      nameLatin: latin(25),
      nameJa: fc.string({ unit: japaneseChar, minLength: 1, maxLength: 25 }).filter((s) => s.trim() !== ""),
      city: latin(15),
      dynamic: fc.option(fc.record({ amountYen: fc.integer({ min: 1, max: SHOP_QR_AMOUNT_YEN_MAX }), requestId: id(25) }), { nil: undefined }),
      key: fc.uint8Array({ minLength: 32, maxLength: 64 }),
    });
    fc.assert(
      fc.property(shop, ({ dynamic, ...s }) => {
        const payload = payloadOf({ ...s, ...dynamic });
        const result = parseShopQr(payload, s.key);
        expect(result).toEqual({
          ok: true,
          shop: {
            merchantCode: s.merchantCode,
            register: s.register ?? null,
            mcc: s.mcc,
            nameLatin: s.nameLatin,
            nameJa: s.nameJa,
            city: s.city,
            dynamic: dynamic !== undefined,
            ...dynamic,
          },
        });
        expect(parseShopQr(payload, otherKey)).toMatchObject({ ok: false, code: "qr_forged" });
      }),
      { seed, numRuns: 300 },
    );
  });

  test("accepts stickers signed with an older key when given a key list", () => {
    const old = payloadOf({ ...sticker, key: oldKey });
    expect(parseShopQr(old, key)).toMatchObject({ ok: false, code: "qr_forged" });
    expect(parseShopQr(old, [key, oldKey])).toMatchObject({ ok: true });
  });
});

describe("parseShopQr refuses", () => {
  test("a sticker signed by someone else: qr_forged", () => {
    expect(parseShopQr(payloadOf({ ...sticker, key: otherKey }), key)).toEqual({
      ok: false,
      code: "qr_forged",
      detail: "26.03 (signature) does not match 26.01 and 26.02",
      field: "26.03",
    });
  });

  test("a real signature moved to another merchant code, or a one-letter change: qr_forged", () => {
    expect(parseShopQr(crafted({ merchantCode: "M00043" }), key)).toMatchObject({ ok: false, code: "qr_forged" });
    const signature = signShop(key, "M00042", null);
    const flipped = (signature[0] === "A" ? "B" : "A") + signature.slice(1);
    expect(parseShopQr(crafted({ signature: flipped }), key)).toMatchObject({ ok: false, code: "qr_forged" });
    expect(parseShopQr(crafted({ signature: signature.toLowerCase() }), key)).toMatchObject({ ok: false, code: "qr_forged" });
    expect(parseShopQr(crafted({ signature: signature.slice(0, 15) }), key)).toMatchObject({ ok: false, code: "qr_forged" });
  });

  test("a sticker without a signature: qr_forged", () => {
    expect(parseShopQr(crafted({ signature: null }), key)).toEqual({
      ok: false,
      code: "qr_forged",
      detail: "26.03 (signature) is missing",
      field: "26.03",
    });
  });

  test.each(loadVectors())("another scheme's valid QR %s: qr_foreign", (payload) => {
    expect(parseShopQr(payload, key)).toMatchObject({ ok: false, code: "qr_foreign" });
  });

  test("our identifier outside template 26: qr_foreign", () => {
    const fields = shopFields().map((f) => (f.id === "26" ? { ...f, id: "27" } : f));
    expect(parseShopQr(withCrc(rawFields(fields)), key)).toEqual({
      ok: false,
      code: "qr_foreign",
      detail: "the payload has no merchant account template 26",
    });
  });

  test.each([
    ["hello", "tlv_bad_id"],
    ["", "qr_empty"],
    ["https://example.com/pay?shop=1", "tlv_bad_id"],
    ["0002010102112658", "tlv_truncated"],
  ])("garbage %j: qr_invalid carrying the parser's code", (payload, inner) => {
    const result = parseShopQr(payload, key);
    expect(result).toMatchObject({ ok: false, code: "qr_invalid", detail: inner, cause: { code: inner } });
  });

  test("a damaged sticker (one character changed): qr_invalid / crc_mismatch", () => {
    const payload = payloadOf(sticker);
    const damaged = payload.replace("Cafe", "Cafa");
    expect(parseShopQr(damaged, key)).toMatchObject({ ok: false, code: "qr_invalid", detail: "crc_mismatch" });
  });

  test.each([
    ["550", { ok: true }],
    ["10000000", { ok: true }],
    ["550.00", { ok: false, code: "amount_invalid", detail: "amount_not_integer", field: "54" }],
    ["5.5", { ok: false, code: "amount_invalid", detail: "amount_not_integer", field: "54" }],
    ["550.", { ok: false, code: "amount_invalid", detail: "amount_not_integer", field: "54" }],
    ["0550", { ok: false, code: "amount_invalid", detail: "amount_not_canonical", field: "54" }],
    ["0", { ok: false, code: "amount_invalid", detail: "amount_not_positive", field: "54" }],
    ["000", { ok: false, code: "amount_invalid", detail: "amount_not_positive", field: "54" }],
    ["10000001", { ok: false, code: "amount_invalid", detail: "amount_too_large", field: "54" }],
    ["9999999999999", { ok: false, code: "amount_invalid", detail: "amount_too_large", field: "54" }],
    ["-1", { ok: false, code: "qr_invalid", detail: "amount_invalid", field: "54", cause: { detail: "amount_format" } }],
    ["1e3", { ok: false, code: "qr_invalid", detail: "amount_invalid", field: "54", cause: { detail: "amount_format" } }],
    ["12345678901234", { ok: false, code: "qr_invalid", detail: "amount_invalid", cause: { detail: "amount_too_long" } }],
  ])("a dynamic QR for ¥%s → %j", (amount, expected) => {
    expect(parseShopQr(crafted({ amount }), key)).toMatchObject(expected);
  });

  test("a dynamic QR without an amount, and a static one with an amount: amount_invalid", () => {
    expect(parseShopQr(crafted({ amount: null }), key)).toEqual({
      ok: false,
      code: "amount_invalid",
      detail: "amount_missing",
      field: "54",
    });
    expect(parseShopQr(crafted({ poi: "11", requestId: null }), key)).toEqual({
      ok: false,
      code: "amount_invalid",
      detail: "amount_in_static_qr",
      field: "54",
    });
  });

  test("a dynamic QR without a request id, and a static one with one: shop_field_invalid 62.05", () => {
    expect(parseShopQr(crafted({ requestId: null }), key)).toEqual({ ok: false, code: "shop_field_invalid", detail: "62.05", field: "62.05" });
    expect(parseShopQr(crafted({ poi: "11", amount: null }), key)).toEqual({ ok: false, code: "shop_field_invalid", detail: "62.05", field: "62.05" });
    expect(parseShopQr(crafted({ poi: "11", amount: null, requestId: null }), key)).toMatchObject({ ok: true });
  });

  test.each([
    ["53", { id: "53", value: "840" }],
    ["58", { id: "58", value: "TH" }],
    ["64.00", { id: "64", sub: [{ id: "00", value: "EN" }, { id: "01", value: "Cafe" }] }],
    ["64.01", { id: "64", sub: [{ id: "00", value: "JA" }, { id: "01", value: "カフェ\u202e椿" }] }],
    ["59", { id: "59", value: "x".repeat(26) }],
  ])("a QR with a wrong %s: shop_field_invalid", (field, replacement) => {
    const fields = shopFields().map((f) => (f.id === replacement.id ? replacement : f));
    expect(parseShopQr(withCrc(rawFields(fields)), key)).toEqual({ ok: false, code: "shop_field_invalid", detail: field, field });
  });
});

describe("encodeShopQr refuses", () => {
  test.each([
    [5.5, "amount_not_integer"],
    [Number.NaN, "amount_not_integer"],
    [Number.POSITIVE_INFINITY, "amount_not_integer"],
    [-1, "amount_not_positive"],
    [0, "amount_not_positive"],
    [SHOP_QR_AMOUNT_YEN_MAX + 1, "amount_too_large"],
  ])("¥%s: amount_invalid / %s", (amountYen, detail) => {
    expect(encodeShopQr({ ...sticker, amountYen, requestId: "REQ1" })).toEqual({ ok: false, code: "amount_invalid", detail, field: "54" });
  });

  test("a request id without an amount: amount_missing", () => {
    expect(encodeShopQr({ ...sticker, requestId: "REQ1" })).toMatchObject({ code: "amount_invalid", detail: "amount_missing" });
  });

  test("¥10,000,000 exactly is allowed", () => {
    expect(encodeShopQr({ ...sticker, amountYen: SHOP_QR_AMOUNT_YEN_MAX, requestId: "REQ1" })).toMatchObject({ ok: true });
  });

  test.each<[string, Partial<ShopQrInput>]>([
    ["26.01", { merchantCode: "" }],
    ["26.01", { merchantCode: "M 1" }],
    ["26.01", { merchantCode: "M".repeat(33) }],
    ["26.01", { merchantCode: "M1\nR2" }],
    ["26.02", { register: "R/1" }],
    ["52", { mcc: "581" }],
    ["59", { nameLatin: "カフェ" }],
    ["59", { nameLatin: "x".repeat(26) }],
    ["59", { nameLatin: "   " }],
    ["60", { city: "" }],
    ["62.05", { amountYen: 100 }],
    ["62.05", { amountYen: 100, requestId: "x".repeat(26) }],
    ["64.01", { nameJa: "" }],
    ["64.01", { nameJa: "椿".repeat(26) }],
    ["64.01", { nameJa: "椿\u0007" }],
    ["64.01", { nameJa: "\u202e椿" }],
  ])("bad shop data: shop_field_invalid %s", (field, over) => {
    expect(encodeShopQr({ ...sticker, ...over })).toEqual({ ok: false, code: "shop_field_invalid", detail: field, field });
  });

  test("a short key throws (configuration bug)", () => {
    expect(() => encodeShopQr({ ...sticker, key: new Uint8Array(16) })).toThrow(/BUG/);
  });
});
