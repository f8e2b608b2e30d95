// The event check-in QR: a resident scans it at the venue and receives the event campaign's points. It must not be
// forgeable (anyone can print a QR) and a photo of it posted online must not let the whole town check in from home.
//
// Format: `tsubaki-checkin:1:{campaignId}:{slot}:{mac}`
//   slot = floor(unix seconds / checkInSlotSeconds), decimal
//   mac  = base32(HMAC-SHA256(key, "tsubaki-checkin\n1\n{campaignId}\n{slot}")[0..10]), 16 characters (80 bits,
//          as the shop QR signature, with its own key and a domain-separating prefix so neither MAC can stand in
//          for the other)
//
// Why a rotating code rather than a static one with a check-in window: an event runs for hours or days, and a
// static code, however short its window, is valid for all of them once it is photographed. The console shows a
// new code every slot and the server accepts the current and the previous slot only, so a photo shared online
// works for two minutes at most, while a resident who scans as the code changes is not refused. The price is that
// the code is shown on a screen at the venue (a tablet or the console), never printed; the once-per-resident rule,
// the eligibility rule and the budget bound what a leaked code can cost within those two minutes.
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { base32, constantTimeEqual, SHOP_KEY_BYTES_MIN, SHOP_SIGNATURE_BYTES, SHOP_SIGNATURE_CHARS } from "../shop/signature";

export const CHECKIN_PREFIX = "tsubaki-checkin:1:";
/** A code is shown for one slot (the console rotates it) ... */
export const CHECKIN_SLOT_SECONDS = 60;
/** ... and accepted in its own and the next slot: 60 to 120 seconds after it is first shown. */
export const CHECKIN_SLOTS_ACCEPTED = 2;
/** Campaign ids as validateCampaign allows them. */
const campaignIdPattern = /^[a-z0-9_-]{1,32}$/;
/** The longest payload: prefix + id + ":" + slot (≤ 12 digits) + ":" + mac. */
export const CHECKIN_CODE_CHARS_MAX = CHECKIN_PREFIX.length + 32 + 1 + 12 + 1 + SHOP_SIGNATURE_CHARS;

const utf8 = new TextEncoder();

export type CheckInCodeErrorCode = "checkin_code_invalid" | "checkin_code_forged" | "checkin_code_expired";

export type CheckInCodeResult = { ok: true; campaignId: string; slot: number } | { ok: false; code: CheckInCodeErrorCode; detail: string };

/** The slot an instant falls in. */
export function checkInSlotOf(at: Date): number {
  return Math.floor(at.getTime() / 1000 / CHECKIN_SLOT_SECONDS);
}

/** When a slot's code stops being accepted. */
export function checkInSlotExpiresAt(slot: number): Date {
  return new Date((slot + CHECKIN_SLOTS_ACCEPTED) * CHECKIN_SLOT_SECONDS * 1000);
}

function mac(key: Uint8Array, campaignId: string, slot: number): string {
  if (!(key instanceof Uint8Array) || key.length < SHOP_KEY_BYTES_MIN) throw new Error(`BUG: a check-in key has at least ${SHOP_KEY_BYTES_MIN} bytes`);
  return base32(hmac(sha256, key, utf8.encode(`tsubaki-checkin\n1\n${campaignId}\n${slot}`)).subarray(0, SHOP_SIGNATURE_BYTES));
}

/** The code of a campaign for one slot (the console shows it while that slot is current). */
export function encodeCheckInCode(key: Uint8Array, campaignId: string, slot: number): string {
  if (!campaignIdPattern.test(campaignId) || !Number.isSafeInteger(slot) || slot < 0) throw new Error(`BUG: check-in code for ${campaignId} slot ${slot}`);
  return `${CHECKIN_PREFIX}${campaignId}:${slot}:${mac(key, campaignId, slot)}`;
}

/** Whether a scanned text is meant as a check-in code (the wallet's scanner dispatches on it). */
export function isCheckInCode(text: string): boolean {
  return text.startsWith(CHECKIN_PREFIX);
}

/**
 * Checks a scanned code at `at`, in this order: checkin_code_invalid (not our format) → checkin_code_forged (the MAC
 * does not verify under any key; keys are tried in full so timing does not tell which) → checkin_code_expired (a
 * genuine code of a slot no longer accepted, or of a slot not yet begun).
 */
export function verifyCheckInCode(keys: readonly Uint8Array[], text: string, at: Date): CheckInCodeResult {
  if (text.length > CHECKIN_CODE_CHARS_MAX || !isCheckInCode(text)) return { ok: false, code: "checkin_code_invalid", detail: "not a Tsubaki event check-in code" };
  const parts = text.slice(CHECKIN_PREFIX.length).split(":");
  const [campaignId, slotText, signature] = parts;
  if (parts.length !== 3 || !campaignId || !slotText || !signature || !campaignIdPattern.test(campaignId) || !/^\d{1,12}$/.test(slotText) || !/^[A-Z2-7]{16}$/.test(signature)) {
    return { ok: false, code: "checkin_code_invalid", detail: "a check-in code is tsubaki-checkin:1:{campaign}:{slot}:{mac}" };
  }
  const slot = Number(slotText);
  let matched = false;
  for (const key of keys) if (constantTimeEqual(mac(key, campaignId, slot), signature)) matched = true;
  if (!matched) return { ok: false, code: "checkin_code_forged", detail: "this check-in code was not issued by Tsubaki" };
  const current = checkInSlotOf(at);
  if (slot > current || slot <= current - CHECKIN_SLOTS_ACCEPTED) {
    return { ok: false, code: "checkin_code_expired", detail: `the code was shown more than ${CHECKIN_SLOTS_ACCEPTED * CHECKIN_SLOT_SECONDS} seconds ago; scan the code on the screen at the venue` };
  }
  return { ok: true, campaignId, slot };
}
