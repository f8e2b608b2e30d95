// The city console's reports and payouts end to end, in a real Chromium against the real server: a resident pays
// at a small and a large shop; the administrator opens the reports, sees the charts, picks a period and downloads a
// CSV (a real browser download, with the bearer token); makes a payout run for the small shop, downloads its
// Zengin file (Shift_JIS bytes, 120-byte records, CRLF) and imports the bank's confirmation, which clears it.
import { readFileSync } from "node:fs";
import { checkA11y, launchBrowser } from "@tsubaki/testkit/chromium";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoPassword } from "../../api/src/seed";
import { call, chargeCoins, tokenOf } from "../src/api";
import { consolePage as openConsole, screen } from "../src/browser";
import { startE2eServer, type E2eServer } from "../src/server";

let server: E2eServer;
let browser: Browser;
const today = new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);
const campaignId = `rep${Date.now().toString(36)}`;

beforeAll(async () => {
  server = await startE2eServer({ demo: true });
  browser = await launchBrowser();
  const demo = server.running.demo!;
  await chargeCoins(server.origin, await tokenOf(server.origin, "counter", demoPassword), demo.residents.hanako, 3_000);
  // A campaign of ¥1,000 points for Hanako, made and granted through the API, so the burn-down has a curve.
  const ops = await tokenOf(server.origin, "admin-ops", demoPassword);
  const now = Date.now();
  const made = await call(server.origin, "POST", "/v1/admin/campaigns", {
    token: ops,
    body: { id: campaignId, name_ja: "報告テスト", name_en: "Reports test", kind: "grant", grant_yen: 1000, cap_per_person_yen: 1000, restriction: null, expiry_days: 90, starts_at: new Date(now - 86_400_000).toISOString(), ends_at: new Date(now + 30 * 86_400_000).toISOString() },
  });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  expect((await call(server.origin, "POST", `/v1/admin/campaigns/${campaignId}/fund`, { token: ops, key: true, body: { amount: 10_000 } })).status).toBe(201);
  const granted = await call(server.origin, "POST", `/v1/admin/campaigns/${campaignId}/grants`, { token: ops, key: true, body: { amount: 1000, resident_ids: [demo.residents.hanako] } });
  expect(granted.status, JSON.stringify(granted.body)).toBe(201);
  const hanako = await tokenOf(server.origin, "hanako", demoPassword);
  for (const [owner, shopId, amount] of [["tsubakiya", demo.shops.wagashi, 1_000], ["super-owner", demo.shops.supermarket, 500]] as const) {
    const qr = await call(server.origin, "GET", `/v1/merchant/qr?shop_id=${shopId}`, { token: await tokenOf(server.origin, owner, demoPassword) });
    const paid = await call(server.origin, "POST", "/v1/payments", { token: hanako, key: true, body: { qr: qr.body.payload, amount_yen: amount } });
    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
  }
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const consolePage = (login: string): Promise<Page> => openConsole(browser, server.origin, login, demoPassword, { acceptDownloads: true });

/** Clicks a download button and returns the file's name and bytes as the browser saved them. */
async function download(page: Page, testId: string): Promise<{ name: string; bytes: Buffer }> {
  const [file] = await Promise.all([page.waitForEvent("download"), page.getByTestId(testId).click()]);
  const path = await file.path();
  return { name: file.suggestedFilename(), bytes: readFileSync(path) };
}

/** Lines of a file split at CRLF; the file must end with one. */
function crlfLines(bytes: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = 0; i + 1 < bytes.length; i += 1) {
    if (bytes[i] === 0x0d && bytes[i + 1] === 0x0a) {
      lines.push(bytes.subarray(start, i));
      start = i + 2;
      i += 1;
    }
  }
  expect(start).toBe(bytes.length);
  return lines;
}

describe("city console reports and payouts", () => {
  it("reports: charts for the period, figures, and a CSV downloaded with the token", async () => {
    const page = await consolePage("admin-ops");
    await page.getByRole("link", { name: "報告", exact: true }).first().click();
    await expect.poll(() => page.locator("h1").innerText()).toBe("報告");
    await expect.poll(() => page.getByText("読み込み中…").count(), { timeout: 20_000 }).toBe(0);
    // Today's payments: ¥1,500, of which ¥500 at the large supermarket (33.33 %).
    await expect.poll(() => page.locator("[data-figure=payments-total]").innerText()).toBe("¥1,500");
    expect(await page.locator("[data-figure=leakage]").innerText()).toBe("33.33 %");
    expect(await page.locator("[data-figure=recirculation]").innerText()).toBe("100.00 %");
    for (const chart of ["chart-payments", "chart-recirculation", "chart-active", "chart-bus", "chart-burn-down"]) {
      await expect.poll(() => page.locator(`[data-testid=${chart}] svg[role=img]`).count(), { message: chart }).toBe(1);
    }
    expect(Number(await page.locator("[data-testid=chart-payments] rect[data-value='1500']").count())).toBe(1);
    expect(await page.locator("[data-testid=chart-categories] tbody tr").count()).toBe(2);
    expect(await page.locator("[data-testid=chart-outstanding] tbody tr").count()).toBeGreaterThanOrEqual(1);
    await screen(page, "admin-reports");
    await page.getByTestId("report-burn-down").screenshot({ path: new URL("../../../test-output/screenshots/admin-reports-burn-down.png", import.meta.url).pathname });
    expect(await checkA11y(page)).toEqual([]);

    // A shorter period: only today.
    await page.getByLabel("開始日").fill(today);
    await expect.poll(() => page.locator("[data-testid=chart-payments] rect[data-value]").count()).toBe(1);
    const csv = await download(page, "csv-recirculation");
    expect(csv.name).toBe(`tsubaki-recirculation-${today}_${today}.csv`);
    expect([...csv.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = csv.bytes.subarray(3).toString("utf8").split("\r\n");
    expect(rows[0]).toBe("day,payments_yen,refunds_yen,received_yen,paid_out_yen,retained_yen,recirculation_percent");
    expect(rows[1]).toBe(`${today},1500,0,1500,0,1500,100.00`);
    await expect.poll(() => page.locator("[data-testid=chart-burn-down] svg[role=img] polyline").count()).toBe(4);
    const burnDown = await download(page, "csv-burn-down");
    expect(burnDown.name).toBe(`tsubaki-burn-down-${campaignId}-${today}_${today}.csv`);
    expect(burnDown.bytes.subarray(3).toString("utf8").split("\r\n").slice(0, 2)).toEqual([
      "day,issued_yen,used_yen,expired_yen,remaining_yen,issued_today_yen,used_today_yen,expired_today_yen",
      `${today},1000,1000,0,0,1000,1000,0`,
    ]);
    const categories = await download(page, "csv-categories");
    expect(categories.bytes.subarray(3).toString("utf8").split("\r\n")[0]).toBe("category,tier,count,yen");
    await page.context().close();
  });

  it("payouts: a run on request, its lines, the Zengin file and the bank's confirmation", async () => {
    const demo = server.running.demo!;
    const page = await consolePage("admin-ops");
    await page.getByRole("link", { name: "精算", exact: true }).first().click();
    await expect.poll(() => page.locator("h1").innerText()).toBe("精算");
    // The shops table (paged, searched on the server) puts the small wagashi shop into the run.
    await expect.poll(() => page.locator(`[data-testid=shops] [data-shop="${demo.shops.supermarket}"]`).count()).toBe(1);
    await page.getByLabel("検索（コード・店名）").fill("椿屋");
    await expect.poll(() => page.locator(`[data-testid=shops] [data-shop]`).count()).toBe(1);
    await expect.poll(() => page.locator(`[data-testid=shops] [data-shop="${demo.shops.wagashi}"]`).count()).toBe(1);
    await page.locator(`[data-shop="${demo.shops.wagashi}"]`).getByRole("button", { name: "精算に追加" }).click();
    expect(await page.getByLabel("店舗ID（空欄ですべての店舗、空白区切り）").inputValue()).toBe(demo.shops.wagashi);
    await page.getByRole("button", { name: "精算を作成する" }).click();
    await expect.poll(() => page.getByTestId("payout-made").innerText()).toContain("1 件、¥990");
    await expect.poll(() => page.locator("[data-testid=payout-runs] tbody tr").count()).toBe(1);
    await screen(page, "admin-payouts");
    expect(await checkA11y(page)).toEqual([]);

    await page.getByTestId("payout-made").getByRole("link").click();
    await expect.poll(() => page.locator("h1").innerText()).toContain("精算 pay-");
    const line = page.locator("[data-testid=payout-lines] tbody tr");
    await expect.poll(() => line.count()).toBe(1);
    expect(await line.locator("td").allInnerTexts()).toEqual(["1", `和菓子 椿屋\n${demo.shops.wagashi}`, "¥1,000", "¥10", "¥990", "振込待ち"]);

    // The Zengin file as the bank takes it: header, one data record, trailer, end; 120 bytes each, CRLF.
    const zengin = await download(page, "zengin");
    expect(zengin.name).toMatch(/^zengin-pay-[A-Za-z0-9_-]+\.txt$/);
    const records = crlfLines(zengin.bytes);
    expect(records.map((r) => r.length)).toEqual([120, 120, 120, 120]);
    expect(records.map((r) => String.fromCharCode(r[0]!))).toEqual(["1", "2", "8", "9"]);
    expect(Number(records[2]!.subarray(7, 19).toString("latin1"))).toBe(990);
    // Shift_JIS half-width kana (0xA1–0xDF) survive as single bytes: the download was not decoded as text.
    expect(records[0]!.some((b) => b >= 0xa1 && b <= 0xdf)).toBe(true);

    await page.locator("input[type=file]").setInputFiles({ name: "result.csv", mimeType: "text/csv", buffer: Buffer.from("record_no,status,amount\r\n1,ok,990\r\n") });
    await page.getByRole("button", { name: "取り込む" }).click();
    await expect.poll(() => page.getByTestId("confirmed").innerText()).toBe("振込済み 1 件、組戻し 0 件、未確認 0 件。");
    await expect.poll(() => line.locator("td").last().innerText()).toBe("振込済み");
    await screen(page, "admin-payout-run-confirmed");
    expect(await checkA11y(page)).toEqual([]);
    const pending = await call(server.origin, "GET", "/v1/ledger/accounts/payout:pending", { token: (await import("../src/server")).serviceToken });
    expect(pending.body.available ?? pending.body.credits_posted - pending.body.debits_posted).toBe(0);
    await page.context().close();
  });
});
