// The wallet's ride-code screen: a resident signs in, asks for a ride allowance (¥1,000 of coins held), and the
// screen shows a ride code that a terminal accepts (read back from the screen with jsQR and checked with the
// terminal's own decideTap). Offline, the code still renews about every 30 seconds with a new counter.
import { launchBrowser } from "@tsubaki/testkit/chromium";
import { createTestDatabase, dropTestDatabase } from "@tsubaki/testkit/pg";
import { testDatabaseUrl } from "@tsubaki/testkit/pg-global-setup";
import { decideTap, emptySeen, parseRideCode, defaultFareTable } from "@tsubaki/ride";
import jsQR from "jsqr";
import { PNG } from "pngjs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "@tsubaki/api";
import { startNode, type RunningServer } from "../../api/src/node";
import { phonePage, screen } from "../src/browser";

const serviceToken = "e2e-ride-service-token-0123456789abcdef";
const admin = { actor: "u_e2e_admin", actorRoles: ["admin_operator" as const], requestId: "e2e" };
let running: RunningServer;
let databaseUrl = "";
let origin = "";
let browser: Browser;

async function api(method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(origin + path, { method, headers: { Authorization: `Bearer ${serviceToken}`, ...(body ? { "Content-Type": "application/json" } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return response.json();
}

async function readQr(page: Page): Promise<string | null> {
  const png = PNG.sync.read(await page.locator(".ts-qr__code").screenshot());
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data ?? null;
}

beforeAll(async () => {
  databaseUrl = await createTestDatabase(testDatabaseUrl(), "e2eride");
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  running = await startNode(loadConfig({ PORT: String(port), DATABASE_URL: databaseUrl, TSUBAKI_SERVICE_TOKEN: serviceToken, TSUBAKI_LOG_LEVEL: "silent" }));
  origin = `http://127.0.0.1:${port}`;
  const user = await running.identity.createUser({ login: "bus-rider", password: "ride-the-notty-1", displayName: "乗客", kind: "resident", roles: [] }, admin);
  if (!user.ok) throw new Error(user.code);
  const resident = await running.identity.createResident({ name: "野々市 花子", nameKana: "ノノイチ ハナコ", birthDate: "1948-05-01", district: "本町", userId: user.user.id }, admin);
  if (!resident.ok) throw new Error(resident.code);
  const coins = `res:${resident.resident.id}:coins`;
  await api("POST", "/v1/ledger/accounts", { id: coins, kind: "coins", flags: { debits_must_not_exceed_credits: true } });
  await api("POST", "/v1/ledger/accounts", { id: "cashin:e2eride", kind: "cashin", flags: {} });
  await api("POST", "/v1/ledger/transfers", { id: "e2e-ride-fund", legs: [{ from: "cashin:e2eride", to: coins, amount: 3000 }] });
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await running?.close();
  if (databaseUrl) await dropTestDatabase(databaseUrl);
});

describe("wallet ride code", () => {
  it("gets an allowance and shows a ride code the terminal accepts, renewed offline", { timeout: 120_000 }, async () => {
    const { context, page } = await phonePage(browser, origin);
    await page.goto("/wallet/");
    await page.getByLabel("ログインID").fill("bus-rider");
    await page.getByLabel("パスワード", { exact: true }).fill("ride-the-notty-1");
    await page.getByRole("button", { name: "ログイン" }).click();
    await expect.poll(() => page.locator("h1").innerText(), { timeout: 20_000 }).not.toBe("ログイン");
    await page.goto("/wallet/ride");
    await page.getByRole("button", { name: /乗車許可をもらう/ }).click();
    await expect.poll(() => page.locator(".ts-qr__code").count(), { timeout: 20_000 }).toBe(1);
    await screen(page, "wallet-ride-code");

    const first = await readQr(page);
    expect(first).not.toBeNull();
    const parsed = parseRideCode(first!);
    expect(parsed.ok && parsed.kind).toBe("phone");
    const config = await api("GET", "/v1/bus/terminal/config");
    const keys = new Map<number, Uint8Array>(config.issuer_keys.map((k: { kid: number; public_key: string }) => [k.kid, Uint8Array.from(k.public_key.match(/../g)!, (h: string) => Number.parseInt(h, 16))]));
    const door = (code: string) =>
      decideTap({ code, now: Math.floor(Date.now() / 1000), issuerKeys: keys, denyList: { entries: new Set(), updatedAt: Math.floor(Date.now() / 1000) }, seen: emptySeen(), fareTable: defaultFareTable("notty"), terminal: { terminalId: "e2e1", nextLocalSeq: 1 } });
    const decision = door(first!);
    expect(decision.ok && { fare: decision.fareYen, counter: decision.record.counter }).toEqual({ fare: 100, counter: 1 });

    // Offline: the code renews with the next counter and is still accepted.
    await context.setOffline(true);
    await expect.poll(async () => readQr(page), { timeout: 45_000, interval: 1000 }).not.toBe(first);
    const second = await readQr(page);
    const again = door(second!);
    expect(again.ok && again.record.counter).toBe(2);
    await context.close();
  });
});
