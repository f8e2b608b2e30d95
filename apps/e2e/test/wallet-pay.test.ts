// Scenario 1 (wallet side): a resident with campaign points and charged coins scans the shop's static QR — the
// payload the merchant's own QR endpoint gives the shop for its poster — from the camera, sees the shop's
// registered name, types ¥1,200, confirms, and gets a receipt that shows the points paid first, then coins.
// Home shows the balance with points in spend order and what lapses within 30 days; history lists the payment.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderQrPng } from "@tsubaki/qr";
import { checkA11y, launchBrowser, qrPngToY4m } from "@tsubaki/testkit/chromium";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, chargeCoins, grantPoints, tokenOf } from "../src/api";
import { phonePage, screen, signIn } from "../src/browser";
import { startE2eServer, type E2eServer } from "../src/server";

const password = "tsubaki-demo-1";
let server: E2eServer;
let dir = "";
let browser: Browser;
/** Hanako's wallet before the test pays (the demo town may give her coins of its own). */
let before = { total_yen: 0, coins_yen: 0, points_yen: 0 };
const yen = (n: number) => `¥${n.toLocaleString("en-US")}`;

beforeAll(async () => {
  server = await startE2eServer({ demo: true });
  const demo = server.running.demo;
  if (!demo) throw new Error("the demo town was not seeded");
  const origin = server.origin;
  await grantPoints(origin, demo.residents.hanako, 500);
  await chargeCoins(origin, await tokenOf(origin, "counter", password), demo.residents.hanako, 1_000);
  const wallet = await call(origin, "GET", "/v1/wallet", { token: await tokenOf(origin, "hanako", password) });
  expect(wallet.status).toBe(200);
  before = wallet.body;
  expect(before.points_yen).toBe(500); // only this test's points: the split below depends on it
  const owner = await tokenOf(origin, "tsubakiya", password);
  const qr = await call(origin, "GET", `/v1/merchant/qr?shop_id=${encodeURIComponent(demo.shops.wagashi)}`, { token: owner });
  expect(qr.status).toBe(200);
  dir = mkdtempSync(join(tmpdir(), "tsubaki-e2e-pay-"));
  const video = join(dir, "shop.y4m");
  qrPngToY4m(Buffer.from(await renderQrPng(qr.body.payload as string, { modulePx: 6 })), video, { seconds: 2, fps: 10 });
  browser = await launchBrowser({ fakeVideoFile: video });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("a resident pays a shop by its static QR", () => {
  it("pays ¥1,200 split over points (first) and coins, with a receipt and the payment in history", async () => {
    // The shop's register, in a second context: signed in as the owner, on the home screen with the live feed.
    const shop = await phonePage(browser, server.origin);
    await signIn(shop.page, "/merchant/", "tsubakiya", password, "QRコード");
    await shop.page.getByTestId("today-gross").waitFor({ timeout: 20_000 });
    expect(await shop.page.getByTestId("today-gross").innerText()).toBe("¥0");
    expect(await shop.page.locator("[data-feed]").getAttribute("data-feed")).toBe("sse");
    await screen(shop.page, "pay-0-merchant-home");
    expect(await checkA11y(shop.page)).toEqual([]);

    const { context, page } = await phonePage(browser, server.origin);
    await signIn(page, "/wallet/", "hanako", password);

    await expect.poll(() => page.getByTestId("total").innerText(), { timeout: 20_000 }).toBe(yen(before.total_yen));
    expect(await page.getByTestId("points").innerText()).toBe("¥500");
    expect(await page.getByTestId("coins").innerText()).toBe(yen(before.coins_yen));
    expect(await page.getByTestId("lapsing").innerText()).toBe("30日以内に失効: ¥500");
    await screen(page, "pay-1-wallet-home");
    expect(await checkA11y(page)).toEqual([]);

    await page.getByRole("link", { name: "読み取る" }).first().click();
    const shopName = page.getByTestId("shop-name");
    await shopName.waitFor({ timeout: 20_000 });
    expect(await shopName.innerText()).toBe("和菓子 椿屋");
    await page.keyboard.type("1200"); // a hardware keyboard, typed faster than the screen renders
    await expect.poll(() => page.locator(".ts-keypad").innerText()).toContain("¥1,200");
    await screen(page, "pay-2-wallet-amount");
    expect(await checkA11y(page)).toEqual([]);

    await page.getByRole("button", { name: "確認へ進む" }).click();
    expect(await page.getByTestId("pay-amount").innerText()).toBe("¥1,200");
    await screen(page, "pay-3-wallet-confirm");
    expect(await checkA11y(page)).toEqual([]);

    await page.getByRole("button", { name: "¥1,200 を支払う" }).click();
    await page.getByTestId("receipt").waitFor({ timeout: 20_000 });
    expect(await page.getByTestId("receipt-total").innerText()).toBe("¥1,200");
    expect(await page.getByTestId("receipt-points").innerText()).toBe("¥500");
    expect(await page.getByTestId("receipt-coins").innerText()).toBe("¥700");
    expect(await page.getByTestId("receipt-lines").locator("li").count()).toBe(2);
    await screen(page, "pay-4-wallet-receipt");
    expect(await checkA11y(page)).toEqual([]);

    // The register saw it arrive by itself: the notice, the feed and today's sales.
    await expect.poll(() => shop.page.getByTestId("arrived").count(), { timeout: 20_000 }).toBe(1);
    expect(await shop.page.getByTestId("arrived").innerText()).toBe("¥1,200 の支払いを受け取りました");
    expect(await shop.page.getByTestId("feed").locator("li").count()).toBe(1);
    await expect.poll(() => shop.page.getByTestId("today-gross").innerText(), { timeout: 20_000 }).toBe("¥1,200");
    expect(await shop.page.locator("[data-feed]").getAttribute("data-feed")).toBe("sse");
    await screen(shop.page, "pay-4-merchant-live");
    expect(await checkA11y(shop.page)).toEqual([]);
    await shop.context.close();

    await page.getByRole("link", { name: "履歴" }).click();
    const history = page.getByTestId("history");
    await history.waitFor({ timeout: 20_000 });
    expect(await history.locator("li[data-kind=payment]").count()).toBe(1);
    expect(await history.locator("li[data-kind=payment]").innerText()).toContain("-¥1,200");
    await screen(page, "pay-5-wallet-history");
    expect(await checkA11y(page)).toEqual([]);

    await page.getByRole("link", { name: "ホーム" }).click();
    await expect.poll(() => page.getByTestId("total").innerText(), { timeout: 20_000 }).toBe(yen(before.total_yen - 1_200));

    // Offline: the last balance seen, with its time and a notice.
    await context.route("**/v1/wallet", (route) => route.abort("internetdisconnected"));
    await page.getByRole("link", { name: "履歴" }).click();
    await page.getByRole("link", { name: "ホーム" }).click();
    await page.getByTestId("offline-balance").waitFor({ timeout: 20_000 });
    expect(await page.getByTestId("offline-balance").innerText()).toBe("オフラインです。最後に確認した残高を表示しています。");
    expect(await page.getByTestId("total").innerText()).toBe(yen(before.total_yen - 1_200));
    await screen(page, "pay-6-wallet-offline-balance");
    expect(await checkA11y(page)).toEqual([]);
    await context.close();
  });
});
