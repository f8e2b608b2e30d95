// SVG is the QR format for screens and print: it scales without blur, and building it is plain string work,
// so it runs the same in Node, a browser and a Worker.

import { escapeXml } from "../escape";
import { isDark, qrMatrix, QR_QUIET_ZONE_MODULES } from "./matrix";

export interface QrSvgOptions {
  /** Width and height as an SVG length ("60mm", "240", "100%"); default: 4 px per module. */
  size?: string;
  /** Accessible name (<title> and aria-label); default "QR code". */
  title?: string;
  /** An id for the <svg> element, for styles, scripts and tests. */
  id?: string;
}

const SVG_LENGTH = /^[0-9]+(\.[0-9]+)?(px|mm|cm|in|pt|%)?$/;
const SVG_PX_PER_MODULE_DEFAULT = 4;

/** Black modules on a white background with a 4-module quiet zone, one path of horizontal runs. */
export function renderQrSvg(payload: string, options: QrSvgOptions = {}): string {
  const matrix = qrMatrix(payload);
  const side = matrix.size + 2 * QR_QUIET_ZONE_MODULES;
  const size = options.size ?? String(side * SVG_PX_PER_MODULE_DEFAULT);
  if (!SVG_LENGTH.test(size)) throw new Error(`BUG: renderQrSvg: size ${JSON.stringify(size)} is not an SVG length`);
  const title = escapeXml(options.title ?? "QR code");
  const id = options.id === undefined ? "" : ` id="${escapeXml(options.id)}"`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg"${id} viewBox="0 0 ${side} ${side}" width="${size}" height="${size}" ` +
    `shape-rendering="crispEdges" role="img" aria-label="${title}"><title>${title}</title>` +
    `<rect width="${side}" height="${side}" fill="#fff"/><path fill="#000" d="${modulePath(matrix)}"/></svg>`
  );
}

/** "M{x} {y}h{n}v1h-{n}z" for every run of dark modules in a row, in quiet-zone coordinates. */
function modulePath(matrix: ReturnType<typeof qrMatrix>): string {
  const parts: string[] = [];
  for (let row = 0; row < matrix.size; row++) {
    let col = 0;
    while (col < matrix.size) {
      if (!isDark(matrix, row, col)) {
        col++;
        continue;
      }
      const start = col;
      while (col < matrix.size && isDark(matrix, row, col)) col++;
      const run = col - start;
      parts.push(`M${start + QR_QUIET_ZONE_MODULES} ${row + QR_QUIET_ZONE_MODULES}h${run}v1h-${run}z`);
    }
  }
  return parts.join("");
}
