// The allowance certificate: the issuer's signed statement "allowance A may ride as fare class F, up to Y yen
// and T taps, between two instants, paid by the holder of rider key K" (DESIGN §5). Terminals verify it offline
// with the issuer's public keys only. The encoding is a fixed binary layout so a phone's ride code fits a QR.
//
// Layout v1 — 122 bytes, integers big-endian:
//
//   offset size field
//        0    1 version            = 1
//        1    1 kid                issuer key id, 0..255 (see keys.ts for rotation)
//        2   12 allowanceId        96 random bits chosen by the server; unique (the server's key)
//       14   32 riderPublicKey     Ed25519 public key of the rider's device; 32 zero bytes on a card
//       46    1 classAndFlags      bits 0–1 fare class (0 adult, 1 child, 2 preschool, 3 disability),
//                                  bit 2 card, bits 3–7 zero
//       47    2 maxTotalYen        1..65,535 (issuer policy: limits.ts)
//       49    1 maxTaps            1..255
//       50    4 notBefore          unix seconds; valid when notBefore ≤ now < notAfter
//       54    4 notAfter           unix seconds, > notBefore
//       58   64 signature          Ed25519 by key `kid` over CERT_DOMAIN ‖ bytes[0..58)
//
// The domain prefix keeps an issuer signature from ever being valid as anything else (a tap, a receipt).
import { ed25519 } from "@noble/curves/ed25519.js";
import { randomBytes } from "@noble/hashes/utils.js";
import { assert } from "../assert";
import { ByteReader, ByteWriter, asciiBytes, concatBytes, fromHex, isAllZero, isUint, toHex, UINT32_MAX } from "../codec/bytes";
import {
  ALLOWANCE_SECONDS_MAX,
  ALLOWANCE_TAPS_MAX,
  ALLOWANCE_TOTAL_YEN_MAX,
  CARD_ALLOWANCE_TAPS_MAX,
  CARD_ALLOWANCE_TOTAL_YEN_MAX,
  CARD_CERT_SECONDS_MAX,
} from "./limits";

export const CERT_VERSION = 1;
export const CERT_BODY_BYTES = 58;
export const SIGNATURE_BYTES = 64;
export const CERT_BYTES = CERT_BODY_BYTES + SIGNATURE_BYTES;
export const ALLOWANCE_ID_BYTES = 12;
export const PUBLIC_KEY_BYTES = 32;
export const KID_MAX = 0xff;
export const CERT_TOTAL_YEN_LAYOUT_MAX = 0xffff;
export const CERT_TAPS_LAYOUT_MAX = 0xff;
export const CERT_DOMAIN = "TSUBAKI/ride/cert/v1\u0000";

const CLASS_AND_FLAGS_OFFSET = 46;
const CARD_FLAG = 0b100;
const FARE_CLASS_MASK = 0b11;

/** Index = the 2-bit wire code. Fixed forever for layout v1. */
export const FARE_CLASSES = ["adult", "child", "preschool", "disability"] as const;
export type FareClass = (typeof FARE_CLASSES)[number];

export interface Certificate {
  v: 1;
  kid: number;
  /** 24 lower-case hex characters (12 bytes). */
  allowanceId: string;
  riderPublicKey: Uint8Array;
  fareClass: FareClass;
  maxTotalYen: number;
  maxTaps: number;
  /** Unix seconds. */
  notBefore: number;
  /** Unix seconds (exclusive). */
  notAfter: number;
  card: boolean;
}

export type CertErrorCode = "cert_malformed" | "cert_unknown_key" | "cert_bad_signature" | "cert_not_yet_valid" | "cert_expired";

/** Checked in this order; the first failure wins. */
export const certCodePrecedence: readonly CertErrorCode[] = [
  "cert_malformed",
  "cert_unknown_key",
  "cert_bad_signature",
  "cert_not_yet_valid",
  "cert_expired",
];

export type CertResult = { ok: true; cert: Certificate } | { ok: false; code: CertErrorCode; detail: string };

export type CertFieldCheck = { ok: true } | { ok: false; code: "cert_field_invalid"; field: keyof Certificate; detail: string };

export function isAllowanceId(value: unknown): value is string {
  return typeof value === "string" && fromHex(value, ALLOWANCE_ID_BYTES) !== null;
}

