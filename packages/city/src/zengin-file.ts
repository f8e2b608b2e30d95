// The Zengin (全銀協制定) 総合振込 bulk-transfer file: how shop payouts reach the bank (DESIGN §4 Payout). Fixed-width
// records of 120 characters, each ended by CRLF: one header (1), one data record per transfer (2), a trailer (8)
// with the count and total, and an end record (9). Numeric fields (N) are right-aligned and zero-padded; text fields
// (C) are Zengin kana, left-aligned and space-padded. Every character is one Shift_JIS byte, so 120 characters are
// the 120 bytes banks count (122 with CRLF). Encode the text with encodeZenginShiftJis before handing it over.
//
// The layouts below are the tables; positions are 1-based and inclusive, as banks print them.
//
// Header record (ヘッダー・レコード)
// | #  | field              | 項目             | pos     | width | kind | value                                   |
// |----|--------------------|------------------|---------|-------|------|-----------------------------------------|
// | 1  | recordType         | データ区分       | 1       | 1     | N    | "1"                                     |
// | 2  | typeCode           | 種別コード       | 2–3     | 2     | N    | "21" 総合振込                           |
// | 3  | codeDivision       | コード区分       | 4       | 1     | N    | "0" JIS (Shift_JIS file; "1" EBCDIC unused) |
// | 4  | requesterCode      | 振込依頼人コード | 5–14    | 10    | N    | the code the bank gave the city         |
// | 5  | requesterNameKana  | 振込依頼人名     | 15–54   | 40    | C    |                                         |
// | 6  | transferDate       | 振込指定日       | 55–58   | 4     | N    | MMDD                                    |
// | 7  | bankCode           | 仕向銀行番号     | 59–62   | 4     | N    | the city's bank                         |
// | 8  | bankNameKana       | 仕向銀行名       | 63–77   | 15    | C    |                                         |
// | 9  | branchCode         | 仕向支店番号     | 78–80   | 3     | N    |                                         |
// | 10 | branchNameKana     | 仕向支店名       | 81–95   | 15    | C    |                                         |
// | 11 | accountType        | 預金種目(依頼人) | 96      | 1     | N    | 1 普通, 2 当座, 9 その他                |
// | 12 | accountNumber      | 口座番号(依頼人) | 97–103  | 7     | N    |                                         |
// | 13 | (dummy)            | ダミー           | 104–120 | 17    | C    | spaces                                  |
//
// Data record (データ・レコード), one per transfer
// | #  | field              | 項目             | pos     | width | kind | value                                   |
// |----|--------------------|------------------|---------|-------|------|-----------------------------------------|
// | 1  | recordType         | データ区分       | 1       | 1     | N    | "2"                                     |
// | 2  | bankCode           | 被仕向銀行番号   | 2–5     | 4     | N    |                                         |
// | 3  | bankNameKana       | 被仕向銀行名     | 6–20    | 15    | C    | optional (banks route by code)          |
// | 4  | branchCode         | 被仕向支店番号   | 21–23   | 3     | N    |                                         |
// | 5  | branchNameKana     | 被仕向支店名     | 24–38   | 15    | C    | optional                                |
// | 6  | clearingHouseCode  | 手形交換所番号   | 39–42   | 4     | N    | unused: "0000"                          |
// | 7  | accountType        | 預金種目         | 43      | 1     | N    | 1 普通, 2 当座, 4 貯蓄, 9 その他        |
// | 8  | accountNumber      | 口座番号         | 44–50   | 7     | N    | shorter numbers are zero-padded         |
// | 9  | recipientNameKana  | 受取人名         | 51–80   | 30    | C    |                                         |
// | 10 | amountYen          | 振込金額         | 81–90   | 10    | N    | 1 … 9,999,999,999                       |
// | 11 | newCode            | 新規コード       | 91      | 1     | N    | 0 その他 (default), 1 第1回, 2 変更分   |
// | 12 | customerCode1      | 顧客コード1      | 92–101  | 10    | N    | default zeros; see EDI below            |
// | 13 | customerCode2      | 顧客コード2      | 102–111 | 10    | N    | default zeros                           |
// | 14 | transferCategory   | 振込指定区分     | 112     | 1     | N    | 7 電信 (default), 8 文書                |
// | 15 | identification     | 識別表示         | 113     | 1     | C    | "Y" when 92–111 carry EDI, else space   |
// | 16 | (dummy)            | ダミー           | 114–120 | 7     | C    | spaces                                  |
// With 識別表示 = "Y", positions 92–111 hold EDI information (EDI情報) instead: 20 characters of Zengin text (C).
//
// Trailer record (トレーラ・レコード)
// | 1  | recordType         | データ区分       | 1       | 1     | N    | "8"                                     |
// | 2  | count              | 合計件数         | 2–7     | 6     | N    | number of data records                  |
// | 3  | totalYen           | 合計金額         | 8–19    | 12    | N    | Σ amountYen                             |
// | 4  | (dummy)            | ダミー           | 20–120  | 101   | C    | spaces                                  |
//
// End record (エンド・レコード)
// | 1  | recordType         | データ区分       | 1       | 1     | N    | "9"                                     |
// | 2  | (dummy)            | ダミー           | 2–120   | 119   | C    | spaces                                  |
import { assert } from "@tsubaki/ledger";
import type { Failure } from "./codes";
import { isZenginText, toZenginKana } from "./zengin-kana";

