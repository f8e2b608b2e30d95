// Banks accept names in a bulk-transfer file only in the Zengin character set (全銀協制定の振込許容文字): half-width
// katakana without small letters, the two sound marks, A–Z, 0–9, space and a few symbols. Shop owners type names in
// full-width katakana, hiragana or mixed-case Latin; this converts what can be converted the way banks do and
// refuses the rest (kanji, emoji, most symbols) with the character and its position, so the console can say which.
//
// Choices (documented because banks differ):
//   - small kana become large (ァ→ｱ, ッ→ﾂ, ャ→ﾔ, ヮ→ﾜ, ヵ→ｶ, ヶ→ｹ): banks register names with large kana;
//   - a voiced or semi-voiced kana becomes its base plus a separate mark (ガ→ｶﾞ, パ→ﾊﾟ, ヴ→ｳﾞ): two characters,
//     and both count toward a field's width; combining marks (U+3099/U+309A, as macOS writes them) are accepted;
//   - the long vowel mark ー (and ｰ, ‐, −, –, —, ―) becomes "-": ｰ is not accepted by every bank, "-" is;
//   - ・ and 。 become ".", 、 becomes ",", 「」 become ｢｣, the ideographic space becomes a space;
//   - ASCII lower case becomes upper case; full-width ASCII becomes ASCII; ¥ and ￥ become "\" (the same byte 0x5C
//     in Shift_JIS, where it prints as ¥); ヰ→ｲ, ヱ→ｴ, ヲ stays ｦ;
//   - nothing is trimmed or shortened: the caller decides what to do with a name that is too long.
import { assert } from "@tsubaki/ledger";
import type { Failure } from "./codes";

const fullKanaBase = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン";
/** U+FF71 ｱ … U+FF9D ﾝ are the half-width forms of fullKanaBase, in the same order. */
const halfKanaFirstCodePoint = 0xff71;
export const zenginDakuten = "\uff9e"; // ﾞ
export const zenginHandakuten = "\uff9f"; // ﾟ
const halfWo = "\uff66"; // ｦ
const halfCornerOpen = "\uff62"; // ｢
const halfCornerClose = "\uff63"; // ｣

/** The Zengin set apart from kana: space, digits, A–Z and the symbols ( ) - . / , \ (0x5C, printed ¥ by banks). */
const zenginAscii = /^[ 0-9A-Z()\-./,\\]$/;

/** Full-width (and a few half-width) characters → their Zengin spelling (one or two characters). */
const kanaTable: ReadonlyMap<string, string> = buildKanaTable();

function buildKanaTable(): Map<string, string> {
  const table = new Map<string, string>();
  const half = (full: string): string => {
    const index = fullKanaBase.indexOf(full);
    assert(index >= 0, `${full} is a base kana`);
    return String.fromCodePoint(halfKanaFirstCodePoint + index);
  };
  for (const full of fullKanaBase) table.set(full, half(full));
  for (const base of "カキクケコサシスセソタチツテトハヒフヘホ") {
    table.set(String.fromCodePoint(base.codePointAt(0)! + 1), half(base) + zenginDakuten);
  }
  for (const base of "ハヒフヘホ") table.set(String.fromCodePoint(base.codePointAt(0)! + 2), half(base) + zenginHandakuten);
  const pairs: [string, string][] = [
    // small full-width kana → large half-width
    ["ァ", "ｱ"], ["ィ", "ｲ"], ["ゥ", "ｳ"], ["ェ", "ｴ"], ["ォ", "ｵ"], ["ッ", "ﾂ"], ["ャ", "ﾔ"], ["ュ", "ﾕ"], ["ョ", "ﾖ"],
    ["ヮ", "ﾜ"], ["ヵ", "ｶ"], ["ヶ", "ｹ"],
    // small half-width kana → large
    ["ｧ", "ｱ"], ["ｨ", "ｲ"], ["ｩ", "ｳ"], ["ｪ", "ｴ"], ["ｫ", "ｵ"], ["ｬ", "ﾔ"], ["ｭ", "ﾕ"], ["ｮ", "ﾖ"], ["ｯ", "ﾂ"],
    // old and rare kana
    ["ヲ", halfWo], ["ヰ", "ｲ"], ["ヱ", "ｴ"], ["ヴ", "ｳﾞ"], ["ヷ", "ﾜﾞ"], ["ヸ", "ｲﾞ"], ["ヹ", "ｴﾞ"], ["ヺ", "ｦﾞ"],
    // sound marks: spacing, combining, half-width
    ["゛", zenginDakuten], ["\u3099", zenginDakuten], ["゜", zenginHandakuten], ["\u309a", zenginHandakuten],
    // long vowel and dashes
    ["ー", "-"], ["ｰ", "-"], ["‐", "-"], ["‑", "-"], ["‒", "-"], ["–", "-"], ["—", "-"], ["―", "-"], ["−", "-"],
    // punctuation
    ["・", "."], ["･", "."], ["。", "."], ["｡", "."], ["、", ","], ["､", ","], ["「", halfCornerOpen], ["」", halfCornerClose],
    ["\u3000", " "], ["¥", "\\"], ["￥", "\\"],
  ];
  for (const [from, to] of pairs) table.set(from, to);
  return table;
}