export function allowanceIdBytes(allowanceId: string): Uint8Array {
  const bytes = fromHex(allowanceId, ALLOWANCE_ID_BYTES);
  assert(bytes, `allowance id must be ${ALLOWANCE_ID_BYTES * 2} lower-case hex characters: ${allowanceId}`);
  return bytes;
}

/** A fresh random allowance id (the server still checks it is unused: it is the hold's key). */
export function newAllowanceId(): string {
  return toHex(randomBytes(ALLOWANCE_ID_BYTES));
}

/** A canonical Ed25519 point of large order: small-order keys would let one signature fit many messages. */
function isRiderPublicKey(key: Uint8Array): boolean {
  try {
    return !ed25519.Point.fromBytes(key, false).isSmallOrder();
  } catch {
    return false;
  }
}

/**
 * The issuer's policy check, for the server to run before issuing (a failure is the requester's mistake, e.g. an
 * amount over the limit). `issueCertificate` runs it again and treats a failure as a bug.
 */
export function checkCertificateFields(c: Certificate): CertFieldCheck {
  const bad = (field: keyof Certificate, detail: string): CertFieldCheck => ({ ok: false, code: "cert_field_invalid", field, detail });
  if (c.v !== CERT_VERSION) return bad("v", `version must be ${CERT_VERSION}`);
  if (!isUint(c.kid, KID_MAX)) return bad("kid", `kid must be an integer 0..${KID_MAX}`);
  if (!isAllowanceId(c.allowanceId)) return bad("allowanceId", `${ALLOWANCE_ID_BYTES * 2} lower-case hex characters`);
  if (!(c.riderPublicKey instanceof Uint8Array) || c.riderPublicKey.length !== PUBLIC_KEY_BYTES) {
    return bad("riderPublicKey", `${PUBLIC_KEY_BYTES} bytes`);
  }
  if (c.card && !isAllZero(c.riderPublicKey)) return bad("riderPublicKey", "a card has no device key: 32 zero bytes");
  if (!c.card && !isRiderPublicKey(c.riderPublicKey)) return bad("riderPublicKey", "not a usable Ed25519 public key");
  if (!FARE_CLASSES.includes(c.fareClass)) return bad("fareClass", `one of ${FARE_CLASSES.join(", ")}`);
  const yenMax = c.card ? CARD_ALLOWANCE_TOTAL_YEN_MAX : ALLOWANCE_TOTAL_YEN_MAX;
  if (!isUint(c.maxTotalYen, yenMax) || c.maxTotalYen < 1) return bad("maxTotalYen", `integer 1..${yenMax}`);
  const tapsMax = c.card ? CARD_ALLOWANCE_TAPS_MAX : ALLOWANCE_TAPS_MAX;
  if (!isUint(c.maxTaps, tapsMax) || c.maxTaps < 1) return bad("maxTaps", `integer 1..${tapsMax}`);
  if (!isUint(c.notBefore, UINT32_MAX)) return bad("notBefore", "unix seconds (u32)");
  if (!isUint(c.notAfter, UINT32_MAX) || c.notAfter <= c.notBefore) return bad("notAfter", "unix seconds (u32) after notBefore");
  const secondsMax = c.card ? CARD_CERT_SECONDS_MAX : ALLOWANCE_SECONDS_MAX;
  if (c.notAfter - c.notBefore > secondsMax) return bad("notAfter", `at most ${secondsMax} s after notBefore`);
  return { ok: true };
}

function encodeBody(c: Certificate): Uint8Array {
  const classAndFlags = FARE_CLASSES.indexOf(c.fareClass) | (c.card ? CARD_FLAG : 0);
  return new ByteWriter(CERT_BODY_BYTES)
    .u8(c.v)
    .u8(c.kid)
    .raw(allowanceIdBytes(c.allowanceId), ALLOWANCE_ID_BYTES)
    .raw(c.riderPublicKey, PUBLIC_KEY_BYTES)
    .u8(classAndFlags)
    .u16(c.maxTotalYen)
    .u8(c.maxTaps)
    .u32(c.notBefore)
    .u32(c.notAfter)
    .done();
}

function signedMessage(body: Uint8Array): Uint8Array {
  return concatBytes(asciiBytes(CERT_DOMAIN), body);
}

