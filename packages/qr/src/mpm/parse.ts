// Reads any EMV Merchant-Presented Mode payload (Japan's JPQR, Thailand's PromptPay, Singapore's PayNow, card
// schemes' QRs) into raw data objects plus typed accessors, and rejects it with one precise code when it is
// damaged or incomplete. It knows nothing about Tsubaki; `shop/` builds on it.

import { crc16 } from "../crc/crc16";
import { tokenizeTlvs, type RawTlv } from "./tlv";
import {
  MPM_AMOUNT_CHARS_MAX,
  MPM_PAYLOAD_CHARS_MAX,
  type MerchantAccount,
  type MerchantLanguage,
  type MpmAmountRejection,
  type MpmErrorCode,
  type MpmFields,
  type MpmParseError,
  type MpmParseOptions,
  type MpmParseResult,
  type Tlv,
} from "./types";

/** The CRC field: id 63, length 04, written last. */
const CRC_ID = "63";
const CRC_VALUE_CHARS = 4;

/** Fields every payload must have (EMVCo "M"), minus those national schemes drop; see `MpmParseOptions.strict`. */
const MANDATORY_IDS = ["53", "58"] as const;
const MANDATORY_IDS_STRICT = ["52", "53", "58", "59", "60"] as const;
/** Field path used in `mandatory_field_missing` when no merchant account (02–51) is present at all. */
export const MERCHANT_ACCOUNT_FIELD = "02-51";

const LANGUAGE_TEMPLATE_ID = "64";
const ADDITIONAL_DATA_TEMPLATE_ID = "62";

/** Templates: merchant account information 26–51, additional data 62, language 64 (EMV MPM §4.7, §4.8). */
export function isMpmTemplateId(id: string): boolean {
  const n = Number(id);
  return (n >= 26 && n <= 51) || id === ADDITIONAL_DATA_TEMPLATE_ID || id === LANGUAGE_TEMPLATE_ID;
}

function isMerchantAccountId(id: string): boolean {
  const n = Number(id);
  return n >= 2 && n <= 51;
}

/**
 * EMV's "ans" set (printable ASCII) everywhere, except the language template's texts (64.01, 64.02 and the
 * reserved 64.03–99), which may be any Unicode. Control characters and lone surrogates are never allowed.
 */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const FORBIDDEN_ANYWHERE = /[\p{Cc}\p{Cs}]/u;

function charsetAllows(path: string, value: string): boolean {
  if (FORBIDDEN_ANYWHERE.test(value)) return false;
  const isLanguageText = path.startsWith(`${LANGUAGE_TEMPLATE_ID}.`) && path !== `${LANGUAGE_TEMPLATE_ID}.00`;
  return isLanguageText || PRINTABLE_ASCII.test(value);
}

/** EMV amount: digits, optionally "." and decimals ("100." is allowed by EMV), at most 13 characters. */
const EMV_AMOUNT = /^[0-9]+(\.[0-9]*)?$/;

export function checkEmvAmount(amount: string): MpmAmountRejection | null {
  if (Array.from(amount).length > MPM_AMOUNT_CHARS_MAX) return "amount_too_long";
  if (!EMV_AMOUNT.test(amount)) return "amount_format";
  return null;
}

/** Format rules for the primitive fields whose meaning the accessors expose. */
const FIELD_FORMATS: ReadonlyArray<readonly [string, RegExp, string]> = [
  ["01", /^1[12]$/, '"11" (static) or "12" (dynamic)'],
  ["52", /^[0-9]{4}$/, "4 digits (ISO 18245)"],
  ["53", /^[0-9]{3}$/, "3 digits (ISO 4217 numeric)"],
  ["58", /^[A-Z]{2}$/, "2 upper-case letters (ISO 3166-1 alpha-2)"],
  ["64.00", /^[A-Za-z]{2}$/, "2 letters (ISO 639-1)"],
];

function fail(code: MpmErrorCode, detail: string, field?: string): MpmParseError {
  return field === undefined ? { ok: false, code, detail } : { ok: false, code, detail, field };
}

/** A parsed data object with its template's children, still carrying offsets. */
interface ParsedTlv extends RawTlv {
  readonly children?: readonly RawTlv[];
}