export const zenginRecordLength = 120;
export const zenginLineEnd = "\r\n";
/** One transfer's amount field is 10 digits. */
export const zenginAmountYenMax = 9_999_999_999n;
/** The trailer's count field is 6 digits. */
export const zenginRecordsMax = 999_999;
/** The trailer's total field is 12 digits. */
export const zenginTotalYenMax = 999_999_999_999n;

type FieldKind = "N" | "C";
interface FieldSpec {
  name: string;
  start: number;
  width: number;
  kind: FieldKind;
}

function layout(fields: [name: string, start: number, width: number, kind: FieldKind][]): readonly FieldSpec[] {
  let next = 1;
  for (const [name, start, width] of fields) {
    assert(start === next, `Zengin field ${name} starts at ${next}`);
    next = start + width;
  }
  assert(next === zenginRecordLength + 1, "a Zengin layout covers exactly 120 characters");
  return fields.map(([name, start, width, kind]) => ({ name, start, width, kind }));
}

const headerLayout = layout([
  ["recordType", 1, 1, "N"],
  ["typeCode", 2, 2, "N"],
  ["codeDivision", 4, 1, "N"],
  ["requesterCode", 5, 10, "N"],
  ["requesterNameKana", 15, 40, "C"],
  ["transferDate", 55, 4, "N"],
  ["bankCode", 59, 4, "N"],
  ["bankNameKana", 63, 15, "C"],
  ["branchCode", 78, 3, "N"],
  ["branchNameKana", 81, 15, "C"],
  ["accountType", 96, 1, "N"],
  ["accountNumber", 97, 7, "N"],
  ["dummy", 104, 17, "C"],
]);

const dataHead: [string, number, number, FieldKind][] = [
  ["recordType", 1, 1, "N"],
  ["bankCode", 2, 4, "N"],
  ["bankNameKana", 6, 15, "C"],
  ["branchCode", 21, 3, "N"],
  ["branchNameKana", 24, 15, "C"],
  ["clearingHouseCode", 39, 4, "N"],
  ["accountType", 43, 1, "N"],
  ["accountNumber", 44, 7, "N"],
  ["recipientNameKana", 51, 30, "C"],
  ["amountYen", 81, 10, "N"],
  ["newCode", 91, 1, "N"],
];
const dataTail: [string, number, number, FieldKind][] = [
  ["transferCategory", 112, 1, "N"],
  ["identification", 113, 1, "C"],
  ["dummy", 114, 7, "C"],
];
const dataLayout = layout([...dataHead, ["customerCode1", 92, 10, "N"], ["customerCode2", 102, 10, "N"], ...dataTail]);
const dataEdiLayout = layout([...dataHead, ["ediInfo", 92, 20, "C"], ...dataTail]);

const trailerLayout = layout([
  ["recordType", 1, 1, "N"],
  ["count", 2, 6, "N"],
  ["totalYen", 8, 12, "N"],
  ["dummy", 20, 101, "C"],
]);

const endLayout = layout([
  ["recordType", 1, 1, "N"],
  ["dummy", 2, 119, "C"],
]);

