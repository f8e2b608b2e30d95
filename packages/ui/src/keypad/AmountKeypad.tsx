// The amount keypad (shop register, "type the amount" after scanning a static shop QR): a large ¥ display
// that announces changes, 1–9, 00, 0, clear and backspace as ≥ 48 px buttons, and keyboard entry (digits,
// Backspace, Delete/Escape) while focus is anywhere in the keypad — or anywhere on the page with captureKeyboard.
import { useEffect, useId, useRef } from "preact/hooks";
import { useMessages } from "../i18n/use-messages";
import { kitMessages } from "../messages";
import { formatYen } from "../money/yen";
import { applyKeypadKey, keypadAmountYenMaxDefault, keypadKeyFromKeyboard, type KeypadKey } from "./keypad";

export interface AmountKeypadProps {
  amountYen: number;
  onChange: (amountYen: number) => void;
  amountYenMax?: number;
  /** Listen to the keyboard on the whole page (a register with a hardware keypad). */
  captureKeyboard?: boolean;
  /** The display's label; default "金額 / Amount". */
  label?: string;
}

const layout: readonly KeypadKey[] = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "00", "0", "backspace"];

function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

export function AmountKeypad({ amountYen, onChange, amountYenMax = keypadAmountYenMaxDefault, captureKeyboard = false, label }: AmountKeypadProps) {
  const t = useMessages(kitMessages);
  // Keys typed faster than a render must build on each other, not on the amount of the last render.
  const latest = useRef(amountYen);
  latest.current = amountYen;
  const press = (key: KeypadKey) => {
    const result = applyKeypadKey(latest.current, key, amountYenMax);
    if (result.refused) navigator.vibrate?.(60);
    if (result.amountYen !== latest.current) {
      latest.current = result.amountYen;
      onChange(result.amountYen);
    }
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
    const key = keypadKeyFromKeyboard(event.key);
    if (!key) return;
    event.preventDefault();
    press(key);
  };
  useEffect(() => {
    if (!captureKeyboard) return;
    addEventListener("keydown", onKeyDown);
    return () => removeEventListener("keydown", onKeyDown);
  });
  const captionId = `ts-keypad-${useId()}`;
  const over = amountYen >= amountYenMax;
  return (
    <div class="ts-keypad" role="group" aria-label={t("keypad.label")} onKeyDown={captureKeyboard ? undefined : onKeyDown}>
      <div class="ts-keypad__display">
        <span class="ts-keypad__caption" id={captionId}>
          {label ?? t("keypad.amount")}
        </span>
        <output class="ts-keypad__amount" aria-labelledby={captionId} aria-live="polite" data-amount-yen={amountYen}>
          {formatYen(amountYen)}
        </output>
        {over ? <span class="ts-keypad__note">{t("keypad.max", { max: formatYen(amountYenMax) })}</span> : null}
      </div>
      <div class="ts-keypad__keys">
        {layout.map((key) =>
          key === "backspace" ? (
            <button key={key} type="button" class="ts-keypad__key ts-keypad__key--fn" onClick={() => press(key)}>
              <span aria-hidden="true">⌫ </span>
              <span class="ts-keypad__fn-text">{t("keypad.backspace")}</span>
            </button>
          ) : (
            <button key={key} type="button" class="ts-keypad__key" onClick={() => press(key)}>
              {key}
            </button>
          ),
        )}
        <button type="button" class="ts-keypad__key ts-keypad__key--fn ts-keypad__key--wide" onClick={() => press("clear")}>
          {t("keypad.clear")}
        </button>
      </div>
    </div>
  );
}
