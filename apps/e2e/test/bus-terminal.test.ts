// The fare terminal end to end, as a bus uses it: paired once, then the network drops; Chromium's fake camera
// plays 20 ride codes (17 phones, 3 printed child cards) and two bad codes; every good code is charged and
// queued durably, the bad ones are refused in red with the reason and nothing is queued for them; the page is
// reloaded while the API is still unreachable and the queue is intact; the network returns, the queue drains,
// and the server shows 20 rides with the right fares. Screenshots of green, red and the drained driver view.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ed25519 } from "@noble/curves/ed25519.js";
import { issueAccessToken } from "@tsubaki/auth";
import { renderQrPng } from "@tsubaki/qr";
import { encodeRideCode, signTap } from "@tsubaki/ride";
import { checkA11y, launchBrowser, qrPngToY4m, screenshot } from "@tsubaki/testkit/chromium";
import { createTestDatabase, dropTestDatabase } from "@tsubaki/testkit/pg";
import { testDatabaseUrl } from "@tsubaki/testkit/pg-global-setup";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "@tsubaki/api";
import { startNode, type RunningServer } from "../../api/src/node";
import { waitForFont } from "../src/browser";

const serviceToken = "e2e-bus-service-token-0123456789abcdef";
const admin = { actor: "u_e2e_admin", actorRoles: ["admin_operator" as const], requestId: "e2e" };
const PHONES = 17;
const CARDS = 3;

let running: RunningServer;
let databaseUrl = "";
let origin = "";
let dir = "";
let videoFile = "";
let pairingCode = "";

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
function unhex(text: string): Uint8Array {
  return Uint8Array.from(text.match(/../g)!.map((h) => Number.parseInt(h, 16)));
}

