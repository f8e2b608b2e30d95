// The ride code is the text in the QR a rider shows at the door: a phone's renews every ~30 s and carries a
// signed tap; a card's is printed once and carries the certificate only.
//
//   phone: "TSBKR1:" + base45(certificate (122) ‖ counter u32 ‖ time u32 ‖ tap signature (64))  = 194 bytes
//   card:  "TSBKR1:" + base45(certificate (122))                                                 = 122 bytes
//
// Sizes: a phone code is 7 + 291 = 298 characters, a card code 7 + 183 = 190, all in the QR alphanumeric set
// (base45 is that set), so a phone code is a version 10 QR at error correction M (capacity 311) or version 9 at
// L (335); a card is version 8 at M (221). The kind follows from the length and must agree with the
// certificate's card flag: a phone certificate shown without a tap is refused, or a photo of a phone code
// would ride as a "card".
//
// Parsing checks only the envelope; `decideTap` checks the signatures.
import { assert } from "../assert";
import { base45Decode, base45Encode, base45Length } from "../codec/base45";
import { concatBytes, ByteReader } from "../codec/bytes";
import { CERT_BYTES, certCardFlag, decodeCertificate, SIGNATURE_BYTES } from "../certificate/certificate";
import { encodeTap, isTap, signTapWith, TAP_BYTES, type RiderSigner, type Tap } from "../tap/tap";

/** "TSBKR" names the family (Tsubaki ride), "1" the envelope version. */
export const RIDE_CODE_FAMILY = "TSBKR";
export const RIDE_CODE_PREFIX = `${RIDE_CODE_FAMILY}1:`;
export const PHONE_RIDE_CODE_BYTES = CERT_BYTES + TAP_BYTES + SIGNATURE_BYTES;
export const CARD_RIDE_CODE_BYTES = CERT_BYTES;
export const PHONE_RIDE_CODE_CHARS = RIDE_CODE_PREFIX.length + base45Length(PHONE_RIDE_CODE_BYTES);
export const CARD_RIDE_CODE_CHARS = RIDE_CODE_PREFIX.length + base45Length(CARD_RIDE_CODE_BYTES);
/** Scanned text longer than this is refused before any decoding (a bound on work per scan). */
export const RIDE_CODE_CHARS_MAX = 512;

export type RideCode =
  | { kind: "phone"; cert: Uint8Array; tap: Tap; sig: Uint8Array }
  | { kind: "card"; cert: Uint8Array };

export type RideCodeErrorCode = "ride_code_malformed" | "ride_code_foreign";

export type RideCodeParseResult = ({ ok: true } & RideCode) | { ok: false; code: RideCodeErrorCode; detail: string };

export function encodeRideCode(code: RideCode): string {
  assert(code.cert.length === CERT_BYTES, "ride code certificate length");
  if (code.kind === "card") return RIDE_CODE_PREFIX + base45Encode(code.cert);
  assert(isTap(code.tap) && code.sig.length === SIGNATURE_BYTES, "ride code tap");
  return RIDE_CODE_PREFIX + base45Encode(concatBytes(code.cert, encodeTap(code.tap), code.sig));
}

/** What the wallet renders every RIDE_CODE_RENEW_SECONDS: a fresh tap signed by the device key. */
export async function createPhoneRideCode(cert: Uint8Array, tap: Tap, signer: RiderSigner): Promise<string> {
  const decoded = decodeCertificate(cert);
  assert(decoded.ok && !decoded.cert.card, "createPhoneRideCode needs a phone certificate");
  const sig = await signTapWith(decoded.cert.allowanceId, tap, signer);
  return encodeRideCode({ kind: "phone", cert, tap, sig });
}

export function parseRideCode(text: string): RideCodeParseResult {
  const malformed = (detail: string): RideCodeParseResult => ({ ok: false, code: "ride_code_malformed", detail });
  if (typeof text !== "string" || !text.startsWith(RIDE_CODE_FAMILY)) {
    return { ok: false, code: "ride_code_foreign", detail: "not a Tsubaki ride code" };
  }
  if (text.length > RIDE_CODE_CHARS_MAX) return malformed("too long");
  // Some scanners append a line end; CR and LF are outside base45, so stripping them loses nothing.
  const trimmed = text.replace(/[\r\n]+$/, "");
  if (!trimmed.startsWith(RIDE_CODE_PREFIX)) return malformed("unsupported ride code version");
  const bytes = base45Decode(trimmed.slice(RIDE_CODE_PREFIX.length));
  if (!bytes) return malformed("not base45");
  if (bytes.length !== PHONE_RIDE_CODE_BYTES && bytes.length !== CARD_RIDE_CODE_BYTES) return malformed(`unexpected length ${bytes.length}`);
  const cert = bytes.slice(0, CERT_BYTES);
  // The card flag sits in the signed body; if the rest of the certificate is broken, verification says so.
  const cardFlag = certCardFlag(cert);
  if (bytes.length === CARD_RIDE_CODE_BYTES) {
    if (!cardFlag) return malformed("a phone certificate without a tap");
    return { ok: true, kind: "card", cert };
  }
  if (cardFlag) return malformed("a card certificate with a tap");
  const r = new ByteReader(bytes.subarray(CERT_BYTES));
  const tap = { counter: r.u32(), time: r.u32() };
  const sig = r.raw(SIGNATURE_BYTES);
  return { ok: true, kind: "phone", cert, tap, sig };
}
