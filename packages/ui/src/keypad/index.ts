export { applyKeypadKey, keypadAmountYenMaxDefault, keypadDigitKeys, keypadKeyFromKeyboard, type KeypadKey, type KeypadResult } from "./keypad";
export { AmountKeypad, type AmountKeypadProps } from "./AmountKeypad";
