// Banks read bulk-transfer files as Shift_JIS (JIS X 0201 for everything the Zengin set holds). Only single-byte
// characters occur, so the mapping is small enough to write out and test, and no iconv-style dependency is needed:
//   ASCII space, 0–9, A–Z, ( ) , - . /   → the same byte (0x20–0x5A)
//   "\" U+005C and "¥" U+00A5            → 0x5C (JIS X 0201 prints 0x5C as ¥; WHATWG Shift_JIS decodes it as "\")
//   half-width katakana U+FF61–U+FF9F    → 0xA1–0xDF (code point − 0xFEC0); the Zengin set uses ｢ ｣ ｦ ｱ–ﾝ ﾞ ﾟ
//   CR, LF                               → 0x0D, 0x0A (record separators)
// Anything else is refused: a file the bank cannot read must never be produced.
import { isZenginCharacter } from "./zengin-kana";

const halfWidthKanaOffset = 0xfec0;

/** Thrown by encodeZenginShiftJis for a character outside the Zengin set. Text from buildZenginTransferFile never has one. */
export class ZenginCharsetError extends Error {
  override name = "ZenginCharsetError";
  constructor(
    readonly character: string,
    readonly index: number,
  ) {
    super(`U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")} at index ${index} is outside the Zengin character set`);
  }
}

/** The Shift_JIS bytes of Zengin text (one byte per character). Throws ZenginCharsetError on any other character. */
export function encodeZenginShiftJis(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const character = text[i]!;
    const code = character.charCodeAt(0);
    if (character === "\r" || character === "\n") bytes[i] = code;
    else if (character === "\u00a5") bytes[i] = 0x5c;
    else if (!isZenginCharacter(character)) throw new ZenginCharsetError(character, i);
    else bytes[i] = code < 0x80 ? code : code - halfWidthKanaOffset;
  }
  return bytes;
}

/**
 * The text of Shift_JIS bytes that encode Zengin text and line ends (a bank's file read back); null when a byte is
 * outside that set (a double-byte character, a control code, lower case). 0x5C decodes to "\".
 */
export function decodeZenginShiftJis(bytes: Uint8Array): string | null {
  let text = "";
  for (const byte of bytes) {
    const isKana = byte >= 0xa1 && byte <= 0xdf;
    if (byte >= 0x80 && !isKana) return null;
    const character = String.fromCharCode(isKana ? byte + halfWidthKanaOffset : byte);
    if (character !== "\r" && character !== "\n" && !isZenginCharacter(character)) return null;
    text += character;
  }
  return text;
}
