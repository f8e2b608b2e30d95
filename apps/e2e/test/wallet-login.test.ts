// The wallet's sign-in screen as a resident meets it: Japanese first, English on request, large text for those
// who need it, errors that say what to do, and no serious accessibility problem in any of those states.
import { checkA11y, launchBrowser } from "@tsubaki/testkit/chromium";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { phonePage, screen, smallTouchTargets } from "../src/browser";
import { startE2eServer, type E2eServer } from "../src/server";

let server: E2eServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  server = await startE2eServer();
  browser = await launchBrowser();
  ({ context, page } = await phonePage(browser, server.origin));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const heading = () => page.locator("h1").innerText();
const htmlState = () =>
  page.evaluate(() => ({
    lang: document.documentElement.lang,
    large: document.documentElement.classList.contains("ts-large-text"),
    rootPx: parseFloat(getComputedStyle(document.documentElement).fontSize),
  }));

describe("wallet sign-in screen", () => {
  it("opens in Japanese at / (redirected to /wallet/), with no serious accessibility violation", async () => {
    await page.goto("/");
    expect(new URL(page.url()).pathname).toBe("/wallet/");
    await expect.poll(heading).toBe("ログイン");
    expect(await htmlState()).toEqual({ lang: "ja", large: false, rootPx: 16 });
    expect(await page.title()).toBe("ログイン | つばきウォレット");
    await expect.poll(() => page.getByLabel("ログインID").count()).toBe(1);
    await screen(page, "wallet-login-ja");
    expect(await checkA11y(page)).toEqual([]);
    expect(await smallTouchTargets(page)).toEqual([]);
  });

  it("switches to English, and <html lang> follows", async () => {
    await page.getByLabel("English").check();
    await expect.poll(heading).toBe("Sign in");
    expect((await htmlState()).lang).toBe("en");
    expect(await page.getByRole("button", { name: "Sign in" }).count()).toBe(1);
    await screen(page, "wallet-login-en");
    expect(await checkA11y(page)).toEqual([]);
  });

  it("makes every rem larger with large text, keeps targets large, and remembers both settings after a reload", async () => {
    const before = await page.getByRole("button", { name: "Sign in" }).boundingBox();
    await page.getByLabel("Larger text").check();
    expect(await htmlState()).toEqual({ lang: "en", large: true, rootPx: 20 });
    const after = await page.getByRole("button", { name: "Sign in" }).boundingBox();
    expect(after!.height).toBeGreaterThan(before!.height);
    expect(after!.height).toBeGreaterThanOrEqual(60);
    await page.reload();
    await expect.poll(heading).toBe("Sign in");
    expect(await htmlState()).toEqual({ lang: "en", large: true, rootPx: 20 });
    await screen(page, "wallet-login-en-large");
    expect(await checkA11y(page)).toEqual([]);
    expect(await smallTouchTargets(page, 60)).toEqual([]);
  });

  it("says which field is missing and moves focus there", async () => {
    await page.getByLabel("日本語").check();
    await page.getByLabel("文字を大きくする").uncheck();
    await page.getByRole("button", { name: "ログイン" }).click();
    await expect.poll(() => page.locator(".ts-field__error").allInnerTexts()).toEqual(["ログインIDを入力してください。", "パスワードを入力してください。"]);
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("autocomplete"))).toBe("username");
    expect(await page.getByLabel("ログインID").getAttribute("aria-invalid")).toBe("true");
    await screen(page, "wallet-login-missing-fields");
    expect(await checkA11y(page)).toEqual([]);
  });

  it("shows and hides the password with a toggle button", async () => {
    const password = page.getByLabel("パスワード", { exact: true });
    await password.fill("secret-1234");
    expect(await password.getAttribute("type")).toBe("password");
    const toggle = page.getByRole("button", { name: "表示" });
    await toggle.click();
    expect(await password.getAttribute("type")).toBe("text");
    expect(await page.getByRole("button", { name: "隠す" }).getAttribute("aria-pressed")).toBe("true");
    await page.getByRole("button", { name: "隠す" }).click();
    expect(await password.getAttribute("type")).toBe("password");
  });

  it("shows the API's answer to a failed sign-in as an alert with its code, and focuses it", async () => {
    await page.getByLabel("ログインID").fill("nobody@example.jp");
    await page.getByLabel("パスワード", { exact: true }).fill("wrong-password");
    await page.getByRole("button", { name: "ログイン" }).click();
    const alert = page.getByRole("alert");
    await expect.poll(() => alert.count()).toBe(1);
    // Before the identity routes exist the API answers not_found; after, a wrong password is a 401.
    expect(await alert.getAttribute("data-problem-code")).toMatch(/^(not_found|unauthorized|invalid_credentials|login_failed)$/);
    expect(await alert.innerText()).toContain("エラーコード: ");
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("role"))).toBe("alert");
    await screen(page, "wallet-login-failed");
    expect(await checkA11y(page)).toEqual([]);
  });

  it("offers a skip link to the main content as the first stop for the keyboard", async () => {
    await page.goto("/wallet/");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("本文へ移動");
    await page.keyboard.press("Enter");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("main");
  });

  it("opens offline from the service worker's copy of the app shell, and never from a cached API answer", async () => {
    await page.goto("/wallet/");
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    await page.reload(); // now controlled by the worker
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    await context.setOffline(true);
    try {
      await page.reload();
      await expect.poll(heading).toBe("ログイン");
      expect(await page.locator(".ts-online").innerText()).toBe("オフライン");
      const api = await page.evaluate(() => fetch("/v1/openapi.json").then((r) => r.status, () => "network_error"));
      expect(api).toBe("network_error");
      await screen(page, "wallet-login-offline");
    } finally {
      await context.setOffline(false);
    }
  });
});
