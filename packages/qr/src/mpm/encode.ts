// Writes an EMV MPM payload from data objects: 00 first, 63 last with a fresh CRC, lengths in characters. The
// fields come from our own code, so a bad one is a programmer bug and throws `MpmEncodeError` rather than
// returning a value; every payload it returns is one that `parseMpm` accepts.

import { crc16 } from "../crc/crc16";
import { parseMpm, isMpmTemplateId } from "./parse";
import { formatTlv, isTwoDigitId } from "./tlv";
import { MPM_PAYLOAD_CHARS_MAX, MPM_VALUE_CHARS_MAX, type MpmErrorCode, type MpmFields, type TlvInput } from "./types";

export type MpmEncodeErrorCode =
  | MpmErrorCode
  | "value_empty"
  | "value_too_long"
  | "value_missing"
  | "not_a_template"
  | "template_nested";

/** Thrown by `encodeMpm` for fields that cannot make a valid payload: the caller has a bug. */
export class MpmEncodeError extends Error {
  override readonly name = "MpmEncodeError";
  constructor(
    readonly code: MpmEncodeErrorCode,
    readonly field: string | undefined,
    message: string,
  ) {
    super(`BUG: encodeMpm: ${message}`);
  }
}

const FORMAT_INDICATOR = { id: "00", value: "01" } as const;
const CRC_HEADER = "6304";

/**
 * Encodes data objects into a payload. Accepts a list of `TlvInput` or parsed `MpmFields` (so
 * `encodeMpm(parseMpm(p).fields) === p`). Any 63 in the input is ignored and recomputed; 00 is written first
 * (and must be "01" if given); other data objects keep their order. Throws `MpmEncodeError` on an id that is
 * not two digits, a duplicate id, an empty value or one over 99 characters, children on a non-template,
 * a payload over 512 characters, or a result that `parseMpm` would reject (e.g. no 53 or 58).
 */
export function encodeMpm(input: readonly TlvInput[] | Pick<MpmFields, "tlvs">): string {
  const tlvs: readonly TlvInput[] = "tlvs" in input ? input.tlvs : input;
  const seen = new Set<string>();
  const parts: string[] = [formatTlv(FORMAT_INDICATOR.id, FORMAT_INDICATOR.value)];
  for (const tlv of tlvs) {
    if (!isTwoDigitId(tlv.id)) throw new MpmEncodeError("tlv_bad_id", tlv.id, `id ${JSON.stringify(tlv.id)} is not two digits`);
    if (seen.has(tlv.id)) throw new MpmEncodeError("duplicate_field", tlv.id, `${tlv.id} is given twice`);
    seen.add(tlv.id);
    if (tlv.id === "63") continue;
    const value = encodeValue(tlv, null);
    if (tlv.id === FORMAT_INDICATOR.id) {
      if (value !== FORMAT_INDICATOR.value) {
        throw new MpmEncodeError("format_indicator_missing", "00", `00 must be "01", got ${JSON.stringify(value)}`);
      }
      continue;
    }
    parts.push(formatTlv(tlv.id, value));
  }
  const body = parts.join("") + CRC_HEADER;
  const payload = body + crc16(body);
  const length = Array.from(payload).length;
  if (length > MPM_PAYLOAD_CHARS_MAX) {
    throw new MpmEncodeError("qr_too_long", undefined, `the payload would have ${length} characters; at most ${MPM_PAYLOAD_CHARS_MAX}`);
  }
  const check = parseMpm(payload);
  if (!check.ok) {
    throw new MpmEncodeError(check.code, check.field, `the payload would be rejected: ${check.code} (${check.detail})`);
  }
  return payload;
}

function encodeValue(tlv: TlvInput, parent: string | null): string {
  const path = parent === null ? tlv.id : `${parent}.${tlv.id}`;
  let value: string;
  if (tlv.children !== undefined) {
    if (parent !== null) throw new MpmEncodeError("template_nested", path, `${path}: templates do not nest inside templates`);
    if (!isMpmTemplateId(tlv.id)) throw new MpmEncodeError("not_a_template", path, `${path} is not a template id (26–51, 62, 64)`);
    const seen = new Set<string>();
    const parts: string[] = [];
    for (const child of tlv.children) {
      if (!isTwoDigitId(child.id)) throw new MpmEncodeError("tlv_bad_id", path, `${path}: sub-id ${JSON.stringify(child.id)} is not two digits`);
      if (seen.has(child.id)) throw new MpmEncodeError("duplicate_field", `${path}.${child.id}`, `${path}.${child.id} is given twice`);
      seen.add(child.id);
      parts.push(formatTlv(child.id, encodeValue(child, tlv.id)));
    }
    value = parts.join("");
  } else if (tlv.value !== undefined) {
    value = tlv.value;
  } else {
    throw new MpmEncodeError("value_missing", path, `${path} has neither a value nor children`);
  }
  const length = Array.from(value).length;
  if (length === 0) throw new MpmEncodeError("value_empty", path, `${path} is empty; a value holds 1..${MPM_VALUE_CHARS_MAX} characters`);
  if (length > MPM_VALUE_CHARS_MAX) {
    throw new MpmEncodeError("value_too_long", path, `${path} has ${length} characters; at most ${MPM_VALUE_CHARS_MAX}`);
  }
  return value;
}
