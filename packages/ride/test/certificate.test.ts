// Allowance certificates: the fixed layout, issuer signatures, key rotation and validity boundaries. A
// terminal must refuse any certificate that differs from what the issuer signed by even one bit.
import { describe, expect, test } from "vitest";
import {
  AssertionError,
  CERT_BODY_BYTES,
  CERT_BYTES,
  certCodePrecedence,
  checkCertificateFields,
  decodeCertificate,
  issueCertificate,
  issuerPublicKeys,
  newAllowanceId,
  newIssuerKeySet,
  rotateIssuerKeySet,
  verifyCertificate,
  issueWithKeySet,
  generateIssuerKey,
  type Certificate,
} from "../src/index";
import { allowanceId, cardPass, HOUR, issuerKeys, issuerSet, phonePass, T0 } from "./helpers";

describe("layout", () => {
  test("a certificate is 122 bytes: a 58-byte body and a 64-byte Ed25519 signature", () => {
    const pass = phonePass();
    expect(CERT_BODY_BYTES).toBe(58);
    expect(pass.bytes.length).toBe(CERT_BYTES);
    expect(CERT_BYTES).toBe(122);
  });

  test("fields sit at their documented offsets, big-endian", () => {
    const id = "0123456789abcdef01234567";
    const pass = phonePass({ allowanceId: id, fareClass: "disability", maxTotalYen: 1000, maxTaps: 10, notBefore: 0x01020304, notAfter: 0x01020305 + 3600 });
    const b = pass.bytes;
    expect(b[0]).toBe(1);
    expect(b[1]).toBe(issuerSet.current.kid);
    expect([...b.subarray(2, 14)]).toEqual([0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67]);
    expect([...b.subarray(14, 46)]).toEqual([...pass.rider.publicKey]);
    expect(b[46]).toBe(3); // disability, not a card
    expect([b[47], b[48]]).toEqual([0x03, 0xe8]);
    expect(b[49]).toBe(10);
    expect([...b.subarray(50, 54)]).toEqual([1, 2, 3, 4]);
    expect(cardPass().bytes[46]).toBe(0b100); // adult card
  });

  test("decoding gives back exactly the fields that were issued", () => {
    for (const fareClass of ["adult", "child", "preschool", "disability"] as const) {
      const pass = phonePass({ fareClass });
      expect(decodeCertificate(pass.bytes)).toEqual({ ok: true, cert: pass.cert });
    }
    const card = cardPass({ fareClass: "child" });
    expect(decodeCertificate(card.bytes)).toEqual({ ok: true, cert: card.cert });
  });

  test("allowance ids are 24 lower-case hex characters (96 random bits)", () => {
    expect(newAllowanceId()).toMatch(/^[0-9a-f]{24}$/);
    expect(newAllowanceId()).not.toBe(newAllowanceId());
  });
});

describe("verification", () => {
  test("a fresh certificate verifies and yields its fields", () => {
    const pass = phonePass();
    expect(verifyCertificate(pass.bytes, issuerKeys, T0)).toEqual({ ok: true, cert: pass.cert });
  });

  test("flipping any bit of any byte is refused (never ok)", () => {
    const pass = phonePass();
    for (let i = 0; i < CERT_BYTES; i++) {
      for (const mask of [0x01, 0x80, 0xff]) {
        const tampered = pass.bytes.slice();
        tampered[i]! ^= mask;
        const result = verifyCertificate(tampered, issuerKeys, T0);
        expect(result.ok, `byte ${i} ^ ${mask}`).toBe(false);
      }
    }
  });

  test("tampering gives the first failing check: version and flags → malformed, kid → unknown key, the rest → bad signature", () => {
    const pass = phonePass();
    const flip = (i: number, mask = 1) => {
      const b = pass.bytes.slice();
      b[i]! ^= mask;
      const r = verifyCertificate(b, issuerKeys, T0);
      return r.ok ? "ok" : r.code;
    };
    expect(flip(0)).toBe("cert_malformed");
    expect(flip(1)).toBe("cert_unknown_key");
    expect(flip(46, 0b1000)).toBe("cert_malformed"); // a reserved bit
    expect(flip(46, 0b100)).toBe("cert_malformed"); // phone → card with a device key
    expect(flip(46, 0b1)).toBe("cert_bad_signature"); // adult → child
    expect(flip(47, 0x10)).toBe("cert_bad_signature"); // more yen
    expect(flip(49)).toBe("cert_bad_signature"); // more taps
    expect(flip(57)).toBe("cert_bad_signature"); // later expiry
    expect(flip(100)).toBe("cert_bad_signature"); // the signature itself
  });

  test("wrong lengths are malformed", () => {
    const pass = phonePass();
    expect(verifyCertificate(pass.bytes.subarray(0, 121), issuerKeys, T0)).toMatchObject({ ok: false, code: "cert_malformed" });
    expect(verifyCertificate(new Uint8Array([...pass.bytes, 0]), issuerKeys, T0)).toMatchObject({ ok: false, code: "cert_malformed" });
    expect(verifyCertificate(new Uint8Array(0), issuerKeys, T0)).toMatchObject({ ok: false, code: "cert_malformed" });
  });

  test("a certificate signed by another key under a known kid is a bad signature", () => {
    const impostor = { current: generateIssuerKey(issuerSet.current.kid), previous: null };
    const forged = issueWithKeySet(impostor, { ...phonePass().cert });
    expect(verifyCertificate(forged, issuerKeys, T0)).toMatchObject({ ok: false, code: "cert_bad_signature" });
  });

  test("a kid the terminal does not hold is an unknown key", () => {
    const other = newIssuerKeySet(200);
    const pass = phonePass({}, other);
    expect(verifyCertificate(pass.bytes, issuerKeys, T0)).toMatchObject({ ok: false, code: "cert_unknown_key" });
  });

  test("validity is notBefore ≤ now < notAfter", () => {
    const pass = phonePass({ notBefore: T0, notAfter: T0 + 72 * HOUR });
    const at = (now: number) => {
      const r = verifyCertificate(pass.bytes, issuerKeys, now);
      return r.ok ? "ok" : r.code;
    };
    expect(at(T0 - 1)).toBe("cert_not_yet_valid");
    expect(at(T0)).toBe("ok");
    expect(at(T0 + 72 * HOUR - 1)).toBe("ok");
    expect(at(T0 + 72 * HOUR)).toBe("cert_expired");
  });

  test("codes follow the documented precedence", () => {
    expect(certCodePrecedence).toEqual(["cert_malformed", "cert_unknown_key", "cert_bad_signature", "cert_not_yet_valid", "cert_expired"]);
    // Both unknown key and expired: the key check comes first.
    const pass = phonePass({ notBefore: T0 - 10 * HOUR, notAfter: T0 - HOUR }, newIssuerKeySet(201));
    expect(verifyCertificate(pass.bytes, issuerKeys, T0)).toMatchObject({ code: "cert_unknown_key" });
  });
});

