// Passwords and PINs at rest: scrypt in PHC format, parameters carried with the hash, rehash when they change.
import { describe, expect, it } from "vitest";
import { checkPasswordPolicy, hashSecret, needsRehash, scryptDefaults, verifyAgainstNothing, verifySecret } from "../src";

const fast = { N: 2 ** 10, r: 8, p: 1 };

describe("secret hashing", () => {
  it("hashes with the default parameters in PHC format and verifies", async () => {
    const encoded = await hashSecret("correct horse battery staple");
    expect(encoded).toMatch(/^\$scrypt\$ln=14,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await verifySecret("correct horse battery staple", encoded)).toBe(true);
    expect(await verifySecret("correct horse battery stapler", encoded)).toBe(false);
    expect(needsRehash(encoded)).toBe(false);
  });

  it("salts every hash", async () => {
    expect(await hashSecret("same", fast)).not.toBe(await hashSecret("same", fast));
  });

  it("treats full-width digits as the same PIN (NFKC)", async () => {
    const encoded = await hashSecret("2580", fast);
    expect(await verifySecret("２５８０", encoded)).toBe(true);
  });

  it("asks for a rehash when the parameters differ, and never matches a malformed hash", async () => {
    const weak = await hashSecret("pw", fast);
    expect(needsRehash(weak)).toBe(true);
    expect(needsRehash(weak, fast)).toBe(false);
    expect(await verifySecret("pw", weak.replace("ln=10", "ln=30"))).toBe(false);
    expect(await verifySecret("pw", "$2b$10$notscrypt")).toBe(false);
    expect(await verifySecret("pw", weak.slice(0, -2))).toBe(false);
    expect(needsRehash("plain")).toBe(true);
  });

  it("refuses out-of-range parameters as a bug", async () => {
    await expect(hashSecret("x", { N: 1000, r: 8, p: 1 })).rejects.toThrow(/BUG/);
    await expect(hashSecret("x", { N: 2 ** 24, r: 8, p: 1 })).rejects.toThrow(/BUG/);
  });

  it("spends the work of a check for a login that does not exist", async () => {
    expect(await verifyAgainstNothing("guess", fast)).toBe(false);
  });

  it("applies the password policy: 8 to 256 characters", () => {
    expect(checkPasswordPolicy("short")).toMatchObject({ ok: false, code: "password_too_short" });
    expect(checkPasswordPolicy("x".repeat(257))).toMatchObject({ ok: false, code: "password_too_long" });
    expect(checkPasswordPolicy("のっティに乗ろう!")).toEqual({ ok: true });
  });

  it("keeps the defaults at N=2^14 r=8 p=1", () => {
    expect(scryptDefaults).toEqual({ N: 16384, r: 8, p: 1 });
  });
});
