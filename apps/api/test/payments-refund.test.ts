// Refunds as a shop makes them: back to the same lots and coins (coins first), partial refunds up to the payment,
// a lapsed lot's share to its campaign's expired account with the receipt saying so, the 90-day window, and
// cancelling the last payment within 10 minutes. On PGlite and on a real PostgreSQL server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends, expectProblem } from "./harness";
import { available, call, days, giveCoins, grantLot, newCampaign, newResident, newShop, openPaymentsHarness, stickerOf, uniq, type PaymentsHarness } from "./payments-kit";
import { expectLedgerAudited } from "./payments-kit";

describe.each(backends)("refunds on %s", (backend) => {
  let h: PaymentsHarness;
  beforeAll(async () => {
    h = await openPaymentsHarness(backend);
  });
  afterAll(async () => {
    await h?.close();
  });

  async function paidOverTwoLots() {
    const payer = await newResident(h);
    const shop = await newShop(h);
    const campaign = await newCampaign(h);
    const soon = await grantLot(h, campaign, payer.residentId, 200n, new Date(Date.now() + days(2)));
    const later = await grantLot(h, campaign, payer.residentId, 300n, new Date(Date.now() + days(30)));
    await giveCoins(h, payer.residentId, 1000n);
    const paid = await call(h, "POST", "/v1/payments", { token: payer.token, key: uniq("k"), body: { qr: await stickerOf(h, shop), amount_yen: 900 } });
    expect(paid.status, paid.text).toBe(201);
    expect(paid.body).toMatchObject({ points_yen: 500, coins_yen: 400 });
    return { payer, shop, campaign, soon, later, paymentId: paid.body.payment_id as string };
  }

  it("refunds in parts back to coins first, then lots latest-expiring first, and in full restores the wallet exactly", async () => {
    const { payer, shop, soon, later, paymentId } = await paidOverTwoLots();
    const refund = (amount: number) => call(h, "POST", "/v1/merchant/refunds", { token: shop.ownerToken, key: uniq("k"), body: { shop_id: shop.shop.id, payment_id: paymentId, amount_yen: amount } });

    const first = await refund(500);
    expect(first.status, first.text).toBe(201);
    expect(first.body).toMatchObject({ amount_yen: 500, lapsed_yen: 0, payment_refunded_yen: 500, payment_refundable_yen: 400 });
    expect(first.body.receipt.lines.map((l: { source: string; amount_yen: number }) => [l.source, l.amount_yen])).toEqual([
      ["coins", 400],
      ["lot", 100],
    ]);
    expect(await available(h, `res:${payer.residentId}:coins`)).toBe(1000);
    expect(await available(h, later.accountId)).toBe(100);

    expectProblem(await refund(401), 422, "refund_exceeds_payment");
    const rest = await refund(400);
    expect(rest.status, rest.text).toBe(201);
    expect(rest.body.payment_refundable_yen).toBe(0);
    expect(await available(h, later.accountId)).toBe(300);
    expect(await available(h, soon.accountId)).toBe(200);
    expect(await available(h, `mer:${shop.shop.id}`)).toBe(0);
    expectProblem(await refund(1), 422, "refund_exceeds_payment");
    const receipt = await call(h, "GET", `/v1/receipts/${rest.body.refund_id}`, { token: payer.token });
    expect(receipt.status).toBe(200);
    expect(receipt.body.kind).toBe("refund");
    await expectLedgerAudited(h);
  });

  it("sends a lapsed lot's share to its campaign's expired account, and the receipt says so", async () => {
    const { payer, shop, campaign, soon, later, paymentId } = await paidOverTwoLots();
    h.clock.advance(days(3)); // the soon lot (2 days) has lapsed, the later one (30 days) has not
    try {
      const full = await call(h, "POST", "/v1/merchant/refunds", { token: shop.ownerToken, key: uniq("k"), body: { shop_id: shop.shop.id, payment_id: paymentId, amount_yen: 900 } });
      expect(full.status, full.text).toBe(201);
      expect(full.body).toMatchObject({ amount_yen: 900, lapsed_yen: 200 });
      const lines = full.body.receipt.lines as { source: string; lot_id?: string; amount_yen: number; lapsed?: boolean }[];
      expect(lines.map((l) => [l.source, l.lot_id ?? null, l.amount_yen, l.lapsed ?? null])).toEqual([
        ["coins", null, 400, null],
        ["lot", later.lotId, 300, false],
        ["lot", soon.lotId, 200, true],
      ]);
      expect(full.body.receipt).toMatchObject({ total_yen: 900, coins_yen: 400, points_yen: 300, lapsed_yen: 200 });
      expect(await available(h, soon.accountId)).toBe(0);
      expect(await available(h, campaign.expiredAccountId)).toBe(200);
      expect(await available(h, later.accountId)).toBe(300);
      expect(await available(h, `res:${payer.residentId}:coins`)).toBe(1000);
    } finally {
      h.clock.advance(-days(3));
    }
    await expectLedgerAudited(h);
  });

  it("refuses refunds after 90 days and of another shop's payment", async () => {
    const { shop, paymentId } = await paidOverTwoLots();
    const other = await newShop(h);
    expectProblem(
      await call(h, "POST", "/v1/merchant/refunds", { token: other.ownerToken, key: uniq("k"), body: { shop_id: other.shop.id, payment_id: paymentId, amount_yen: 100 } }),
      404,
      "payment_not_found",
    );
    h.clock.advance(days(90));
    try {
      expectProblem(
        await call(h, "POST", "/v1/merchant/refunds", { token: shop.ownerToken, key: uniq("k"), body: { shop_id: shop.shop.id, payment_id: paymentId, amount_yen: 100 } }),
        422,
        "refund_window_passed",
      );
    } finally {
      h.clock.advance(-days(90));
    }
  });

  it("cancels the shop's last payment within 10 minutes, once", async () => {
    const { payer, shop, paymentId } = await paidOverTwoLots();
    const cancel = () => call(h, "POST", "/v1/merchant/payments/cancel-last", { token: shop.ownerToken, key: uniq("k"), body: { shop_id: shop.shop.id } });
    h.clock.advance(11 * 60_000);
    try {
      expectProblem(await cancel(), 422, "cancel_window_passed");
    } finally {
      h.clock.advance(-11 * 60_000);
    }
    const cancelled = await cancel();
    expect(cancelled.status, cancelled.text).toBe(201);
    expect(cancelled.body).toMatchObject({ payment_id: paymentId, reason: "cancel", amount_yen: 900, payment_refundable_yen: 0 });
    expect(await available(h, `res:${payer.residentId}:coins`)).toBe(1000);
    expectProblem(await cancel(), 422, "refund_exceeds_payment");
    const summary = await call(h, "GET", `/v1/merchant/summary?shop_id=${shop.shop.id}`, { token: shop.ownerToken });
    expect(summary.body).toMatchObject({ payments_count: 1, gross_yen: 900, refunds_count: 1, refunded_yen: 900, net_yen: 0 });
    await expectLedgerAudited(h);
  });
});