/** 預金種目 of the city's own account (header). */
export type ZenginRequesterAccountType = 1 | 2 | 9;
/** 預金種目 of a recipient: 1 普通 (ordinary), 2 当座 (current), 4 貯蓄 (savings), 9 その他. */
export type ZenginAccountType = 1 | 2 | 4 | 9;

export interface ZenginHeaderInput {
  typeCode?: "21";
  codeDivision?: "0";
  /** Up to 10 digits; zero-padded. */
  requesterCode: string;
  requesterNameKana: string;
  /** MMDD, a real calendar day (the bank checks that it is a business day). */
  transferDate: string;
  bankCode: string;
  bankNameKana: string;
  branchCode: string;
  branchNameKana: string;
  accountType: ZenginRequesterAccountType;
  /** Up to 7 digits; zero-padded. */
  accountNumber: string;
}

export interface ZenginRecordInput {
  bankCode: string;
  bankNameKana?: string;
  branchCode: string;
  branchNameKana?: string;
  accountType: ZenginAccountType;
  /** Up to 7 digits; zero-padded. */
  accountNumber: string;
  recipientNameKana: string;
  amountYen: bigint;
  newCode?: "0" | "1" | "2";
  /** Up to 10 digits each; zero-padded. Not with ediInfo. */
  customerCode1?: string;
  customerCode2?: string;
  /** Up to 20 Zengin characters passed to the recipient's statement; sets 識別表示 "Y". */
  ediInfo?: string;
  transferCategory?: "7" | "8";
}

/** The header exactly as written (and as parseZenginTransferFile reads it): codes padded, kana converted. */
export interface ZenginHeader {
  typeCode: "21";
  codeDivision: "0";
  requesterCode: string;
  requesterNameKana: string;
  transferDate: string;
  bankCode: string;
  bankNameKana: string;
  branchCode: string;
  branchNameKana: string;
  accountType: ZenginRequesterAccountType;
  accountNumber: string;
}

/** A data record exactly as written; customer codes are null when ediInfo is used, and the other way round. */
export interface ZenginRecord {
  bankCode: string;
  bankNameKana: string;
  branchCode: string;
  branchNameKana: string;
  accountType: ZenginAccountType;
  accountNumber: string;
  recipientNameKana: string;
  amountYen: bigint;
  newCode: "0" | "1" | "2";
  customerCode1: string | null;
  customerCode2: string | null;
  ediInfo: string | null;
  transferCategory: "7" | "8";
}

export interface ZenginTransferFile {
  header: ZenginHeader;
  records: ZenginRecord[];
  count: number;
  totalYen: bigint;
}

export type ZenginBuildFailure = (
  | Failure<"invalid_field">
  | Failure<"unconvertible_character">
  | Failure<"field_too_long">
  | Failure<"invalid_amount">
  | Failure<"amount_too_large">
  | Failure<"no_records">
  | Failure<"too_many_records">
) & {
  /** 0 for the header, n ≥ 1 for the n-th data record (its record_no), null for the file as a whole. */
  recordNo: number | null;
  field: string | null;
};

export type ZenginBuildResult = ({ ok: true; text: string } & ZenginTransferFile) | ZenginBuildFailure;

/**
 * Builds the file. Checks, in this order: the header's fields (table order) → no_records → too_many_records →
 * each data record's fields (record order, table order) → the total (amount_too_large, field "totalYen").
 * Field codes: invalid_field (wrong digits, MMDD, account type, codes), unconvertible_character and
 * field_too_long (kana), invalid_amount (≤ 0) and amount_too_large (> 9,999,999,999).
 * On success `header`, `records` are the values as written, so parseZenginTransferFile(text) returns them.
 */
