// The shop app's sign-in screen: served under /merchant/, Japanese first, installable, accessible.
import { checkA11y, launchBrowser } from "@tsubaki/testkit/chromium";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { phonePage, screen, smallTouchTargets } from "../src/browser";
import { startE2eServer, type E2eServer } from "../src/server";

let server: E2eServer;
let browser: Browser;

beforeAll(async () => {
  server = await startE2eServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("merchant sign-in screen", () => {
  it("renders in Japanese with no serious accessibility violation and large touch targets", async () => {
    const { page } = await phonePage(browser, server.origin);
    await page.goto("/merchant/");
    await page.getByRole("heading", { level: 1, name: "加盟店ログイン" }).waitFor();
    expect(await page.title()).toBe("加盟店ログイン | つばき 加盟店");
    await screen(page, "merchant-login-ja");
    expect(await checkA11y(page)).toEqual([]);
    expect(await smallTouchTargets(page)).toEqual([]);
  });

  it("is an installable app: a Japanese manifest scoped to /merchant/ with PNG icons", async () => {
    const manifest = await (await fetch(`${server.origin}/merchant/manifest.webmanifest`)).json();
    expect(manifest).toMatchObject({ name: "つばき 加盟店（野々市市）", lang: "ja", start_url: "/merchant/", scope: "/merchant/", display: "standalone" });
    for (const icon of manifest.icons as { src: string; type: string }[]) {
      const response = await fetch(`${server.origin}/merchant/${icon.src}`);
      expect(response.status, icon.src).toBe(200);
      expect(response.headers.get("content-type"), icon.src).toBe(icon.type);
    }
    const sw = await fetch(`${server.origin}/merchant/sw.js`);
    expect(sw.status).toBe(200);
    expect(await sw.text()).not.toContain('"/v1/');
  });
});
