// Proof that camera e2e tests can work: Chromium's fake camera plays a QR we generate, a page reads it through
// getUserMedia, and jsQR decodes exactly what we encoded (and nothing from a blank picture).
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import QRCode from "qrcode";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, qrPngToY4m } from "../src/chromium";

// jsQR is a dependency of packages/qr (the scanner's decoder), not of testkit; borrow it from there.
const jsQrPath = createRequire(resolve(import.meta.dirname, "../../qr/package.json")).resolve("jsqr");
const frameAttemptMax = 30;
const frameIntervalMs = 100;

const page = `<!doctype html><meta charset="utf-8"><title>camera</title><video muted playsinline></video>
<script>
window.scanOnce = async (attemptMax, intervalMs) => {
  const video = document.querySelector("video");
  video.srcObject = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
  await video.play();
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  for (let attempt = 0; attempt < attemptMax; attempt++) {
    await new Promise((r) => setTimeout(r, intervalMs));
    if (!video.videoWidth) continue;
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    context.drawImage(video, 0, 0);
    const image = context.getImageData(0, 0, canvas.width, canvas.height);
    const code = jsQR(image.data, image.width, image.height);
    if (code) return { text: code.data, width: canvas.width, height: canvas.height };
  }
  return { text: null, width: video.videoWidth, height: video.videoHeight };
};
</script>`;

interface PageGlobals {
  scanOnce(attemptMax: number, intervalMs: number): Promise<{ text: string | null; width: number; height: number }>;
}

let server: Server;
let origin = "";
let dir = "";

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "tsubaki-camera-"));
  // http://127.0.0.1 is a secure context, so getUserMedia is allowed (about:blank may not be).
  server = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end(page));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  origin = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});

afterAll(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function scanWithFakeCamera(videoFile: string) {
  const browser = await launchBrowser({ fakeVideoFile: videoFile });
  try {
    const tab = await browser.newPage();
    await tab.goto(origin);
    await tab.addScriptTag({ path: jsQrPath });
    return await tab.evaluate(
      ([attemptMax, intervalMs]) => (globalThis as unknown as PageGlobals).scanOnce(attemptMax, intervalMs),
      [frameAttemptMax, frameIntervalMs] as const,
    );
  } finally {
    await browser.close();
  }
}

describe("Chromium fake camera", () => {
  it("shows a QR code that the page decodes to exactly the encoded text", async () => {
    const payload = `tsubaki-fake-camera-${randomBytes(8).toString("hex")}`;
    const videoFile = join(dir, "qr.y4m");
    qrPngToY4m(await QRCode.toBuffer(payload, { type: "png", margin: 4, scale: 4 }), videoFile);

    expect(await scanWithFakeCamera(videoFile)).toEqual({ text: payload, width: 640, height: 480 });
  });

  it("decodes nothing from a blank white picture", async () => {
    const blank = new PNG({ width: 64, height: 64 });
    blank.data.fill(255);
    const videoFile = join(dir, "blank.y4m");
    qrPngToY4m(PNG.sync.write(blank), videoFile, { seconds: 1 });

    expect(await scanWithFakeCamera(videoFile)).toEqual({ text: null, width: 640, height: 480 });
  });
});
