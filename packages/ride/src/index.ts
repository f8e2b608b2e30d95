// The public entry of @tsubaki/ride: the pure core of offline bus fares — allowance certificates, signed taps,
// ride codes, fares, the terminal's decision at the door, its durable outbox, and the server's settlement.
// Runs in browsers, Node and Workers (no Node built-ins, no DOM; IndexedDB is passed in).

export { AssertionError, assert, assertUnreachable } from "./assert";
export { BASE45_ALPHABET, base45Decode, base45Encode, base45Length } from "./codec/base45";

export * from "./certificate/limits";
export {
  ALLOWANCE_ID_BYTES,
  CERT_BODY_BYTES,
  CERT_BYTES,
  CERT_DOMAIN,
  CERT_TAPS_LAYOUT_MAX,
  CERT_TOTAL_YEN_LAYOUT_MAX,
  CERT_VERSION,
  FARE_CLASSES,
  KID_MAX,
  PUBLIC_KEY_BYTES,
  SIGNATURE_BYTES,
  allowanceIdBytes,
  certCardFlag,
  certCodePrecedence,
  checkCertificateFields,
  decodeCertificate,
  isAllowanceId,
  issueCertificate,
  newAllowanceId,
  verifyCertificate,
  verifyEd25519,
  type Certificate,
  type CertErrorCode,
  type CertFieldCheck,
  type CertResult,
  type FareClass,
} from "./certificate/certificate";
export {
  generateIssuerKey,
  issueWithKeySet,
  issuerPublicKeys,
  newIssuerKeySet,
  rotateIssuerKeySet,
  type IssuerKey,
  type IssuerKeySet,
} from "./certificate/keys";

export {
  RIDE_CODE_RENEW_SECONDS,
  TAP_BYTES,
  TAP_DOMAIN,
  encodeTap,
  generateRiderKey,
  isTap,
  nobleRiderSigner,
  signTap,
  signTapWith,
  tapMessage,
  verifyTap,
  webCryptoRiderSigner,
  type Ed25519Subtle,
  type RiderKey,
  type RiderSigner,
  type Tap,
} from "./tap/tap";
export {
  CARD_RIDE_CODE_BYTES,
  CARD_RIDE_CODE_CHARS,
  PHONE_RIDE_CODE_BYTES,
  PHONE_RIDE_CODE_CHARS,
  RIDE_CODE_CHARS_MAX,
  RIDE_CODE_FAMILY,
  RIDE_CODE_PREFIX,
  createPhoneRideCode,
  encodeRideCode,
  parseRideCode,
  type RideCode,
  type RideCodeErrorCode,
  type RideCodeParseResult,
} from "./ride-code/ride-code";

export * from "./fares/fares";

export { doorCodePrecedence, type DoorCode, type DoorRefusalCode } from "./terminal/codes";
export { DOOR_MESSAGES, type DoorMessage } from "./terminal/messages";
export * from "./terminal/record";
export { emptySeen, rememberTap, seenFromRecords, type SeenState } from "./terminal/seen";
export {
  DOUBLE_SCAN_WINDOW_SECONDS_MAX,
  FRESHNESS_SECONDS_MAX,
  decideTap,
  defaultTerminalConfig,
  type DenyList,
  type TapDecision,
  type TapInput,
  type TerminalConfig,
  type TerminalIdentity,
} from "./terminal/decide";

export * from "./outbox/outbox";
export * from "./outbox/store";
export * from "./outbox/sync";
export {
  IdbTransactionError,
  TAP_DB_NAME,
  TAP_DB_VERSION,
  createTapStore,
  type IdbCursorLike,
  type IdbDatabaseLike,
  type IdbFactoryLike,
  type IdbIndexLike,
  type IdbObjectStoreLike,
  type IdbOpenRequestLike,
  type IdbRequestLike,
  type IdbTransactionLike,
} from "./idb";

export * from "./settle/verify";
export * from "./settle/plan-sync";
