// The apps are tested in a real Chromium, camera scanning included: this launches it with safe flags, feeds its
// fake camera a QR code (as a y4m video), and adds the accessibility check and screenshots every UI test wants.
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type axe from "axe-core";
import { chromium, type Browser, type Page } from "playwright-core";
import { PNG } from "pngjs";

const require = createRequire(import.meta.url);
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

// Flags verified on the test machines (root, no GPU, no network): keep Chromium quiet and self-contained.
const safeArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync",
  "--headless=new",
];
const launchTimeoutMs = 30_000;
const frameCountMax = 3_600; // 2 minutes at 30 fps: y4m is raw, so keep files bounded.
const qrFillRatio = 0.8; // the QR takes 80% of the shorter side; the rest is white quiet zone.

/** CHROMIUM_PATH (set once by `npm test`), else the Chromium bundled in @sparticuz/chromium (unpacked to /tmp). */
export async function chromiumPath(): Promise<string> {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  const { default: sparticuz } = await import("@sparticuz/chromium");
  return sparticuz.executablePath();
}

export interface LaunchOptions {
  /** A y4m file that Chromium's fake camera plays in a loop (see qrPngToY4m). */
  fakeVideoFile?: string;
  extraArgs?: string[];
}

export async function launchBrowser(opts: LaunchOptions = {}): Promise<Browser> {
  const camera = opts.fakeVideoFile
    ? [
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        `--use-file-for-fake-video-capture=${opts.fakeVideoFile}`,
      ]
    : [];
  return chromium.launch({
    executablePath: await chromiumPath(),
    args: [...safeArgs, ...camera, ...(opts.extraArgs ?? [])],
    timeout: launchTimeoutMs,
  });
}

/**
 * Writes a YUV4MPEG2 (4:2:0) video. Each frame is RGBA (width*height*4 bytes) or grey (width*height bytes);
 * a single frame is repeated to fill `frameCount` frames.
 */
export function writeY4m(
  file: string,
  frames: Uint8Array | Uint8Array[],
  width: number,
  height: number,
  fps: number,
  frameCount = Array.isArray(frames) ? frames.length : 1,
): void {
  const list = Array.isArray(frames) ? frames : [frames];
  if (width % 2 || height % 2) throw new Error(`BUG: y4m 4:2:0 needs even sizes, got ${width}x${height}`);
  if (list.length === 0 || frameCount < 1 || frameCount > frameCountMax) throw new Error(`BUG: frame count ${frameCount}`);
  const encoded = list.map((f) => toI420(f, width, height));
  mkdirSync(dirname(file), { recursive: true });
  const fd = openSync(file, "w");
  try {
    writeSync(fd, `YUV4MPEG2 W${width} H${height} F${Math.round(fps)}:1 Ip A1:1 C420\n`);
    for (let i = 0; i < frameCount; i++) {
      writeSync(fd, "FRAME\n");
      writeSync(fd, encoded[i % encoded.length]!);
    }
  } finally {
    closeSync(fd);
  }
}

/** BT.601 limited-range RGB -> I420, chroma averaged over each 2x2 block (what Chromium's fake camera expects). */
function toI420(frame: Uint8Array, width: number, height: number): Uint8Array {
  const pixels = width * height;
  const channels = frame.length === pixels * 4 ? 4 : frame.length === pixels ? 1 : 0;
  if (!channels) throw new Error(`BUG: frame of ${frame.length} bytes is neither RGBA nor grey ${width}x${height}`);
  const rgb = (i: number): [number, number, number] =>
    channels === 1 ? [frame[i]!, frame[i]!, frame[i]!] : [frame[i * 4]!, frame[i * 4 + 1]!, frame[i * 4 + 2]!];
  const out = new Uint8Array(pixels * 1.5);
  for (let i = 0; i < pixels; i++) {
    const [r, g, b] = rgb(i);
    out[i] = ((66 * r + 129 * g + 25 * b + 128) >> 8) + 16;
  }
  const chromaWidth = width / 2;
  const quarter = pixels / 4;
  for (let cy = 0; cy < height / 2; cy++) {
    for (let cx = 0; cx < chromaWidth; cx++) {
      let r = 0, g = 0, b = 0;
      for (const i of [0, 1, width, width + 1].map((d) => cy * 2 * width + cx * 2 + d)) {
        const [pr, pg, pb] = rgb(i);
        r += pr / 4; g += pg / 4; b += pb / 4;
      }
      out[pixels + cy * chromaWidth + cx] = ((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128;
      out[pixels + quarter + cy * chromaWidth + cx] = ((112 * r - 94 * g - 18 * b + 128) >> 8) + 128;
    }
  }
  return out;
}

export interface QrVideoOptions {
  width?: number;
  height?: number;
  seconds?: number;
  fps?: number;
}

/** Turns a QR PNG into a y4m of it, centred on white with a quiet zone, for launchBrowser({fakeVideoFile}). */
export function qrPngToY4m(pngBuffer: Buffer, outFile: string, opts: QrVideoOptions = {}): void {
  const { width = 640, height = 480, seconds = 2, fps = 10 } = opts;
  const png = PNG.sync.read(pngBuffer);
  const target = Math.min(width, height) * qrFillRatio;
  const fit = target / Math.max(png.width, png.height);
  // Whole-pixel scaling keeps every module the same size; shrink (fractionally) only if the PNG is too big.
  const scale = fit >= 1 ? Math.floor(fit) : fit;
  const drawnWidth = Math.floor(png.width * scale);
  const drawnHeight = Math.floor(png.height * scale);
  const left = Math.floor((width - drawnWidth) / 2);
  const top = Math.floor((height - drawnHeight) / 2);
  const grey = new Uint8Array(width * height).fill(255);
  for (let y = 0; y < drawnHeight; y++) {
    for (let x = 0; x < drawnWidth; x++) {
      const src = (Math.floor(y / scale) * png.width + Math.floor(x / scale)) * 4;
      const [r, g, b, a] = [png.data[src]!, png.data[src + 1]!, png.data[src + 2]!, png.data[src + 3]!];
      const luma = 0.299 * r + 0.587 * g + 0.114 * b;
      grey[(top + y) * width + left + x] = Math.round((luma * a + 255 * (255 - a)) / 255); // alpha over white
    }
  }
  writeY4m(outFile, grey, width, height, fps, Math.max(1, Math.round(seconds * fps)));
}

export type Violation = axe.Result;

/** Runs axe-core on the page and returns the serious and critical violations (the ones a test should fail on). */
export async function checkA11y(page: Page): Promise<Violation[]> {
  // Evaluated rather than added as a <script>, so a strict Content-Security-Policy on the app cannot block it.
  await page.evaluate(readFileSync(require.resolve("axe-core/axe.min.js"), "utf8"));
  const results = await page.evaluate(() => (globalThis as unknown as { axe: typeof axe }).axe.run());
  return results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/** Saves a full-page screenshot to <repo>/test-output/screenshots/<name>.png and returns that path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const file = join(repoRoot, "test-output", "screenshots", `${name}.png`);
  mkdirSync(dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
