// The data shapes of an EMV Merchant-Presented Mode payload, shared by the parser, the encoder and the shop QR
// layer, so a parsed payload can be handed straight back to the encoder.

/** EMV MPM (EMVCo QRCPS-MPM v1.1 §3.1): a payload never exceeds 512 characters. */
export const MPM_PAYLOAD_CHARS_MAX = 512;
/** A length is two decimal digits, so a value holds 1..99 characters (code points). */
export const MPM_VALUE_CHARS_MAX = 99;
/** EMV MPM: the transaction amount (54) is at most 13 characters. */
export const MPM_AMOUNT_CHARS_MAX = 13;

/** One parsed data object. `children` is present for templates (26–51, 62, 64) and holds their sub-fields. */
export interface Tlv {
  /** Two decimal digits, e.g. "26". */
  readonly id: string;
  /** The raw value as it appears in the payload (for a template: its encoded sub-fields). */
  readonly value: string;
  readonly children?: readonly Tlv[];
}

/** What the encoder takes: a primitive (`value`) or a template (`children`, which win over `value`). */
export interface TlvInput {
  readonly id: string;
  readonly value?: string;
  readonly children?: readonly TlvInput[];
}

/** A merchant account information object: ids 02–25 are primitive, 26–51 are templates with sub-fields. */
export interface MerchantAccount {
  readonly id: string;
  readonly value: string;
  /** Sub-field 00 of a template (a reverse domain or AID, e.g. "A000000677010111"); null for 02–25. */
  readonly globallyUniqueId: string | null;
  /** Sub-fields by id for 26–51; null for the primitive ids 02–25. */
  readonly subFields: Readonly<Record<string, string>> | null;
}

/** Template 64, Merchant Information — Language Template. */
export interface MerchantLanguage {
  /** 64.00, ISO 639-1, e.g. "JA". */
  readonly preference: string;
  /** 64.01, the merchant's name in that language (may be any Unicode except control characters). */
  readonly name: string;
  /** 64.02, the merchant's city in that language, when present. */
  readonly city: string | null;
  readonly subFields: Readonly<Record<string, string>>;
}

/** A parsed payload: the raw data objects in payload order plus typed accessors for the common ones. */
export interface MpmFields {
  /** Every top-level data object in payload order, `00` first and `63` last. Feed it back to `encodeMpm`. */
  readonly tlvs: readonly Tlv[];
  /** 00, always "01". */
  readonly payloadFormatIndicator: string;
  /** 01: "11" static (amount typed by the payer), "12" dynamic (one payment); null when absent. */
  readonly pointOfInitiation: "static" | "dynamic" | null;
  /** 02–51 by id. */
  readonly merchantAccounts: Readonly<Record<string, MerchantAccount>>;
  /** 52, ISO 18245 merchant category code. */
  readonly mcc: string | null;
  /** 53, ISO 4217 numeric currency ("392" = JPY). */
  readonly currency: string | null;
  /** 54, the amount exactly as written (digits with an optional "." and decimals). */
  readonly amount: string | null;
  /** 58, ISO 3166-1 alpha-2 country. */
  readonly country: string | null;
  /** 59, merchant name (Latin characters). */
  readonly name: string | null;
  /** 60, merchant city. */
  readonly city: string | null;
  /** 61, postal code. */
  readonly postalCode: string | null;
  /**
   * 62 sub-fields by id: 01 bill number, 02 mobile number, 03 store label, 04 loyalty number, 05 reference
   * label (our payment request id), 06 customer label, 07 terminal label, 08 purpose, 09 consumer data request.
   */
  readonly additionalData: Readonly<Record<string, string>> | null;
  /** 64, the merchant's name (and city) in another language. */
  readonly language: MerchantLanguage | null;
  /** 63, the CRC as written (4 upper-case hex digits, verified). */
  readonly crc: string;
}

/**
 * Every way a payload can be rejected. Checked in this order of precedence (the first failing check wins):
 * qr_empty, qr_too_long → tlv_bad_id, tlv_bad_length, tlv_truncated (top level, left to right) → crc_missing →
 * crc_mismatch → format_indicator_missing → duplicate_field (top level) → tlv_* and duplicate_field inside
 * templates (in payload order) → value_bad_charset → mandatory_field_missing → field_invalid → amount_invalid.
 */
export type MpmErrorCode =
  | "qr_empty"
  | "qr_too_long"
  | "tlv_bad_id"
  | "tlv_bad_length"
  | "tlv_truncated"
  | "crc_missing"
  | "crc_mismatch"
  | "format_indicator_missing"
  | "duplicate_field"
  | "value_bad_charset"
  | "mandatory_field_missing"
  | "field_invalid"
  | "amount_invalid";

/** Why a 54 amount is not a valid EMV amount (the `detail` of `amount_invalid` from `parseMpm`). */
export type MpmAmountRejection = "amount_format" | "amount_too_long";

export interface MpmParseError {
  readonly ok: false;
  readonly code: MpmErrorCode;
  /**
   * mandatory_field_missing, duplicate_field, value_bad_charset: exactly the field path ("52", "62.05",
   * "02-51" for "no merchant account at all"). amount_invalid: an `MpmAmountRejection`. Others: one
   * deterministic English sentence.
   */
  readonly detail: string;
  /** The field path the error is about ("54", "26.00", "62"), when there is one. */
  readonly field?: string;
}

export type MpmParseResult = { readonly ok: true; readonly fields: MpmFields } | MpmParseError;

export interface MpmParseOptions {
  /**
   * Also require 52 (MCC), 59 (name) and 60 (city), which EMVCo lists as mandatory but which PromptPay and
   * other national schemes leave out. Default false, so a wallet can read any payload seen in the field.
   */
  readonly strict?: boolean;
}
