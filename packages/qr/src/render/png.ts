// A PNG of the QR for places that want a bitmap (a download button, an e-mail, a label printer). It is written
// by hand — 1-bit grayscale, deflated with the platform's CompressionStream — so it needs neither Node's zlib
// nor a canvas and runs in Node, browsers and Cloudflare Workers alike.

import { isDark, qrMatrix, QR_QUIET_ZONE_MODULES, type QrMatrix } from "./matrix";

export const QR_PNG_MODULE_PX_DEFAULT = 8;
/** 32 px × (177 + 8) modules ≈ 5,900 px a side: plenty for print, and bounds memory. */
export const QR_PNG_MODULE_PX_MAX = 32;
/** A stored deflate block holds at most 65,535 bytes. */
const DEFLATE_STORED_BLOCK_BYTES_MAX = 0xffff;

export interface QrPngOptions {
  /** Pixels per module, 1..32; default 8. */
  modulePx?: number;
  /**
   * Deflate the image data with CompressionStream (default true). With false, or where CompressionStream does
   * not exist, the data is stored uncompressed: a larger file, read the same by every PNG decoder.
   */
  compress?: boolean;
}

const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

/** The QR as a PNG file: black on white, 4-module quiet zone, `modulePx` pixels per module. */
export async function renderQrPng(payload: string, options: QrPngOptions = {}): Promise<Uint8Array> {
  const modulePx = options.modulePx ?? QR_PNG_MODULE_PX_DEFAULT;
  if (!Number.isInteger(modulePx) || modulePx < 1 || modulePx > QR_PNG_MODULE_PX_MAX) {
    throw new Error(`BUG: renderQrPng: modulePx must be an integer in 1..${QR_PNG_MODULE_PX_MAX}, got ${modulePx}`);
  }
  const matrix = qrMatrix(payload);
  const sidePx = (matrix.size + 2 * QR_QUIET_ZONE_MODULES) * modulePx;
  const raw = rasterRows(matrix, modulePx, sidePx);
  const canCompress = typeof globalThis.CompressionStream === "function";
  const idat = options.compress !== false && canCompress ? await deflateZlib(raw) : zlibStored(raw);
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, sidePx);
  view.setUint32(4, sidePx);
  ihdr.set([1, 0, 0, 0, 0], 8); // bit depth 1, grayscale, deflate, adaptive filtering, no interlace
  return concat([PNG_SIGNATURE, chunk("IHDR", ihdr), chunk("IDAT", idat), chunk("IEND", new Uint8Array(0))]);
}

/** Scanlines for 1-bit grayscale: a filter byte (0 = none) then bits, 1 = white. */
function rasterRows(matrix: QrMatrix, modulePx: number, sidePx: number): Uint8Array<ArrayBuffer> {
  const rowBytes = 1 + Math.ceil(sidePx / 8);
  const raw = new Uint8Array(rowBytes * sidePx).fill(0xff);
  for (let y = 0; y < sidePx; y++) {
    raw[y * rowBytes] = 0;
    const row = Math.floor(y / modulePx) - QR_QUIET_ZONE_MODULES;
    if (row < 0 || row >= matrix.size) continue;
    for (let x = 0; x < sidePx; x++) {
      const col = Math.floor(x / modulePx) - QR_QUIET_ZONE_MODULES;
      if (col < 0 || col >= matrix.size || !isDark(matrix, row, col)) continue;
      const index = y * rowBytes + 1 + (x >> 3);
      raw[index] = (raw[index] ?? 0) & ~(0x80 >> (x & 7));
    }
  }
  return raw;
}

async function deflateZlib(data: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  // "deflate" is the zlib format (RFC 1950), which is what PNG's IDAT holds.
  const stream = new Blob([data]).stream().pipeThrough(new CompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** zlib (RFC 1950) wrapping stored deflate blocks (RFC 1951 §3.2.4): no compression, no dependency. */
export function zlibStored(data: Uint8Array): Uint8Array {
  const blockCount = Math.max(1, Math.ceil(data.length / DEFLATE_STORED_BLOCK_BYTES_MAX));
  const out = new Uint8Array(2 + blockCount * 5 + data.length + 4);
  out[0] = 0x78; // deflate, 32 KiB window
  out[1] = 0x01; // no preset dictionary; (0x78 << 8 | 0x01) % 31 === 0
  let at = 2;
  for (let block = 0; block < blockCount; block++) {
    const start = block * DEFLATE_STORED_BLOCK_BYTES_MAX;
    const piece = data.subarray(start, start + DEFLATE_STORED_BLOCK_BYTES_MAX);
    out[at] = block === blockCount - 1 ? 1 : 0; // BFINAL, BTYPE = 00 (stored)
    out[at + 1] = piece.length & 0xff;
    out[at + 2] = piece.length >> 8;
    out[at + 3] = ~piece.length & 0xff;
    out[at + 4] = (~piece.length >> 8) & 0xff;
    out.set(piece, at + 5);
    at += 5 + piece.length;
  }
  new DataView(out.buffer).setUint32(at, adler32(data));
  return out;
}

function adler32(data: Uint8Array): number {
  const MOD_ADLER = 65521;
  let a = 1;
  let b = 0;
  for (const byte of data) {
    a = (a + byte) % MOD_ADLER;
    b = (b + a) % MOD_ADLER;
  }
  return ((b << 16) | a) >>> 0;
}

const CRC32_TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = (CRC32_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A PNG chunk: length, type, data, CRC-32 over type and data. */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
