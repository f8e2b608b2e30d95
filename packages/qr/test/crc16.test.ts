// CRC-16/CCITT-FALSE must match the published check value and the CRCs of real payloads.
import { describe, expect, test } from "vitest";
import { crc16, crc16Bytes } from "../src/index";
import { loadVectors } from "./helpers";

describe("crc16", () => {
  test("matches the CCITT-FALSE check value", () => {
    expect(crc16("123456789")).toBe("29B1");
    expect(crc16Bytes(new TextEncoder().encode("123456789"))).toBe(0x29b1);
  });

  test("of nothing is the initial value", () => {
    expect(crc16("")).toBe("FFFF");
  });

  test("is always 4 upper-case hex digits, zero-padded", () => {
    for (let i = 0; i < 2000; i++) expect(crc16(`x${i}`)).toMatch(/^[0-9A-F]{4}$/);
  });

  test("covers UTF-8 bytes, not UTF-16 units", () => {
    // "椿" is U+693F: UTF-8 E6 A4 BF.
    expect(crc16Bytes(Uint8Array.of(0xe6, 0xa4, 0xbf))).toBe(Number.parseInt(crc16("椿"), 16));
    // Latin-1 "æ¤¿" would be the same three code units as bytes, but UTF-8 encodes them as six bytes.
    expect(crc16("\u00e6\u00a4\u00bf")).not.toBe(crc16("椿"));
  });

  test("reproduces the CRC of every published vector", () => {
    for (const payload of loadVectors()) {
      expect(crc16(payload.slice(0, -4))).toBe(payload.slice(-4));
    }
  });
});
