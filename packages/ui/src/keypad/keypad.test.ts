import { describe, expect, it } from "vitest";
import { formatYen } from "../money/yen";
import { applyKeypadKey, keypadKeyFromKeyboard, type KeypadKey } from "./keypad";

const typeKeys = (keys: KeypadKey[], max = 100_000) => keys.reduce((amount, key) => applyKeypadKey(amount, key, max).amountYen, 0);

describe("amount keypad rules", () => {
  it("appends digits and 00, deletes the last digit, clears", () => {
    expect(typeKeys(["1", "2", "00"])).toBe(1200);
    expect(typeKeys(["1", "2", "00", "backspace"])).toBe(120);
    expect(typeKeys(["1", "2", "clear", "7"])).toBe(7);
    expect(typeKeys(["0", "0", "00", "5"])).toBe(5); // leading zeros never show
    expect(typeKeys(["backspace"])).toBe(0);
  });

  it("refuses a key that would pass the limit and keeps the amount", () => {
    expect(applyKeypadKey(1200, "00", 100_000)).toEqual({ amountYen: 1200, refused: true });
    expect(applyKeypadKey(1200, "0", 100_000)).toEqual({ amountYen: 12000, refused: false });
    expect(applyKeypadKey(10000, "0", 100_000)).toEqual({ amountYen: 100_000, refused: false });
  });

  it("maps the keyboard: digits, Backspace, Delete and Escape", () => {
    expect(["7", "Backspace", "Delete", "Escape", "a", "Enter", "00"].map(keypadKeyFromKeyboard)).toEqual(["7", "backspace", "clear", "clear", null, null, null]);
  });
});

describe("yen on screen", () => {
  it("uses a yen sign and thousands separators", () => {
    expect([0, 5, 999, 1000, 1234567, -1200].map(formatYen)).toEqual(["¥0", "¥5", "¥999", "¥1,000", "¥1,234,567", "-¥1,200"]);
  });

  it("refuses a non-integer, which would be a bug upstream", () => {
    expect(() => formatYen(1.5)).toThrow(/BUG/);
  });
});