/**
 * Parses an EMV MPM payload. Lengths count Unicode code points. See `MpmErrorCode` for the order in which
 * checks run; the first failure is returned.
 */
export function parseMpm(payload: string, options: MpmParseOptions = {}): MpmParseResult {
  const chars = Array.from(payload);
  if (chars.length === 0) return fail("qr_empty", "the payload is empty");
  if (chars.length > MPM_PAYLOAD_CHARS_MAX) {
    return fail("qr_too_long", `the payload has ${chars.length} characters; at most ${MPM_PAYLOAD_CHARS_MAX} are allowed`);
  }
  const top = tokenizeTlvs(chars, null, 0);
  if (!top.ok) return top;

  const crcError = checkCrc(chars, top.tlvs);
  if (crcError) return crcError;

  const first = top.tlvs[0];
  if (first?.id !== "00") {
    return fail("format_indicator_missing", `the first data object is ${first?.id ?? "nothing"}, not 00`, "00");
  }
  if (first.value !== "01") {
    return fail("format_indicator_missing", `00 is ${JSON.stringify(first.value)}, not "01"`, "00");
  }
  const duplicate = findDuplicate(top.tlvs, null);
  if (duplicate) return duplicate;

  const parsed: ParsedTlv[] = [];
  for (const tlv of top.tlvs) {
    if (!isMpmTemplateId(tlv.id)) {
      parsed.push(tlv);
      continue;
    }
    // The value starts after the 4 header characters of its data object.
    const inner = tokenizeTlvs(Array.from(tlv.value), tlv.id, tlv.offset + 4);
    if (!inner.ok) return inner;
    const innerDuplicate = findDuplicate(inner.tlvs, tlv.id);
    if (innerDuplicate) return innerDuplicate;
    parsed.push({ ...tlv, children: inner.tlvs });
  }

  const checked = checkCharsets(parsed) ?? checkMandatory(parsed, options) ?? checkFormats(parsed);
  if (checked) return checked;
  return { ok: true, fields: buildFields(parsed) };
}

function checkCrc(chars: readonly string[], tlvs: readonly RawTlv[]): MpmParseError | null {
  const last = tlvs[tlvs.length - 1];
  if (last?.id !== CRC_ID) {
    const misplaced = tlvs.findIndex((t) => t.id === CRC_ID);
    return misplaced === -1
      ? fail("crc_missing", "there is no 63 (CRC) data object", CRC_ID)
      : fail("crc_missing", `63 (CRC) is data object ${misplaced + 1} of ${tlvs.length}; it must be the last`, CRC_ID);
  }
  if (Array.from(last.value).length !== CRC_VALUE_CHARS) {
    return fail("crc_missing", `63 (CRC) must have length 04, found ${Array.from(last.value).length}`, CRC_ID);
  }
  // The CRC covers everything up to and including "6304", i.e. all but the last 4 characters.
  const expected = crc16(chars.slice(0, chars.length - CRC_VALUE_CHARS).join(""));
  // Exact comparison: a lower-case "b" for "B" is a one-character corruption and must be rejected.
  if (last.value !== expected) {
    return fail("crc_mismatch", `63 is ${JSON.stringify(last.value)}, the payload's CRC is "${expected}"`, CRC_ID);
  }
  return null;
}

function findDuplicate(tlvs: readonly RawTlv[], parent: string | null): MpmParseError | null {
  const seen = new Set<string>();
  for (const tlv of tlvs) {
    const path = parent === null ? tlv.id : `${parent}.${tlv.id}`;
    if (seen.has(tlv.id)) return fail("duplicate_field", path, path);
    seen.add(tlv.id);
  }
  return null;
}

function checkCharsets(tlvs: readonly ParsedTlv[]): MpmParseError | null {
  for (const tlv of tlvs) {
    const values = tlv.children
      ? tlv.children.map((c) => [`${tlv.id}.${c.id}`, c.value] as const)
      : [[tlv.id, tlv.value] as const];
    for (const [path, value] of values) {
      if (!charsetAllows(path, value)) return fail("value_bad_charset", path, path);
    }
  }
  return null;
}

