// A QR we draw must scan back to exactly the payload, Japanese included, the way a phone's decoder reads it;
// and the symbol must use error correction M with a 4-module quiet zone.
import jsQR from "jsqr";
import { PNG } from "pngjs";
import QRCode from "qrcode";
import { describe, expect, test } from "vitest";
import { encodeShopQr, qrMatrix, qrTextFromBytes, QR_QUIET_ZONE_MODULES, renderQrPng, renderQrSvg } from "../src/index";
import { decodePng, decodeQrSvg, formatInfoEcLevel, loadVectors } from "./helpers";

const key = new Uint8Array(32).fill(9);

function shopPayload(nameJa: string, amountYen?: number): string {
  const result = encodeShopQr({
    merchantCode: "M00042",
    register: "R1",
    mcc: "5812",
    nameLatin: "Cafe Tsubaki",
    nameJa,
    city: "Nonoichi",
    key,
    ...(amountYen === undefined ? {} : { amountYen, requestId: "REQ-0001" }),
  });
  if (!result.ok) throw new Error(result.code);
  return result.payload;
}

const payloads: Array<[string, string]> = [
  ...loadVectors().map((p, i): [string, string] => [`vector ${i + 1}`, p]),
  ["Japanese static sticker", shopPayload("カフェ椿 野々市店")],
  ["Japanese dynamic QR with emoji", shopPayload("おだんご屋🍡のっティ前", 1234)],
];

describe("renderQrPng", () => {
  test.each(payloads)("%s decodes back to the exact payload with jsQR", async (_, payload) => {
    const decoded = decodePng(await renderQrPng(payload));
    expect(decoded?.utf8).toBe(payload);
    // jsQR's own `data` is right too for our QRs: qrcode never splits a character across segments.
    expect(decoded?.data).toBe(payload);
  });

  test("uncompressed (stored deflate, no CompressionStream) decodes the same", async () => {
    const payload = payloads.at(-1)?.[1] ?? "";
    const stored = await renderQrPng(payload, { compress: false });
    const deflated = await renderQrPng(payload);
    expect(stored.length).toBeGreaterThan(deflated.length);
    expect(decodePng(stored)?.utf8).toBe(payload);
  });

  test("has a white quiet zone of 4 modules and modulePx pixels per module", async () => {
    const payload = payloads[0]?.[1] ?? "";
    const modulePx = 5;
    const image = PNG.sync.read(Buffer.from(await renderQrPng(payload, { modulePx })));
    const { size } = qrMatrix(payload);
    expect(image.width).toBe((size + 2 * QR_QUIET_ZONE_MODULES) * modulePx);
    const dark = (x: number, y: number) => image.data[(y * image.width + x) * 4] === 0;
    const margin = QR_QUIET_ZONE_MODULES * modulePx;
    for (let i = 0; i < image.width; i++) {
      expect(dark(i, margin - 1) || dark(margin - 1, i)).toBe(false);
    }
    expect(dark(margin, margin)).toBe(true); // the top-left finder pattern starts right after the margin
  });

  test("refuses a module size outside 1..32", async () => {
    await expect(renderQrPng("x", { modulePx: 0 })).rejects.toThrow(/BUG/);
    await expect(renderQrPng("x", { modulePx: 33 })).rejects.toThrow(/BUG/);
  });
});

describe("renderQrSvg", () => {
  test.each(payloads)("%s rasterizes and decodes back to the exact payload", (_, payload) => {
    expect(decodeQrSvg(renderQrSvg(payload))?.utf8).toBe(payload);
  });

  test("sizes, labels and escapes", () => {
    const svg = renderQrSvg("hello", { size: "60mm", title: `<x>&"'` });
    expect(svg).toContain('width="60mm" height="60mm"');
    expect(svg).toContain("<title>&lt;x&gt;&amp;&quot;&#39;</title>");
    expect(() => renderQrSvg("hello", { size: '1" onload="alert(1)' })).toThrow(/BUG/);
  });
});

describe("qrMatrix", () => {
  test("uses error correction M", () => {
    for (const [, payload] of payloads) expect(formatInfoEcLevel(qrMatrix(payload))).toBe("M");
  });
});

describe("reading a scan's bytes", () => {
  /** Draws a QRCode.create() symbol as RGBA at 6 px per module with a 4-module margin. */
  function rgbaOf(symbol: { modules: { size: number; data: Uint8Array } }): { rgba: Uint8ClampedArray; side: number } {
    const { size, data } = symbol.modules;
    const side = (size + 8) * 6;
    const rgba = new Uint8ClampedArray(side * side * 4).fill(255);
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const row = Math.floor(y / 6) - 4;
        const col = Math.floor(x / 6) - 4;
        if (row >= 0 && col >= 0 && row < size && col < size && data[row * size + col]) rgba.fill(0, (y * side + x) * 4, (y * side + x) * 4 + 3);
      }
    }
    return { rgba, side };
  }

  test("jsQR's text loses a character split over two byte segments; qrTextFromBytes keeps it", () => {
    // Another QR generator may cut byte segments anywhere; here "椿" (E6 A4 BF) is cut after two bytes.
    const bytes = new TextEncoder().encode("椿です");
    const symbol = QRCode.create([
      { data: bytes.slice(0, 2), mode: "byte" },
      { data: bytes.slice(2), mode: "byte" },
    ]);
    const { rgba, side } = rgbaOf(symbol);
    const code = jsQR(rgba, side, side);
    expect(code?.data).toBe("");
    expect(qrTextFromBytes(code?.binaryData ?? [])).toBe("椿です");
  });

  test("invalid UTF-8 gives null", () => {
    expect(qrTextFromBytes(Uint8Array.of(0xe6, 0xa4))).toBeNull();
    expect(qrTextFromBytes([0x41, 0x42])).toBe("AB");
  });
});
