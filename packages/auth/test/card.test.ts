// Cards for residents without a smartphone: numbers with a check digit, PIN rules, and the 5-try lock.
import { describe, expect, it } from "vitest";
import { checkPinFormat, formatCardNumber, isValidCardNumber, luhnCheckDigit, newCardNumber, normalizeCardNumber, pinAfterAttempt, pinCheckAllowed, type PinState } from "../src";

describe("card numbers", () => {
  it("are 16 digits starting 9392 with a Luhn check digit", () => {
    for (let i = 0; i < 200; i++) {
      const n = newCardNumber();
      expect(n).toMatch(/^9392\d{12}$/);
      expect(isValidCardNumber(n)).toBe(true);
    }
  });

  it("compute the Luhn digit of the textbook example", () => {
    expect(luhnCheckDigit("7992739871")).toBe("3");
  });

  it("catch a mistyped digit or swapped neighbours", () => {
    const n = newCardNumber();
    const wrongDigit = n.slice(0, 6) + String((Number(n[6]) + 1) % 10) + n.slice(7);
    expect(isValidCardNumber(wrongDigit)).toBe(false);
    const a = n[8]!;
    const b = n[9]!;
    if (a !== b && !((a === "0" && b === "9") || (a === "9" && b === "0"))) {
      expect(isValidCardNumber(n.slice(0, 8) + b + a + n.slice(10))).toBe(false);
    }
  });

  it("read typed numbers with spaces, hyphens and full-width digits", () => {
    const n = newCardNumber();
    const full = formatCardNumber(n).replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));
    expect(normalizeCardNumber(full)).toBe(n);
    expect(normalizeCardNumber(formatCardNumber(n).replace(/ /g, "-"))).toBe(n);
    expect(normalizeCardNumber("9392 abc")).toBeNull();
  });
});

describe("PIN format", () => {
  it("accepts 4 to 6 digits, full-width too", () => {
    expect(checkPinFormat("2580")).toEqual({ ok: true, pin: "2580" });
    expect(checkPinFormat("８２７３９")).toEqual({ ok: true, pin: "82739" });
    expect(checkPinFormat("582047")).toEqual({ ok: true, pin: "582047" });
  });

  it("refuses the wrong length or non-digits", () => {
    for (const pin of ["123", "1234567", "12a4", "", " 2580"]) expect(checkPinFormat(pin)).toMatchObject({ ok: false, code: "pin_format" });
  });

  it("refuses trivial PINs", () => {
    for (const pin of ["0000", "111111", "1234", "123456", "9876", "7890", "1212", "121212", "123123", "4321"]) {
      expect(checkPinFormat(pin), pin).toMatchObject({ ok: false, code: "pin_too_simple" });
    }
  });

  it("refuses the holder's birth date in common shapes", () => {
    for (const pin of ["0412", "1204", "1948", "480412", "120448", "041248"]) {
      expect(checkPinFormat(pin, { birthDate: "1948-04-12" }), pin).toMatchObject({ ok: false, code: "pin_too_simple" });
    }
    expect(checkPinFormat("0412")).toMatchObject({ ok: true });
  });
});

describe("PIN attempts", () => {
  it("lock the card at the 5th wrong PIN in a row; a right PIN resets the count", () => {
    let state: PinState = { failures: 0, locked: false };
    const tries: unknown[] = [];
    for (let i = 0; i < 4; i++) {
      const r = pinAfterAttempt(state, false);
      tries.push(r.outcome === "wrong" ? r.triesLeft : r.outcome);
      state = r.state;
    }
    expect(tries).toEqual([4, 3, 2, 1]);
    expect(pinAfterAttempt(state, true)).toEqual({ outcome: "ok", state: { failures: 0, locked: false } });
    const fifth = pinAfterAttempt(state, false);
    expect(fifth).toEqual({ outcome: "locked", state: { failures: 5, locked: true } });
    expect(pinCheckAllowed(fifth.state)).toBe(false);
    // Even the right PIN does not open a locked card.
    expect(pinAfterAttempt(fifth.state, true).outcome).toBe("locked");
  });
});
