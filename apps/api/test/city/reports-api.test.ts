// The city's report series through the API, checked against sums the test makes itself from a scenario it seeds in
// a fresh database: residents paying at a small and a large shop with points and coins, a refund, a payout, lapsed
// points, and bus rides tapped by a terminal. Each report in JSON and in CSV (header and rows), both backends.
import { ed25519 } from "@noble/curves/ed25519.js";
import { createBusStore } from "@tsubaki/db";
import { tokyoDate } from "@tsubaki/payments";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createApp, type TsubakiApp } from "../../src/app";
import { createLogger } from "../../src/log";
import { createBusService, rideDateOf, type BusService } from "../../src/services/bus";
import { bytesToHex, loadIssuerKeyring } from "../../src/services/bus-keys";
import { createCityService, type CityService } from "../../src/services/city";
import { phoneTap } from "../bus-kit";
import { expectProblem } from "../harness";
import { admin, call, days, expectLedgerAudited, giveCoins, grantLot, newCampaign, newResident, newShop, newUser, openPaymentsHarness, stickerOf, tokenFor, uniq, type PaymentsHarness } from "../payments-kit";

/** Half-up basis points, written independently of @tsubaki/city's shareBps. */
const bps = (part: number, whole: number) => Math.floor((part * 10_000 * 2 + whole) / (whole * 2));

/** Rows of a CSV answer (Response.text() has already dropped the BOM; the bytes are checked where it matters). */
function csvLines(text: string): string[][] {
  expect(text.endsWith("\r\n")).toBe(true);
  return text.replace(/^\uFEFF/, "").slice(0, -2).split("\r\n").map((line) => line.split(","));
}

