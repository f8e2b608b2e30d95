// Fixtures shared by the ride tests: one issuer key set, riders with device keys, certificates and ride codes
// at a fixed clock, so every expectation can be exact.
import {
  ALLOWANCE_TOTAL_YEN_DEFAULT,
  allowanceIdBytes,
  defaultFareTable,
  emptySeen,
  encodeRideCode,
  generateRiderKey,
  issueWithKeySet,
  issuerPublicKeys,
  newIssuerKeySet,
  signTap,
  type Certificate,
  type DenyList,
  type IssuerKeySet,
  type RiderKey,
  type TapInput,
} from "../src/index";

/** 2025-04-01T09:00:00+09:00 (00:00 UTC), unix seconds. */
export const T0 = 1_743_465_600;
export const HOUR = 3600;

export const issuerSet: IssuerKeySet = newIssuerKeySet(7);
export const issuerKeys = issuerPublicKeys(issuerSet);
export const fareTable = defaultFareTable("notty");

let nextId = 1;
/** Distinct, readable allowance ids: 000…001, 000…002, … */
export function allowanceId(n = nextId++): string {
  const id = n.toString(16).padStart(24, "0");
  allowanceIdBytes(id);
  return id;
}

export interface PhonePass {
  cert: Certificate;
  bytes: Uint8Array;
  rider: RiderKey;
}

export function phonePass(over: Partial<Omit<Certificate, "kid">> = {}, set: IssuerKeySet = issuerSet): PhonePass {
  const rider = generateRiderKey();
  const fields: Omit<Certificate, "kid"> = {
    v: 1,
    allowanceId: allowanceId(),
    riderPublicKey: rider.publicKey,
    fareClass: "adult",
    maxTotalYen: ALLOWANCE_TOTAL_YEN_DEFAULT,
    maxTaps: 10,
    notBefore: T0 - HOUR,
    notAfter: T0 + 71 * HOUR,
    card: false,
    ...over,
  };
  return { cert: { ...fields, kid: set.current.kid }, bytes: issueWithKeySet(set, fields), rider };
}

export function cardPass(over: Partial<Omit<Certificate, "kid">> = {}, set: IssuerKeySet = issuerSet): { cert: Certificate; bytes: Uint8Array; code: string } {
  const fields: Omit<Certificate, "kid"> = {
    v: 1,
    allowanceId: allowanceId(),
    riderPublicKey: new Uint8Array(32),
    fareClass: "adult",
    maxTotalYen: 300,
    maxTaps: 4,
    notBefore: T0 - 30 * 86_400,
    notAfter: T0 + 300 * 86_400,
    card: true,
    ...over,
  };
  const bytes = issueWithKeySet(set, fields);
  return { cert: { ...fields, kid: set.current.kid }, bytes, code: encodeRideCode({ kind: "card", cert: bytes }) };
}

/** The text a phone shows for ride `counter` rendered at `time`. */
export function phoneCode(pass: PhonePass, counter: number, time = T0): string {
  const tap = { counter, time };
  return encodeRideCode({ kind: "phone", cert: pass.bytes, tap, sig: signTap(pass.cert.allowanceId, tap, pass.rider.secretKey) });
}

export const freshDenyList = (now = T0): DenyList => ({ entries: new Set(), updatedAt: now - 60 });

/** A door input with everything fresh and empty; override what the test is about. */
export function door(code: string, over: Partial<TapInput> = {}): TapInput {
  return {
    code,
    now: T0,
    issuerKeys,
    denyList: freshDenyList(),
    seen: emptySeen(),
    fareTable,
    terminal: { terminalId: "bus-1", nextLocalSeq: 1 },
    ...over,
  };
}
