// checkA11y must report what a screen-reader user would trip over, even on pages with a strict CSP like our apps.
import { createServer, type Server } from "node:http";
import { existsSync } from "node:fs";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkA11y, launchBrowser, screenshot } from "../src/chromium";

const pages: Record<string, string> = {
  "/good": `<!doctype html><html lang="ja"><title>椿</title><main><h1>残高</h1><img src="/x.png" alt="椿の花"></main></html>`,
  "/bad": `<!doctype html><html lang="ja"><title>椿</title><main><h1>残高</h1><img src="/x.png"><button></button></main></html>`,
};
let server: Server;
let browser: Browser;
let origin = "";

beforeAll(async () => {
  server = createServer((req, res) =>
    res.writeHead(200, { "content-type": "text/html", "content-security-policy": "default-src 'self'" }).end(pages[req.url ?? ""] ?? ""),
  );
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  origin = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  server?.close();
});

describe("checkA11y", () => {
  it("finds nothing serious on an accessible page", async () => {
    const page = await browser.newPage();
    await page.goto(`${origin}/good`);
    expect(await checkA11y(page)).toEqual([]);
  });

  it("reports an image without alt text and a button without a name", async () => {
    const page = await browser.newPage();
    await page.goto(`${origin}/bad`);
    expect((await checkA11y(page)).map((v) => v.id).sort()).toEqual(["button-name", "image-alt"]);
  });

  it("saves screenshots under test-output/screenshots", async () => {
    const page = await browser.newPage();
    await page.goto(`${origin}/good`);
    const file = await screenshot(page, "testkit-a11y-good");
    expect(file).toMatch(/test-output\/screenshots\/testkit-a11y-good\.png$/);
    expect(existsSync(file)).toBe(true);
  });
});
