// Event check-in end to end: an administrator creates an event for residents of 本町 in the console, funds it, and
// the console shows the event's rotating check-in QR; a resident's wallet scans that very QR (a picture of the
// console's screen fed to Chromium's fake camera) and receives the points, once — a second scan says so and gives
// nothing more. Also the console's grant by rule: "everyone aged 65 or over", previewed (who matches, the total,
// who is left out and why) before it is granted. Screenshots at each step, and the accessibility check on each screen.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkA11y, launchBrowser, qrPngToY4m } from "@tsubaki/testkit/chromium";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoPassword } from "../../api/src/seed";
import { call, tokenOf } from "../src/api";
import { consolePage as openConsole, phonePage, screen, signIn } from "../src/browser";
import { startE2eServer, type E2eServer } from "../src/server";

let server: E2eServer;
let consoleBrowser: Browser;
let walletBrowser: Browser | null = null;
let dir = "";

beforeAll(async () => {
  server = await startE2eServer({ demo: true });
  consoleBrowser = await launchBrowser();
  dir = mkdtempSync(join(tmpdir(), "tsubaki-e2e-checkin-"));
});

afterAll(async () => {
  await walletBrowser?.close();
  await consoleBrowser?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const consolePage = (login: string): Promise<Page> => openConsole(consoleBrowser, server.origin, login, demoPassword);

describe("event check-in", () => {
  it("the console shows an event's QR; a resident scans it in the wallet and receives the points once", async () => {
    const demo = server.running.demo;
    if (!demo) throw new Error("the demo town was not seeded");
    const hanako = await tokenOf(server.origin, "hanako", demoPassword);
    const before = (await call(server.origin, "GET", "/v1/wallet", { token: hanako })).body as { points_yen: number };

    // 1. The administrator creates the event: check-in, ¥300 a person, for 本町.
    const operator = await consolePage("admin-ops");
    const id = `fest${Date.now().toString(36)}`;
    await operator.getByLabel("ID（英小文字・数字）").fill(id);
    await operator.getByLabel("名称（日本語）").fill("のっティ感謝祭");
    await operator.getByLabel("名称（英語）").fill("Notty festival");
    await operator.getByText("イベント受付（QRで参加者に付与）").click();
    await operator.getByLabel("1人あたりの付与額（円）").fill("300");
    await operator.getByLabel("1人あたりの上限（円）").fill("300");
    await operator.getByLabel("地区（読点・カンマ区切り）").fill("本町");
    await screen(operator, "checkin-0-console-new-event");
    expect(await checkA11y(operator)).toEqual([]);
    await operator.getByRole("button", { name: "作成する" }).click();
    await operator.getByRole("link", { name: id }).click();
    await expect.poll(() => operator.locator("h1").innerText()).toBe(`キャンペーン ${id}`);
    expect(await operator.getByTestId("eligibility").innerText()).toBe("対象: 地区 本町 / 本人確認済み");

    // 2. Funds it (below the approval threshold, so it moves now), and the QR is on screen.
    await operator.getByLabel("投入額（円）").fill("30000");
    await operator.locator("[data-testid=fund] button[type=submit]").click();
    await expect.poll(() => operator.getByTestId("outcome").innerText()).toBe("予算を投入しました。");
    const qr = operator.getByTestId("checkin-qr");
    await qr.waitFor({ timeout: 20_000 });
    expect(await qr.getAttribute("data-payload")).toMatch(new RegExp(`^tsubaki-checkin:1:${id}:\\d+:[A-Z2-7]{16}$`));
    expect(await operator.getByTestId("checkin-amount").innerText()).toBe("1人 ¥300（1回のみ）");
    await screen(operator, "checkin-1-console-qr");
    expect(await checkA11y(operator)).toEqual([]);

    // 3. The resident's camera sees the console's QR as drawn on the screen.
    const picture = await qr.locator(".ts-qr__code svg").screenshot();
    const video = join(dir, "checkin.y4m");
    qrPngToY4m(picture, video, { seconds: 2, fps: 10 });
    walletBrowser = await launchBrowser({ fakeVideoFile: video });
    const { context, page } = await phonePage(walletBrowser, server.origin);
    await signIn(page, "/wallet/", "hanako", demoPassword);
    await page.getByRole("link", { name: "読み取る" }).first().click();
    const done = page.getByTestId("checked-in");
    await done.waitFor({ timeout: 30_000 });
    expect(await done.getByRole("status").innerText()).toBe("受付しました。ポイントを受け取りました");
    expect(await page.getByTestId("checkin-event").innerText()).toBe("のっティ感謝祭");
    expect(await page.getByTestId("checkin-points").innerText()).toBe("¥300");
    await screen(page, "checkin-2-wallet-checked-in");
    expect(await checkA11y(page)).toEqual([]);

    // 4. Home shows the points; scanning again gives nothing more.
    await page.getByRole("link", { name: "ホーム" }).first().click();
    await expect.poll(() => page.getByTestId("points").innerText(), { timeout: 20_000 }).toBe(`¥${(before.points_yen + 300).toLocaleString("en-US")}`);
    await screen(page, "checkin-3-wallet-home");
    await page.getByRole("link", { name: "読み取る" }).first().click();
    await done.waitFor({ timeout: 30_000 });
    expect(await done.getByRole("status").innerText()).toBe("このイベントは受付済みです（ポイントは1回のみ）");
    await screen(page, "checkin-4-wallet-already");
    expect(await checkA11y(page)).toEqual([]);
    expect((await call(server.origin, "GET", "/v1/wallet", { token: hanako })).body.points_yen).toBe(before.points_yen + 300);
    await context.close();

    // 5. The console's burn-down counts the one check-in.
    await operator.reload();
    await expect.poll(() => operator.locator("[data-figure=issued]").innerText()).toBe("¥300");
    await screen(operator, "checkin-5-console-issued");
  });

  it("grants by rule from the console: the preview shows who matches and why others are left out, then grants", async () => {
    const operator = await consolePage("admin-ops");
    const id = `senior${Date.now().toString(36)}`;
    await operator.getByLabel("ID（英小文字・数字）").fill(id);
    await operator.getByLabel("名称（日本語）").fill("敬老ポイント");
    await operator.getByLabel("名称（英語）").fill("Senior points");
    await operator.getByLabel("年齢の下限（付与日時点、この歳を含む）").fill("65");
    await operator.getByRole("button", { name: "作成する" }).click();
    await operator.getByRole("link", { name: id }).click();
    await expect.poll(() => operator.locator("h1").innerText()).toBe(`キャンペーン ${id}`);
    expect(await operator.getByTestId("eligibility").innerText()).toBe("対象: 65歳以上 / 本人確認済み");
    await operator.getByLabel("投入額（円）").fill("50000");
    await operator.locator("[data-testid=fund] button[type=submit]").click();
    await expect.poll(() => operator.getByTestId("outcome").innerText()).toBe("予算を投入しました。");

    // The demo town: ume (88, verified) matches; hanako (41) is too young; taro is not verified.
    await operator.getByText("条件に合う住民全員").click();
    await operator.getByRole("button", { name: "対象者を試算する" }).click();
    const preview = operator.getByTestId("rule-preview");
    await preview.waitFor({ timeout: 20_000 });
    expect(await preview.locator("[data-figure=matched]").innerText()).toBe("1 人");
    expect(await preview.locator("[data-figure=total]").innerText()).toBe("¥1,000");
    expect(await preview.locator("[data-reason=below_age_min] td").innerText()).toBe("1 人");
    expect(await preview.locator("[data-reason=not_verified] td").innerText()).toBe("1 人");
    await screen(operator, "rule-0-console-preview");
    expect(await checkA11y(operator)).toEqual([]);

    await operator.getByRole("button", { name: "1 人に合計 ¥1,000 を付与する" }).click();
    await expect.poll(() => operator.getByTestId("outcome").innerText()).toBe("1 人に付与しました（¥1,000）。");
    await expect.poll(() => operator.locator("[data-figure=issued]").innerText()).toBe("¥1,000");
    await screen(operator, "rule-1-console-granted");
    expect(await checkA11y(operator)).toEqual([]);
  });
});
