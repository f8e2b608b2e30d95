// The amount keypad's rules, apart from the screen: which keys exist, what each does to the amount, and which
// keyboard keys map to them. An entry that would pass the limit is refused (the amount stays as it was).

export const keypadDigitKeys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "00", "0"] as const;
export type KeypadDigitKey = (typeof keypadDigitKeys)[number];
export type KeypadKey = KeypadDigitKey | "clear" | "backspace";

/** The default limit: the largest amount a shop QR may carry (packages/qr's SHOP_QR_AMOUNT_YEN_MAX is larger). */
export const keypadAmountYenMaxDefault = 9_999_999;

export interface KeypadResult {
  amountYen: number;
  /** True when the key was refused because the amount would pass the limit. */
  refused: boolean;
}

export function applyKeypadKey(amountYen: number, key: KeypadKey, amountYenMax: number = keypadAmountYenMaxDefault): KeypadResult {
  if (!Number.isSafeInteger(amountYen) || amountYen < 0) throw new Error(`BUG: keypad amount ${amountYen}`);
  switch (key) {
    case "clear":
      return { amountYen: 0, refused: false };
    case "backspace":
      return { amountYen: Math.floor(amountYen / 10), refused: false };
    default: {
      const next = Number(`${amountYen}${key}`);
      if (next > amountYenMax) return { amountYen, refused: true };
      return { amountYen: next, refused: false };
    }
  }
}

/** The keypad key for a KeyboardEvent.key, or null when the key is not the keypad's. */
export function keypadKeyFromKeyboard(key: string): KeypadKey | null {
  if (/^[0-9]$/.test(key)) return key as KeypadDigitKey;
  if (key === "Backspace") return "backspace";
  if (key === "Delete" || key === "Escape") return "clear";
  return null;
}
