// The shop's side with the resident's, end to end in real Chromium with fake cameras (one browser per video):
// 2. the shop makes a ¥550 QR, the resident scans and pays it, and a second scan is refused;
// 3. the resident shows a one-time code and the shop charges it from the camera;
// 4. a card + PIN payment at the shop, and the card locked after wrong PINs;
// 5. the shop refunds part of a payment, then the rest, and the resident sees the refunds in history, with receipts.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderQrPng } from "@tsubaki/qr";
import { checkA11y, launchBrowser, qrPngToY4m } from "@tsubaki/testkit/chromium";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chargeCoins, tokenOf } from "../src/api";
import { phonePage, screen, signIn } from "../src/browser";
import { startE2eServer, type E2eServer } from "../src/server";

const password = "tsubaki-demo-1";
let server: E2eServer;
let dir = "";
let plain: Browser;
const cameras: Browser[] = [];

async function camera(name: string, payload: string): Promise<Browser> {
  const video = join(dir, `${name}.y4m`);
  qrPngToY4m(Buffer.from(await renderQrPng(payload, { modulePx: 6 })), video, { seconds: 2, fps: 10 });
  const browser = await launchBrowser({ fakeVideoFile: video });
  cameras.push(browser);
  return browser;
}

async function merchantPage(browser: Browser): Promise<Page> {
  const { page } = await phonePage(browser, server.origin);
  await signIn(page, "/merchant/", "tsubakiya", password, "QRコード");
  return page;
}

async function walletPage(browser: Browser): Promise<Page> {
  const { page } = await phonePage(browser, server.origin);
  await signIn(page, "/wallet/", "hanako", password);
  return page;
}

async function keypad(page: Page, keys: string[]): Promise<void> {
  for (const key of keys) await page.locator(".ts-keypad").getByRole("button", { name: key, exact: true }).click();
}

async function check(page: Page, name: string): Promise<void> {
  await screen(page, name);
  expect(await checkA11y(page)).toEqual([]);
}

beforeAll(async () => {
  server = await startE2eServer({ demo: true });
  const demo = server.running.demo;
  if (!demo) throw new Error("the demo town was not seeded");
  await chargeCoins(server.origin, await tokenOf(server.origin, "counter", password), demo.residents.hanako, 5_000);
  dir = mkdtempSync(join(tmpdir(), "tsubaki-e2e-shop-"));
  plain = await launchBrowser();
});

