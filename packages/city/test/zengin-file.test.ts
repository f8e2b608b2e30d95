import { describe, expect, it } from "vitest";
import {
  buildZenginTransferFile,
  decodeZenginShiftJis,
  encodeZenginShiftJis,
  parseZenginTransferFile,
  type ZenginHeaderInput,
  type ZenginRecordInput,
} from "../src";

const sp = (n: number) => " ".repeat(n);

/** The city's account at its bank (illustrative codes). */
const header: ZenginHeaderInput = {
  requesterCode: "1234567890",
  requesterNameKana: "ノノイチシ",
  transferDate: "0425",
  bankCode: "0144",
  bankNameKana: "ホッコク",
  branchCode: "101",
  branchNameKana: "ノノイチ",
  accountType: 1,
  accountNumber: "1234567",
};

const kissa: ZenginRecordInput = {
  bankCode: "0009",
  bankNameKana: "ミツイスミトモ",
  branchCode: "123",
  branchNameKana: "カナザワ",
  accountType: 1,
  accountNumber: "45678",
  recipientNameKana: "カ）ツバキショウテン",
  amountYen: 123_456n,
};

const bakery: ZenginRecordInput = {
  bankCode: "0144",
  branchCode: "205",
  accountType: 2,
  accountNumber: "7654321",
  recipientNameKana: "ぱんや　こむぎ",
  amountYen: 9_800n,
  customerCode1: "42",
  ediInfo: undefined,
};

function built(records: ZenginRecordInput[] = [kissa, bakery]) {
  const file = buildZenginTransferFile({ header, records });
  if (!file.ok) throw new Error(file.detail);
  return file;
}

function lines(text: string): string[] {
  return text.split("\r\n").slice(0, -1);
}

