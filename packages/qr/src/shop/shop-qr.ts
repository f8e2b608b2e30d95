// The Tsubaki shop QR: an EMV MPM payload (the layout JPQR uses) whose template 26 names Tsubaki, the merchant
// code and register, and carries a short server signature. This file maps shop data to and from that layout
// (DESIGN.md §5) and decides which QRs a wallet may pay: ours, unforged, in yen, with a sane amount.

import { encodeMpm } from "../mpm/encode";
import { mpmValue, parseMpm } from "../mpm/parse";
import type { MpmFields, MpmParseError, TlvInput } from "../mpm/types";
import { checkAmountYen, parseAmountYen, type YenAmountRejection } from "./amount";
import { signShop, verifyShopSignature } from "./signature";

/** Template 26 sub-field 00: our reverse-domain globally unique identifier. */
export const TSUBAKI_QR_IDENTIFIER = "jp.nonoichi.tsubaki";
/** The merchant account template that carries our identity. */
export const SHOP_QR_TEMPLATE_ID = "26";
export const SHOP_QR_CURRENCY_JPY = "392";
export const SHOP_QR_COUNTRY = "JP";
export const SHOP_QR_LANGUAGE = "JA";

/** Merchant codes, registers and request ids: letters, digits and . _ : - (never "\n", see signature.ts). */
export const SHOP_ID_PATTERN = /^[A-Za-z0-9._:-]+$/;
/** 26 must fit in 99 characters: 23 (00) + 4 + code + 4 + register + 20 (03) ≤ 99. */
export const MERCHANT_CODE_CHARS_MAX = 32;
export const REGISTER_CHARS_MAX = 16;
/** EMV caps every 62 sub-field at 25 characters. */
export const REQUEST_ID_CHARS_MAX = 25;
/** EMV: 59 merchant name ≤ 25, 60 city ≤ 15, 64.01 alternate-language name ≤ 25. */
export const SHOP_NAME_LATIN_CHARS_MAX = 25;
export const SHOP_CITY_CHARS_MAX = 15;
export const SHOP_NAME_JA_CHARS_MAX = 25;