export function buildZenginTransferFile(input: { header: ZenginHeaderInput; records: readonly ZenginRecordInput[] }): ZenginBuildResult {
  const header = normaliseHeader(input.header);
  if (!header.ok) return header;
  if (input.records.length === 0) return fileFailure("no_records", "a transfer file needs at least one transfer");
  if (input.records.length > zenginRecordsMax) {
    return fileFailure("too_many_records", `${input.records.length} transfers; one file holds at most ${zenginRecordsMax}`);
  }
  const records: ZenginRecord[] = [];
  let totalYen = 0n;
  for (const [index, raw] of input.records.entries()) {
    const record = normaliseRecord(raw, index + 1);
    if (!record.ok) return record;
    records.push(record.value);
    totalYen += record.value.amountYen;
  }
  if (totalYen > zenginTotalYenMax) {
    return { ...fileFailure("amount_too_large", `the total ¥${totalYen} is above the file's ¥${zenginTotalYenMax}`), field: "totalYen" };
  }
  const lines = [
    writeRecord(headerLayout, { recordType: "1", ...stringFields(header.value) }),
    ...records.map(writeDataRecord),
    writeRecord(trailerLayout, { recordType: "8", count: String(records.length), totalYen: String(totalYen) }),
    writeRecord(endLayout, { recordType: "9" }),
  ];
  const text = lines.map((line) => line + zenginLineEnd).join("");
  return { ok: true, text, header: header.value, records, count: records.length, totalYen };
}

type Normalised<T> = { ok: true; value: T } | ZenginBuildFailure;

function fileFailure<C extends "no_records" | "too_many_records" | "amount_too_large">(code: C, detail: string) {
  return { ok: false as const, code, detail, recordNo: null, field: null };
}

function fieldFailure(
  code: "invalid_field" | "unconvertible_character" | "field_too_long" | "invalid_amount" | "amount_too_large",
  recordNo: number,
  field: string,
  detail: string,
): ZenginBuildFailure {
  const where = recordNo === 0 ? "header" : `record ${recordNo}`;
  return { ok: false, code, detail: `${where}, ${field}: ${detail}`, recordNo, field };
}

/** Digits only, 1…width of them when padded (exact = true: exactly width). */
function digits(value: string, width: number, exact: boolean, recordNo: number, field: string): Normalised<string> {
  const shape = exact ? new RegExp(`^\\d{${width}}$`) : new RegExp(`^\\d{1,${width}}$`);
  if (!shape.test(value)) return fieldFailure("invalid_field", recordNo, field, exact ? `${width} digits` : `1 to ${width} digits`);
  return { ok: true, value: value.padStart(width, "0") };
}

function kana(value: string, width: number, recordNo: number, field: string): Normalised<string> {
  const converted = toZenginKana(value);
  if (!converted.ok) return fieldFailure("unconvertible_character", recordNo, field, converted.detail);
  const text = converted.text.trimEnd();
  if (text.length > width) {
    return fieldFailure("field_too_long", recordNo, field, `${text.length} half-width characters (${text}); the field holds ${width}`);
  }
  return { ok: true, value: text };
}

/** MMDD of a day that exists in some year (29 February allowed). */
export function isTransferDate(value: string): boolean {
  const match = /^(\d{2})(\d{2})$/.exec(value);
  if (!match) return false;
  const month = Number(match[1]);
  const day = Number(match[2]);
  const daysMax = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return daysMax !== undefined && day >= 1 && day <= daysMax;
}

function normaliseHeader(h: ZenginHeaderInput): Normalised<ZenginHeader> {
  if ((h.typeCode ?? "21") !== "21") return fieldFailure("invalid_field", 0, "typeCode", `"21" (総合振込) is the only type written here`);
  if ((h.codeDivision ?? "0") !== "0") return fieldFailure("invalid_field", 0, "codeDivision", `"0" (JIS); EBCDIC files are not produced`);
  const requesterCode = digits(h.requesterCode, 10, false, 0, "requesterCode");
  if (!requesterCode.ok) return requesterCode;
  const requesterNameKana = kana(h.requesterNameKana, 40, 0, "requesterNameKana");
  if (!requesterNameKana.ok) return requesterNameKana;
  if (requesterNameKana.value.trim() === "") return fieldFailure("invalid_field", 0, "requesterNameKana", "the requester's name is required");
  if (!isTransferDate(h.transferDate)) return fieldFailure("invalid_field", 0, "transferDate", "MMDD, a real calendar day");
  const bankCode = digits(h.bankCode, 4, true, 0, "bankCode");
  if (!bankCode.ok) return bankCode;
  const bankNameKana = kana(h.bankNameKana, 15, 0, "bankNameKana");
  if (!bankNameKana.ok) return bankNameKana;
  const branchCode = digits(h.branchCode, 3, true, 0, "branchCode");
  if (!branchCode.ok) return branchCode;
  const branchNameKana = kana(h.branchNameKana, 15, 0, "branchNameKana");
  if (!branchNameKana.ok) return branchNameKana;
  if (![1, 2, 9].includes(h.accountType)) return fieldFailure("invalid_field", 0, "accountType", "1 普通, 2 当座 or 9 その他");
  const accountNumber = digits(h.accountNumber, 7, false, 0, "accountNumber");
  if (!accountNumber.ok) return accountNumber;
  return {
    ok: true,
    value: {
      typeCode: "21",
      codeDivision: "0",
      requesterCode: requesterCode.value,
      requesterNameKana: requesterNameKana.value,
      transferDate: h.transferDate,
      bankCode: bankCode.value,
      bankNameKana: bankNameKana.value,
      branchCode: branchCode.value,
      branchNameKana: branchNameKana.value,
      accountType: h.accountType,
      accountNumber: accountNumber.value,
    },
  };
}

