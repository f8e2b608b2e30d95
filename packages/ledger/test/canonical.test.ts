// sha256Hex takes the runtime's native SHA-256 when there is one; the journal's hashes must not depend on which.
import { describe, expect, it } from "vitest";
import { portableSha256Hex, sha256Hex, sha256IsNative } from "../src/canonical";

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
