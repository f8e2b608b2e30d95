// The build plugins' pure parts: the icon PNGs decode, the service worker never touches the API, and the size
// report adds up.
import { inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { formatSizeReport, iconPng, serviceWorkerSource, sizeReport } from "./index";

function readPng(png: Buffer): { width: number; height: number; rgba: Uint8Array } {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const idat = png.subarray(41, 41 + png.readUInt32BE(33));
  const rows = inflateSync(idat);
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) rgba.set(rows.subarray(y * (width * 4 + 1) + 1, (y + 1) * (width * 4 + 1)), y * width * 4);
  return { width, height, rgba };
}

describe("app icons", () => {
  it("are PNGs of the asked size: transparent corners, camellia red inside, a white petal, a yellow centre", () => {
    const { width, height, rgba } = readPng(iconPng(192));
    expect([width, height]).toEqual([192, 192]);
    const px = (x: number, y: number) => [...rgba.subarray((y * width + x) * 4, (y * width + x) * 4 + 4)];
    expect(px(0, 0)[3]).toBe(0);
    expect(px(20, 96)).toEqual([0xa8, 0x23, 0x2a, 255]);
    expect(px(96, 96)).toEqual([0xf6, 0xd3, 0x65, 255]);
    expect(px(96, 96 - Math.round(0.17 * 192))).toEqual([255, 255, 255, 255]);
  });

  it("fill the whole square when maskable", () => {
    const { rgba } = readPng(iconPng(48, true));
    expect(rgba[3]).toBe(255);
  });
});

describe("service worker", () => {
  const source = serviceWorkerSource({ base: "/wallet/", cachePrefix: "tsubaki-wallet-", version: "abc", shellFiles: ["assets/index-1.js", "manifest.webmanifest"] });

  it("precaches the shell under the app's base and names its cache by version", () => {
    expect(source).toContain('const CACHE = "tsubaki-wallet-abc";');
    expect(source).toContain('const SHELL = ["/wallet/","/wallet/assets/index-1.js","/wallet/manifest.webmanifest"];');
  });

  it("answers only for the app's own paths, so /v1/ API calls always go to the network", () => {
    expect(source).toContain("!url.pathname.startsWith(BASE)) return;");
    expect(source).not.toMatch(/["']\/v1/);
  });
});

describe("size report", () => {
  it("sums gzipped JS and CSS separately and prints the budget", () => {
    const report = sizeReport(new Map<string, string>([["a.js", "x".repeat(1000)], ["b.css", "y".repeat(10)], ["c.woff2", "zz"]]));
    expect(report.lines.map((l) => l.file)).toEqual(["a.js", "b.css"]);
    expect(report.jsGzipBytes).toBe(report.lines[0]!.gzipBytes);
    expect(formatSizeReport("wallet", report, 100_000)).toContain("(budget 100.0 kB)");
  });
});
