import { describe, expect, it } from "vitest";
import { kitMessages } from "../messages";
import { defineMessages, format, placeholders, translator } from "./i18n";

describe("message catalogs", () => {
  it("fills placeholders and leaves a missing one visible", () => {
    expect(format("{name} さん、こんにちは。", { name: "野々市 花子" })).toBe("野々市 花子 さん、こんにちは。");
    expect(format("上限は{max}です", {})).toBe("上限は{max}です");
    expect(format("{a}{a}{b}", { a: 1, b: "x" })).toBe("11x");
  });

  it("translates by language and falls back to Japanese for a key a catalog lacks at run time", () => {
    const messages = defineMessages({ hello: "こんにちは" }, { hello: "Hello" });
    expect(translator(messages, "ja")("hello")).toBe("こんにちは");
    expect(translator(messages, "en")("hello")).toBe("Hello");
    const broken = { ja: { hello: "こんにちは" }, en: {} } as unknown as typeof messages;
    expect(translator(broken, "en")("hello")).toBe("こんにちは");
  });

  it("kit catalog: English has exactly the Japanese keys, the same placeholders, and no empty text", () => {
    const messages = kitMessages;
    expect(Object.keys(messages.en).sort()).toEqual(Object.keys(messages.ja).sort());
    for (const key of Object.keys(messages.ja) as (keyof typeof messages.ja)[]) {
      expect(placeholders(messages.en[key]), key).toEqual(placeholders(messages.ja[key]));
      expect(messages.ja[key].trim(), key).not.toBe("");
      expect(messages.en[key].trim(), key).not.toBe("");
    }
  });
});