function normaliseRecord(r: ZenginRecordInput, recordNo: number): Normalised<ZenginRecord> {
  const bankCode = digits(r.bankCode, 4, true, recordNo, "bankCode");
  if (!bankCode.ok) return bankCode;
  const bankNameKana = kana(r.bankNameKana ?? "", 15, recordNo, "bankNameKana");
  if (!bankNameKana.ok) return bankNameKana;
  const branchCode = digits(r.branchCode, 3, true, recordNo, "branchCode");
  if (!branchCode.ok) return branchCode;
  const branchNameKana = kana(r.branchNameKana ?? "", 15, recordNo, "branchNameKana");
  if (!branchNameKana.ok) return branchNameKana;
  if (![1, 2, 4, 9].includes(r.accountType)) return fieldFailure("invalid_field", recordNo, "accountType", "1 普通, 2 当座, 4 貯蓄 or 9 その他");
  const accountNumber = digits(r.accountNumber, 7, false, recordNo, "accountNumber");
  if (!accountNumber.ok) return accountNumber;
  const recipientNameKana = kana(r.recipientNameKana, 30, recordNo, "recipientNameKana");
  if (!recipientNameKana.ok) return recipientNameKana;
  if (recipientNameKana.value.trim() === "") return fieldFailure("invalid_field", recordNo, "recipientNameKana", "the recipient's name is required");
  if (typeof r.amountYen !== "bigint" || r.amountYen <= 0n) return fieldFailure("invalid_amount", recordNo, "amountYen", "a positive whole number of yen");
  if (r.amountYen > zenginAmountYenMax) return fieldFailure("amount_too_large", recordNo, "amountYen", `at most ¥${zenginAmountYenMax} per transfer`);
  const newCode = r.newCode ?? "0";
  if (!["0", "1", "2"].includes(newCode)) return fieldFailure("invalid_field", recordNo, "newCode", "0, 1 or 2");
  const transferCategory = r.transferCategory ?? "7";
  if (!["7", "8"].includes(transferCategory)) return fieldFailure("invalid_field", recordNo, "transferCategory", "7 電信 or 8 文書");
  const codes = customerCodesOrEdi(r, recordNo);
  if (!codes.ok) return codes;
  return {
    ok: true,
    value: {
      bankCode: bankCode.value,
      bankNameKana: bankNameKana.value,
      branchCode: branchCode.value,
      branchNameKana: branchNameKana.value,
      accountType: r.accountType,
      accountNumber: accountNumber.value,
      recipientNameKana: recipientNameKana.value,
      amountYen: r.amountYen,
      newCode,
      ...codes.value,
      transferCategory,
    },
  };
}

function customerCodesOrEdi(
  r: ZenginRecordInput,
  recordNo: number,
): Normalised<Pick<ZenginRecord, "customerCode1" | "customerCode2" | "ediInfo">> {
  if (r.ediInfo !== undefined) {
    if (r.customerCode1 !== undefined || r.customerCode2 !== undefined) {
      return fieldFailure("invalid_field", recordNo, "ediInfo", "EDI information takes the place of the customer codes; give one or the other");
    }
    const ediInfo = kana(r.ediInfo, 20, recordNo, "ediInfo");
    if (!ediInfo.ok) return ediInfo;
    return { ok: true, value: { customerCode1: null, customerCode2: null, ediInfo: ediInfo.value } };
  }
  const customerCode1 = digits(r.customerCode1 ?? "0", 10, false, recordNo, "customerCode1");
  if (!customerCode1.ok) return customerCode1;
  const customerCode2 = digits(r.customerCode2 ?? "0", 10, false, recordNo, "customerCode2");
  if (!customerCode2.ok) return customerCode2;
  return { ok: true, value: { customerCode1: customerCode1.value, customerCode2: customerCode2.value, ediInfo: null } };
}

