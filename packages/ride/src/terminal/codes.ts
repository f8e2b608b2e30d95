// What the fare terminal can say at the door, and the order in which it checks. The order is part of the
// contract: a code that is wrong in two ways always gets the same answer, and tests walk it one step at a time.
import type { CertErrorCode } from "../certificate/certificate";
import type { RideCodeErrorCode } from "../ride-code/ride-code";

export type DoorRefusalCode =
  | RideCodeErrorCode
  | CertErrorCode
  | "tap_bad_signature"
  | "tap_stale"
  | "tap_replayed"
  | "allowance_denied"
  | "allowance_exhausted"
  | "offline_limit_reached";

/** Not a refusal: the rider has paid on this bus moments ago (the code was read twice). */
export type DoorCode = DoorRefusalCode | "already_paid";

/**
 * Checked in this order; the first failure wins (card codes skip the three tap steps):
 *
 *   1. ride_code_foreign → ride_code_malformed             the envelope (parseRideCode)
 *   2. cert_malformed → cert_unknown_key → cert_bad_signature → cert_not_yet_valid → cert_expired
 *   3. tap_bad_signature                                    phone: the device key signed this tap
 *   4. tap_stale                                            phone: |now − tap.time| ≤ freshnessSeconds
 *   5. already_paid                                         accepted here within doubleScanWindowSeconds
 *   6. tap_replayed                                         phone: counter > the highest accepted here
 *   7. allowance_denied                                     on the deny list
 *   8. allowance_exhausted                                  the certificate's own limits
 *   9. offline_limit_reached                                the lower limits of a stale deny list
 */
export const doorCodePrecedence: readonly DoorCode[] = [
  "ride_code_foreign",
  "ride_code_malformed",
  "cert_malformed",
  "cert_unknown_key",
  "cert_bad_signature",
  "cert_not_yet_valid",
  "cert_expired",
  "tap_bad_signature",
  "tap_stale",
  "already_paid",
  "tap_replayed",
  "allowance_denied",
  "allowance_exhausted",
  "offline_limit_reached",
];
