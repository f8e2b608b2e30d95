// The Node entry serves the built apps beside the API: files with the right types and cache headers, index.html
// for client routes, nothing outside the dist folder, and the API still answering under /v1.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fileInDist, serveApps } from "../src/static";
import { openHarness, type Harness } from "./harness";

let h: Harness;
let dir = "";
const indexHtml = "<!doctype html><title>wallet</title>";
const js = "console.log('hashed');";

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "tsubaki-static-"));
  const wallet = join(dir, "wallet");
  mkdirSync(join(wallet, "assets"), { recursive: true });
  writeFileSync(join(wallet, "index.html"), indexHtml);
  writeFileSync(join(wallet, "index.html.gz"), gzipSync(indexHtml));
  writeFileSync(join(wallet, "assets", "index-C90XpORc.js"), js);
  writeFileSync(join(wallet, "assets", "font-0-400-Bi49hyb6.woff2"), Buffer.from([0x77, 0x4f, 0x46, 0x32]));
  writeFileSync(join(wallet, "manifest.webmanifest"), "{}");
  writeFileSync(join(wallet, "sw.js"), "self;");
  writeFileSync(join(wallet, "icon.svg"), "<svg/>");
  writeFileSync(join(dir, "secret.txt"), "outside");
  mkdirSync(join(dir, "merchant"));
  writeFileSync(join(dir, "merchant", "index.html"), "<!doctype html><title>merchant</title>");
  h = await openHarness("pglite");
  serveApps(h.app, { distDirs: { wallet, merchant: join(dir, "merchant"), bus: join(dir, "bus-not-built") } });
});

afterAll(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (path: string, headers: Record<string, string> = {}) => h.app.request(path, { headers });

describe("serving the built apps", () => {
  it("redirects / to the wallet and /wallet to /wallet/", async () => {
    const root = await get("/");
    expect(root.status).toBe(302);
    expect(root.headers.get("location")).toBe("/wallet/");
    const bare = await get("/wallet");
    expect(bare.status).toBe(301);
    expect(bare.headers.get("location")).toBe("/wallet/");
  });

  it("serves index.html at the app root, revalidated every time, with a strict content security policy", async () => {
    const r = await get("/wallet/");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(r.headers.get("cache-control")).toBe("no-cache");
    expect(r.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(r.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(await r.text()).toBe(indexHtml);
  });

  it("answers client routes with index.html, so a reload on /wallet/scan works", async () => {
    for (const path of ["/wallet/scan", "/wallet/settings/", "/wallet/history/2026/04"]) {
      const r = await get(path);
      expect(r.status, path).toBe(200);
      expect(await r.text(), path).toBe(indexHtml);
    }
  });

  it("caches hashed assets for a year and serves them with their content type", async () => {
    const r = await get("/wallet/assets/index-C90XpORc.js");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(r.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(r.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await r.text()).toBe(js);
    const font = await get("/wallet/assets/font-0-400-Bi49hyb6.woff2");
    expect(font.headers.get("content-type")).toBe("font/woff2");
    expect(font.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
  });

  it("revalidates files without a hash: the service worker, the manifest, icons", async () => {
    const sw = await get("/wallet/sw.js");
    expect(sw.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(sw.headers.get("cache-control")).toBe("no-cache");
    const manifest = await get("/wallet/manifest.webmanifest");
    expect(manifest.headers.get("content-type")).toBe("application/manifest+json; charset=utf-8");
    expect((await get("/wallet/icon.svg")).headers.get("content-type")).toBe("image/svg+xml");
  });

  it("sends the precompressed copy to clients that accept gzip", async () => {
    const r = await get("/wallet/", { "Accept-Encoding": "gzip, deflate, br" });
    expect(r.headers.get("content-encoding")).toBe("gzip");
    expect(r.headers.get("vary")).toBe("Accept-Encoding");
    const plain = await get("/wallet/");
    expect(plain.headers.get("content-encoding")).toBeNull();
  });

  it("answers 404 for a missing file rather than index.html", async () => {
    const r = await get("/wallet/assets/missing-12345678.js");
    expect(r.status).toBe(404);
  });

  it("never serves a file outside the app's folder", async () => {
    for (const path of ["/wallet/../secret.txt", "/wallet/%2e%2e/secret.txt", "/wallet/..%2fsecret.txt", "/wallet/%2e%2e%2fsecret.txt", "/wallet/a%00.js", "/wallet/%E0%A4%A"]) {
      const r = await get(path);
      expect(await r.text(), path).not.toContain("outside");
    }
    expect(fileInDist("/srv/dist", "../secret.txt")).toBeNull();
    expect(fileInDist("/srv/dist", "..%2fsecret.txt")).toBeNull();
    expect(fileInDist("/srv/dist", "assets/a.js")).toBe("/srv/dist/assets/a.js");
  });

  it("serves each app from its own folder and says when one is not built", async () => {
    expect(await (await get("/merchant/")).text()).toContain("merchant");
    const bus = await get("/bus/");
    expect(bus.status).toBe(404);
    expect(await bus.text()).toContain("not built");
    expect((await get("/admin/")).status).toBe(404); // not configured: the API's own 404
  });

  it("leaves the API alone", async () => {
    const health = await get("/health");
    expect(health.status).toBe(200);
    const missing = await get("/v1/nothing-here");
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toBe("application/problem+json");
  });
});
