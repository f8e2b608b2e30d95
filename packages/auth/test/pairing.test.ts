// Pairing codes a city administrator reads out to whoever installs a fare terminal.
import { describe, expect, it } from "vitest";
import { hashPairingCode, newPairingCode, normalizePairingCode, pairingCodeExpiry } from "../src";

describe("pairing codes", () => {
  it("are 8 Crockford base32 characters shown as XXXX-XXXX", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const code = newPairingCode();
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
      seen.add(code);
    }
    expect(seen.size).toBe(200);
  });

  it("read back forgivingly: case, spaces, O for 0, I and L for 1, full-width", () => {
    expect(normalizePairingCode("7kq2-m9xd")).toBe("7KQ2M9XD");
    expect(normalizePairingCode("1O1I 1L1A")).toBe("1011111A");
    expect(normalizePairingCode("７ＫＱ２－Ｍ９ＸＤ")).toBe("7KQ2M9XD");
    expect(normalizePairingCode("7KQ2-M9XU")).toBeNull();
    expect(normalizePairingCode("7KQ2")).toBeNull();
    expect(hashPairingCode("7kq2 m9xd")).toBe(hashPairingCode("7KQ2-M9XD"));
    expect(hashPairingCode("nope")).toBeNull();
  });

  it("expire after 10 minutes", () => {
    expect(pairingCodeExpiry(new Date("2026-04-01T00:00:00Z"))).toEqual(new Date("2026-04-01T00:10:00Z"));
  });
});
