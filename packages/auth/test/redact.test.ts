// Log redaction: secrets disappear whatever key or shape they hide in; ordinary fields stay readable.
import { describe, expect, it } from "vitest";
import { generateDeviceKeyPair, generateSigningKey, hashSecret, newRefreshToken, redactSecrets, redactString } from "../src";

describe("redactSecrets", () => {
  it("hides values under secret keys in any spelling and keeps the rest", () => {
    const out = redactSecrets({
      login: "hanako",
      password: "hunter2hunter2",
      PIN: "2580",
      refresh_token: "abc",
      accessToken: "def",
      Authorization: "Bearer xyz",
      pairing_code: "7KQ2-M9XD",
      nested: { newPassword: "p", list: [{ secret: "s" }] },
      code: "token_invalid",
      status: 401,
    });
    expect(out).toEqual({
      login: "hanako",
      password: "[redacted]",
      PIN: "[redacted]",
      refresh_token: "[redacted]",
      accessToken: "[redacted]",
      Authorization: "[redacted]",
      pairing_code: "[redacted]",
      nested: { newPassword: "[redacted]", list: [{ secret: "[redacted]" }] },
      code: "token_invalid",
      status: 401,
    });
  });

  it("hides JWK private members, JWTs, bearer credentials and scrypt hashes inside free text", async () => {
    const key = await generateSigningKey(new Date());
    const hash = await hashSecret("2580", { N: 1024, r: 8, p: 1 });
    const jwt = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl";
    const text = JSON.stringify(redactSecrets({ key: key.privateJwk, message: `got ${jwt} and Bearer ${newRefreshToken()} stored ${hash}` }));
    expect(text).not.toContain(key.privateJwk!.d);
    expect(text).not.toContain(jwt);
    expect(text).not.toContain(hash);
    expect(text).toContain(key.publicJwk.x);
    expect(redactString("Authorization: Bearer abc.def")).toBe("Authorization: Bearer [redacted]");
  });

  it("hides byte arrays, survives cycles and errors", () => {
    const device = generateDeviceKeyPair();
    const cyclic: Record<string, unknown> = { secretKey: device.secretKey, bytes: new Uint8Array([1, 2]) };
    cyclic.self = cyclic;
    const out = JSON.stringify(redactSecrets(cyclic));
    expect(out).not.toContain(device.secretKey);
    expect(out).toContain("[truncated]");
    expect(redactSecrets(new Error("bad token eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ1In0.c2ln"))).toEqual({ name: "Error", message: "bad token [redacted]" });
  });
});
