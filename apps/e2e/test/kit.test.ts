// The UI kit's components that no app screen uses yet, in a real Chromium on the kit's gallery page (served by
// Vite's dev server): the amount keypad by touch and keyboard, a QR display that a scanner reads back exactly,
// API error messages in both languages with the code, and the high-contrast palette.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { qrTextFromBytes } from "@tsubaki/qr";
import { checkA11y, launchBrowser } from "@tsubaki/testkit/chromium";
import jsQR from "jsqr";
import type { Browser, Page } from "playwright-core";
import { PNG } from "pngjs";
import { createServer, type ViteDevServer } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { phonePage, screen } from "../src/browser";

const galleryConfig = join(dirname(fileURLToPath(import.meta.url)), "../../../packages/ui/gallery/vite.config.ts");
const galleryQrPayload = "TSUBAKI-GALLERY つばき喫茶 野々市店 ¥1,200";

let vite: ViteDevServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  vite = await createServer({ configFile: galleryConfig, configLoader: "runner", server: { port: 0, strictPort: false } });
  await vite.listen();
  const origin = vite.resolvedUrls?.local[0]?.replace(/\/$/, "");
  if (!origin) throw new Error("the gallery's dev server has no URL");
  browser = await launchBrowser();
  ({ page } = await phonePage(browser, origin));
  await page.goto("/");
  await page.getByRole("heading", { level: 1, name: "部品の一覧" }).waitFor({ timeout: 30_000 });
});

afterAll(async () => {
  await browser?.close();
  await vite?.close();
});

const amount = () => page.locator(".ts-keypad__amount").innerText();

describe("amount keypad", () => {
  it("builds an amount from taps, with a yen sign and thousands separators", async () => {
    for (const key of ["1", "2", "00"]) await page.getByRole("button", { name: key, exact: true }).click();
    expect(await amount()).toBe("¥1,200");
    await page.getByRole("button", { name: "00", exact: true }).click(); // ¥120,000 would pass the ¥100,000 limit
    expect(await amount()).toBe("¥1,200");
    await page.getByRole("button", { name: "1字消す" }).click();
    expect(await amount()).toBe("¥120");
    await screen(page, "kit-keypad");
    await page.getByRole("button", { name: "クリア" }).click();
    expect(await amount()).toBe("¥0");
  });

  it("takes digits, Backspace and Escape from the keyboard while focus is in the keypad", async () => {
    await page.getByRole("button", { name: "5", exact: true }).focus();
    await page.keyboard.type("3500");
    expect(await amount()).toBe("¥3,500");
    await page.keyboard.press("Backspace");
    expect(await amount()).toBe("¥350");
    await page.keyboard.press("Escape");
    expect(await amount()).toBe("¥0");
  });

  it("names itself and announces the amount to screen readers", async () => {
    expect(await page.getByRole("group", { name: "金額入力" }).count()).toBe(1);
    expect(await page.locator(".ts-keypad__amount").getAttribute("aria-live")).toBe("polite");
  });
});

describe("QR display", () => {
  it("draws a code that a scanner reads back as exactly the payload", async () => {
    const svg = page.getByTestId("qr").locator("svg");
    expect(await svg.getAttribute("aria-label")).toBe("お店のQRコード");
    await svg.evaluate((el) => el.scrollIntoView({ block: "center" })); // clear of the sticky bottom navigation
    const png = PNG.sync.read(await svg.screenshot());
    const code = jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height);
    expect(code).not.toBeNull();
    expect(qrTextFromBytes(code!.binaryData)).toBe(galleryQrPayload);
  });
});

describe("error messages", () => {
  it("say what happened and what to do, with the code and the reference number", async () => {
    const alerts = page.getByRole("alert");
    expect(await alerts.count()).toBe(3);
    const lines = async (i: number) => (await alerts.nth(i).innerText()).split("\n").filter((line) => line.trim() !== "");
    expect(await lines(0)).toEqual(["残高が足りません。", "チャージしてから、もう一度お支払いください。", "エラーコード: insufficient_funds", "問い合わせ番号: req-1234"]);
    expect(await alerts.nth(2).innerText()).toContain("エラーが起きました。");
    expect(await alerts.nth(2).innerText()).toContain("エラーコード: some_future_code");
  });

  it("follow the language setting", async () => {
    await page.getByLabel("English").check();
    expect(await page.getByRole("alert").nth(0).innerText()).toContain("Not enough balance.");
    expect(await page.getByRole("alert").nth(1).innerText()).toContain("Cannot reach the server.");
    await page.getByLabel("日本語").check();
  });
});

describe("high contrast", () => {
  it("switches to black on white and keeps the page free of serious accessibility violations", async () => {
    await page.getByLabel("はっきりした色にする").check();
    const header = await page.locator(".ts-header").evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(header).toBe("rgb(0, 0, 0)");
    await screen(page, "kit-high-contrast");
    expect(await checkA11y(page)).toEqual([]);
    await page.getByLabel("はっきりした色にする").uncheck();
    await page.getByLabel("文字を大きくする").check();
    await screen(page, "kit-large-text");
    expect(await checkA11y(page)).toEqual([]);
    await page.getByLabel("文字を大きくする").uncheck();
  });
});