afterAll(async () => {
  for (const browser of cameras) await browser.close();
  await plain?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the shop and the resident", () => {
  it("2. the shop makes a ¥550 QR, the resident pays it, and a second scan is refused", async () => {
    const shop = await merchantPage(plain);
    await shop.getByRole("link", { name: "QRコード" }).first().click();
    await keypad(shop, ["5", "5", "0"]);
    await shop.getByRole("button", { name: "QRコードを作る" }).click();
    const qr = shop.getByTestId("dynamic-qr");
    await qr.waitFor({ timeout: 20_000 });
    const payload = await qr.getAttribute("data-payload");
    expect(payload).toBeTruthy();
    expect(await shop.getByTestId("static-qr").getAttribute("data-payload")).toBeTruthy();
    await check(shop, "dyn-1-merchant-qr");

    const wallet = await walletPage(await camera("dynamic", payload!));
    await wallet.getByRole("link", { name: "読み取る" }).first().click();
    await wallet.getByTestId("pay-amount").waitFor({ timeout: 20_000 });
    expect(await wallet.getByTestId("pay-amount").innerText()).toBe("¥550");
    expect(await wallet.getByTestId("shop-name").innerText()).toBe("和菓子 椿屋");
    await check(wallet, "dyn-2-wallet-confirm");
    await wallet.getByRole("button", { name: "¥550 を支払う" }).click();
    await wallet.getByTestId("receipt").waitFor({ timeout: 20_000 });
    expect(await wallet.getByTestId("receipt-total").innerText()).toBe("¥550");
    await check(wallet, "dyn-3-wallet-receipt");

    await wallet.getByRole("link", { name: "ホームへ戻る" }).click();
    await wallet.getByRole("link", { name: "読み取る" }).first().click();
    const refused = wallet.getByTestId("scan-refused");
    await refused.waitFor({ timeout: 20_000 });
    expect(await refused.getByRole("alert").getAttribute("data-problem-code")).toBe("payment_request_paid");
    await check(wallet, "dyn-4-wallet-second-scan-refused");
  });

  it("3. the resident shows a one-time code and the shop charges it from the camera", async () => {
    const wallet = await walletPage(plain);
    await wallet.getByRole("link", { name: "コード" }).first().click();
    const shown = wallet.getByTestId("pay-code");
    await shown.waitFor({ timeout: 20_000 });
    const code = await shown.getAttribute("data-code");
    expect(code).toMatch(/^TSBK1\./);
    expect(await wallet.getByTestId("pay-code-left").innerText()).toMatch(/^あと \d+ 秒で新しいコードに変わります$/);
    await check(wallet, "cpm-1-wallet-code");

    // A second register of the shop cannot open the event stream (a proxy that buffers it, say): its feed falls
    // back to long polling and still shows the payment.
    const { context: watchContext, page: watcher } = await phonePage(plain, server.origin);
    await watchContext.route(/\/v1\/merchant\/events\?/, (route) => route.fulfill({ status: 503, body: "" }));
    await signIn(watcher, "/merchant/", "tsubakiya", password, "QRコード");
    await expect.poll(() => watcher.locator("[data-feed]").getAttribute("data-feed"), { timeout: 20_000 }).toBe("poll");

    const shop = await merchantPage(await camera("code", code!));
    await shop.getByRole("link", { name: "請求" }).first().click();
    await keypad(shop, ["3", "0", "0"]);
    await shop.getByRole("button", { name: "コードかカードを読み取る" }).click();
    const done = shop.getByTestId("charge-done");
    await done.waitFor({ timeout: 20_000 });
    expect(await done.innerText()).toBe("¥300 を受け取りました");
    await check(shop, "cpm-2-merchant-charged");
    await expect.poll(() => watcher.getByTestId("arrived").count(), { timeout: 30_000 }).toBe(1);
    expect(await watcher.getByTestId("arrived").innerText()).toBe("¥300 の支払いを受け取りました");
    await check(watcher, "cpm-3-merchant-live-by-polling");
    await watchContext.close();
  });

  it("4. a card and its PIN pay at the shop; wrong PINs lock the card", async () => {
    const card = server.running.demo!.cards.hanako;
    const shop = await merchantPage(await camera("card", card.number));
    await shop.getByRole("link", { name: "請求" }).first().click();
    await keypad(shop, ["2", "0", "0"]);
    await shop.getByRole("button", { name: "コードかカードを読み取る" }).click();
    await shop.getByTestId("card-number").waitFor({ timeout: 20_000 });
    expect(await shop.getByTestId("card-number").innerText()).toBe(card.number);
    await shop.getByLabel("暗証番号").fill(card.pin);
    await check(shop, "card-1-merchant-pin");
    await shop.getByRole("button", { name: "¥200 を請求する" }).click();
    await shop.getByTestId("charge-done").waitFor({ timeout: 20_000 });
    expect(await shop.getByTestId("charge-done").innerText()).toBe("¥200 を受け取りました");
    await check(shop, "card-2-merchant-charged");

    await shop.getByRole("button", { name: "次のお客様" }).click();
    await keypad(shop, ["1", "0", "0"]);
    await shop.getByRole("button", { name: "コードかカードを読み取る" }).click();
    await shop.getByTestId("card-number").waitFor({ timeout: 20_000 });
    const wrong = card.pin === "9731" ? "9732" : "9731";
    const codes: string[] = [];
    for (let attempt = 0; attempt < 6 && !codes.includes("card_locked"); attempt++) {
      await shop.getByLabel("暗証番号").fill(wrong);
      const answered = shop.waitForResponse((r) => r.url().includes("/v1/merchant/charges"));
      await shop.getByRole("button", { name: "¥100 を請求する" }).click();
      codes.push(String(((await (await answered).json()) as { code?: string }).code));
      const alert = shop.getByRole("alert");
      await expect.poll(() => alert.getAttribute("data-problem-code"), { timeout: 20_000 }).toBe(codes.at(-1));
      if (attempt === 0) await check(shop, "card-3-merchant-wrong-pin");
    }
    expect(codes[0]).toBe("pin_incorrect");
    expect(codes.at(-1)).toBe("card_locked");
    await check(shop, "card-4-merchant-card-locked");
    // Locked means locked: the right PIN is refused too.
    await shop.getByLabel("暗証番号").fill(card.pin);
    await shop.getByRole("button", { name: "¥100 を請求する" }).click();
    await expect.poll(() => shop.getByRole("alert").getAttribute("data-problem-code"), { timeout: 20_000 }).toBe("card_locked");
  });

  it("5. the shop refunds a payment and the resident sees the refund in history", async () => {
    const shop = await merchantPage(plain);
    await shop.getByRole("link", { name: "売上" }).first().click();
    const sales = shop.getByTestId("sales");
    await sales.waitFor({ timeout: 20_000 });
    const sale550 = sales.locator("li").filter({ hasText: "¥550" }).first();
    await check(shop, "refund-1-merchant-sales");
    // One item of the ¥550 comes back: a partial refund of ¥200, typed over the ¥550 the form starts with.
    await sale550.getByRole("button", { name: "返金する ¥550" }).click();
    const amount = sale550.getByLabel("返金する金額（円、残り ¥550 まで）");
    expect(await amount.inputValue()).toBe("550");
    await amount.fill("600");
    await sale550.getByRole("button", { name: "返金する", exact: true }).click();
    expect(await sale550.getByText("1円から ¥550 までの金額を入れてください。").count()).toBe(1);
    await check(shop, "refund-2-merchant-amount-too-large");
    await amount.fill("２００"); // full-width digits, as a Japanese keyboard may type them
    await sale550.getByRole("button", { name: "¥200 を返金する" }).click();
    await expect.poll(() => shop.getByTestId("sales-notice").innerText(), { timeout: 20_000 }).toBe("¥200 を返金しました");
    await expect.poll(() => sale550.innerText()).toContain("返金済み ¥200");
    // Then the rest: the form starts with what is left.
    await sale550.getByRole("button", { name: "返金する ¥350" }).click();
    await sale550.getByRole("button", { name: "¥350 を返金する" }).click();
    await expect.poll(() => shop.getByTestId("sales-notice").innerText(), { timeout: 20_000 }).toBe("¥350 を返金しました");
    await expect.poll(() => sale550.innerText()).toContain("返金済み ¥550");
    expect(await sale550.getByRole("button", { name: /返金する/ }).count()).toBe(0);
    await check(shop, "refund-3-merchant-refunded");

    // Cancel the last payment (the card's ¥200, minutes old), and the day's sales as a CSV file.
    await shop.getByRole("button", { name: "直前の支払いを取り消す" }).click();
    await expect.poll(() => shop.getByTestId("sales-notice").innerText(), { timeout: 20_000 }).toBe("直前の支払いを取り消しました（¥200）");
    const download = shop.waitForEvent("download");
    await shop.getByRole("button", { name: "売上をCSVでダウンロード" }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe("sales-tsubakiya.csv");
    const csv = await (await file.createReadStream()).toArray();
    expect(Buffer.concat(csv).toString("utf8")).toContain("550");

    const wallet = await walletPage(plain);
    await wallet.getByRole("link", { name: "履歴" }).first().click();
    const refund = wallet.getByTestId("history").locator("li[data-kind=refund]").filter({ hasText: "+¥350" });
    await refund.waitFor({ timeout: 20_000 });
    // ¥200 and ¥350 of the ¥550, and the cancelled ¥200.
    expect(await wallet.getByTestId("history").locator("li[data-kind=refund]").count()).toBe(3);
    await check(wallet, "refund-4-wallet-history");
    await refund.getByRole("button", { name: "レシートを見る" }).click();
    const receipt = wallet.getByTestId("receipt");
    await receipt.waitFor({ timeout: 20_000 });
    expect(await receipt.getByRole("heading").innerText()).toBe("返金: 和菓子 椿屋");
    expect(await wallet.getByTestId("receipt-total").innerText()).toBe("¥350");
    await check(wallet, "refund-5-wallet-receipt");
  });
});
