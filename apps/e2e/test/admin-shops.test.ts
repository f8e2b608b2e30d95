// The city console's shops (加盟店) end to end, in a real Chromium against the real server: an operator onboards a
// café with its owner, finds it in the list, approves it, enters its bank account (first with a holder name the
// bank cannot read: the API's field error shows beside the field; then a valid one), adds a member of staff,
// suspends it (after confirming), resumes it and removes the member of staff. An auditor sees the same shop without a single button. The nav
// with its sixth item is checked at a phone's width, in large English text too. Screenshots and axe at each step.
import { checkA11y, launchBrowser } from "@tsubaki/testkit/chromium";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoPassword } from "../../api/src/seed";
import { call, tokenOf } from "../src/api";
import { consolePage as openConsole, phoneViewport, screen } from "../src/browser";
import { startE2eServer, type E2eServer } from "../src/server";

let server: E2eServer;
let browser: Browser;
const suffix = Date.now().toString(36);
const shopCode = `cafe-${suffix}`;
const shopName = "ののいち珈琲";
const ownerLogin = `cafe-owner-${suffix}`;
const staffLogin = `cafe-staff-${suffix}`;

beforeAll(async () => {
  server = await startE2eServer({ demo: true });
  browser = await launchBrowser();
  const ops = await tokenOf(server.origin, "admin-ops", demoPassword);
  for (const [login, name] of [[ownerLogin, "珈琲 店主"], [staffLogin, "珈琲 店員"]] as const) {
    const made = await call(server.origin, "POST", "/v1/admin/users", { token: ops, body: { login, password: demoPassword, display_name: name, kind: "merchant" } });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
  }
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const consolePage = (login: string, viewport = { width: 1024, height: 768 }): Promise<Page> => openConsole(browser, server.origin, login, demoPassword, { viewport });

async function settled(page: Page): Promise<void> {
  await expect.poll(() => page.getByText("読み込み中…").count(), { timeout: 20_000 }).toBe(0);
}

async function step(page: Page, name: string): Promise<void> {
  await settled(page);
  await screen(page, name);
  expect(await checkA11y(page)).toEqual([]);
}

/** The error text under a field, found through its aria-describedby as a screen reader would. */
async function fieldError(page: Page, label: string): Promise<string> {
  const input = page.getByLabel(label, { exact: true });
  expect(await input.getAttribute("aria-invalid")).toBe("true");
  const ids = (await input.getAttribute("aria-describedby")) ?? "";
  const errorId = ids.split(" ").find((id) => id.endsWith("-error"));
  expect(errorId).toBeDefined();
  return page.locator(`[id="${errorId}"]`).innerText();
}

describe("city console shops", () => {
  it("onboard → list → approve → bank account (refused, then saved) → staff added → suspend (confirmed) → resume → staff removed", async () => {
    const page = await consolePage("admin-ops");
    await page.getByRole("link", { name: "加盟店", exact: true }).first().click();
    await expect.poll(() => page.locator("h1").innerText()).toBe("加盟店");
    await settled(page);
    // The demo town's three shops are listed; the search box says what it searches.
    await expect.poll(() => page.locator("[data-testid=shop-list] tbody tr").count()).toBe(3);
    await expect.poll(() => page.getByText("店舗コード・店名の一部、または店舗IDで探します。").count()).toBe(1);

    // 1. Onboard a café with its owner.
    const form = page.getByTestId("new-shop");
    await form.getByLabel("店舗コード（英数字とピリオド・下線・コロン・ハイフン、32文字まで）").fill(shopCode);
    await form.getByLabel("店名（日本語）").fill(shopName);
    await form.getByLabel("店名（ローマ字、25文字まで。QRコードに載ります）").fill("Nonoichi Coffee");
    await form.getByLabel("業種（英小文字・数字・下線、例: wagashi）").fill("cafe");
    await form.getByLabel("小規模店").check();
    await form.getByLabel("業種コード MCC（4桁）").fill("5814");
    await form.getByLabel("手数料率（%、0〜10、小数2桁まで）").fill("1.5");
    await form.getByLabel("店主のログインID").fill(ownerLogin);
    await step(page, "admin-shops-onboard-form");
    await form.getByRole("button", { name: "登録する" }).click();
    await expect.poll(() => page.locator("h1").innerText()).toBe(`加盟店 ${shopName}`);
    const shopId = decodeURIComponent(new URL(page.url()).pathname.split("/").pop()!);
    expect(shopId).toMatch(/^s_/);
    await expect.poll(() => page.getByTestId("shop-status").getAttribute("data-status")).toBe("applied");
    await expect.poll(() => page.locator(`[data-testid=shop-staff] tr[data-login="${ownerLogin}"] td`).nth(1).innerText()).toBe("店主");
    expect(await page.getByTestId("shop-details").innerText()).toContain("1.50 %");
    await step(page, "admin-shop-onboarded");

    // 2. Find it in the list with the search box, and open it from there.
    await page.getByRole("link", { name: "加盟店の一覧へ" }).click();
    await expect.poll(() => page.locator("h1").innerText()).toBe("加盟店");
    await expect.poll(() => page.locator("[data-testid=shop-list] tbody tr").count()).toBe(4);
    await page.getByLabel("検索（コード・店名）").fill("珈琲");
    await expect.poll(() => page.locator("[data-testid=shop-list] tbody tr").count()).toBe(1);
    const row = page.locator(`[data-shop="${shopId}"]`);
    expect(await row.locator("td").allInnerTexts()).toEqual([shopCode, `${shopName}\n小規模店`, "1.50 %", "申請中", "未登録"]);
    await step(page, "admin-shops-search");
    await row.getByRole("link", { name: shopCode }).click();
    await expect.poll(() => page.locator("h1").innerText()).toBe(`加盟店 ${shopName}`);
    await settled(page);

    // 3. Approve.
    await page.getByRole("button", { name: "承認する" }).click();
    await expect.poll(() => page.getByTestId("status-done").innerText()).toBe("状態を「利用中」にしました。");
    await expect.poll(() => page.getByTestId("shop-status").getAttribute("data-status")).toBe("active");
    await step(page, "admin-shop-approved");

    // 4. A bank account whose holder name is in kanji: refused, and the API's code and detail show at the field.
    const bank = page.getByTestId("bank-form");
    await bank.getByLabel("金融機関コード（4桁）").fill("0149");
    await bank.getByLabel("支店番号（3桁）").fill("101");
    await bank.getByLabel("普通").check();
    await bank.getByLabel("口座番号（7桁）").fill("7654321");
    await bank.getByLabel("口座名義（カナ）").fill("野々市珈琲");
    await bank.getByRole("button", { name: "口座を保存する" }).click();
    await expect.poll(() => bank.locator("[data-problem-code]").getAttribute("data-problem-code")).toBe("invalid_field");
    const holderError = await fieldError(page, "口座名義（カナ）");
    expect(holderError).toContain("カタカナ・英大文字・数字・スペースと ().,-/ で、半角30文字までにしてください。");
    expect(holderError).toContain("invalid_field: holder_kana:");
    expect(await page.getByTestId("bank-now").innerText()).toBe("振込口座は未登録です。");
    await step(page, "admin-shop-bank-refused");

    // ... then a valid one.
    await bank.getByLabel("口座名義（カナ）").fill("ノノイチコーヒー");
    await bank.getByRole("button", { name: "口座を保存する" }).click();
    await expect.poll(() => page.getByTestId("bank-saved").innerText()).toBe("振込口座を保存しました。");
    await expect.poll(() => page.getByTestId("bank-now").innerText()).toBe("0149-101 普通 7654321 ノノイチコーヒー");
    expect(await page.getByLabel("口座名義（カナ）").getAttribute("aria-invalid")).toBeNull();
    await step(page, "admin-shop-bank-saved");

    // 5. Add a member of staff; an unknown login is refused at the field first.
    const staff = page.getByTestId("staff-form");
    await staff.getByLabel("加える人のログインID").fill("nobody-here");
    await staff.getByRole("button", { name: "スタッフに加える" }).click();
    await expect.poll(() => fieldError(page, "加える人のログインID")).toBe("このログインIDの利用者はいません。");
    await staff.getByLabel("加える人のログインID").fill(staffLogin);
    await staff.getByLabel("スタッフ", { exact: true }).check();
    await staff.getByRole("button", { name: "スタッフに加える" }).click();
    await expect.poll(() => page.getByTestId("staff-done").innerText()).toBe(`${staffLogin} を加えました。`);
    await expect.poll(() => page.locator(`[data-testid=shop-staff] tr[data-login="${staffLogin}"] td`).nth(1).innerText()).toBe("スタッフ");
    expect(await page.locator("[data-testid=shop-staff] tbody tr").count()).toBe(2);
    await step(page, "admin-shop-staff-added");

    // 6. Suspend: the first click only asks; the confirmation does it.
    await page.getByRole("button", { name: "停止する", exact: true }).click();
    await expect.poll(() => page.getByTestId("confirm-suspend").innerText()).toContain(`${shopName} を停止しますか。`);
    expect(await page.getByTestId("shop-status").getAttribute("data-status")).toBe("active");
    await step(page, "admin-shop-suspend-confirm");
    await page.getByRole("button", { name: "停止を確定する" }).click();
    await expect.poll(() => page.getByTestId("shop-status").getAttribute("data-status")).toBe("suspended");
    expect(await page.getByTestId("status-done").innerText()).toBe("状態を「停止中」にしました。");
    await step(page, "admin-shop-suspended");

    // 7. Resume.
    await page.getByRole("button", { name: "再開する" }).click();
    await expect.poll(() => page.getByTestId("shop-status").getAttribute("data-status")).toBe("active");
    await step(page, "admin-shop-resumed");

    // 8. Remove the member of staff again (the button names whom it removes); the owner stays.
    await page.getByRole("button", { name: `珈琲 店員（${staffLogin}） をスタッフから外す` }).click();
    await expect.poll(() => page.getByTestId("staff-done").innerText()).toBe(`珈琲 店員（${staffLogin}） を外しました。`);
    await expect.poll(() => page.locator("[data-testid=shop-staff] tbody tr").count()).toBe(1);
    await expect.poll(() => page.locator(`[data-testid=shop-staff] tr[data-login="${ownerLogin}"]`).count()).toBe(1);
    await step(page, "admin-shop-staff-removed");

    // What the API holds now.
    const shop = await call(server.origin, "GET", `/v1/admin/shops/${shopId}`, { token: await tokenOf(server.origin, "admin-ops", demoPassword) });
    expect(shop.body).toMatchObject({ code: shopCode, status: "active", fee_rate_bp: 150, tier: "small", bank: { bank_code: "0149", branch_code: "101", account_type: "ordinary", account_number: "7654321", holder_kana: "ノノイチコーヒー" } });
    await page.context().close();
  });

  it("an auditor sees a shop and its staff but no button that changes them", async () => {
    const page = await consolePage("admin-auditor");
    await page.getByRole("link", { name: "加盟店", exact: true }).first().click();
    await settled(page);
    expect(await page.getByTestId("new-shop").count()).toBe(0);
    await page.getByLabel("検索（コード・店名）").fill(shopCode);
    await expect.poll(() => page.locator("[data-testid=shop-list] tbody tr").count()).toBe(1);
    await page.getByRole("link", { name: shopCode }).click();
    await expect.poll(() => page.locator("h1").innerText()).toBe(`加盟店 ${shopName}`);
    await settled(page);
    await expect.poll(() => page.getByText("閲覧のみです。監査担当は変更できません。").count()).toBe(1);
    await expect.poll(() => page.locator(`[data-testid=shop-staff] tr[data-login="${ownerLogin}"]`).count()).toBe(1);
    expect(await page.locator("main button").count()).toBe(0);
    expect(await page.locator("main form").count()).toBe(0);
    await step(page, "admin-shop-auditor");
    await page.context().close();
  });

  it("the six-item nav on a phone: it fits in Japanese; in large English text it scrolls, the page does not", async () => {
    const page = await consolePage("admin-ops", phoneViewport);
    await page.getByRole("link", { name: "加盟店", exact: true }).first().click();
    await settled(page);
    const width = () => page.evaluate(() => document.documentElement.scrollWidth);
    const navFits = () => page.evaluate(() => {
      const list = document.querySelector(".ts-nav__list")!;
      return list.scrollWidth <= list.clientWidth;
    });
    expect(await navFits()).toBe(true);
    expect(await width()).toBeLessThanOrEqual(phoneViewport.width);
    await step(page, "admin-shops-phone");

    await page.getByRole("link", { name: "設定", exact: true }).first().click();
    await page.getByLabel("English").check();
    await page.getByLabel("Larger text").check();
    await page.getByRole("link", { name: "Shops", exact: true }).first().click();
    await expect.poll(() => page.locator("h1").innerText()).toBe("Shops");
    await expect.poll(() => page.getByText("Loading…").count(), { timeout: 20_000 }).toBe(0);
    expect(await width()).toBeLessThanOrEqual(phoneViewport.width);
    await screen(page, "admin-shops-phone-en-large");
    expect(await checkA11y(page)).toEqual([]);
    // The last item is reached by scrolling the bar, and works.
    const settings = page.getByRole("link", { name: "Settings", exact: true }).first();
    await settings.scrollIntoViewIfNeeded();
    await screen(page, "admin-shops-phone-en-large-nav-scrolled");
    await settings.click();
    await expect.poll(() => page.locator("h1").innerText()).toBe("Settings");
    await page.context().close();
  });
});
