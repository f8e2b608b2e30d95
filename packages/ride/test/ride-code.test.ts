// Ride codes: base45 per RFC 9285, the envelope around certificate and tap, its size (it must fit a QR a
// phone can show and a cheap scanner can read), and the two ways a scan is refused before any signature check.
import { describe, expect, test } from "vitest";
import {
  BASE45_ALPHABET,
  CARD_RIDE_CODE_CHARS,
  PHONE_RIDE_CODE_CHARS,
  RIDE_CODE_PREFIX,
  base45Decode,
  base45Encode,
  createPhoneRideCode,
  encodeRideCode,
  nobleRiderSigner,
  parseRideCode,
  verifyTap,
} from "../src/index";
import { cardPass, phoneCode, phonePass, T0 } from "./helpers";

const ascii = (s: string) => new Uint8Array([...s].map((c) => c.charCodeAt(0)));
const text = (b: Uint8Array | null) => (b ? String.fromCharCode(...b) : null);

describe("base45 (RFC 9285)", () => {
  test.each([
    ["AB", "BB8"],
    ["Hello!!", "%69 VD92EX0"],
    ["base-45", "UJCLQE7W581"],
    ["ietf!", "QED8WEX0"],
    ["", ""],
  ])("%j ↔ %j", (plain, encoded) => {
    expect(base45Encode(ascii(plain))).toBe(encoded);
    expect(text(base45Decode(encoded))).toBe(plain);
  });

  test.each([
    ["GGW", "a group above 65535"],
    ["G:", "a final pair above 255"],
    ["A", "a lone character"],
    ["QED8WEX0a", "a lower-case character"],
    ["QED8WEX0\u00e9", "a character outside the set"],
  ])("%j is refused (%s)", (encoded) => {
    expect(base45Decode(encoded)).toBeNull();
  });

  test("every byte string round-trips and the text is canonical", () => {
    for (let n = 0; n < 64; n++) {
      const bytes = new Uint8Array(n).map((_, i) => (i * 97 + n * 31) & 0xff);
      const encoded = base45Encode(bytes);
      expect(base45Decode(encoded)).toEqual(bytes);
      expect(base45Encode(base45Decode(encoded)!)).toBe(encoded);
    }
    expect(base45Encode(new Uint8Array([0xff, 0xff]))).toBe("FGW");
  });
});

describe("envelope", () => {
  test("a phone code is 298 characters and a card code 190, all in the QR alphanumeric set", () => {
    const phone = phoneCode(phonePass(), 1);
    const card = cardPass().code;
    expect([phone.length, PHONE_RIDE_CODE_CHARS]).toEqual([298, 298]);
    expect([card.length, CARD_RIDE_CODE_CHARS]).toEqual([190, 190]);
    const alphanumeric = new RegExp(`^[${BASE45_ALPHABET.replace(/[-\\\]^]/g, "\\$&")}]+$`);
    expect(phone).toMatch(alphanumeric);
    expect(card).toMatch(alphanumeric);
    expect(phone.startsWith(RIDE_CODE_PREFIX)).toBe(true);
    expect(RIDE_CODE_PREFIX).toBe("TSBKR1:");
  });

  test("parsing gives back the certificate, the tap and its signature", () => {
    const pass = phonePass();
    const parsed = parseRideCode(phoneCode(pass, 42, T0 + 5));
    expect(parsed).toMatchObject({ ok: true, kind: "phone", tap: { counter: 42, time: T0 + 5 } });
    if (!parsed.ok || parsed.kind !== "phone") throw new Error("phone");
    expect(parsed.cert).toEqual(pass.bytes);
    expect(verifyTap(pass.cert.allowanceId, parsed.tap, parsed.sig, pass.rider.publicKey)).toBe(true);
    expect(encodeRideCode(parsed)).toBe(phoneCode(pass, 42, T0 + 5));
  });

  test("a card code carries the certificate only", () => {
    const card = cardPass();
    expect(parseRideCode(card.code)).toEqual({ ok: true, kind: "card", cert: card.bytes });
  });

  test("a trailing line end from the scanner is ignored", () => {
    const card = cardPass();
    expect(parseRideCode(`${card.code}\r\n`)).toMatchObject({ ok: true, kind: "card" });
  });

  test("the wallet builds the same code with its signer, wherever its key lives", async () => {
    const pass = phonePass();
    const code = await createPhoneRideCode(pass.bytes, { counter: 3, time: T0 }, nobleRiderSigner(pass.rider.secretKey));
    expect(code).toBe(phoneCode(pass, 3, T0)); // Ed25519 is deterministic
  });
});

describe("refusals", () => {
  const malformed = (code: string) => parseRideCode(code);

  test.each([
    ["an EMV shop QR", "00020101021126..."],
    ["a URL", "https://example.com/ride"],
    ["an empty scan", ""],
    ["lower-case prefix", "tsbkr1:ABC"],
  ])("%s is foreign", (_, code) => {
    expect(parseRideCode(code)).toMatchObject({ ok: false, code: "ride_code_foreign" });
  });

  test("our family with something wrong is malformed", () => {
    const pass = phonePass();
    const phone = phoneCode(pass, 1);
    const card = cardPass();
    const body = phone.slice(RIDE_CODE_PREFIX.length);
    const cases: [string, string][] = [
      ["TSBKR2:" + body, "unsupported ride code version"],
      [RIDE_CODE_PREFIX + body.slice(0, -3), "unexpected length 192"],
      [RIDE_CODE_PREFIX + body + "000", "unexpected length 196"],
      [RIDE_CODE_PREFIX + body.slice(0, -2), "not base45"], // 289 characters: a lone character at the end
      [RIDE_CODE_PREFIX + body.toLowerCase(), "not base45"],
      [phone + "X".repeat(300), "too long"],
      // A phone certificate without its tap would let a photo ride as a card.
      [encodeRideCode({ kind: "card", cert: pass.bytes }), "a phone certificate without a tap"],
      [RIDE_CODE_PREFIX + base45Encode(new Uint8Array([...card.bytes, ...new Uint8Array(72)])), "a card certificate with a tap"],
    ];
    for (const [code, detail] of cases) expect(malformed(code), detail).toEqual({ ok: false, code: "ride_code_malformed", detail });
  });
});
