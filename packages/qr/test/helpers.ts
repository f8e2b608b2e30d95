// Shared test fixtures: the published EMV vectors, a raw payload writer that skips every check (to build
// deliberately bad payloads), and decoders that turn our PNG and SVG back into text the way a phone would.
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import jsQR from "jsqr";
import { PNG } from "pngjs";
import { crc16 } from "../src/index";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
// The shared folder beside the repository is the source of truth; a copy in fixtures/ keeps a lone clone testable.
const sharedVectors = resolve(repoRoot, "../shared/test-vectors/emv-mpm.txt");
export const vectorsPath = existsSync(sharedVectors) ? sharedVectors : resolve(repoRoot, "packages/qr/test/fixtures/emv-mpm.txt");

/** Payloads from shared/test-vectors/emv-mpm.txt (comments and blank lines dropped). */
export function loadVectors(): string[] {
  return readFileSync(vectorsPath, "utf8")
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

/** Seed for fast-check: fixed unless QR_FC_SEED replays another one. Printed so a failure can be replayed. */
export function fcSeed(name: string): number {
  const seed = Number(process.env.QR_FC_SEED ?? 20250601);
  console.info(`[${name}] fast-check seed ${seed} (replay with QR_FC_SEED=${seed})`);
  return seed;
}

/** Japanese text: hiragana, katakana, CJK ideographs, 々ー・ and astral emoji (one code point, two UTF-16 units). */
export const japaneseChar = fc.oneof(
  fc.integer({ min: 0x3041, max: 0x3096 }),
  fc.integer({ min: 0x30a1, max: 0x30fa }),
  fc.integer({ min: 0x4e00, max: 0x9fff }),
  fc.integer({ min: 0x1f300, max: 0x1f64f }),
  fc.constantFrom(0x3005, 0x30fc, 0x30fb, 0x20),
).map((n) => String.fromCodePoint(n));

export interface RawField {
  id: string;
  value?: string;
  sub?: RawField[];
  /** Write this length instead of the real one. */
  length?: string;
}

/** Writes fields with no validation; lengths in code points unless overridden. */
export function rawFields(fields: readonly RawField[]): string {
  return fields
    .map((f) => {
      const value = f.sub ? rawFields(f.sub) : (f.value ?? "");
      const length = f.length ?? String(Array.from(value).length).padStart(2, "0");
      return `${f.id}${length}${value}`;
    })
    .join("");
}

/** `body` + "6304" + its CRC: a payload whose CRC is right whatever else is wrong. */
export function withCrc(body: string): string {
  return `${body}6304${crc16(`${body}6304`)}`;
}

export interface DecodedQr {
  /** jsQR's `data` (its own per-segment UTF-8 decoding). */
  data: string;
  /** jsQR's raw bytes decoded as strict UTF-8: what the apps must use. */
  utf8: string;
}

function decodeRgba(rgba: Uint8ClampedArray, width: number, height: number): DecodedQr | null {
  const code = jsQR(rgba, width, height, { inversionAttempts: "dontInvert" });
  if (!code) return null;
  return { data: code.data, utf8: new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array(code.binaryData)) };
}

export function decodePng(png: Uint8Array): DecodedQr | null {
  const image = PNG.sync.read(Buffer.from(png));
  return decodeRgba(new Uint8ClampedArray(image.data), image.width, image.height);
}

/**
 * Rasterizes an SVG made by renderQrSvg (a viewBox and one path of "M{x} {y}h{n}v1h-{n}z" runs) at
 * `pxPerUnit`, checking it holds nothing else it would silently skip, then decodes it.
 */
export function decodeQrSvg(svg: string, pxPerUnit = 6): DecodedQr | null {
  const viewBox = /viewBox="0 0 (\d+) (\d+)"/.exec(svg);
  const d = /<path fill="#000" d="([^"]*)"/.exec(svg)?.[1];
  if (!viewBox || d === undefined) throw new Error("not a renderQrSvg SVG");
  const side = Number(viewBox[1]);
  const px = side * pxPerUnit;
  const rgba = new Uint8ClampedArray(px * px * 4).fill(255);
  const run = /M(\d+) (\d+)h(\d+)v1h-(\d+)z/g;
  let consumed = 0;
  for (let m = run.exec(d); m; m = run.exec(d)) {
    consumed += m[0].length;
    const [x, y, n] = [Number(m[1]), Number(m[2]), Number(m[3])];
    for (let py = y * pxPerUnit; py < (y + 1) * pxPerUnit; py++) {
      for (let pxl = x * pxPerUnit; pxl < (x + n) * pxPerUnit; pxl++) {
        const i = (py * px + pxl) * 4;
        rgba[i] = rgba[i + 1] = rgba[i + 2] = 0;
      }
    }
  }
  if (consumed !== d.length) throw new Error("the SVG path has commands the rasterizer does not know");
  return decodeRgba(rgba, px, px);
}

/** The error correction level written in a QR's format information (ISO/IEC 18004 §7.9). */
export function formatInfoEcLevel(matrix: { size: number; modules: Uint8Array }): "L" | "M" | "Q" | "H" {
  const at = (row: number, col: number) => matrix.modules[row * matrix.size + col] ?? 0;
  let bits = 0;
  for (let i = 0; i < 15; i++) {
    const row = i < 6 ? i : i < 8 ? i + 1 : matrix.size - 15 + i;
    bits |= at(row, 8) << i;
  }
  const levels = ["M", "L", "H", "Q"] as const;
  return levels[((bits ^ 0x5412) >> 13) & 3] ?? "M";
}