for (const backend of ["pglite", "postgres"] as const) {
  describe(`city report series (${backend})`, () => {
    let h: PaymentsHarness;
    let app: TsubakiApp;
    let city: CityService;
    let bus: BusService;
    let reader: string;
    let today: string;
    const paid = { small: [] as number[], large: [] as number[] };
    const refundedYen = 200;
    let payoutGrossYen = 0;
    let campaignId = "";
    const grantedYen = { used: 1000, lapsed: 300 };
    let ridesTapped = 0;

    beforeAll(async () => {
      h = await openPaymentsHarness(backend);
      city = createCityService({ db: h.db, ledger: h.ledger, identity: h.identity, now: h.clock.now });
      const busStore = createBusStore(h.db);
      bus = createBusService({ ledger: h.ledger, store: busStore, keys: await loadIssuerKeyring({ configured: null, store: busStore, now: new Date() }) });
      app = createApp({ ledger: h.ledger, identity: h.identity, auth: h.auth, payments: h.payments, city, bus, config: h.config, logger: createLogger("silent") });
      h.app = app;
      reader = await tokenFor(h, await newUser(h, "city", ["admin_auditor"]));
      const operator = await tokenFor(h, await newUser(h, "city", ["admin_operator"]));
      today = tokyoDate(new Date());

      // Two shops; two residents with coins; one with a lot of 1,000 points and a lot of 300 that has lapsed.
      const small = await newShop(h, { tier: "small", category: "food" });
      const large = await newShop(h, { tier: "large", category: "supermarket" });
      const a = await newResident(h);
      const b = await newResident(h);
      await giveCoins(h, a.residentId, 5000n);
      await giveCoins(h, b.residentId, 5000n);
      const campaign = await newCampaign(h, { budgetYen: 100_000n });
      campaignId = campaign.id;
      const now = h.clock.now();
      await grantLot(h, campaign, a.residentId, BigInt(grantedYen.used), new Date(now.getTime() + days(60)));
      await grantLot(h, campaign, b.residentId, BigInt(grantedYen.lapsed), new Date(now.getTime() - 60_000), new Date(now.getTime() - days(1)));
      expect((await city.sweepExpired(campaign.id)).totalYen).toBe(BigInt(grantedYen.lapsed));

      const pay = async (who: { token: string }, shop: typeof small, amount: number) => {
        const r = await call(h, "POST", "/v1/payments", { token: who.token, key: uniq("k"), body: { qr: await stickerOf(h, shop), amount_yen: amount } });
        expect(r.status, r.text).toBe(201);
        (shop === small ? paid.small : paid.large).push(amount);
        return r.body.payment_id as string;
      };
      await pay(a, small, 1200); // 1,000 points + 200 coins
      const atLarge = await pay(a, large, 800);
      await pay(b, small, 500);
      const refund = await call(h, "POST", "/v1/merchant/refunds", { token: large.ownerToken, key: uniq("k"), body: { shop_id: large.shop.id, payment_id: atLarge, amount_yen: refundedYen } });
      expect(refund.status, refund.text).toBe(201);

      // The small shop is paid out (fee 1 %): gross = everything it took.
      const banked = await h.identity.setShopBank(small.shop.id, { bankCode: "0146", branchCode: "201", accountType: "ordinary", accountNumber: "7654321", holderKana: "テスト シヨウテン" }, admin);
      expect(banked.ok).toBe(true);
      const run = await call(h, "POST", "/v1/admin/payout-runs", { token: operator, key: uniq("k"), body: { trigger: "on_request", transfer_date: "1210", shop_ids: [small.shop.id] } });
      expect(run.status, run.text).toBe(201);
      payoutGrossYen = run.body.payouts[0].gross_yen;
      expect(payoutGrossYen).toBe(1200 + 500);

      // Bus: resident a rides 3 times, b once, on a real allowance tapped by a terminal.
      for (const [who, taps] of [[a, 3], [b, 1]] as const) {
        const secretKey = ed25519.utils.randomSecretKey();
        const allowance = await bus.requestAllowance({ residentId: who.residentId, coinsAccountId: `res:${who.residentId}:coins`, riderPublicKeyHex: bytesToHex(ed25519.getPublicKey(secretKey)) });
        if (!allowance.ok) throw new Error(JSON.stringify(allowance));
        const time = Math.floor(Date.now() / 1000);
        const records = Array.from({ length: taps }, (_, i) => phoneTap(allowance.allowance, secretKey, i + 1, time + i, i + 1, "term-reports"));
        const synced = await bus.syncTaps({ terminalId: "term-reports", routeId: "north", taps: records });
        expect(synced.results.map((r) => r.result)).toEqual(records.map(() => "captured"));
        ridesTapped += taps;
      }
    });
    afterAll(async () => {
      await h?.close();
    });

    test("recirculation: what shops kept of what they took in, and leakage to the large shop", async () => {
      const r = await call(h, "GET", `/v1/admin/reports/recirculation?from=${today}&to=${today}`, { token: reader });
      expect(r.status, r.text).toBe(200);
      const payments = [...paid.small, ...paid.large].reduce((s, x) => s + x, 0);
      const received = payments - refundedYen;
      const retained = received - payoutGrossYen;
      expect(r.body).toMatchObject({
        from: today,
        to: today,
        received_yen: received,
        paid_out_yen: payoutGrossYen,
        retained_yen: retained,
        shop_to_shop_yen: 0,
        recirculation_bps: bps(retained, received),
        payments_yen: payments,
        large_shops_yen: paid.large.reduce((s, x) => s + x, 0),
        leakage_bps: bps(800, payments),
      });
      expect(r.body.days).toEqual([{ day: today, payments_yen: payments, refunds_yen: refundedYen, received_yen: received, paid_out_yen: payoutGrossYen, retained_yen: retained, recirculation_bps: bps(retained, received) }]);

      const c = await app.request(`/v1/admin/reports/recirculation?from=${today}&to=${today}&format=csv`, { headers: { Authorization: `Bearer ${reader}` } });
      expect(c.headers.get("content-type")).toBe("text/csv; charset=utf-8");
      expect(c.headers.get("content-disposition")).toBe(`attachment; filename="tsubaki-recirculation-${today}_${today}.csv"`);
      const bytes = new Uint8Array(await c.clone().arrayBuffer());
      expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // a BOM, so Excel reads UTF-8
      const pct = (x: number) => `${Math.floor(x / 100)}.${String(x % 100).padStart(2, "0")}`;
      expect(csvLines(await c.text())).toEqual([
        ["day", "payments_yen", "refunds_yen", "received_yen", "paid_out_yen", "retained_yen", "recirculation_percent"],
        [today, String(payments), String(refundedYen), String(received), String(payoutGrossYen), String(retained), pct(bps(retained, received))],
      ]);
    });

    test("every day of the period is present; quiet days are zero and their share is undefined", async () => {
      const from = tokyoDate(new Date(Date.now() - days(2)));
      const r = await call(h, "GET", `/v1/admin/reports/recirculation?from=${from}&to=${today}`, { token: reader });
      expect(r.body.days.map((d: { day: string }) => d.day)).toHaveLength(3);
      expect(r.body.days[0]).toMatchObject({ day: from, received_yen: 0, recirculation_bps: null });
      expectProblem(await call(h, "GET", `/v1/admin/reports/recirculation?from=${today}&to=${from}`, { token: reader }), 422, "invalid_report_period");
      expectProblem(await call(h, "GET", `/v1/admin/reports/bus-rides?from=2024-01-01&to=2026-01-01`, { token: reader }), 422, "invalid_report_period");
    });

    test("bus rides per service day equal the taps the terminal synced (¥100 each)", async () => {
      const day = rideDateOf(Math.floor(Date.now() / 1000));
      const r = await call(h, "GET", `/v1/admin/reports/bus-rides?from=${day}&to=${day}`, { token: reader });
      expect(r.status, r.text).toBe(200);
      expect(r.body).toEqual({ from: day, to: day, rides: ridesTapped, fare_yen: ridesTapped * 100, debt_yen: 0, days: [{ day, rides: ridesTapped, fare_yen: ridesTapped * 100, debt_yen: 0, riders: 2 }] });
      const c = await call(h, "GET", `/v1/admin/reports/bus-rides?from=${day}&to=${day}&format=csv`, { token: reader });
      expect(csvLines(c.text)).toEqual([
        ["day", "rides", "fare_yen", "debt_yen", "riders"],
        [day, String(ridesTapped), String(ridesTapped * 100), "0", "2"],
      ]);
    });

    test("active residents per day and per month count each payer once", async () => {
      const r = await call(h, "GET", `/v1/admin/reports/active-residents?from=${today}&to=${today}`, { token: reader });
      expect(r.status, r.text).toBe(200);
      expect(r.body).toEqual({ from: today, to: today, unit: "day", active_residents: 2, periods: [{ period: today, residents: 2, payments: 3 }] });
      const m = await call(h, "GET", `/v1/admin/reports/active-residents?from=${today}&to=${today}&unit=month&format=csv`, { token: reader });
      expect(csvLines(m.text)).toEqual([
        ["period", "residents", "payments"],
        [today.slice(0, 7), "2", "3"],
      ]);
    });

    test("a campaign's burn-down per day: issued = used + expired + remaining, ending at today's figures", async () => {
      const r = await call(h, "GET", `/v1/admin/reports/campaigns/${campaignId}/burn-down?to=${today}`, { token: reader });
      expect(r.status, r.text).toBe(200);
      const last = r.body.days.at(-1);
      const issued = grantedYen.used + grantedYen.lapsed;
      expect(last).toEqual({
        day: today,
        issued_yen: issued,
        used_yen: grantedYen.used,
        expired_yen: grantedYen.lapsed,
        remaining_yen: 0,
        issued_today_yen: issued,
        used_today_yen: grantedYen.used,
        expired_today_yen: grantedYen.lapsed,
      });
      const figures = await call(h, "GET", `/v1/admin/campaigns/${campaignId}/burn-down`, { token: reader });
      expect([figures.body.issued_yen, figures.body.used_yen, figures.body.expired_yen, figures.body.remaining_yen]).toEqual([last.issued_yen, last.used_yen, last.expired_yen, last.remaining_yen]);
      const c = await call(h, "GET", `/v1/admin/reports/campaigns/${campaignId}/burn-down?from=${today}&to=${today}&format=csv`, { token: reader });
      expect(csvLines(c.text)).toEqual([
        ["day", "issued_yen", "used_yen", "expired_yen", "remaining_yen", "issued_today_yen", "used_today_yen", "expired_today_yen"],
        [today, String(issued), "1000", "300", "0", String(issued), "1000", "300"],
      ]);
      expectProblem(await call(h, "GET", `/v1/admin/reports/campaigns/nope/burn-down`, { token: reader }), 404, "campaign_not_found");
    });

    test("payout runs page and search; a run's lines as CSV; residents and shops may not read reports", async () => {
      const list = await call(h, "GET", "/v1/admin/payout-runs?limit=1&q=on_req", { token: reader });
      expect(list.status, list.text).toBe(200);
      expect(list.body.items).toHaveLength(1);
      expect(list.body.next_cursor).toBeNull();
      expect((await call(h, "GET", "/v1/admin/payout-runs?q=nomatch", { token: reader })).body.items).toEqual([]);
      const detail = await call(h, "GET", `/v1/admin/payout-runs/${list.body.items[0].id}`, { token: reader });
      expect(detail.body.payouts.map((p: { shop_name: string; gross_yen: number; fee_yen: number; net_yen: number }) => [p.shop_name.startsWith("テスト商店"), p.gross_yen, p.fee_yen, p.net_yen])).toEqual([[true, payoutGrossYen, 17, payoutGrossYen - 17]]);
      const lines = await call(h, "GET", `/v1/admin/payout-runs/${list.body.items[0].id}?format=csv`, { token: reader });
      expect(csvLines(lines.text)[0]).toEqual(["record_no", "shop_id", "gross_yen", "fee_yen", "net_yen", "status", "settled_at"]);
      expect(csvLines(lines.text)[1]!.slice(2, 6)).toEqual([String(payoutGrossYen), "17", String(payoutGrossYen - 17), "pending"]);
      const resident = await newResident(h);
      for (const path of ["/v1/admin/reports/recirculation", "/v1/admin/reports/bus-rides", "/v1/admin/reports/active-residents"]) {
        expectProblem(await call(h, "GET", `${path}?from=${today}&to=${today}`, { token: resident.token }), 403, "forbidden");
      }
      await expectLedgerAudited(h);
    });
  });
}

