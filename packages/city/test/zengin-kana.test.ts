import { describe, expect, it } from "vitest";
import { decodeZenginShiftJis, encodeZenginShiftJis, isZenginText, toZenginKana, ZenginCharsetError } from "../src";

function kana(text: string): string {
  const result = toZenginKana(text);
  if (!result.ok) throw new Error(result.detail);
  return result.text;
}

describe("converting names to bank kana (全銀カナ)", () => {
  it("keeps half-width voiced kana as base + mark: ｶﾞ stays two characters", () => {
    expect(kana("ｶﾞ")).toBe("ｶﾞ");
    expect(kana("ｶﾞ")).toHaveLength(2);
  });

  it("splits full-width voiced and semi-voiced kana into base + mark, each counting as a character", () => {
    expect(kana("ガ")).toBe("ｶﾞ");
    expect(kana("パン")).toBe("ﾊﾟﾝ");
    expect(kana("ヴ")).toBe("ｳﾞ");
    expect(kana("ヤマダ タロウ")).toBe("ﾔﾏﾀﾞ ﾀﾛｳ");
    expect(kana("ヤマダ タロウ")).toHaveLength(8); // ﾔ ﾏ ﾀ ﾞ _ ﾀ ﾛ ｳ
  });

  it("makes small kana large, as banks register names", () => {
    expect(kana("ァ")).toBe("ｱ");
    expect(kana("キョウト")).toBe("ｷﾖｳﾄ");
    expect(kana("ホッコク")).toBe("ﾎﾂｺｸ");
    expect(kana("ｷｮｳﾄ")).toBe("ｷﾖｳﾄ");
    expect(kana("ヶ")).toBe("ｹ");
  });

  it("turns the long vowel mark into a hyphen", () => {
    expect(kana("コーヒー")).toBe("ｺ-ﾋ-");
    expect(kana("ｺｰﾋｰ")).toBe("ｺ-ﾋ-");
  });

  it("turns hiragana into katakana and the ideographic space into a space", () => {
    expect(kana("やまだ　はなこ")).toBe("ﾔﾏﾀﾞ ﾊﾅｺ");
  });

  it("upper-cases ASCII and narrows full-width ASCII", () => {
    expect(kana("tsubaki shoten")).toBe("TSUBAKI SHOTEN");
    expect(kana("ＡＢＣ１２３")).toBe("ABC123");
    expect(kana("ｶ（ツバキ")).toBe("ｶ(ﾂﾊﾞｷ");
  });

  it("accepts combining sound marks (NFD text) and the yen sign", () => {
    expect(kana("カ\u3099")).toBe("ｶﾞ");
    expect(kana("ハ\u309a")).toBe("ﾊﾟ");
    expect(kana("￥")).toBe("\\");
  });

  it("refuses kanji, unknown symbols and emoji, naming the character and its position", () => {
    expect(toZenginKana("山田")).toEqual({
      ok: false,
      code: "unconvertible_character",
      detail: expect.stringContaining("山"),
      character: "山",
      index: 0,
    });
    expect(toZenginKana("ヤマダ&")).toMatchObject({ ok: false, character: "&", index: 3 });
    expect(toZenginKana("ﾔ😀")).toMatchObject({ ok: false, character: "😀", index: 1 });
  });

  it("is idempotent and only ever produces Zengin characters", () => {
    const samples = ["ガギグゲゴ", "ぱぴぷぺぽ", "ｶﾞｷﾞ", "ABC-1.2/3", "ヲ", "「ツバキ」"];
    for (const sample of samples) {
      const once = kana(sample);
      expect(isZenginText(once)).toBe(true);
      expect(kana(once)).toBe(once);
    }
  });
});

describe("Shift_JIS bytes for the bank", () => {
  it("writes half-width kana as single bytes 0xA1–0xDF and ASCII as itself", () => {
    expect([...encodeZenginShiftJis("ｶﾞ")]).toEqual([0xb6, 0xde]);
    expect([...encodeZenginShiftJis("ﾐﾂｲｽﾐﾄﾓ")]).toEqual([0xd0, 0xc2, 0xb2, 0xbd, 0xd0, 0xc4, 0xd3]);
    expect([...encodeZenginShiftJis("A1 (.)-/,")]).toEqual([0x41, 0x31, 0x20, 0x28, 0x2e, 0x29, 0x2d, 0x2f, 0x2c]);
    expect([...encodeZenginShiftJis("｢ｦﾟ｣\r\n")]).toEqual([0xa2, 0xa6, 0xdf, 0xa3, 0x0d, 0x0a]);
  });

  it("writes both ¥ and \\ as 0x5C", () => {
    expect([...encodeZenginShiftJis("¥\\")]).toEqual([0x5c, 0x5c]);
  });

  it("refuses anything outside the Zengin set", () => {
    expect(() => encodeZenginShiftJis("abc")).toThrow(ZenginCharsetError);
    expect(() => encodeZenginShiftJis("ｧ")).toThrow(ZenginCharsetError);
    expect(() => encodeZenginShiftJis("ガ")).toThrow(/index 0/);
  });

  it("reads its own bytes back, and agrees with the platform's Shift_JIS decoder", () => {
    const text = "ﾂﾊﾞｷ ｼﾖｳﾃﾝ (ABC) 123-4./,\r\n";
    const bytes = encodeZenginShiftJis(text);
    expect(decodeZenginShiftJis(bytes)).toBe(text);
    expect(new TextDecoder("shift_jis").decode(bytes)).toBe(text);
    expect(decodeZenginShiftJis(new Uint8Array([0x82, 0xa0]))).toBeNull();
    expect(decodeZenginShiftJis(new Uint8Array([0x61]))).toBeNull();
  });
});