describe("the Zengin 総合振込 file", () => {
  it("is header, one data record per transfer, trailer and end, each exactly 120 characters and ended by CRLF", () => {
    const { text } = built();
    expect(text.endsWith("\r\n")).toBe(true);
    const records = lines(text);
    expect(records.map((r) => r[0])).toEqual(["1", "2", "2", "8", "9"]);
    for (const record of records) expect(record).toHaveLength(120);
    expect(text.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
    expect(text).toHaveLength(5 * 122);
  });

  it("lays the header out field by field", () => {
    const [line] = lines(built().text);
    expect(line).toBe(
      "1" + "21" + "0" + "1234567890" + "ﾉﾉｲﾁｼ" + sp(35) + "0425" + "0144" + "ﾎﾂｺｸ" + sp(11) + "101" + "ﾉﾉｲﾁ" + sp(11) + "1" + "1234567" + sp(17),
    );
    expect(line!.slice(14, 54).trimEnd()).toBe("ﾉﾉｲﾁｼ"); // 15–54 振込依頼人名
    expect(line!.slice(54, 58)).toBe("0425"); // 55–58 振込指定日
    expect(line!.slice(95, 103)).toBe("11234567"); // 96 種目, 97–103 口座番号
  });

  it("lays a data record out field by field: codes zero-padded, kana left-aligned, voiced kana as two characters", () => {
    const [, line] = lines(built().text);
    expect(line).toBe(
      "2" +
        "0009" +
        "ﾐﾂｲｽﾐﾄﾓ" + sp(8) +
        "123" +
        "ｶﾅｻﾞﾜ" + sp(10) +
        "0000" +
        "1" +
        "0045678" +
        "ｶ)ﾂﾊﾞｷｼﾖｳﾃﾝ" + sp(19) +
        "0000123456" +
        "0" +
        "0000000000" +
        "0000000000" +
        "7" +
        " " +
        sp(7),
    );
    expect(line!.slice(50, 80).trimEnd()).toBe("ｶ)ﾂﾊﾞｷｼﾖｳﾃﾝ"); // 51–80 受取人名
    expect(line!.slice(80, 90)).toBe("0000123456"); // 81–90 振込金額
  });

  it("writes customer codes zero-padded, and EDI information with 識別表示 Y in their place", () => {
    const withEdi = built([kissa, { ...bakery, customerCode1: undefined, ediInfo: "inv-2025-04" }]);
    const [, , plain] = lines(built().text);
    expect(plain!.slice(91, 101)).toBe("0000000042");
    const [, , edi] = lines(withEdi.text);
    expect(edi!.slice(91, 111)).toBe("INV-2025-04" + sp(9));
    expect(edi![112]).toBe("Y");
    expect(withEdi.records[1]).toMatchObject({ customerCode1: null, customerCode2: null, ediInfo: "INV-2025-04" });
  });

  it("closes with a trailer that counts and totals the data records, and an end record", () => {
    const file = built();
    const [, , , trailer, end] = lines(file.text);
    expect(trailer).toBe("8" + "000002" + "000000133256" + sp(101));
    expect(end).toBe("9" + sp(119));
    expect(file.count).toBe(2);
    expect(file.totalYen).toBe(133_256n);
  });

  it("reads back exactly what it wrote, through Shift_JIS bytes too", () => {
    const file = built();
    const expected = { ok: true, header: file.header, records: file.records, count: 2, totalYen: 133_256n };
    expect(parseZenginTransferFile(file.text)).toEqual(expected);
    const bytes = encodeZenginShiftJis(file.text);
    expect(bytes).toHaveLength(5 * 122);
    expect(parseZenginTransferFile(decodeZenginShiftJis(bytes)!)).toEqual(expected);
    expect(file.records[1]).toMatchObject({ recipientNameKana: "ﾊﾟﾝﾔ ｺﾑｷﾞ", accountNumber: "7654321", accountType: 2, customerCode1: "0000000042" });
  });

  it("refuses bad input with the record and field", () => {
    const build = (records: ZenginRecordInput[], h: Partial<ZenginHeaderInput> = {}) => buildZenginTransferFile({ header: { ...header, ...h }, records });
    expect(build([{ ...kissa, recipientNameKana: "椿商店" }])).toMatchObject({ ok: false, code: "unconvertible_character", recordNo: 1, field: "recipientNameKana" });
    expect(build([kissa, { ...bakery, recipientNameKana: "ガ".repeat(16) }])).toMatchObject({ ok: false, code: "field_too_long", recordNo: 2 });
    expect(build([{ ...kissa, recipientNameKana: "ア".repeat(30) }]).ok).toBe(true);
    expect(build([{ ...kissa, amountYen: 0n }])).toMatchObject({ ok: false, code: "invalid_amount", field: "amountYen" });
    expect(build([{ ...kissa, amountYen: 10_000_000_000n }])).toMatchObject({ ok: false, code: "amount_too_large" });
    expect(build([{ ...kissa, amountYen: 9_999_999_999n }]).ok).toBe(true);
    expect(build([{ ...kissa, bankCode: "009" }])).toMatchObject({ ok: false, code: "invalid_field", field: "bankCode" });
    expect(build([{ ...kissa, accountNumber: "12345678" }])).toMatchObject({ ok: false, code: "invalid_field", field: "accountNumber" });
    expect(build([{ ...kissa, customerCode1: "1", ediInfo: "X" }])).toMatchObject({ ok: false, code: "invalid_field", field: "ediInfo" });
    expect(build([kissa], { transferDate: "0230" })).toMatchObject({ ok: false, code: "invalid_field", recordNo: 0, field: "transferDate" });
    expect(build([])).toMatchObject({ ok: false, code: "no_records", recordNo: null });
  });
});

describe("the strict parser", () => {
  const text = built().text;
  const replaceLine = (index: number, line: string) => {
    const all = lines(text);
    all[index] = line;
    return all.map((l) => l + "\r\n").join("");
  };

  it("refuses a record that is not 120 characters", () => {
    expect(parseZenginTransferFile(replaceLine(1, lines(text)[1]!.slice(0, 119)))).toMatchObject({ ok: false, code: "invalid_zengin_file", line: 2 });
  });

  it("refuses a trailer whose count or total disagrees with the data", () => {
    expect(parseZenginTransferFile(replaceLine(3, "8" + "000003" + "000000133256" + sp(101)))).toMatchObject({ ok: false, line: 4, detail: expect.stringContaining("counts 3") });
    expect(parseZenginTransferFile(replaceLine(3, "8" + "000002" + "000000133255" + sp(101)))).toMatchObject({ ok: false, line: 4, detail: expect.stringContaining("¥133256") });
  });

  it("refuses records out of order, a missing end record, LF line ends and a missing final CRLF", () => {
    const all = lines(text);
    const swapped = [all[0], all[3], all[1], all[2], all[4]].map((l) => l + "\r\n").join("");
    expect(parseZenginTransferFile(swapped)).toMatchObject({ ok: false, line: 2 });
    expect(parseZenginTransferFile(all.slice(0, 4).map((l) => l + "\r\n").join(""))).toMatchObject({ ok: false });
    expect(parseZenginTransferFile(text.replace(/\r\n/g, "\n"))).toMatchObject({ ok: false });
    expect(parseZenginTransferFile(text.slice(0, -2))).toMatchObject({ ok: false, line: 1 });
  });

  it("refuses a non-numeric amount and lower-case text", () => {
    const data = lines(text)[1]!;
    expect(parseZenginTransferFile(replaceLine(1, data.slice(0, 80) + "00001234X6" + data.slice(90)))).toMatchObject({ ok: false, line: 2, detail: expect.stringContaining("amountYen") });
    expect(parseZenginTransferFile(replaceLine(1, data.slice(0, 50) + "a" + data.slice(51)))).toMatchObject({ ok: false, line: 2 });
  });
});
