// Browser helpers shared by the e2e tests: a phone-sized page (360 × 640, touch), waiting for the web font so
// screenshots show Japanese rather than boxes, and the checks every screen gets.
import { screenshot } from "@tsubaki/testkit/chromium";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { expect } from "vitest";

export const phoneViewport = { width: 360, height: 640 };

export async function phonePage(browser: Browser, origin: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: phoneViewport,
    deviceScaleFactor: 1,
    hasTouch: true,
    isMobile: true,
    locale: "ja-JP",
    baseURL: origin,
  });
  const page = await context.newPage();
  return { context, page };
}

/** Waits until BIZ UDPGothic has loaded for what is on screen (the test Chromium has no Japanese font). */
export async function waitForFont(page: Page): Promise<void> {
  await page.waitForFunction(
    async () => {
      await document.fonts.ready;
      return [...document.fonts].some((f) => f.family.includes("BIZ UDPGothic") && f.status === "loaded");
    },
    undefined,
    { timeout: 20_000 },
  );
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
}

export interface SmallTarget {
  text: string;
  width: number;
  height: number;
}

/** Visible buttons, links, inputs and labels of controls smaller than `minPx` in either direction. */
export async function smallTouchTargets(page: Page, minPx = 48): Promise<SmallTarget[]> {
  return page.evaluate((min) => {
    const targets = [...document.querySelectorAll<HTMLElement>("button, a[href], input:not([type=radio]):not([type=checkbox]), label.ts-choice__option")];
    return targets
      .filter((el) => !el.classList.contains("ts-skip"))
      .map((el) => ({ el, box: el.getBoundingClientRect() }))
      .filter(({ box }) => box.width > 0 && box.height > 0)
      .filter(({ box }) => box.height < min - 0.5 || box.width < min - 0.5)
      .map(({ el, box }) => ({ text: (el.textContent ?? el.getAttribute("aria-label") ?? el.tagName).trim().slice(0, 40), width: Math.round(box.width), height: Math.round(box.height) }));
  }, minPx);
}

/**
 * A screenshot of the whole screen as a phone shows it scrolled through: the viewport is made as tall as the
 * page first, so the sticky bottom navigation sits at the bottom rather than over the middle of the picture.
 */
export async function screen(page: Page, name: string): Promise<string> {
  await waitForFont(page);
  const viewport = page.viewportSize() ?? phoneViewport;
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, height) });
  try {
    return await screenshot(page, name);
  } finally {
    await page.setViewportSize(viewport);
  }
}

/** Signs in through an app's own login screen (Japanese labels) and waits for the signed-in home. */
export async function signIn(page: Page, path: string, login: string, password: string, navLink = "読み取る"): Promise<void> {
  await page.goto(path);
  await page.getByLabel("ログインID").fill(login);
  await page.getByLabel("パスワード", { exact: true }).fill(password);
  await page.getByRole("button", { name: "ログイン" }).click();
  await page.getByRole("link", { name: navLink }).first().waitFor({ timeout: 20_000 });
}

/**
 * A signed-in city console (Japanese; desktop size 1024 × 768 unless a viewport is given): logs in as `login`
 * through the console's own screen and waits for its first page, the campaigns.
 */
export async function consolePage(
  browser: Browser,
  origin: string,
  login: string,
  password: string,
  options: { acceptDownloads?: boolean; viewport?: { width: number; height: number } } = {},
): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: "ja-JP", ...options });
  const page = await context.newPage();
  await page.goto(`${origin}/admin/`);
  await page.getByLabel("ログインID").fill(login);
  await page.getByLabel("パスワード", { exact: true }).fill(password);
  await page.getByRole("button", { name: "ログイン", exact: true }).click();
  await expect.poll(() => page.locator("h1").innerText()).toBe("キャンペーン");
  return page;
}
