// Scenario 6: the language switch and large text reach every screen of both apps. The resident (and the shop)
// switch once in settings; every screen then has English headings and navigation, <html lang="en">, the larger
// type, touch targets of at least 48 px, and no serious accessibility violation.
import { checkA11y, launchBrowser } from "@tsubaki/testkit/chromium";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chargeCoins, tokenOf } from "../src/api";
import { phonePage, screen, signIn, smallTouchTargets } from "../src/browser";
import { startE2eServer, type E2eServer } from "../src/server";

const password = "tsubaki-demo-1";
let server: E2eServer;
let browser: Browser;

beforeAll(async () => {
  server = await startE2eServer({ demo: true });
  await chargeCoins(server.origin, await tokenOf(server.origin, "counter", password), server.running.demo!.residents.hanako, 2_000);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function switchToEnglishLargeText(page: Page, settingsLink: string): Promise<void> {
  await page.getByRole("link", { name: settingsLink }).first().click();
  await page.getByLabel("English").check();
  await page.getByLabel("Larger text").check();
  await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe("en");
}

async function everyScreen(page: Page, app: string, screens: { path: string; title: string; nav: string }[]): Promise<void> {
  for (const s of screens) {
    await page.getByRole("link", { name: s.nav, exact: true }).first().click();
    await expect.poll(() => page.locator("h1").innerText(), { timeout: 20_000 }).toBe(s.title);
    await expect.poll(() => page.getByText("Loading…").count(), { timeout: 20_000 }).toBe(0);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("en");
    expect(await page.evaluate(() => document.documentElement.classList.contains("ts-large-text"))).toBe(true);
    await screen(page, `en-large-${app}-${s.path}`);
    expect(await smallTouchTargets(page), s.path).toEqual([]);
    expect(await checkA11y(page), s.path).toEqual([]);
  }
}

describe("language and large text on every screen", () => {
  it("the wallet", async () => {
    const { context, page } = await phonePage(browser, server.origin);
    await signIn(page, "/wallet/", "hanako", password);
    await switchToEnglishLargeText(page, "設定");
    await everyScreen(page, "wallet", [
      { path: "home", title: "Home", nav: "Home" },
      { path: "scan", title: "Scan a QR code", nav: "Scan" },
      { path: "code", title: "Payment code", nav: "Code" },
      { path: "history", title: "History", nav: "History" },
      { path: "settings", title: "Settings", nav: "Settings" },
    ]);
    await page.getByRole("link", { name: "Home", exact: true }).first().click();
    await page.getByRole("link", { name: "How to charge" }).click();
    await expect.poll(() => page.locator("h1").innerText()).toBe("How to charge");
    await screen(page, "en-large-wallet-charge");
    expect(await checkA11y(page)).toEqual([]);
    await context.close();
  });

  it("the shop app", async () => {
    const { context, page } = await phonePage(browser, server.origin);
    await signIn(page, "/merchant/", "tsubakiya", password, "QRコード");
    await switchToEnglishLargeText(page, "設定");
    await everyScreen(page, "merchant", [
      { path: "home", title: "Home", nav: "Home" },
      { path: "qr", title: "Shop QR code", nav: "QR code" },
      { path: "charge", title: "Charge a code or card", nav: "Charge" },
      { path: "sales", title: "Sales", nav: "Sales" },
      { path: "settings", title: "Settings", nav: "Settings" },
    ]);
    await context.close();
  });
});