/** Signs a certificate. Fields that fail `checkCertificateFields` are a bug in the caller (it should have asked). */
export function issueCertificate(fields: Certificate, issuerPrivateKey: Uint8Array): Uint8Array {
  const check = checkCertificateFields(fields);
  assert(check.ok, `issueCertificate: ${check.ok ? "" : `${check.field}: ${check.detail}`} (run checkCertificateFields first)`);
  const body = encodeBody(fields);
  return concatBytes(body, ed25519.sign(signedMessage(body), issuerPrivateKey));
}

/**
 * Reads the layout without checking the signature: for routing (card or phone) and for error messages only.
 * Everything structural a terminal relies on is checked here, so `cert_malformed` always comes first.
 */
export function decodeCertificate(bytes: Uint8Array): CertResult {
  const malformed = (detail: string): CertResult => ({ ok: false, code: "cert_malformed", detail });
  if (!(bytes instanceof Uint8Array) || bytes.length !== CERT_BYTES) return malformed(`expected ${CERT_BYTES} bytes`);
  const r = new ByteReader(bytes);
  const v = r.u8();
  if (v !== CERT_VERSION) return malformed(`unsupported version ${v}`);
  const kid = r.u8();
  const allowanceId = toHex(r.raw(ALLOWANCE_ID_BYTES));
  const riderPublicKey = r.raw(PUBLIC_KEY_BYTES);
  assert(r.position() === CLASS_AND_FLAGS_OFFSET, "certificate layout: class and flags");
  const classAndFlags = r.u8();
  if ((classAndFlags & ~(FARE_CLASS_MASK | CARD_FLAG)) !== 0) return malformed("reserved flag bits set");
  const fareClass = FARE_CLASSES[classAndFlags & FARE_CLASS_MASK]!;
  const card = (classAndFlags & CARD_FLAG) !== 0;
  const maxTotalYen = r.u16();
  const maxTaps = r.u8();
  const notBefore = r.u32();
  const notAfter = r.u32();
  assert(r.position() === CERT_BODY_BYTES, "certificate body layout");
  if (maxTotalYen < 1 || maxTaps < 1) return malformed("zero limit");
  if (notAfter <= notBefore) return malformed("notAfter is not after notBefore");
  if (card !== isAllZero(riderPublicKey)) return malformed(card ? "a card certificate carries a device key" : "no device key");
  return { ok: true, cert: { v: CERT_VERSION, kid, allowanceId, riderPublicKey, fareClass, maxTotalYen, maxTaps, notBefore, notAfter, card } };
}

/** The card bit of a certificate's bytes, read without any other check (ride-code envelope routing). */
export function certCardFlag(bytes: Uint8Array): boolean {
  return ((bytes[CLASS_AND_FLAGS_OFFSET] ?? 0) & CARD_FLAG) !== 0;
}

/** Strict RFC 8032 verification (no ZIP-215 leniency, small-order keys refused); never throws. */
export function verifyEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== SIGNATURE_BYTES || publicKey.length !== PUBLIC_KEY_BYTES) return false;
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

/**
 * The terminal's (and the server's) check of a certificate, in `certCodePrecedence` order. `now` is unix
 * seconds; the server passes the tap's time, so a tap synced after the certificate lapsed still counts.
 */
export function verifyCertificate(bytes: Uint8Array, issuerKeys: ReadonlyMap<number, Uint8Array>, now: number): CertResult {
  const decoded = decodeCertificate(bytes);
  if (!decoded.ok) return decoded;
  const { cert } = decoded;
  const issuerKey = issuerKeys.get(cert.kid);
  if (!issuerKey) return { ok: false, code: "cert_unknown_key", detail: `kid ${cert.kid} is not a current or previous issuer key` };
  const body = bytes.subarray(0, CERT_BODY_BYTES);
  if (!verifyEd25519(bytes.subarray(CERT_BODY_BYTES), signedMessage(body), issuerKey)) {
    return { ok: false, code: "cert_bad_signature", detail: `not signed by issuer key ${cert.kid}` };
  }
  if (now < cert.notBefore) return { ok: false, code: "cert_not_yet_valid", detail: `valid from ${cert.notBefore}` };
  if (now >= cert.notAfter) return { ok: false, code: "cert_expired", detail: `expired at ${cert.notAfter}` };
  return { ok: true, cert };
}