const STATIC_POI = "11";
const DYNAMIC_POI = "12";
const MCC_PATTERN = /^[0-9]{4}$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;
/** Control characters, lone surrogates, and bidi controls that could make a name read as another shop's. */
const FORBIDDEN_IN_NAME = /[\p{Cc}\p{Cs}\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

export interface ShopQrInput {
  merchantCode: string;
  register?: string | null;
  /** ISO 18245 merchant category code, 4 digits. */
  mcc: string;
  /** 59: the shop's name in Latin letters (printable ASCII). */
  nameLatin: string;
  /** 64.01: the shop's name in Japanese; any text except control and bidi characters (kana, kanji, emoji). */
  nameJa: string;
  /** 60: city in Latin letters, e.g. "Nonoichi". */
  city: string;
  /** Present (with requestId) for a dynamic QR, absent for a static sticker. */
  amountYen?: number;
  requestId?: string;
  /** The HMAC key (≥ 32 bytes) of the server that issues stickers. */
  key: Uint8Array;
}

/** A Tsubaki shop QR that passed every check. The names are not signed: show the server's registered name. */
export interface ShopQr {
  merchantCode: string;
  register: string | null;
  mcc: string;
  nameLatin: string;
  nameJa: string;
  city: string;
  dynamic: boolean;
  amountYen?: number;
  requestId?: string;
}

/**
 * Order of precedence in parseShopQr: qr_invalid (not an MPM payload; detail = parseMpm's code, cause = its
 * error) → qr_foreign (no 26 with 00 = TSUBAKI_QR_IDENTIFIER) → shop_field_invalid on 26.01/26.02 → qr_forged
 * (26.03 missing or wrong) → shop_field_invalid / amount_invalid on the other fields in id order
 * (01, 52, 53, 54, 58, 59, 60, 62.05, 64.00, 64.01).
 */
export type ShopQrErrorCode = "qr_invalid" | "qr_foreign" | "qr_forged" | "shop_field_invalid" | "amount_invalid";

export interface ShopQrError {
  readonly ok: false;
  readonly code: ShopQrErrorCode;
  /**
   * qr_invalid: parseMpm's code ("crc_mismatch"); amount_invalid: a `YenAmountRejection`; shop_field_invalid:
   * the field path ("53", "62.05"); qr_foreign, qr_forged: one English sentence.
   */
  readonly detail: string;
  readonly field?: string;
  /** For qr_invalid: the parser's error, with its own detail. */
  readonly cause?: MpmParseError;
}

export type ShopQrParseResult = { readonly ok: true; readonly shop: ShopQr } | ShopQrError;
export type ShopQrEncodeResult =
  | { readonly ok: true; readonly payload: string }
  | (ShopQrError & { readonly code: "shop_field_invalid" | "amount_invalid" });

function fieldInvalid(field: string): ShopQrError & { code: "shop_field_invalid" } {
  return { ok: false, code: "shop_field_invalid", detail: field, field };
}

function amountInvalid(rejection: YenAmountRejection): ShopQrError & { code: "amount_invalid" } {
  return { ok: false, code: "amount_invalid", detail: rejection, field: "54" };
}

function charCount(s: string): number {
  return Array.from(s).length;
}

const isShopId = (s: string | undefined, max: number): s is string =>
  s !== undefined && charCount(s) <= max && SHOP_ID_PATTERN.test(s);
const isLatin = (s: string | undefined, max: number): s is string =>
  s !== undefined && charCount(s) <= max && PRINTABLE_ASCII.test(s) && s.trim() !== "";
const isNameJa = (s: string | undefined): s is string =>
  s !== undefined && charCount(s) >= 1 && charCount(s) <= SHOP_NAME_JA_CHARS_MAX && !FORBIDDEN_IN_NAME.test(s) && s.trim() !== "";

/**
 * Builds the payload of a static sticker (no amountYen, no requestId) or a dynamic QR (both). Bad shop data
 * or a bad amount is a value (it often comes from a person typing), not an exception; a key shorter than
 * SHOP_KEY_BYTES_MIN throws (configuration bug).
 */
export function encodeShopQr(input: ShopQrInput): ShopQrEncodeResult {
  const register = input.register ?? null;
  const dynamic = input.amountYen !== undefined || input.requestId !== undefined;
  if (!isShopId(input.merchantCode, MERCHANT_CODE_CHARS_MAX)) return fieldInvalid("26.01");
  if (register !== null && !isShopId(register, REGISTER_CHARS_MAX)) return fieldInvalid("26.02");
  if (!MCC_PATTERN.test(input.mcc)) return fieldInvalid("52");
  if (dynamic) {
    if (input.amountYen === undefined) return amountInvalid("amount_missing");
    const rejection = checkAmountYen(input.amountYen);
    if (rejection) return amountInvalid(rejection);
  }
  if (!isLatin(input.nameLatin, SHOP_NAME_LATIN_CHARS_MAX)) return fieldInvalid("59");
  if (!isLatin(input.city, SHOP_CITY_CHARS_MAX)) return fieldInvalid("60");
  if (dynamic && !isShopId(input.requestId, REQUEST_ID_CHARS_MAX)) return fieldInvalid("62.05");
  if (!isNameJa(input.nameJa)) return fieldInvalid("64.01");

  const account: TlvInput[] = [
    { id: "00", value: TSUBAKI_QR_IDENTIFIER },
    { id: "01", value: input.merchantCode },
    ...(register === null ? [] : [{ id: "02", value: register }]),
    { id: "03", value: signShop(input.key, input.merchantCode, register) },
  ];
  const tlvs: TlvInput[] = [
    { id: "01", value: dynamic ? DYNAMIC_POI : STATIC_POI },
    { id: SHOP_QR_TEMPLATE_ID, children: account },
    { id: "52", value: input.mcc },
    { id: "53", value: SHOP_QR_CURRENCY_JPY },
    ...(dynamic ? [{ id: "54", value: String(input.amountYen) }] : []),
    { id: "58", value: SHOP_QR_COUNTRY },
    { id: "59", value: input.nameLatin },
    { id: "60", value: input.city },
    ...(dynamic ? [{ id: "62", children: [{ id: "05", value: input.requestId ?? "" }] }] : []),
    { id: "64", children: [{ id: "00", value: SHOP_QR_LANGUAGE }, { id: "01", value: input.nameJa }] },
  ];
  const payload = encodeMpm(tlvs);
  const check = parseShopQr(payload, input.key);
  if (!check.ok) throw new Error(`BUG: encodeShopQr made a payload parseShopQr rejects: ${check.code} ${check.detail}`);
  return { ok: true, payload };
}

/**
 * Reads a scanned payload as a Tsubaki shop QR. `key` may be a list (newest first) to accept stickers signed
 * before a key rotation. See `ShopQrErrorCode` for the order of checks.
 */
export function parseShopQr(payload: string, key: Uint8Array | readonly Uint8Array[]): ShopQrParseResult {
  const keys: readonly Uint8Array[] = key instanceof Uint8Array ? [key] : key;
  const parsed = parseMpm(payload);
  if (!parsed.ok) return { ok: false, code: "qr_invalid", detail: parsed.code, ...fieldOf(parsed), cause: parsed };
  const fields = parsed.fields;
  const account = fields.merchantAccounts[SHOP_QR_TEMPLATE_ID];
  if (account?.globallyUniqueId !== TSUBAKI_QR_IDENTIFIER) {
    const detail = account
      ? `26.00 is ${JSON.stringify(account.globallyUniqueId)}, not "${TSUBAKI_QR_IDENTIFIER}"`
      : "the payload has no merchant account template 26";
    return { ok: false, code: "qr_foreign", detail };
  }
  const merchantCode = account.subFields?.["01"];
  const register = account.subFields?.["02"] ?? null;
  const signature = account.subFields?.["03"];
  if (!isShopId(merchantCode, MERCHANT_CODE_CHARS_MAX)) return fieldInvalid("26.01");
  if (register !== null && !isShopId(register, REGISTER_CHARS_MAX)) return fieldInvalid("26.02");
  if (signature === undefined) return { ok: false, code: "qr_forged", detail: "26.03 (signature) is missing", field: "26.03" };
  if (!verifyShopSignature(keys, merchantCode, register, signature)) {
    return { ok: false, code: "qr_forged", detail: "26.03 (signature) does not match 26.01 and 26.02", field: "26.03" };
  }
  return readShopFields(fields, merchantCode, register);
}

function fieldOf(error: MpmParseError): { field?: string } {
  return error.field === undefined ? {} : { field: error.field };
}

function readShopFields(fields: MpmFields, merchantCode: string, register: string | null): ShopQrParseResult {
  const poi = mpmValue(fields, "01");
  if (poi !== STATIC_POI && poi !== DYNAMIC_POI) return fieldInvalid("01");
  const dynamic = poi === DYNAMIC_POI;
  const mcc = fields.mcc;
  if (mcc === null) return fieldInvalid("52");
  if (fields.currency !== SHOP_QR_CURRENCY_JPY) return fieldInvalid("53");
  let amountYen: number | undefined;
  if (dynamic) {
    if (fields.amount === null) return amountInvalid("amount_missing");
    const amount = parseAmountYen(fields.amount);
    if (!amount.ok) return amountInvalid(amount.rejection);
    amountYen = amount.amountYen;
  } else if (fields.amount !== null) {
    return amountInvalid("amount_in_static_qr");
  }
  if (fields.country !== SHOP_QR_COUNTRY) return fieldInvalid("58");
  const nameLatin = fields.name ?? undefined;
  if (!isLatin(nameLatin, SHOP_NAME_LATIN_CHARS_MAX)) return fieldInvalid("59");
  const city = fields.city ?? undefined;
  if (!isLatin(city, SHOP_CITY_CHARS_MAX)) return fieldInvalid("60");
  const requestId = fields.additionalData?.["05"];
  if (dynamic ? !isShopId(requestId, REQUEST_ID_CHARS_MAX) : requestId !== undefined) return fieldInvalid("62.05");
  if (fields.language?.preference !== SHOP_QR_LANGUAGE) return fieldInvalid("64.00");
  const nameJa = fields.language.name;
  if (!isNameJa(nameJa)) return fieldInvalid("64.01");
  const shop: ShopQr = { merchantCode, register, mcc, nameLatin, nameJa, city, dynamic };
  return { ok: true, shop: dynamic ? { ...shop, amountYen, requestId } : shop };
}