const hiraganaFirst = 0x3041;
const hiraganaLast = 0x3096;
/** Hiragana U+3041–U+3096 sit 0x60 below their katakana. */
const hiraganaToKatakana = 0x60;
const fullAsciiFirst = 0xff01;
const fullAsciiLast = 0xff5e;
const fullAsciiOffset = 0xfee0;

/** True for one character of the Zengin set as this package writes it. */
export function isZenginCharacter(character: string): boolean {
  if (zenginAscii.test(character)) return true;
  const code = character.length === 1 ? character.charCodeAt(0) : -1;
  return (
    (code >= halfKanaFirstCodePoint && code <= 0xff9f) ||
    character === halfWo ||
    character === halfCornerOpen ||
    character === halfCornerClose
  );
}

/** Index of the first character outside the Zengin set, or -1. */
export function findNonZenginCharacter(text: string): number {
  for (let i = 0; i < text.length; i++) if (!isZenginCharacter(text[i]!)) return i;
  return -1;
}

export function isZenginText(text: string): boolean {
  return findNonZenginCharacter(text) < 0;
}

export type ZenginKanaResult =
  | { ok: true; text: string }
  | (Failure<"unconvertible_character"> & { character: string; index: number });

/**
 * Converts text to the Zengin character set (choices at the top of this file). Idempotent: converting Zengin text
 * returns it unchanged. `index` in a failure counts UTF-16 code units of the input.
 */
export function toZenginKana(text: string): ZenginKanaResult {
  let out = "";
  for (let i = 0; i < text.length; ) {
    const character = String.fromCodePoint(text.codePointAt(i)!);
    const converted = convertCharacter(character);
    if (converted === null) {
      const code = character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
      return {
        ok: false,
        code: "unconvertible_character",
        detail: `"${character}" (U+${code}) at position ${i + 1} cannot be written in bank kana; use katakana, A–Z, 0–9, space or ( ) - . / ,`,
        character,
        index: i,
      };
    }
    out += converted;
    i += character.length;
  }
  return { ok: true, text: out };
}

function convertCharacter(character: string): string | null {
  const code = character.codePointAt(0)!;
  if (code >= fullAsciiFirst && code <= fullAsciiLast) return convertCharacter(String.fromCodePoint(code - fullAsciiOffset));
  if (code >= hiraganaFirst && code <= hiraganaLast) return convertCharacter(String.fromCodePoint(code + hiraganaToKatakana));
  if (code >= 0x61 && code <= 0x7a) return character.toUpperCase();
  if (isZenginCharacter(character)) return character;
  return kanaTable.get(character) ?? null;
}
