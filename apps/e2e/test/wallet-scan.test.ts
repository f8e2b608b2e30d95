// Camera scanning in our own app, end to end: Chromium's fake camera plays a shop sticker that looks right (EMV
// MPM with a Japanese shop name, so the payload has multi-byte UTF-8) but carries no server signature: the wallet
// decodes it with jsQR, asks the server, and warns the resident not to pay. Also: the camera stops when the screen is left, a missing camera says what to do, and a
// code can always be typed instead.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeMpm, parseMpm, renderQrPng, TSUBAKI_QR_IDENTIFIER } from "@tsubaki/qr";
import { PNG } from "pngjs";
import { checkA11y, launchBrowser, qrPngToY4m } from "@tsubaki/testkit/chromium";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { phonePage, screen, signIn } from "../src/browser";
import { startE2eServer, type E2eServer } from "../src/server";

const payload = encodeMpm([
  { id: "00", value: "01" },
  { id: "01", value: "11" },
  // Our identifier and a real demo shop's code, but a made-up signature: what a forged sticker looks like.
  { id: "26", children: [{ id: "00", value: TSUBAKI_QR_IDENTIFIER }, { id: "01", value: "tsubakiya" }, { id: "03", value: "AAAAAAAAAAAAAAAA" }] },
  { id: "52", value: "5812" },
  { id: "53", value: "392" },
  { id: "58", value: "JP" },
  { id: "59", value: "TSUBAKI CAFE" },
  { id: "60", value: "NONOICHI" },
  { id: "64", children: [{ id: "00", value: "JA" }, { id: "01", value: "つばき喫茶 野々市店" }] },
]);

let server: E2eServer;
let dir = "";
let videoFile = "";

beforeAll(async () => {
  expect(parseMpm(payload).ok).toBe(true);
  dir = mkdtempSync(join(tmpdir(), "tsubaki-e2e-scan-"));
  videoFile = join(dir, "shop-qr.y4m");
  qrPngToY4m(Buffer.from(await renderQrPng(payload, { modulePx: 6 })), videoFile, { seconds: 2, fps: 10 });
  server = await startE2eServer({ demo: true });
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A page signed in as a demo resident, keeping every camera stream it opens. */
async function signedInPage(browser: Browser): Promise<Page> {
  const { context, page } = await phonePage(browser, server.origin);
  await context.addInitScript(() => {
    // Keep every camera stream the page opens, so the test can see that the app stops them.
    const streams: MediaStream[] = [];
    (globalThis as unknown as { __streams: MediaStream[] }).__streams = streams;
    const original = navigator.mediaDevices?.getUserMedia?.bind(navigator.mediaDevices);
    if (original) {
      navigator.mediaDevices.getUserMedia = async (constraints) => {
        const stream = await original(constraints);
        streams.push(stream);
        return stream;
      };
    }
  });
  await signIn(page, "/wallet/", "hanako", "tsubaki-demo-1");
  return page;
}

const liveTracks = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as { __streams: MediaStream[] }).__streams.flatMap((s) => s.getTracks()).filter((t) => t.readyState === "live").length);

describe("wallet scan screen with a camera", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser({ fakeVideoFile: videoFile });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("reads an unsigned shop sticker from the camera and warns the resident not to pay", async () => {
    const page = await signedInPage(browser);
    await page.goto("/wallet/scan");
    const refused = page.getByTestId("scan-refused");
    await refused.waitFor({ timeout: 20_000 });
    expect(payload).toContain("つばき喫茶 野々市店");
    expect(await refused.getByRole("heading").innerText()).toBe("このQRコードでは支払えません");
    expect(await refused.getByRole("alert").getAttribute("data-problem-code")).toBe("qr_forged");
    expect(await page.getByTestId("shop-name").count()).toBe(0);
    await screen(page, "wallet-scan-forged");
    expect(await checkA11y(page)).toEqual([]);
    await page.close();
  });
});

describe("wallet scan screen with a camera that sees no code yet", () => {
  let browser: Browser;
  beforeAll(async () => {
    const blank = new PNG({ width: 64, height: 64 });
    blank.data.fill(235);
    const blankVideo = join(dir, "blank.y4m");
    qrPngToY4m(PNG.sync.write(blank), blankVideo, { seconds: 1 });
    browser = await launchBrowser({ fakeVideoFile: blankVideo });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("shows the live camera while scanning, and stops the camera when the resident leaves the screen", async () => {
    const page = await signedInPage(browser);
    await page.goto("/wallet/scan");
    await expect.poll(() => page.locator(".ts-scanner").getAttribute("data-state"), { timeout: 20_000 }).toBe("scanning");
    await expect.poll(() => liveTracks(page)).toBe(1);
    expect(await page.locator(".ts-scanner__status").innerText()).toBe("QRコードを枠の中に写してください。");
    await screen(page, "wallet-scan-camera");
    expect(await checkA11y(page)).toEqual([]);
    await page.getByRole("link", { name: "設定" }).click();
    await expect.poll(() => page.locator("h1").innerText()).toBe("設定");
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe("H1");
    await expect.poll(() => liveTracks(page)).toBe(0);
    await page.close();
  });
});

describe("wallet scan screen without a camera", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("explains that there is no camera (or no permission) in the user's language, and accepts a typed code", async () => {
    const page = await signedInPage(browser);
    await page.goto("/wallet/scan");
    const scanner = page.locator(".ts-scanner");
    await expect.poll(() => scanner.getAttribute("data-state"), { timeout: 20_000 }).toMatch(/^(no_camera|permission_denied)$/);
    const alert = page.getByRole("alert");
    expect(await alert.innerText()).toMatch(/カメラが見つかりません。|カメラの使用が許可されていません。/);
    await screen(page, "wallet-scan-no-camera");
    expect(await checkA11y(page)).toEqual([]);

    await page.getByLabel("コードを入力して読み取る").fill("  TSUBAKI-CARD-1234  ");
    await page.getByRole("button", { name: "読み取る", exact: true }).click();
    await page.getByTestId("scan-refused").waitFor({ timeout: 20_000 });
    expect(await page.getByRole("alert").last().getAttribute("data-problem-code")).toMatch(/^qr_(invalid|foreign)$/);
    await page.close();
  });
});