function checkMandatory(tlvs: readonly ParsedTlv[], options: MpmParseOptions): MpmParseError | null {
  const byId = new Map(tlvs.map((t) => [t.id, t]));
  if (!tlvs.some((t) => isMerchantAccountId(t.id))) {
    return fail("mandatory_field_missing", MERCHANT_ACCOUNT_FIELD, MERCHANT_ACCOUNT_FIELD);
  }
  for (const id of options.strict ? MANDATORY_IDS_STRICT : MANDATORY_IDS) {
    if (!byId.has(id)) return fail("mandatory_field_missing", id, id);
  }
  for (const tlv of tlvs) {
    const required = tlv.id === LANGUAGE_TEMPLATE_ID ? ["00", "01"] : isMerchantAccountId(tlv.id) && tlv.children ? ["00"] : [];
    for (const sub of required) {
      if (!tlv.children?.some((c) => c.id === sub)) {
        return fail("mandatory_field_missing", `${tlv.id}.${sub}`, `${tlv.id}.${sub}`);
      }
    }
  }
  return null;
}

function checkFormats(tlvs: readonly ParsedTlv[]): MpmParseError | null {
  for (const [path, format, expected] of FIELD_FORMATS) {
    const value = valueAt(tlvs, path);
    if (value !== undefined && !format.test(value)) {
      return fail("field_invalid", `${path} is ${JSON.stringify(value)}; expected ${expected}`, path);
    }
  }
  const amount = valueAt(tlvs, "54");
  const rejection = amount === undefined ? null : checkEmvAmount(amount);
  return rejection ? fail("amount_invalid", rejection, "54") : null;
}

interface PathTlv {
  readonly id: string;
  readonly value: string;
  readonly children?: readonly { readonly id: string; readonly value: string }[];
}

function valueAt(tlvs: readonly PathTlv[], path: string): string | undefined {
  const [id, sub] = path.split(".");
  const tlv = tlvs.find((t) => t.id === id);
  if (sub === undefined) return tlv?.value;
  return tlv?.children?.find((c) => c.id === sub)?.value;
}

function subFieldRecord(children: readonly RawTlv[]): Readonly<Record<string, string>> {
  return Object.fromEntries(children.map((c) => [c.id, c.value]));
}

function toTlv(tlv: ParsedTlv): Tlv {
  return tlv.children
    ? { id: tlv.id, value: tlv.value, children: tlv.children.map((c) => ({ id: c.id, value: c.value })) }
    : { id: tlv.id, value: tlv.value };
}

function buildFields(tlvs: readonly ParsedTlv[]): MpmFields {
  const get = (id: string): string | null => tlvs.find((t) => t.id === id)?.value ?? null;
  const merchantAccounts: Record<string, MerchantAccount> = {};
  for (const tlv of tlvs) {
    if (!isMerchantAccountId(tlv.id)) continue;
    const subFields = tlv.children ? subFieldRecord(tlv.children) : null;
    merchantAccounts[tlv.id] = { id: tlv.id, value: tlv.value, globallyUniqueId: subFields?.["00"] ?? null, subFields };
  }
  const additional = tlvs.find((t) => t.id === ADDITIONAL_DATA_TEMPLATE_ID)?.children;
  const languageChildren = tlvs.find((t) => t.id === LANGUAGE_TEMPLATE_ID)?.children;
  let language: MerchantLanguage | null = null;
  if (languageChildren) {
    const subFields = subFieldRecord(languageChildren);
    // checkMandatory guarantees 64.00 and 64.01.
    language = { preference: subFields["00"] ?? "", name: subFields["01"] ?? "", city: subFields["02"] ?? null, subFields };
  }
  const poi = get("01");
  return {
    tlvs: tlvs.map(toTlv),
    payloadFormatIndicator: get("00") ?? "",
    pointOfInitiation: poi === "11" ? "static" : poi === "12" ? "dynamic" : null,
    merchantAccounts,
    mcc: get("52"),
    currency: get("53"),
    amount: get("54"),
    country: get("58"),
    name: get("59"),
    city: get("60"),
    postalCode: get("61"),
    additionalData: additional ? subFieldRecord(additional) : null,
    language,
    crc: get(CRC_ID) ?? "",
  };
}

/** The value at a field path ("59", "62.05", "26.01") of parsed fields, or undefined. */
export function mpmValue(fields: MpmFields, path: string): string | undefined {
  return valueAt(fields.tlvs, path);
}
