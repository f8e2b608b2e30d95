// The issuer's allowance policy as named limits (DESIGN §4: "e.g. ¥1,000, ≤ 72 h"; the issue: ≤ 10 taps, a
// card's smaller). They bound what `issueCertificate` will sign; terminals enforce only what a certificate says,
// so the policy can tighten without updating every bus.

/** A phone allowance when the rider does not ask for another amount. */
export const ALLOWANCE_TOTAL_YEN_DEFAULT = 1_000;
/** The most a phone allowance may hold. The layout itself stops at 65,535 (u16). */
export const ALLOWANCE_TOTAL_YEN_MAX = 10_000;
export const ALLOWANCE_TAPS_DEFAULT = 10;
export const ALLOWANCE_TAPS_MAX = 10;
/** A phone certificate lives at most 72 hours (notAfter − notBefore). */
export const ALLOWANCE_SECONDS_MAX = 72 * 3600;

/**
 * Cards can be photocopied and have no device key, so what one card can spend is small, and it is counted per
 * service day (see terminal/limits.ts): ¥300 and 4 taps a day by default and at most.
 */
export const CARD_ALLOWANCE_TOTAL_YEN_MAX = 300;
export const CARD_ALLOWANCE_TAPS_MAX = 4;
/** A printed card's certificate lives at most about a year; a lost card goes on the deny list meanwhile. */
export const CARD_CERT_SECONDS_MAX = 400 * 86_400;
