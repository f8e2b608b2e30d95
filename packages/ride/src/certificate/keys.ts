// Issuer keys and their rotation. The server signs with the current key; terminals accept the current and the
// previous one, so a certificate issued just before a rotation stays good for its whole life.
//
// Rule: rotate no more often than the longest certificate lifetime (a card's, limits.ts), or reissue the cards
// signed two keys ago. Kids count up modulo 256; a kid may be reused only long after its key was retired,
// which the once-a-lifetime rule guarantees (256 rotations).
import { ed25519 } from "@noble/curves/ed25519.js";
import { assert } from "../assert";
import { isUint } from "../codec/bytes";
import { issueCertificate, KID_MAX, type Certificate } from "./certificate";

export interface IssuerKey {
  kid: number;
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

export interface IssuerKeySet {
  current: IssuerKey;
  previous: IssuerKey | null;
}

export function generateIssuerKey(kid = 0): IssuerKey {
  assert(isUint(kid, KID_MAX), `kid must be 0..${KID_MAX}`);
  const { secretKey, publicKey } = ed25519.keygen();
  return { kid, secretKey, publicKey };
}

export function newIssuerKeySet(kid = 0): IssuerKeySet {
  return { current: generateIssuerKey(kid), previous: null };
}

/** The next key becomes current and the current one previous; the old previous is retired. */
export function rotateIssuerKeySet(set: IssuerKeySet, next: IssuerKey = generateIssuerKey((set.current.kid + 1) % (KID_MAX + 1))): IssuerKeySet {
  assert(next.kid !== set.current.kid, "a rotated key needs a new kid");
  return { current: next, previous: set.current };
}

/** What terminals are given: public keys by kid (current and previous). */
export function issuerPublicKeys(set: IssuerKeySet): Map<number, Uint8Array> {
  const keys = new Map<number, Uint8Array>([[set.current.kid, set.current.publicKey]]);
  if (set.previous) keys.set(set.previous.kid, set.previous.publicKey);
  return keys;
}

/** Issues with the current key, filling in its kid. */
export function issueWithKeySet(set: IssuerKeySet, fields: Omit<Certificate, "kid">): Uint8Array {
  return issueCertificate({ ...fields, kid: set.current.kid }, set.current.secretKey);
}
