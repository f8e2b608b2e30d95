// Paying a shop by its QR, as a resident's phone does it: static and dynamic QRs, the spend order over lots with
// different expiries and restrictions (exact legs), refusals that move nothing, forged and malformed QRs, daily
// limits and proxies. On PGlite and on a real PostgreSQL server; the ledger audit must pass after each scenario.
import { encodeMpm, encodeShopQr } from "@tsubaki/qr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends, expectProblem } from "./harness";
import {
  admin,
  available,
  call,
  days,
  giveCoins,
  grantLot,
  newCampaign,
  newResident,
  newShop,
  newUser,
  openPaymentsHarness,
  qrKeyHex,
  stickerOf,
  tokenFor,
  uniq,
  type PaymentsHarness,
} from "./payments-kit";
import { expectLedgerAudited } from "./payments-kit";

const key = Uint8Array.from(qrKeyHex.match(/../g)!.map((h) => Number.parseInt(h, 16)));

describe.each(backends)("payments by QR on %s", (backend) => {
  let h: PaymentsHarness;
  beforeAll(async () => {
    h = await openPaymentsHarness(backend);
  });
  afterAll(async () => {
    await h?.close();
  });

  it("pays a static QR with a typed amount: points first, then coins; the receipt lists every leg and the balances after", async () => {
    const payer = await newResident(h);
    const shop = await newShop(h);
    const campaign = await newCampaign(h);
    const lot = await grantLot(h, campaign, payer.residentId, 300n, new Date(Date.now() + days(20)));
    await giveCoins(h, payer.residentId, 1000n);
    const qr = await stickerOf(h, shop);

    const paid = await call(h, "POST", "/v1/payments", { token: payer.token, key: uniq("k"), body: { qr, amount_yen: 500 } });
    expect(paid.status, paid.text).toBe(201);
    expect(paid.headers.get("idempotency-replayed")).toBeNull();
    expect(paid.body).toMatchObject({ kind: "pay", amount_yen: 500, points_yen: 300, coins_yen: 200, resident_id: payer.residentId, request_id: null });
    expect(paid.body.receipt.lines).toEqual([
      { source: "lot", lot_id: lot.lotId, campaign_id: campaign.id, account_id: lot.accountId, amount_yen: 300, expires_at: expect.any(String), lapsed: false },
      { source: "coins", account_id: `res:${payer.residentId}:coins`, amount_yen: 200 },
    ]);
    expect(paid.body.receipt.balances_after).toEqual([{ source: "coins", account_id: `res:${payer.residentId}:coins`, balance_yen: 800 }]);
    expect(paid.body.receipt.shop).toMatchObject({ id: shop.shop.id, name_ja: shop.shop.nameJa });
    expect(await available(h, `mer:${shop.shop.id}`)).toBe(500);
    expect(await available(h, lot.accountId)).toBe(0);
    // The transfer, the payment's row and the finished key were written by one transaction.
    const [written] = await h.db.query<{ payment: string; key: string; transfer: string; status: string }>(
      `SELECT p.xmin::text AS payment, k.xmin::text AS key, t.xmin::text AS transfer, k.status
       FROM payments p JOIN ledger_transfers t ON t.id = p.id JOIN idempotency_keys k ON k.principal = $2 AND k.status = 'done'
       WHERE p.id = $1 ORDER BY k.updated_at DESC LIMIT 1`,
      [paid.body.payment_id, payer.userId],
    );
    expect(written).toMatchObject({ status: "done" });
    expect(new Set([written?.payment, written?.key, written?.transfer]).size).toBe(1);

    const receipt = await call(h, "GET", `/v1/receipts/${paid.body.payment_id}`, { token: payer.token });
    expect(receipt.status).toBe(200);
    expect(receipt.body).toEqual(paid.body.receipt);
    const forShop = await call(h, "GET", `/v1/receipts/${paid.body.payment_id}`, { token: shop.ownerToken });
    expect(forShop.status).toBe(200);
    const stranger = await newResident(h);
    expectProblem(await call(h, "GET", `/v1/receipts/${paid.body.payment_id}`, { token: stranger.token }), 404, "payment_not_found");
    await expectLedgerAudited(h);
  });

  it("splits a payment over three lots in spend order, skipping lots restricted to other shops (exact legs)", async () => {
    const payer = await newResident(h);
    const shop = await newShop(h, { category: "food", tier: "small" });
    const anywhere = await newCampaign(h);
    const foodOnly = await newCampaign(h, { restriction: { categories: ["food"] } });
    const smallOnly = await newCampaign(h, { restriction: { tiers: ["small"] } });
    const largeOnly = await newCampaign(h, { restriction: { tiers: ["large"] } });
    const booksOnly = await newCampaign(h, { restriction: { categories: ["books"] } });
    const now = Date.now();
    const soonFood = await grantLot(h, foodOnly, payer.residentId, 100n, new Date(now + days(5)));
    const booksSooner = await grantLot(h, booksOnly, payer.residentId, 500n, new Date(now + days(3)));
    const large = await grantLot(h, largeOnly, payer.residentId, 500n, new Date(now + days(8)));
    const midSmall = await grantLot(h, smallOnly, payer.residentId, 200n, new Date(now + days(15)));
    const late = await grantLot(h, anywhere, payer.residentId, 400n, new Date(now + days(40)));
    await giveCoins(h, payer.residentId, 1000n);

    const paid = await call(h, "POST", "/v1/payments", { token: payer.token, key: uniq("k"), body: { qr: await stickerOf(h, shop), amount_yen: 900 } });
    expect(paid.status, paid.text).toBe(201);
    expect(paid.body.receipt.lines.map((l: { account_id: string; amount_yen: number }) => [l.account_id, l.amount_yen])).toEqual([
      [soonFood.accountId, 100],
      [midSmall.accountId, 200],
      [late.accountId, 400],
      [`res:${payer.residentId}:coins`, 200],
    ]);
    expect(paid.body).toMatchObject({ points_yen: 700, coins_yen: 200 });
    // The restricted lots are untouched; the receipt shows them as what is left.
    expect(await available(h, booksSooner.accountId)).toBe(500);
    expect(await available(h, large.accountId)).toBe(500);
    expect(paid.body.receipt.balances_after).toEqual([
      { source: "coins", account_id: `res:${payer.residentId}:coins`, balance_yen: 800 },
      { source: "lot", lot_id: booksSooner.lotId, campaign_id: booksOnly.id, account_id: booksSooner.accountId, balance_yen: 500, expires_at: expect.any(String) },
      { source: "lot", lot_id: large.lotId, campaign_id: largeOnly.id, account_id: large.accountId, balance_yen: 500, expires_at: expect.any(String) },
    ]);
    const wallet = await call(h, "GET", "/v1/wallet", { token: payer.token });
    expect(wallet.body).toMatchObject({ coins_yen: 800, points_yen: 1000, total_yen: 1800 });
    expect(wallet.body.lots.map((l: { lot_id: string }) => l.lot_id)).toEqual([booksSooner.lotId, large.lotId]);
    expect(wallet.body.lapsing.lots.map((l: { lot_id: string }) => l.lot_id)).toEqual([booksSooner.lotId, large.lotId]);
    await expectLedgerAudited(h);
  });

  it("refuses a payment it cannot cover with insufficient_funds and writes nothing", async () => {
    const payer = await newResident(h);
    const shop = await newShop(h, { category: "food" });
    const books = await newCampaign(h, { restriction: { categories: ["books"] } });
    const lot = await grantLot(h, books, payer.residentId, 1000n, new Date(Date.now() + days(30)));
    await giveCoins(h, payer.residentId, 300n);
    const qr = await stickerOf(h, shop);
    const key = uniq("k");
    const batchesBefore = await h.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ledger_transfers`);

    const refused = await call(h, "POST", "/v1/payments", { token: payer.token, key, body: { qr, amount_yen: 301 } });
    expectProblem(refused, 422, "insufficient_funds");
    expect(refused.body.usable_yen).toBe(300); // the books-only lot is not usable at a food shop
    expect(await available(h, `res:${payer.residentId}:coins`)).toBe(300);
    expect(await available(h, lot.accountId)).toBe(1000);
    expect(await available(h, `mer:${shop.shop.id}`)).toBe(0);
    const batchesAfter = await h.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ledger_transfers`);
    expect(batchesAfter[0]!.n).toBe(batchesBefore[0]!.n);
    expect(await h.db.query(`SELECT 1 FROM payments WHERE payer_resident_id = $1`, [payer.residentId])).toEqual([]);
    expect(await h.db.query(`SELECT 1 FROM idempotency_keys WHERE principal = $1`, [payer.userId])).toEqual([]);
    expect(await h.db.query(`SELECT spent_yen FROM spend_totals WHERE resident_id = $1 AND spent_yen > 0`, [payer.residentId])).toEqual([]);
    await expectLedgerAudited(h);

    // The refusal left no trace: the same key pays once the coins are there.
    await giveCoins(h, payer.residentId, 1n);
    const paid = await call(h, "POST", "/v1/payments", { token: payer.token, key, body: { qr, amount_yen: 301 } });
    expect(paid.status, paid.text).toBe(201);
  });

  it("pays a dynamic QR once: amount and request from the QR; paid again → 409, expired → 410, tampered amount → 422", async () => {
    const shop = await newShop(h);
    const first = await newResident(h);
    const second = await newResident(h);
    await giveCoins(h, first.residentId, 5000n);
    await giveCoins(h, second.residentId, 5000n);
    const made = await call(h, "POST", "/v1/merchant/payment-requests", { token: shop.ownerToken, body: { shop_id: shop.shop.id, amount_yen: 1200 } });
    expect(made.status, made.text).toBe(201);
    const { qr, request_id } = made.body;

    const resolved = await call(h, "GET", `/v1/merchants/resolve?qr=${encodeURIComponent(qr)}`, { token: first.token });
    expect(resolved.body).toMatchObject({ dynamic: true, amount_yen: 1200, shop: { id: shop.shop.id, name_ja: shop.shop.nameJa }, request: { id: request_id, status: "open", amount_yen: 1200 } });

    const paid = await call(h, "POST", "/v1/payments", { token: first.token, key: uniq("k"), body: { qr } });
    expect(paid.status, paid.text).toBe(201);
    expect(paid.body).toMatchObject({ amount_yen: 1200, request_id, coins_yen: 1200 });
    expect((await call(h, "GET", `/v1/merchants/resolve?qr=${encodeURIComponent(qr)}`, { token: first.token })).body.request.status).toBe("paid");

    expectProblem(await call(h, "POST", "/v1/payments", { token: second.token, key: uniq("k"), body: { qr } }), 409, "payment_request_paid");
    expectProblem(await call(h, "POST", "/v1/payments", { token: first.token, key: uniq("k"), body: { qr, amount_yen: 1000 } }), 422, "amount_mismatch");

    const later = await call(h, "POST", "/v1/merchant/payment-requests", { token: shop.ownerToken, body: { shop_id: shop.shop.id, amount_yen: 800 } });
    // The amount in a QR is not signed: a sticker edited to ask less is refused, not paid.
    const tampered = encodeShopQr({ merchantCode: shop.shop.code, mcc: "5411", nameLatin: "Test", nameJa: "テスト", city: "Nonoichi", amountYen: 1, requestId: later.body.request_id, key });
    expect(tampered.ok).toBe(true);
    if (tampered.ok) expectProblem(await call(h, "POST", "/v1/payments", { token: second.token, key: uniq("k"), body: { qr: tampered.payload } }), 422, "amount_mismatch");
    h.clock.advance(11 * 60_000);
    try {
      expectProblem(await call(h, "POST", "/v1/payments", { token: second.token, key: uniq("k"), body: { qr: later.body.qr } }), 410, "payment_request_expired");
    } finally {
      h.clock.advance(-11 * 60_000);
    }
    expect(await available(h, `res:${second.residentId}:coins`)).toBe(5000);
    expect(await available(h, `mer:${shop.shop.id}`)).toBe(1200);
    await expectLedgerAudited(h);
  });

  it("refuses forged, malformed and foreign QRs, and shows the registered name, not the sticker's", async () => {
    const payer = await newResident(h);
    const shop = await newShop(h);
    await giveCoins(h, payer.residentId, 1000n);
    const otherKey = new Uint8Array(32).fill(9);
    const forged = encodeShopQr({ merchantCode: shop.shop.code, mcc: "5411", nameLatin: "Evil", nameJa: "偽の店", city: "Nonoichi", key: otherKey });
    if (!forged.ok) throw new Error("forged QR");
    expectProblem(await call(h, "POST", "/v1/payments", { token: payer.token, key: uniq("k"), body: { qr: forged.payload, amount_yen: 100 } }), 422, "qr_forged");
    expectProblem(await call(h, "GET", `/v1/merchants/resolve?qr=${encodeURIComponent(forged.payload)}`, { token: payer.token }), 422, "qr_forged");

    const sticker = await stickerOf(h, shop);
    const badCrc = sticker.slice(0, -4) + (sticker.endsWith("0000") ? "1111" : "0000");
    expectProblem(await call(h, "POST", "/v1/payments", { token: payer.token, key: uniq("k"), body: { qr: badCrc, amount_yen: 100 } }), 422, "qr_invalid");
    expectProblem(await call(h, "POST", "/v1/payments", { token: payer.token, key: uniq("k"), body: { qr: "hello", amount_yen: 100 } }), 422, "qr_invalid");
    const foreign = encodeMpm([
      { id: "01", value: "11" },
      { id: "29", children: [{ id: "00", value: "com.example.pay" }, { id: "01", value: "SHOP1" }] },
      { id: "52", value: "5411" },
      { id: "53", value: "392" },
      { id: "58", value: "JP" },
      { id: "59", value: "Somewhere" },
      { id: "60", value: "Tokyo" },
    ]);
    expectProblem(await call(h, "POST", "/v1/payments", { token: payer.token, key: uniq("k"), body: { qr: foreign, amount_yen: 100 } }), 422, "qr_foreign");

    // A valid signature over the code with another name in 59/64: the wallet is told the registered name.
    const renamed = encodeShopQr({ merchantCode: shop.shop.code, mcc: "5411", nameLatin: "Other Name", nameJa: "別の名前", city: "Nonoichi", key });
    if (!renamed.ok) throw new Error("renamed QR");
    const resolved = await call(h, "GET", `/v1/merchants/resolve?qr=${encodeURIComponent(renamed.payload)}`, { token: payer.token });
    expect(resolved.body.shop).toMatchObject({ name_ja: shop.shop.nameJa, name_latin: shop.shop.nameLatin });
    expectProblem(await call(h, "POST", "/v1/payments", { token: payer.token, key: uniq("k"), body: { qr: sticker } }), 422, "amount_required");
    expect(await available(h, `res:${payer.residentId}:coins`)).toBe(1000);
    await expectLedgerAudited(h);
  });

  it("keeps the named limits: invalid_amount, limit_exceeded per payment, daily_limit per Tokyo day", async () => {
    const payer = await newResident(h);
    const shop = await newShop(h);
    await giveCoins(h, payer.residentId, 700_000n);
    const qr = await stickerOf(h, shop);
    expectProblem(await call(h, "POST", "/v1/payments", { token: payer.token, key: uniq("k"), body: { qr, amount_yen: 0 } }), 422, "invalid_amount");
    expectProblem(await call(h, "POST", "/v1/payments", { token: payer.token, key: uniq("k"), body: { qr, amount_yen: 1.5 } }), 422, "invalid_amount");
    expectProblem(await call(h, "POST", "/v1/payments", { token: payer.token, key: uniq("k"), body: { qr, amount_yen: "100" } }), 422, "invalid_amount");
    const over = await call(h, "POST", "/v1/payments", { token: payer.token, key: uniq("k"), body: { qr, amount_yen: 500_001 } });
    expectProblem(over, 422, "limit_exceeded");
    expect(over.body).toMatchObject({ limit: "paymentYenMax", limit_yen: 500_000 });
    expect((await call(h, "POST", "/v1/payments", { token: payer.token, key: uniq("k"), body: { qr, amount_yen: 300_000 } })).status).toBe(201);
    const daily = await call(h, "POST", "/v1/payments", { token: payer.token, key: uniq("k"), body: { qr, amount_yen: 200_001 } });
    expectProblem(daily, 422, "daily_limit");
    expect(daily.body).toMatchObject({ limit_yen: 500_000, remaining_yen: 200_000 });
    expect((await call(h, "POST", "/v1/payments", { token: payer.token, key: uniq("k"), body: { qr, amount_yen: 200_000 } })).status).toBe(201);
    expect(await available(h, `res:${payer.residentId}:coins`)).toBe(200_000);
    await expectLedgerAudited(h);
  });

  it("lets a proxy pay for the resident within the daily amount the resident granted, and not after revocation", async () => {
    const resident = await newResident(h);
    const shop = await newShop(h);
    await giveCoins(h, resident.residentId, 10_000n);
    const helperId = await newUser(h, "resident");
    const granted = await h.identity.grantProxy({ grantorResidentId: resident.residentId, proxyUserId: helperId, dailyLimitYen: 3000n, canViewHistory: true }, admin);
    if (!granted.ok) throw new Error(granted.code);
    const helper = await tokenFor(h, helperId);
    const qr = await stickerOf(h, shop);
    const paid = await call(h, "POST", `/v1/payments?resident=${resident.residentId}`, { token: helper, key: uniq("k"), body: { qr, amount_yen: 2000 } });
    expect(paid.status, paid.text).toBe(201);
    expect(paid.body.resident_id).toBe(resident.residentId);
    expectProblem(await call(h, "POST", `/v1/payments?resident=${resident.residentId}`, { token: helper, key: uniq("k"), body: { qr, amount_yen: 1001 } }), 422, "proxy_limit_exceeded");
    const wallet = await call(h, "GET", `/v1/wallet?resident=${resident.residentId}`, { token: helper });
    expect(wallet.body.coins_yen).toBe(8000);
    // The helper's own wallet is not the resident's, and a stranger cannot name the resident.
    const stranger = await newResident(h);
    expectProblem(await call(h, "POST", `/v1/payments?resident=${resident.residentId}`, { token: stranger.token, key: uniq("k"), body: { qr, amount_yen: 1 } }), 403, "forbidden");
    await h.identity.revokeProxy(granted.proxy.id, admin);
    expectProblem(await call(h, "POST", `/v1/payments?resident=${resident.residentId}`, { token: helper, key: uniq("k"), body: { qr, amount_yen: 100 } }), 403, "forbidden");
    expect(await available(h, `res:${resident.residentId}:coins`)).toBe(8000);
    await expectLedgerAudited(h);
  });

  it("refuses a suspended shop and requires an Idempotency-Key", async () => {
    const payer = await newResident(h);
    const shop = await newShop(h);
    await giveCoins(h, payer.residentId, 1000n);
    const qr = await stickerOf(h, shop);
    expectProblem(await call(h, "POST", "/v1/payments", { token: payer.token, body: { qr, amount_yen: 100 } }), 400, "idempotency_key_required");
    const suspended = await newShop(h, { status: "suspended" });
    const suspendedQr = encodeShopQr({ merchantCode: suspended.shop.code, mcc: "5411", nameLatin: "Closed", nameJa: "休業中", city: "Nonoichi", key });
    if (!suspendedQr.ok) throw new Error("qr");
    expectProblem(await call(h, "POST", "/v1/payments", { token: payer.token, key: uniq("k"), body: { qr: suspendedQr.payload, amount_yen: 100 } }), 409, "shop_inactive");
    expect(await available(h, `res:${payer.residentId}:coins`)).toBe(1000);
  });
});
