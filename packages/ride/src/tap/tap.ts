// A tap is the rider's device saying "allowance A, ride number `counter`, at `time`", signed with the device key
// whose public half is in the certificate. Only the phone signs taps; a card has no key (see terminal/card.ts).
//
// Wire form (inside a phone ride code): counter u32 ‖ time u32 ‖ signature (64), 72 bytes.
// Signed message: TAP_DOMAIN ‖ allowanceId (12 bytes) ‖ counter (u32 BE) ‖ time (u32 BE).
//
// The wallet keeps the device key non-extractable in WebCrypto where the browser supports Ed25519, and as raw
// bytes for @noble/curves in IndexedDB otherwise; both sign the same RFC 8032 way, so a `RiderSigner` hides
// which one is used. The counter must be stored (durably) before a code carrying it is shown: reusing a
// counter with another time is what the server calls a double spend.
import { ed25519 } from "@noble/curves/ed25519.js";
import { assert } from "../assert";
import { ByteWriter, asciiBytes, concatBytes, isUint, UINT32_MAX } from "../codec/bytes";
import { allowanceIdBytes, SIGNATURE_BYTES, verifyEd25519 } from "../certificate/certificate";

export const TAP_DOMAIN = "TSUBAKI/ride/tap/v1\u0000";
export const TAP_BYTES = 8;
/** How often the wallet renders a new code (a new counter and time). */
export const RIDE_CODE_RENEW_SECONDS = 30;

export interface Tap {
  /** uint32, strictly increasing per allowance on the rider's device. */
  counter: number;
  /** Unix seconds on the rider's device when the code was rendered. */
  time: number;
}

export function isTap(tap: Tap): boolean {
  return isUint(tap.counter, UINT32_MAX) && isUint(tap.time, UINT32_MAX);
}

export function encodeTap(tap: Tap): Uint8Array {
  return new ByteWriter(TAP_BYTES).u32(tap.counter).u32(tap.time).done();
}

/** The exact bytes a rider signs for a tap. */
export function tapMessage(allowanceId: string, tap: Tap): Uint8Array {
  assert(isTap(tap), `tap out of range: ${JSON.stringify(tap)}`);
  return concatBytes(asciiBytes(TAP_DOMAIN), allowanceIdBytes(allowanceId), encodeTap(tap));
}

/** Signs with a device key held as bytes (@noble/curves). */
export function signTap(allowanceId: string, tap: Tap, riderSecretKey: Uint8Array): Uint8Array {
  return ed25519.sign(tapMessage(allowanceId, tap), riderSecretKey);
}

export function verifyTap(allowanceId: string, tap: Tap, signature: Uint8Array, riderPublicKey: Uint8Array): boolean {
  if (!isTap(tap) || signature.length !== SIGNATURE_BYTES) return false;
  return verifyEd25519(signature, tapMessage(allowanceId, tap), riderPublicKey);
}

export interface RiderKey {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

/** A device key as bytes, for browsers without WebCrypto Ed25519. */
export function generateRiderKey(): RiderKey {
  return ed25519.keygen();
}

/** Signs a message with the rider's device key, wherever that key lives. */
export type RiderSigner = (message: Uint8Array) => Promise<Uint8Array>;

export function nobleRiderSigner(secretKey: Uint8Array): RiderSigner {
  return async (message) => ed25519.sign(message, secretKey);
}

/**
 * The part of WebCrypto's SubtleCrypto used here, typed structurally so this file compiles without the DOM
 * library: browsers pass `crypto.subtle`, and `privateKey` is a non-extractable Ed25519 CryptoKey.
 */
export interface Ed25519Subtle {
  sign(algorithm: { name: "Ed25519" }, key: never, data: Uint8Array<ArrayBuffer>): Promise<ArrayBuffer>;
}

export function webCryptoRiderSigner(subtle: Ed25519Subtle, privateKey: unknown): RiderSigner {
  return async (message) => {
    const signature = new Uint8Array(await subtle.sign({ name: "Ed25519" }, privateKey as never, new Uint8Array(message)));
    assert(signature.length === SIGNATURE_BYTES, "WebCrypto Ed25519 signature length");
    return signature;
  };
}

export async function signTapWith(allowanceId: string, tap: Tap, signer: RiderSigner): Promise<Uint8Array> {
  return signer(tapMessage(allowanceId, tap));
}