function stringFields(values: object): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, value === null ? "" : String(value)]));
}

function writeDataRecord(record: ZenginRecord): string {
  const values = { recordType: "2", clearingHouseCode: "0", identification: record.ediInfo === null ? "" : "Y", ...stringFields(record) };
  return writeRecord(record.ediInfo === null ? dataLayout : dataEdiLayout, values);
}

/** Lays values out by the table. Values were checked before, so a value that does not fit is a bug. */
function writeRecord(fields: readonly FieldSpec[], values: Record<string, string>): string {
  let line = "";
  for (const field of fields) {
    const value = values[field.name] ?? "";
    assert(value.length <= field.width, `Zengin field ${field.name} fits in ${field.width}`);
    if (field.kind === "N") {
      assert(/^\d*$/.test(value), `Zengin field ${field.name} is numeric`);
      line += value.padStart(field.width, "0");
    } else {
      assert(isZenginText(value), `Zengin field ${field.name} is Zengin text`);
      line += value.padEnd(field.width, " ");
    }
  }
  assert(line.length === zenginRecordLength, "a Zengin record is 120 characters");
  return line;
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing: strict, for tests and for reading a file back before it is sent.

export type ZenginParseResult = ({ ok: true } & ZenginTransferFile) | (Failure<"invalid_zengin_file"> & { line: number });

/**
 * Reads a file this module wrote (as text; decode bytes with decodeZenginShiftJis). Strict: every record is 120
 * Zengin characters followed by CRLF; record types run 1, 2 (at least one), 8, 9 and nothing follows; every field
 * has the shape the tables above give it (fixed values, digits, account types, spaces in the dummies); the trailer's
 * count and total equal the data records'. The first problem is reported with its line number (1-based).
 */
export function parseZenginTransferFile(text: string): ZenginParseResult {
  if (!text.endsWith(zenginLineEnd)) return parseFailure(1, "the file must end with CRLF after the end record");
  const lines = text.slice(0, -zenginLineEnd.length).split(zenginLineEnd);
  if (lines.length > zenginRecordsMax + 3) return parseFailure(1, `more than ${zenginRecordsMax} data records`);
  for (const [index, line] of lines.entries()) {
    if (line.length !== zenginRecordLength) return parseFailure(index + 1, `a record is ${zenginRecordLength} characters; this one is ${line.length}`);
    if (!isZenginText(line)) return parseFailure(index + 1, "a character outside the Zengin set (or a stray CR/LF)");
  }
  const types = lines.map((line) => line[0]);
  const dataCount = lines.length - 3;
  if (types[0] !== "1") return parseFailure(1, "the first record must be the header (1)");
  if (dataCount < 1) return parseFailure(2, "at least one data record (2) must follow the header");
  for (let i = 1; i <= dataCount; i++) if (types[i] !== "2") return parseFailure(i + 1, `expected a data record (2), found ${types[i]}`);
  if (types[dataCount + 1] !== "8") return parseFailure(dataCount + 2, "expected the trailer (8) after the data records");
  if (types[dataCount + 2] !== "9") return parseFailure(dataCount + 3, "expected the end record (9) last");

  const header = parseHeader(lines[0]!);
  if (typeof header === "string") return parseFailure(1, header);
  const records: ZenginRecord[] = [];
  let totalYen = 0n;
  for (let i = 1; i <= dataCount; i++) {
    const record = parseData(lines[i]!);
    if (typeof record === "string") return parseFailure(i + 1, record);
    records.push(record);
    totalYen += record.amountYen;
  }
  const trailer = readRecord(trailerLayout, lines[dataCount + 1]!);
  if (typeof trailer === "string") return parseFailure(dataCount + 2, trailer);
  if (Number(trailer.count) !== dataCount) return parseFailure(dataCount + 2, `the trailer counts ${Number(trailer.count)} records; the file has ${dataCount}`);
  if (BigInt(trailer.totalYen!) !== totalYen) return parseFailure(dataCount + 2, `the trailer's total is ¥${BigInt(trailer.totalYen!)}; the records add up to ¥${totalYen}`);
  const end = readRecord(endLayout, lines[dataCount + 2]!);
  if (typeof end === "string") return parseFailure(dataCount + 3, end);
  return { ok: true, header, records, count: dataCount, totalYen };
}

function parseFailure(line: number, detail: string): Failure<"invalid_zengin_file"> & { line: number } {
  return { ok: false, code: "invalid_zengin_file", detail: `line ${line}: ${detail}`, line };
}

/** Field values by name, kana with trailing spaces removed; or a description of the first malformed field. */
function readRecord(fields: readonly FieldSpec[], line: string): Record<string, string> | string {
  const values: Record<string, string> = {};
  for (const field of fields) {
    const raw = line.slice(field.start - 1, field.start - 1 + field.width);
    if (field.kind === "N" && !/^\d+$/.test(raw)) return `${field.name} (positions ${field.start}–${field.start + field.width - 1}) must be digits`;
    if (field.name === "dummy" && raw.trim() !== "") return `the dummy area at ${field.start}–${field.start + field.width - 1} must be spaces`;
    values[field.name] = field.kind === "C" ? raw.trimEnd() : raw;
  }
  return values;
}

function parseHeader(line: string): ZenginHeader | string {
  const v = readRecord(headerLayout, line);
  if (typeof v === "string") return v;
  if (v.typeCode !== "21") return `typeCode ${v.typeCode}: only 21 (総合振込) is read`;
  if (v.codeDivision !== "0") return `codeDivision ${v.codeDivision}: only 0 (JIS) is read`;
  if (!isTransferDate(v.transferDate!)) return `transferDate ${v.transferDate} is not MMDD`;
  const accountType = Number(v.accountType);
  if (accountType !== 1 && accountType !== 2 && accountType !== 9) return `accountType ${v.accountType} is not 1, 2 or 9`;
  return {
    typeCode: "21",
    codeDivision: "0",
    requesterCode: v.requesterCode!,
    requesterNameKana: v.requesterNameKana!,
    transferDate: v.transferDate!,
    bankCode: v.bankCode!,
    bankNameKana: v.bankNameKana!,
    branchCode: v.branchCode!,
    branchNameKana: v.branchNameKana!,
    accountType,
    accountNumber: v.accountNumber!,
  };
}

function parseData(line: string): ZenginRecord | string {
  const identification = line[112];
  if (identification !== "Y" && identification !== " ") return `identification (position 113) must be "Y" or a space`;
  const v = readRecord(identification === "Y" ? dataEdiLayout : dataLayout, line);
  if (typeof v === "string") return v;
  if (v.clearingHouseCode !== "0000") return `clearingHouseCode must be 0000 (unused)`;
  const accountType = Number(v.accountType);
  if (accountType !== 1 && accountType !== 2 && accountType !== 4 && accountType !== 9) return `accountType ${v.accountType} is not 1, 2, 4 or 9`;
  if (v.recipientNameKana === "") return "the recipient's name is empty";
  const amountYen = BigInt(v.amountYen!);
  if (amountYen <= 0n) return "the amount is zero";
  const newCode = v.newCode;
  if (newCode !== "0" && newCode !== "1" && newCode !== "2") return `newCode ${newCode} is not 0, 1 or 2`;
  const transferCategory = v.transferCategory;
  if (transferCategory !== "7" && transferCategory !== "8") return `transferCategory ${transferCategory} is not 7 or 8`;
  return {
    bankCode: v.bankCode!,
    bankNameKana: v.bankNameKana!,
    branchCode: v.branchCode!,
    branchNameKana: v.branchNameKana!,
    accountType,
    accountNumber: v.accountNumber!,
    recipientNameKana: v.recipientNameKana!,
    amountYen,
    newCode,
    customerCode1: identification === "Y" ? null : v.customerCode1!,
    customerCode2: identification === "Y" ? null : v.customerCode2!,
    ediInfo: identification === "Y" ? v.ediInfo! : null,
    transferCategory,
  };
}
