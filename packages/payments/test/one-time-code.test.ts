import { describe, expect, it } from "vitest";
import { base32, isOneTimeCode, newOneTimeCode, oneTimeCodeExpiresAt, oneTimeCodeTtlSeconds } from "../src";

describe("the code a resident shows at the till", () => {
  it("is TSBK1. followed by 32 base32 characters (160 random bits)", () => {
    expect(newOneTimeCode(() => new Uint8Array(20))).toBe(`TSBK1.${"A".repeat(32)}`);
    expect(newOneTimeCode(() => new Uint8Array(20).fill(0xff))).toBe(`TSBK1.${"7".repeat(32)}`);
    const bytes = new TextEncoder().encode("foobarfoobarfoobarfo");
    // The body is what Python gives for base64.b32encode(b"foobarfoobarfoobarfo").
    expect(newOneTimeCode(() => bytes)).toBe("TSBK1.MZXW6YTBOJTG633CMFZGM33PMJQXEZTP");
  });

  it("is new every time, URL-safe, and fits the QR alphanumeric set", () => {
    const codes = new Set(Array.from({ length: 1_000 }, () => newOneTimeCode()));
    expect(codes.size).toBe(1_000);
    for (const code of codes) {
      expect(code).toMatch(/^[A-Z0-9.]+$/);
      expect(encodeURIComponent(code)).toBe(code);
      expect(isOneTimeCode(code)).toBe(true);
    }
  });

  it("a scanner tells it from a shop QR, a lower-cased copy or a truncated one", () => {
    expect(isOneTimeCode("00020101021126...6304ABCD")).toBe(false);
    expect(isOneTimeCode(`tsbk1.${"a".repeat(32)}`)).toBe(false);
    expect(isOneTimeCode(`TSBK1.${"A".repeat(31)}`)).toBe(false);
    expect(isOneTimeCode(`TSBK2.${"A".repeat(32)}`)).toBe(false);
  });

  it("lives 60 seconds", () => {
    expect(oneTimeCodeTtlSeconds).toBe(60);
    expect(oneTimeCodeExpiresAt(new Date("2025-06-15T03:00:00Z"))).toEqual(new Date("2025-06-15T03:01:00Z"));
  });
});

describe("base32 (RFC 4648 §10 test vectors, unpadded)", () => {
  it.each([
    ["", ""],
    ["f", "MY"],
    ["fo", "MZXQ"],
    ["foo", "MZXW6"],
    ["foob", "MZXW6YQ"],
    ["fooba", "MZXW6YTB"],
    ["foobar", "MZXW6YTBOI"],
  ])("%j → %j", (text, encoded) => {
    expect(base32(new TextEncoder().encode(text))).toBe(encoded);
  });
});
