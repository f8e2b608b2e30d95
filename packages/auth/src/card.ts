// Printed QR cards for residents without a smartphone: a 16-digit number with a Luhn check digit (so a mistyped
// number is caught before any lookup) and a 4–6 digit PIN checked on the server. Five wrong PINs in a row lock
// the card until an administrator unlocks it (a card can be stolen with its owner's habits known; a timed unlock
// would give a thief five more guesses a day).
import { randomBytes } from "./bytes";

/** ISO/IEC 7812: major industry identifier 9 (national use) + 392, Japan's numeric country code. */
export const cardNumberPrefix = "9392";
export const cardNumberDigits = 16;
export const pinDigitsMin = 4;
export const pinDigitsMax = 6;
/** Wrong PINs in a row that lock the card. */
export const pinAttemptsMax = 5;

/** The Luhn check digit for a string of digits (the digit that would be appended). */
export function luhnCheckDigit(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

function randomDigits(count: number): string {
  let out = "";
  while (out.length < count) {
    // Rejection sampling: bytes ≥ 250 would bias the digits.
    for (const b of randomBytes(count)) if (b < 250 && out.length < count) out += String(b % 10);
  }
  return out;
}

export function newCardNumber(): string {
  const body = cardNumberPrefix + randomDigits(cardNumberDigits - cardNumberPrefix.length - 1);
  return body + luhnCheckDigit(body);
}

/** Digits only, from what a clerk typed or a scanner read (spaces, hyphens and full-width digits allowed); else null. */
export function normalizeCardNumber(input: string): string | null {
  if (typeof input !== "string" || input.length > 64) return null;
  const digits = input.normalize("NFKC").replace(/[\s-]/g, "");
  return /^\d+$/.test(digits) ? digits : null;
}

export function isValidCardNumber(input: string): boolean {
  const n = normalizeCardNumber(input);
  return n !== null && n.length === cardNumberDigits && n.startsWith(cardNumberPrefix) && luhnCheckDigit(n.slice(0, -1)) === n.slice(-1);
}

/** "9392 1234 5678 9012", for printing. */
export function formatCardNumber(number: string): string {
  return number.replace(/(\d{4})(?=\d)/g, "$1 ");
}

export type PinFormatResult = { ok: true; pin: string } | { ok: false; code: "pin_format" | "pin_too_simple"; detail: string };

function isStep(pin: string, step: 1 | -1): boolean {
  for (let i = 1; i < pin.length; i++) {
    if ((pin.charCodeAt(i - 1) - 48 + step + 10) % 10 !== pin.charCodeAt(i) - 48) return false;
  }
  return true;
}

/** True when the PIN repeats a block of `period` digits (1111, 1212, 123123). */
function isRepeat(pin: string, period: number): boolean {
  if (pin.length % period !== 0 || pin.length === period) return false;
  return pin === pin.slice(0, period).repeat(pin.length / period);
}

/** Date-shaped PINs a thief tries first when the owner's birthday is known. */
function birthDatePins(birthDate: string): string[] {
  const m = /^(\d{2})(\d{2})-(\d{2})-(\d{2})$/.exec(birthDate);
  if (!m) return [];
  const [, cc, yy, mm, dd] = m as unknown as [string, string, string, string, string];
  return [mm + dd, dd + mm, cc + yy, yy + mm + dd, dd + mm + yy, mm + dd + yy];
}

/**
 * A PIN is 4–6 digits (full-width digits are accepted and normalised). Refused as too simple: one digit repeated
 * (0000), a run up or down (1234, 9876, 7890), a repeated pair or triple (1212, 123123), and — when the holder's
 * birth date (YYYY-MM-DD) is given — MMDD, DDMM, YYYY, YYMMDD, DDMMYY, MMDDYY of it.
 */
export function checkPinFormat(input: string, options: { birthDate?: string } = {}): PinFormatResult {
  const pin = typeof input === "string" ? input.normalize("NFKC") : "";
  if (!/^\d+$/.test(pin) || pin.length < pinDigitsMin || pin.length > pinDigitsMax) {
    return { ok: false, code: "pin_format", detail: `a PIN is ${pinDigitsMin} to ${pinDigitsMax} digits` };
  }
  if (isRepeat(pin, 1) || isStep(pin, 1) || isStep(pin, -1) || isRepeat(pin, 2) || isRepeat(pin, 3)) {
    return { ok: false, code: "pin_too_simple", detail: "the PIN is too easy to guess" };
  }
  if (options.birthDate && birthDatePins(options.birthDate).includes(pin)) {
    return { ok: false, code: "pin_too_simple", detail: "the PIN must not be the holder's birth date" };
  }
  return { ok: true, pin };
}

export interface PinState {
  failures: number;
  locked: boolean;
}

export type PinAttempt =
  | { outcome: "ok"; state: PinState }
  | { outcome: "wrong"; state: PinState; triesLeft: number }
  | { outcome: "locked"; state: PinState };

/** True when a PIN may be checked at all (a locked card is refused without looking at the PIN). */
export function pinCheckAllowed(state: PinState): boolean {
  return !state.locked && state.failures < pinAttemptsMax;
}

/** The card's state after one checked PIN: right resets the count; the fifth wrong one in a row locks. */
export function pinAfterAttempt(state: PinState, correct: boolean): PinAttempt {
  if (!pinCheckAllowed(state)) return { outcome: "locked", state: { failures: state.failures, locked: true } };
  if (correct) return { outcome: "ok", state: { failures: 0, locked: false } };
  const failures = state.failures + 1;
  if (failures >= pinAttemptsMax) return { outcome: "locked", state: { failures, locked: true } };
  return { outcome: "wrong", state: { failures, locked: false }, triesLeft: pinAttemptsMax - failures };
}
