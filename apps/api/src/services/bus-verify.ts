// Fast verification for a sync batch. A terminal's batch is mostly taps of allowances already seen, and pure
// JavaScript Ed25519 costs milliseconds per check, so: each certificate's signature is checked once and
// remembered (the validity window is still checked at every tap's time), and the riders' tap signatures are
// checked in one go with the platform's Ed25519 (WebCrypto: Node and Workers) before the pure settlement runs.
// Only a "valid" answer from the platform is trusted; anything else falls back to the strict check of
// @tsubaki/ride, so a platform difference can cost time but never accept what the strict check refuses —
// except the RFC 8032 edge cases (small-order or non-canonical points), which need a key the issuer certified.
import {
  decodeCertificate,
  parseRideCode,
  tapMessage,
  verifyCertificate,
  verifyTap,
  type CertResult,
  type SyncedTapVerifiers,
  type TapRecord,
} from "@tsubaki/ride";
import { bytesToHex } from "./bus-keys";

/** Certificates remembered; the map starts over when full (a plain bound, no LRU needed for a cache this cheap). */
const CERT_CACHE_MAX = 100_000;
const RIDER_KEY_CACHE_MAX = 20_000;

type Subtle = {
  importKey(format: "raw", key: Uint8Array, algorithm: { name: "Ed25519" }, extractable: boolean, usages: ["verify"]): Promise<unknown>;
  verify(algorithm: { name: "Ed25519" }, key: unknown, signature: Uint8Array, data: Uint8Array): Promise<boolean>;
};

export function createBatchVerifier(subtle: Subtle | null = (globalThis.crypto?.subtle as unknown as Subtle | undefined) ?? null) {
  const certs = new Map<string, CertResult>();
  const riderKeys = new Map<string, Promise<unknown>>();
  let platform = subtle !== null;

  /** The signature part of a certificate's check, once per certificate; the time checks run every time. */
  function cachedVerifyCertificate(bytes: Uint8Array, issuerKeys: ReadonlyMap<number, Uint8Array>, now: number): CertResult {
    const decoded = decodeCertificate(bytes);
    if (!decoded.ok) return decoded;
    const hex = bytesToHex(bytes);
    let signed = certs.get(hex);
    if (signed === undefined) {
      signed = verifyCertificate(bytes, issuerKeys, decoded.cert.notBefore);
      if (certs.size >= CERT_CACHE_MAX) certs.clear();
      certs.set(hex, signed);
    }
    if (!signed.ok) return signed;
    const { cert } = signed;
    if (now < cert.notBefore) return { ok: false, code: "cert_not_yet_valid", detail: `valid from ${cert.notBefore}` };
    if (now >= cert.notAfter) return { ok: false, code: "cert_expired", detail: `expired at ${cert.notAfter}` };
    return signed;
  }

  function riderKey(publicKey: Uint8Array): Promise<unknown> {
    const hex = bytesToHex(publicKey);
    let key = riderKeys.get(hex);
    if (!key) {
      key = subtle!.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
      if (riderKeys.size >= RIDER_KEY_CACHE_MAX) riderKeys.clear();
      riderKeys.set(hex, key);
    }
    return key;
  }

  /** Checks every phone tap's signature with the platform; returns the verifiers for verifySyncedTap. */
  async function prepare(records: readonly TapRecord[]): Promise<SyncedTapVerifiers> {
    const valid = new Set<string>();
    if (platform) {
      try {
        await Promise.all(
          records.map(async (record) => {
            const code = parseRideCode(record.rideCode);
            if (!code.ok || code.kind !== "phone") return;
            const decoded = decodeCertificate(code.cert);
            if (!decoded.ok) return;
            const { allowanceId, riderPublicKey } = decoded.cert;
            const ok = await subtle!.verify({ name: "Ed25519" }, await riderKey(riderPublicKey), code.sig, tapMessage(allowanceId, code.tap));
            if (ok) valid.add(`${allowanceId}:${code.tap.counter}:${code.tap.time}:${bytesToHex(code.sig)}:${bytesToHex(riderPublicKey)}`);
          }),
        );
      } catch {
        // No Ed25519 in this runtime's WebCrypto: the strict check does it all from now on.
        platform = false;
        valid.clear();
      }
    }
    return {
      verifyCertificate: cachedVerifyCertificate,
      verifyTap: (allowanceId, tap, signature, publicKey) =>
        valid.has(`${allowanceId}:${tap.counter}:${tap.time}:${bytesToHex(signature)}:${bytesToHex(publicKey)}`) || verifyTap(allowanceId, tap, signature, publicKey),
    };
  }

  return { prepare };
}
