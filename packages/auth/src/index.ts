// @tsubaki/auth: identity and access, pure. Passwords and PINs (scrypt), access tokens (EdDSA JWTs via jose) and
// their keys, refresh-token rotation, guessing limits, card numbers and PINs, fare-terminal request signatures and
// pairing codes, proxies, the authorization decision, and log redaction. No HTTP framework, no database: the API
// and the identity store in @tsubaki/db call these functions and keep the state.
export * from "./roles";
export * from "./bytes";
export * from "./secret";
export * from "./jwt";
export * from "./refresh";
export * from "./throttle";
export * from "./login";
export * from "./card";
export * from "./device";
export * from "./pairing";
export * from "./ids";
export * from "./proxy";
export * from "./access";
export * from "./organisation";
export * from "./redact";