async function api(method: string, path: string, body?: unknown, token = serviceToken): Promise<any> {
  const response = await fetch(origin + path, { method, headers: { Authorization: `Bearer ${token}`, ...(body ? { "Content-Type": "application/json" } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const json = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/** A resident with ¥3,000 of coins. */
async function resident(n: number): Promise<{ residentId: string; token: string }> {
  const user = await running.identity.createUser({ login: `bus-rider-${n}`, displayName: `乗客 ${n}`, kind: "resident", roles: [] }, admin);
  if (!user.ok) throw new Error(user.code);
  const created = await running.identity.createResident({ name: `野々市 乗客${n}`, nameKana: "ノノイチ ジョウキャク", birthDate: "1960-04-01", district: "本町", userId: user.user.id }, admin);
  if (!created.ok) throw new Error(created.code);
  const residentId = created.resident.id;
  await fetch(`${origin}/v1/ledger/accounts`, {
    method: "POST",
    headers: { Authorization: `Bearer ${serviceToken}`, "Content-Type": "application/json" },
    body: JSON.stringify({ id: `res:${residentId}:coins`, kind: "coins", flags: { debits_must_not_exceed_credits: true } }),
  });
  await api("POST", "/v1/ledger/accounts", { id: `cashin:e2e${n}`, kind: "cashin", flags: {} });
  await api("POST", "/v1/ledger/transfers", { id: `e2e-fund-${n}`, legs: [{ from: `cashin:e2e${n}`, to: `res:${residentId}:coins`, amount: 3000 }] });
  const roles = await running.identity.rolesOf(user.user.id);
  const issued = await issueAccessToken({ sub: user.user.id, roles }, await running.auth.keys.get(), { issuer: running.auth.issuer, audience: running.auth.audience, ttlSeconds: 900, now: new Date() });
  return { residentId, token: issued.token };
}

/** Concatenates one-QR videos into one that shows each code for a second, in a loop. */
async function writeVideo(codes: readonly string[], file: string): Promise<void> {
  let header = "";
  const bodies: Buffer[] = [];
  for (const [i, code] of codes.entries()) {
    const part = join(dir, `code-${i}.y4m`);
    qrPngToY4m(Buffer.from(await renderQrPng(code, { modulePx: 4 })), part, { seconds: 1, fps: 10 });
    const bytes = readFileSync(part);
    const newline = bytes.indexOf(0x0a);
    header = bytes.subarray(0, newline + 1).toString("latin1");
    bodies.push(bytes.subarray(newline + 1));
  }
  writeFileSync(file, Buffer.concat([Buffer.from(header, "latin1"), ...bodies]));
}

const queueLength = (page: Page) => page.getByTestId("queue-length").textContent().then((t) => Number(t));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "tsubaki-e2e-bus-"));
  databaseUrl = await createTestDatabase(testDatabaseUrl(), "e2ebus");
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  running = await startNode(loadConfig({ PORT: String(port), DATABASE_URL: databaseUrl, TSUBAKI_SERVICE_TOKEN: serviceToken, TSUBAKI_LOG_LEVEL: "silent" }));
  origin = `http://127.0.0.1:${port}`;

  const device = await running.identity.createDevice({ name: "のっティ 3号車", operator: "notty" }, admin);
  if (!device.ok) throw new Error(device.code);
  pairingCode = device.pairingCode;

  const codes: string[] = [];
  const tapTime = Math.floor(Date.now() / 1000) + 60; // fresh for the next ~2.5 minutes at the door
  for (let i = 0; i < PHONES; i += 1) {
    const person = await resident(i);
    const secretKey = ed25519.utils.randomSecretKey();
    const allowance = await api("POST", "/v1/bus/allowances", { rider_public_key: hex(ed25519.getPublicKey(secretKey)) }, person.token);
    const tap = { counter: 1, time: tapTime };
    codes.push(encodeRideCode({ kind: "phone", cert: unhex(allowance.certificate), tap, sig: signTap(allowance.id, tap, secretKey) }));
  }
  for (let i = 0; i < CARDS; i += 1) {
    const person = await resident(100 + i);
    const card = await api("POST", "/v1/bus/cards", { resident_id: person.residentId, fare_class: "child" });
    codes.push(card.rideCode);
  }
  // Bad input at the door: another service's QR, and a phone code whose rider signature was tampered with.
  const good = codes[0]!;
  const forged = good.slice(0, -6) + (good.slice(-6, -5) === "A" ? "B" : "A") + good.slice(-5);
  videoFile = join(dir, "ride-codes.y4m");
  await writeVideo([...codes, "https://example.com/not-a-ride-code", forged], videoFile);
}, 180_000);

afterAll(async () => {
  await running?.close();
  if (databaseUrl) await dropTestDatabase(databaseUrl);
  rmSync(dir, { recursive: true, force: true });
});

describe("bus terminal offline", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser({ fakeVideoFile: videoFile });
  });
  afterAll(async () => browser?.close());

  it("charges 20 ride codes offline, keeps them over a reload, and the server settles each once with the right fare", { timeout: 240_000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 800, height: 1280 }, locale: "ja-JP", baseURL: origin });
    await context.grantPermissions(["camera"], { origin });
    const page = await context.newPage();
    await page.goto("/bus/");
    await page.getByTestId("pairing-code").fill(pairingCode);
    await page.getByRole("button", { name: "登録する" }).click();
    await expect.poll(() => page.getByTestId("queue-length").count(), { timeout: 20_000 }).toBe(1);

    // The network drops. The door keeps working.
    await context.setOffline(true);
    let sawGreen = false;
    let sawRed = false;
    await expect
      .poll(
        async () => {
          const result = await page.getByTestId("door-result").getAttribute("data-result", { timeout: 100 }).catch(() => null);
          if (result === "paid" && !sawGreen) {
            sawGreen = true;
            await waitForFont(page).catch(() => undefined);
            await screenshot(page, "bus-terminal-green");
          }
          if (result !== null && result !== "paid" && result !== "already_paid" && !sawRed) {
            sawRed = true;
            await screenshot(page, "bus-terminal-red");
          }
          return (await queueLength(page)) >= PHONES + CARDS && sawRed;
        },
        { timeout: 120_000, interval: 250 },
      )
      .toBe(true);
    expect(await queueLength(page)).toBe(PHONES + CARDS);
    expect(sawGreen).toBe(true);

    // Reload while the API is still unreachable: the queue is read back from IndexedDB.
    await page.route("**/v1/**", (route) => route.abort("internetdisconnected"));
    await context.setOffline(false);
    await page.reload();
    await expect.poll(() => queueLength(page).catch(() => -1), { timeout: 20_000 }).toBe(PHONES + CARDS);
    await screenshot(page, "bus-terminal-queued-after-reload");

    // The network returns: the queue drains.
    await page.unroute("**/v1/**");
    await expect.poll(() => queueLength(page), { timeout: 60_000, interval: 500 }).toBe(0);
    expect(Number(await page.getByTestId("rejected").textContent())).toBe(0);
    await screenshot(page, "bus-terminal-drained");
    const violations = await checkA11y(page);
    expect(violations.filter((v) => v.impact === "critical").map((v) => v.id)).toEqual([]);

    const today = new Date(Date.now() + 6 * 3600_000).toISOString().slice(0, 10);
    const report = await api("GET", `/v1/bus/reports/rides?from=${today}&to=${today}`);
    const rides = report.items.reduce((n: number, r: { rides: number }) => n + r.rides, 0);
    const fareYen = report.items.reduce((n: number, r: { fareYen: number }) => n + r.fareYen, 0);
    expect({ rides, fareYen }).toEqual({ rides: PHONES + CARDS, fareYen: PHONES * 100 + CARDS * 50 });
    const bus = await api("GET", "/v1/ledger/accounts/mer:bus");
    expect(bus.credits_posted).toBe(PHONES * 100 + CARDS * 50);
    const audit = await api("GET", "/v1/ledger/audit");
    expect(audit.ok).toBe(true);
    await context.close();
  });
});
