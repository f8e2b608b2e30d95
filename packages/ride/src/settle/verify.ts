// The server's own check of a tap a terminal sent: a terminal is a witness, not an authority, so every phone
// tap is verified again against the rider's signature, and every record must agree with the ride code it
// carries. The certificate is checked at the tap's time (a tap synced after the certificate lapsed still
// counts); the server passes every issuer key it has ever used, not only the current pair.
import { sha256 } from "@noble/hashes/sha2.js";
import { asciiBytes, concatBytes, toHex } from "../codec/bytes";
import { verifyCertificate, type Certificate } from "../certificate/certificate";
import { parseRideCode } from "../ride-code/ride-code";
import { tapMessage, verifyTap } from "../tap/tap";
import type { DoorRefusalCode } from "../terminal/codes";
import { cardTapId, phoneTapId, type TapRecord } from "../terminal/record";

export interface VerifiedTap {
  record: TapRecord;
  cert: Certificate;
  /** Hex SHA-256 of what identifies the ride: equal hashes under one tap id are the same ride sent again. */
  tapHash: string;
}

export type SyncedTapCheck = { ok: true; tap: VerifiedTap } | { ok: false; code: DoorRefusalCode | "record_mismatch"; detail: string };

const CARD_TAP_DOMAIN = "TSUBAKI/ride/card-tap/v1\u0000";

/**
 * Phone: the signed message itself (allowance, counter, time). Card: the terminal's stamp (allowance, terminal,
 * localSeq, time). The fare is deliberately left out: a resend is the same ride even if a terminal bug changed it.
 */
export function tapHash(record: TapRecord): string {
  if (record.kind === "phone") return toHex(sha256(tapMessage(record.allowanceId, { counter: record.counter, time: record.time })));
  const stamp = `${record.allowanceId}\u0000${record.terminalId}\u0000${record.localSeq}\u0000${record.time}`;
  return toHex(sha256(concatBytes(asciiBytes(CARD_TAP_DOMAIN), asciiBytes(stamp))));
}

/**
 * The two signature checks, replaceable by a server that verifies many taps at once (a certificate cache, a
 * batch of platform Ed25519 verifications done beforehand). Each must give exactly the answer of the default.
 */
export interface SyncedTapVerifiers {
  verifyCertificate: typeof verifyCertificate;
  verifyTap: typeof verifyTap;
}

const defaultVerifiers: SyncedTapVerifiers = { verifyCertificate, verifyTap };

/** `terminalId` is the authenticated sender (from the request signature), not what the record claims. */
export function verifySyncedTap(record: TapRecord, issuerKeys: ReadonlyMap<number, Uint8Array>, terminalId: string, verifiers: SyncedTapVerifiers = defaultVerifiers): SyncedTapCheck {
  const mismatch = (detail: string): SyncedTapCheck => ({ ok: false, code: "record_mismatch", detail });
  if (record.terminalId !== terminalId) return mismatch(`tap from ${record.terminalId} sent by ${terminalId}`);
  const code = parseRideCode(record.rideCode);
  if (!code.ok) return { ok: false, code: code.code, detail: code.detail };
  if (code.kind !== record.kind) return mismatch(`a ${code.kind} code recorded as ${record.kind}`);
  const verified = verifiers.verifyCertificate(code.cert, issuerKeys, record.time);
  if (!verified.ok) return { ok: false, code: verified.code, detail: verified.detail };
  const { cert } = verified;
  if (cert.allowanceId !== record.allowanceId || cert.fareClass !== record.fareClass) return mismatch("allowance or fare class differs from the certificate");
  if (code.kind === "phone") {
    if (!verifiers.verifyTap(cert.allowanceId, code.tap, code.sig, cert.riderPublicKey)) return { ok: false, code: "tap_bad_signature", detail: "rider signature" };
    if (code.tap.counter !== record.counter || code.tap.time !== record.time) return mismatch("counter or time differs from the signed tap");
    if (record.tapId !== phoneTapId(cert.allowanceId, record.counter)) return mismatch("tap id");
  } else {
    if (record.counter !== record.localSeq || record.tapId !== cardTapId(cert.allowanceId, record.terminalId, record.localSeq)) return mismatch("card tap id");
  }
  return { ok: true, tap: { record, cert, tapHash: tapHash(record) } };
}