describe("rotation", () => {
  test("after a rotation the previous key still verifies, and after two it does not", () => {
    let set = newIssuerKeySet(254);
    const old = phonePass({}, set);
    set = rotateIssuerKeySet(set);
    expect(set.current.kid).toBe(255);
    const fresh = phonePass({}, set);
    expect(verifyCertificate(old.bytes, issuerPublicKeys(set), T0).ok).toBe(true);
    expect(verifyCertificate(fresh.bytes, issuerPublicKeys(set), T0).ok).toBe(true);
    set = rotateIssuerKeySet(set);
    expect(set.current.kid).toBe(0); // kids wrap modulo 256
    expect([...issuerPublicKeys(set).keys()].sort()).toEqual([0, 255]);
    expect(verifyCertificate(old.bytes, issuerPublicKeys(set), T0)).toMatchObject({ ok: false, code: "cert_unknown_key" });
    expect(verifyCertificate(fresh.bytes, issuerPublicKeys(set), T0).ok).toBe(true);
  });
});

describe("issuer policy", () => {
  const base = (): Certificate => ({ ...phonePass().cert });

  test.each([
    ["maxTotalYen", { maxTotalYen: 10_001 }],
    ["maxTotalYen", { maxTotalYen: 0 }],
    ["maxTotalYen", { maxTotalYen: 99.5 }],
    ["maxTaps", { maxTaps: 11 }],
    ["notAfter", { notBefore: T0, notAfter: T0 + 72 * HOUR + 1 }],
    ["notAfter", { notBefore: T0, notAfter: T0 }],
    ["allowanceId", { allowanceId: "ABCDEF0123456789ABCDEF01" }],
    ["kid", { kid: 256 }],
    ["riderPublicKey", { riderPublicKey: new Uint8Array(31) }],
    ["riderPublicKey", { riderPublicKey: new Uint8Array(32) }],
    ["fareClass", { fareClass: "senior" as never }],
  ] as const)("%s out of policy is refused: %j", (field, over) => {
    expect(checkCertificateFields({ ...base(), ...over })).toMatchObject({ ok: false, code: "cert_field_invalid", field });
  });

  test("72 hours, ¥10,000 and 10 taps are the phone maxima; a card's are ¥300 and 4 taps", () => {
    expect(checkCertificateFields({ ...base(), notBefore: T0, notAfter: T0 + 72 * HOUR, maxTotalYen: 10_000, maxTaps: 10 })).toEqual({ ok: true });
    const card = cardPass().cert;
    expect(checkCertificateFields(card)).toEqual({ ok: true });
    expect(checkCertificateFields({ ...card, maxTotalYen: 301 })).toMatchObject({ ok: false, field: "maxTotalYen" });
    expect(checkCertificateFields({ ...card, maxTaps: 5 })).toMatchObject({ ok: false, field: "maxTaps" });
    expect(checkCertificateFields({ ...card, riderPublicKey: phonePass().rider.publicKey })).toMatchObject({ ok: false, field: "riderPublicKey" });
  });

  test("issuing outside the policy is a bug in the caller", () => {
    expect(() => issueCertificate({ ...base(), maxTaps: 11 }, issuerSet.current.secretKey)).toThrow(AssertionError);
    expect(allowanceId()).toMatch(/^[0-9a-f]{24}$/);
  });
});
