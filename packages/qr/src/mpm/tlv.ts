// Splits a run of ID-length-value data objects. Lengths count characters (Unicode code points), not UTF-16
// units or bytes, so the tokenizer walks an array of code points.

import { MPM_PAYLOAD_CHARS_MAX, type MpmParseError } from "./types";

/** A data object before it is interpreted; `offset` is its position in code points, for error messages. */
export interface RawTlv {
  readonly id: string;
  readonly value: string;
  readonly offset: number;
}

/** Every data object needs at least 2 id digits + 2 length digits + 1 value character. */
const TLV_HEADER_CHARS = 4;
/** The most data objects a payload can hold (each takes at least 5 characters); bounds the loop. */
const TLV_COUNT_MAX = Math.floor(MPM_PAYLOAD_CHARS_MAX / (TLV_HEADER_CHARS + 1));

const TWO_DIGITS = /^[0-9]{2}$/;

export function isTwoDigitId(id: string): boolean {
  return TWO_DIGITS.test(id);
}

/**
 * Tokenizes `chars` (code points) into data objects. `parent` names the template for error messages and
 * `baseOffset` is where `chars` starts in the payload.
 */
export function tokenizeTlvs(
  chars: readonly string[],
  parent: string | null,
  baseOffset: number,
): { readonly ok: true; readonly tlvs: readonly RawTlv[] } | MpmParseError {
  const tlvs: RawTlv[] = [];
  const where = parent === null ? "payload" : `template ${parent}`;
  const field = parent === null ? {} : { field: parent };
  let i = 0;
  while (i < chars.length) {
    if (tlvs.length >= TLV_COUNT_MAX) {
      throw new Error(`BUG: more than ${TLV_COUNT_MAX} data objects in one payload`);
    }
    const at = baseOffset + i;
    const left = chars.length - i;
    if (left < TLV_HEADER_CHARS) {
      return {
        ok: false,
        code: "tlv_truncated",
        detail: `${where} at character ${at}: ${left} character(s) left, a data object needs an id and a length`,
        ...field,
      };
    }
    const id = chars.slice(i, i + 2).join("");
    if (!TWO_DIGITS.test(id)) {
      return { ok: false, code: "tlv_bad_id", detail: `${where} at character ${at}: id ${JSON.stringify(id)} is not two digits`, ...field };
    }
    const lengthText = chars.slice(i + 2, i + 4).join("");
    if (!TWO_DIGITS.test(lengthText) || lengthText === "00") {
      return {
        ok: false,
        code: "tlv_bad_length",
        detail: `${where} at character ${at}: length ${JSON.stringify(lengthText)} of ${id} is not 01..99`,
        field: parent === null ? id : `${parent}.${id}`,
      };
    }
    const length = Number(lengthText);
    if (length > left - TLV_HEADER_CHARS) {
      return {
        ok: false,
        code: "tlv_truncated",
        detail: `${where} at character ${at}: ${id} has length ${length} but only ${left - TLV_HEADER_CHARS} character(s) follow`,
        field: parent === null ? id : `${parent}.${id}`,
      };
    }
    tlvs.push({ id, value: chars.slice(i + TLV_HEADER_CHARS, i + TLV_HEADER_CHARS + length).join(""), offset: at });
    i += TLV_HEADER_CHARS + length;
  }
  return { ok: true, tlvs };
}

/** Writes one data object; the caller has checked that `value` holds 1..99 code points. */
export function formatTlv(id: string, value: string): string {
  const length = Array.from(value).length;
  return `${id}${String(length).padStart(2, "0")}${value}`;
}
