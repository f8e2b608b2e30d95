// sha256Hex takes the runtime's native SHA-256 when there is one; the journal's hashes must not depend on which.
// Digest texts write every time as toISOString would, whichever times come in turn.
import { describe, expect, it } from "vitest";
import { portableSha256Hex, sha256Hex, sha256IsNative, entryDigestText } from "../src/canonical";

describe("sha256Hex", () => {
  it("is the native implementation on Node", () => {
    expect(sha256IsNative).toBe(true);
  });

  it("matches the published vectors and @noble/hashes on ASCII, Japanese, emoji, lone surrogates and long text", () => {
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(sha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const texts = ["", "abc", "野々市市のっティ", "💴🚌", "lone \ud800 surrogate \udfff", "x".repeat(100_000), "a|b\n\nc"];
    for (const text of texts) expect(sha256Hex(text)).toBe(portableSha256Hex(text));
  });
});

describe("digest texts", () => {
  it("carry each entry's own time, however times alternate (the last ISO text is remembered)", () => {
    const entry = (at: Date) => ({
      accountId: "a",
      seq: 1,
      transferId: "t",
      side: "debit" as const,
      phase: "posted" as const,
      amount: 1n,
      balanceAfter: 0n,
      debitsPendingAfter: 0n,
      creditsPendingAfter: 0n,
      timestamp: at,
    });
    const one = new Date("2026-11-24T00:00:00.001Z");
    const two = new Date("2026-11-24T00:00:00.002Z");
    for (const at of [one, two, two, one, new Date(one.getTime()), two]) {
      expect(entryDigestText(entry(at)).endsWith(`|${at.toISOString()}`)).toBe(true);
    }
    expect(() => entryDigestText(entry(new Date(Number.NaN)))).toThrow(RangeError);
  });
});
