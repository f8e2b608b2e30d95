// Turns a payload into QR modules once, so the SVG, the PNG and any app-side canvas draw the same symbol:
// error correction M and a 4-module quiet zone, as EMV MPM and JPQR ask for.
// The reference below carries our types for qrcode's core to every package that compiles this file.
/// <reference path="./qrcode-core.d.ts" />

import { create } from "qrcode/lib/core/qrcode.js";

/** EMV MPM recommends level M: ~15% of the symbol may be dirty or covered and it still reads. */
export const QR_ERROR_CORRECTION = "M";
/** ISO/IEC 18004 asks for a 4-module light margin around the symbol. */
export const QR_QUIET_ZONE_MODULES = 4;

/** The modules of one symbol, quiet zone not included. */
export interface QrMatrix {
  /** Modules per side (21 for version 1 … 177 for version 40). */
  readonly size: number;
  readonly version: number;
  /** Row-major, `size * size` entries, 1 = dark. */
  readonly modules: Uint8Array;
}

/**
 * Encodes `payload` (any Unicode: non-ASCII runs go in byte mode as UTF-8, digits in numeric mode). Kanji
 * mode (Shift JIS) is never used, so a reader that takes the raw bytes and decodes them as UTF-8 gets the
 * payload back exactly.
 */
export function qrMatrix(payload: string): QrMatrix {
  if (payload === "") throw new Error("BUG: qrMatrix: the payload is empty");
  const symbol = create(payload, { errorCorrectionLevel: QR_ERROR_CORRECTION });
  if (symbol.segments.some((segment) => segment.mode.id === "Kanji")) {
    // qrcode switches Kanji mode on globally once anyone passes `toSJISFunc`; our payloads must stay UTF-8.
    throw new Error("BUG: qrMatrix: qrcode chose Kanji (Shift JIS) mode; payloads must be UTF-8 byte mode");
  }
  const { size, data } = symbol.modules;
  const modules = new Uint8Array(size * size);
  for (let i = 0; i < modules.length; i++) modules[i] = data[i] ? 1 : 0;
  return { size, version: symbol.version, modules };
}

export function isDark(matrix: QrMatrix, row: number, col: number): boolean {
  return matrix.modules[row * matrix.size + col] === 1;
}
