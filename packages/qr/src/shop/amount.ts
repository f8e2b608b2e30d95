// Yen amounts in a Tsubaki QR follow stricter rules than EMV's: JPY has no minor unit, and one canonical
// spelling per amount means a cashier, a wallet and the server can never read the same QR differently.

/** The largest amount a single QR may request: ¥10,000,000. */
export const SHOP_QR_AMOUNT_YEN_MAX = 10_000_000;

/**
 * Why a yen amount is refused (the `detail` of `amount_invalid`):
 * - amount_not_integer: has a decimal point or fraction ("550.00", "5.5", "550.", 5.5, NaN, Infinity)
 * - amount_not_canonical: digits with a leading zero ("0550") — EMV allows it, we don't
 * - amount_not_positive: zero or negative (0, "0", -1)
 * - amount_too_large: over SHOP_QR_AMOUNT_YEN_MAX
 * - amount_missing: a dynamic QR (01 = "12") without 54
 * - amount_in_static_qr: a static QR (01 = "11") with 54 — the payer types the amount
 * Text that is not even an EMV amount ("-1", "1e3", "") is refused earlier by parseMpm as
 * qr_invalid / amount_invalid / amount_format.
 */
export type YenAmountRejection =
  | "amount_not_integer"
  | "amount_not_canonical"
  | "amount_not_positive"
  | "amount_too_large"
  | "amount_missing"
  | "amount_in_static_qr";

/** Checks an amount given as a number (what a cashier typed, after the app parsed it). */
export function checkAmountYen(amountYen: number): YenAmountRejection | null {
  if (!Number.isInteger(amountYen)) return "amount_not_integer";
  if (amountYen <= 0) return "amount_not_positive";
  if (amountYen > SHOP_QR_AMOUNT_YEN_MAX) return "amount_too_large";
  return null;
}

const CANONICAL_POSITIVE_INTEGER = /^[1-9][0-9]*$/;

/** Reads field 54 of a Tsubaki QR: `[1-9][0-9]*`, at most ¥10,000,000. */
export function parseAmountYen(text: string): { readonly ok: true; readonly amountYen: number } | { readonly ok: false; readonly rejection: YenAmountRejection } {
  if (text.includes(".")) return { ok: false, rejection: "amount_not_integer" };
  if (/^0+$/.test(text) || text.startsWith("-")) return { ok: false, rejection: "amount_not_positive" };
  if (!CANONICAL_POSITIVE_INTEGER.test(text)) {
    return { ok: false, rejection: /^[0-9]+$/.test(text) ? "amount_not_canonical" : "amount_not_integer" };
  }
  // Number() is exact up to 2^53; anything that long is far over the maximum and refused as too large.
  const amountYen = Number(text);
  const rejection = checkAmountYen(amountYen);
  return rejection ? { ok: false, rejection } : { ok: true, amountYen };
}
