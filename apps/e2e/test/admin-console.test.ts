// The city console end to end, in a real Chromium against the real server: an administrator creates a campaign
// for small shops, asks to fund it and uploads a CSV of 1,000 residents; a second administrator approves both; a
// resident sees the points, pays at a large shop (coins only) and at a small shop (points first); the burn-down on
// the console moves. Screenshots at each step.
import { launchBrowser } from "@tsubaki/testkit/chromium";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoPassword, seedDemoTown } from "../../api/src/seed";
import { consolePage as openConsole, screen } from "../src/browser";
import { serviceToken, startE2eServer, type E2eServer } from "../src/server";

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

async function api(method: string, path: string, token: string, body?: unknown, key?: string): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (key) headers["Idempotency-Key"] = key;
  const response = await fetch(`${server.origin}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

async function tokenOf(login: string): Promise<string> {
  const r = await fetch(`${server.origin}/v1/auth/login`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ login, password: demoPassword }) });
  expect(r.status).toBe(200);
  return ((await r.json()) as { access_token: string }).access_token;
}

const consolePage = (login: string): Promise<Page> => openConsole(browser, server.origin, login, demoPassword);

async function approveAll(page: Page): Promise<void> {
  await page.goto(`${server.origin}/admin/approvals`);
  await expect.poll(() => page.locator("[data-approval]").count()).toBeGreaterThan(0);
  await page.getByRole("button", { name: "承認する" }).first().click();
  await expect.poll(() => page.getByTestId("approved").innerText()).toContain("承認し、実行しました");
}

describe("city console", () => {
  it("campaign → funding and a 1,000-resident CSV grant approved by a second administrator → payments → burn-down", async () => {
    const demo = await seedDemoTown({ identity: server.running.identity, ledger: server.running.ledger });
    const hanakoId = demo.residents.hanako;
    const operator = await consolePage("admin-ops");
    const approver = await consolePage("admin-approver");

    // 1. Create the campaign in the form.
    const id = `e2e${Date.now().toString(36)}`;
    await operator.getByLabel("ID（英小文字・数字）").fill(id);
    await operator.getByLabel("名称（日本語）").fill("地元のお店応援ポイント");
    await operator.getByLabel("名称（英語）").fill("Local shops points");
    await operator.getByRole("button", { name: "作成する" }).click();
    await expect.poll(() => operator.locator(`text=${id}`).count()).toBeGreaterThan(0);
    await screen(operator, "admin-campaign-created");
    await operator.getByRole("link", { name: id }).click();
    await expect.poll(() => operator.locator("h1").innerText()).toBe(`キャンペーン ${id}`);

    // 2. Ask to fund ¥1,100,000: waits for the approver.
    await operator.getByLabel("投入額（円）").fill("1100000");
    await operator.locator("[data-testid=fund] button[type=submit]").click();
    await expect.poll(() => operator.getByTestId("outcome").innerText()).toContain("承認待ち");
    await approveAll(approver);
    await screen(approver, "admin-funding-approved");

    // 3. Upload a CSV of 1,000 residents (Hanako and 999 others): ¥1,000,000 waits for the approver too.
    const csv = ["resident_id", hanakoId, ...Array.from({ length: 999 }, (_, i) => `r_e2e${id}${i}`)].join("\r\n") + "\r\n";
    await operator.locator("input[type=file]").setInputFiles({ name: "residents.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await operator.locator("[data-testid=grant] button[type=submit]").click();
    await expect.poll(() => operator.getByTestId("outcome").innerText()).toContain("承認待ち");
    await screen(operator, "admin-grant-requested");
    await approveAll(approver);
    await operator.reload();
    await expect.poll(() => operator.locator("[data-figure=remaining]").innerText()).toBe("¥1,000,000");
    await screen(operator, "admin-burn-down-before");

    // 4. The resident sees the points and pays: the supermarket (large) takes coins only, the wagashi shop (small) takes points.
    const hanako = await tokenOf("hanako");
    const wallet = await api("GET", "/v1/wallet", hanako);
    expect(wallet.status).toBe(200);
    expect(wallet.body.points_yen).toBeGreaterThanOrEqual(1000);
    await api("POST", "/v1/ledger/accounts", serviceToken, { id: "cashin:e2e-admin", kind: "cash_in" });
    const coins = await api("POST", "/v1/ledger/transfers", serviceToken, { id: `e2e-coins-${id}`, legs: [{ from: "cashin:e2e-admin", to: `res:${hanakoId}:coins`, amount: 3000 }], code: "charge" });
    expect(coins.status).toBe(201);
    const qrOf = async (login: string, shopId: string) => (await api("GET", `/v1/merchant/qr?shop_id=${shopId}`, await tokenOf(login))).body.payload as string;
    const pointsBefore = wallet.body.points_yen as number;
    const atLarge = await api("POST", "/v1/payments", hanako, { qr: await qrOf("super-owner", demo.shops.supermarket), amount_yen: 500 }, `e2e-pay-large-${id}`);
    expect(atLarge.status).toBe(201);
    expect((await api("GET", "/v1/wallet", hanako)).body.points_yen).toBe(pointsBefore);
    const atSmall = await api("POST", "/v1/payments", hanako, { qr: await qrOf("tsubakiya", demo.shops.wagashi), amount_yen: pointsBefore }, `e2e-pay-small-${id}`);
    expect(atSmall.status).toBe(201);
    expect((await api("GET", "/v1/wallet", hanako)).body.points_yen).toBe(0);

    // 5. The burn-down moved.
    await operator.reload();
    await expect.poll(() => operator.locator("[data-figure=used]").innerText()).toBe("¥1,000");
    expect(await operator.locator("[data-figure=remaining]").innerText()).toBe("¥999,000");
    await screen(operator, "admin-burn-down-after");
  });
});
