// The app icon (a camellia, 椿 = tsubaki), drawn in code so no binary art lives in the repository: an SVG for
// browsers that take one, and PNGs (192, 512, maskable, Apple touch) for installability everywhere.
import { deflateSync } from "node:zlib";

export const iconColors = { background: "#a8232a", petal: "#ffffff", centre: "#f6d365" } as const;

const petalCount = 5;
const petalOrbit = 0.17; // petal centres from the middle, as a share of the side
const petalRadius = 0.15;
const centreRadius = 0.095;
const cornerRadius = 0.22;
/** Maskable icons may be cropped to a circle of 80%: the flower shrinks into that safe zone. */
const maskableScale = 0.78;
const samplesPerAxis = 4; // 16 samples per pixel: smooth edges without a graphics library

function petalCentres(scale: number): [number, number][] {
  return Array.from({ length: petalCount }, (_, i) => {
    const angle = -Math.PI / 2 + (i * 2 * Math.PI) / petalCount;
    return [0.5 + Math.cos(angle) * petalOrbit * scale, 0.5 + Math.sin(angle) * petalOrbit * scale];
  });
}

/** The same drawing as SVG markup (for <link rel=icon> and the manifest). */
export function iconSvg(): string {
  const s = 512;
  const petals = petalCentres(1)
    .map(([x, y]) => `<circle cx="${(x * s).toFixed(1)}" cy="${(y * s).toFixed(1)}" r="${petalRadius * s}" fill="${iconColors.petal}"/>`)
    .join("");
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${s} ${s}">` +
    `<rect width="${s}" height="${s}" rx="${cornerRadius * s}" fill="${iconColors.background}"/>` +
    `${petals}<circle cx="${s / 2}" cy="${s / 2}" r="${centreRadius * s}" fill="${iconColors.centre}"/></svg>`
  );
}

function hex(color: string): [number, number, number] {
  return [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16)) as [number, number, number];
}

function insideRoundedSquare(x: number, y: number): boolean {
  const r = cornerRadius;
  const cx = Math.min(Math.max(x, r), 1 - r);
  const cy = Math.min(Math.max(y, r), 1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

/** RGBA pixels of the icon at `sizePx`; a maskable icon fills the whole square. */
export function iconPixels(sizePx: number, maskable: boolean): Uint8Array {
  const scale = maskable ? maskableScale : 1;
  const petals = petalCentres(scale);
  const colors = { bg: hex(iconColors.background), petal: hex(iconColors.petal), centre: hex(iconColors.centre) };
  const out = new Uint8Array(sizePx * sizePx * 4);
  const sample = (x: number, y: number): [number, number, number] | null => {
    if (!maskable && !insideRoundedSquare(x, y)) return null;
    if ((x - 0.5) ** 2 + (y - 0.5) ** 2 <= (centreRadius * scale) ** 2) return colors.centre;
    for (const [px, py] of petals) if ((x - px) ** 2 + (y - py) ** 2 <= (petalRadius * scale) ** 2) return colors.petal;
    return colors.bg;
  };
  for (let row = 0; row < sizePx; row++) {
    for (let col = 0; col < sizePx; col++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < samplesPerAxis; sy++) {
        for (let sx = 0; sx < samplesPerAxis; sx++) {
          const c = sample((col + (sx + 0.5) / samplesPerAxis) / sizePx, (row + (sy + 0.5) / samplesPerAxis) / sizePx);
          if (!c) continue;
          r += c[0]; g += c[1]; b += c[2]; a += 1;
        }
      }
      const i = (row * sizePx + col) * 4;
      if (a > 0) {
        out[i] = Math.round(r / a);
        out[i + 1] = Math.round(g / a);
        out[i + 2] = Math.round(b / a);
      }
      out[i + 3] = Math.round((255 * a) / samplesPerAxis ** 2);
    }
  }
  return out;
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A PNG file (8-bit RGBA) of `rgba` pixels. */
export function encodePng(rgba: Uint8Array, width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8 bits, RGBA, deflate, no filter method, no interlace
  const rows = Buffer.alloc(height * (width * 4 + 1));
  for (let y = 0; y < height; y++) rows.set(rgba.subarray(y * width * 4, (y + 1) * width * 4), y * (width * 4 + 1) + 1);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(rows, { level: 9 })),
    chunk("IEND", new Uint8Array(0)),
  ]);
}

export function iconPng(sizePx: number, maskable = false): Buffer {
  return encodePng(iconPixels(sizePx, maskable), sizePx, sizePx);
}
