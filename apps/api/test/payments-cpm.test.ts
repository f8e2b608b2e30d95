// A shop charging what the customer presents: a one-time code from the wallet app (≤ 60 s, once, at one shop) or a
// printed card with its PIN (five wrong PINs lock it). On PGlite and on a real PostgreSQL server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends, expectProblem } from "./harness";
import { admin, available, call, giveCoins, newResident, newShop, newUser, openPaymentsHarness, tokenFor, uniq, type PaymentsHarness } from "./payments-kit";

describe.each(backends)("customer-presented codes and cards on %s", (backend) => {
  let h: PaymentsHarness;
  beforeAll(async () => {
    h = await openPaymentsHarness(backend);
  });
  afterAll(async () => {
    await h?.close();
  });

  it("charges a one-time code once; reused → 409 code_used, at another shop too; expired → 410; unknown → 404", async () => {
    const customer = await newResident(h);
    await giveCoins(h, customer.residentId, 2000n);
    const shop = await newShop(h);
    const otherShop = await newShop(h);
    const issued = await call(h, "POST", "/v1/wallet/codes", { token: customer.token });
    expect(issued.status, issued.text).toBe(201);
    expect(issued.body.code).toMatch(/^TSBK1\.[A-Z2-7]{32}$/);
    expect(issued.body.qr_svg).toContain("<svg");
    const lifeMs = Date.parse(issued.body.expires_at) - h.clock.now().getTime();
    expect(lifeMs).toBeGreaterThan(55_000);
    expect(lifeMs).toBeLessThanOrEqual(60_000);

    const charged = await call(h, "POST", "/v1/merchant/charges", { token: shop.ownerToken, key: uniq("k"), body: { shop_id: shop.shop.id, code: issued.body.code, amount_yen: 700 } });
    expect(charged.status, charged.text).toBe(201);
    expect(charged.body).toMatchObject({ kind: "cpm", amount_yen: 700, resident_id: customer.residentId });
    expectProblem(await call(h, "POST", "/v1/merchant/charges", { token: shop.ownerToken, key: uniq("k"), body: { shop_id: shop.shop.id, code: issued.body.code, amount_yen: 100 } }), 409, "code_used");
    expectProblem(
      await call(h, "POST", "/v1/merchant/charges", { token: otherShop.ownerToken, key: uniq("k"), body: { shop_id: otherShop.shop.id, code: issued.body.code, amount_yen: 100 } }),
      409,
      "code_used",
    );
    expectProblem(
      await call(h, "POST", "/v1/merchant/charges", { token: shop.ownerToken, key: uniq("k"), body: { shop_id: shop.shop.id, code: "TSBK1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", amount_yen: 100 } }),
      404,
      "code_not_found",
    );

    const late = await call(h, "POST", "/v1/wallet/codes", { token: customer.token });
    h.clock.advance(61_000);
    try {
      expectProblem(await call(h, "POST", "/v1/merchant/charges", { token: shop.ownerToken, key: uniq("k"), body: { shop_id: shop.shop.id, code: late.body.code, amount_yen: 100 } }), 410, "code_expired");
    } finally {
      h.clock.advance(-61_000);
    }
    expect(await available(h, `res:${customer.residentId}:coins`)).toBe(1300);
    expect(await available(h, `mer:${shop.shop.id}`)).toBe(700);
    expect(await available(h, `mer:${otherShop.shop.id}`)).toBe(0);
  });

  it("gives a code back when its payment is refused, so the customer can use it again within its minute", async () => {
    const customer = await newResident(h);
    await giveCoins(h, customer.residentId, 500n);
    const shop = await newShop(h);
    const { code } = (await call(h, "POST", "/v1/wallet/codes", { token: customer.token })).body;
    expectProblem(await call(h, "POST", "/v1/merchant/charges", { token: shop.ownerToken, key: uniq("k"), body: { shop_id: shop.shop.id, code, amount_yen: 501 } }), 422, "insufficient_funds");
    const retried = await call(h, "POST", "/v1/merchant/charges", { token: shop.ownerToken, key: uniq("k"), body: { shop_id: shop.shop.id, code, amount_yen: 500 } });
    expect(retried.status, retried.text).toBe(201);
  });

  it("charges a card with its PIN; a wrong PIN says how many tries are left; the fifth locks the card", async () => {
    const customer = await newResident(h);
    await giveCoins(h, customer.residentId, 3000n);
    const card = await h.identity.issueCard({ residentId: customer.residentId, pin: "2580" }, admin);
    if (!card.ok) throw new Error(card.code);
    const shop = await newShop(h);
    const charge = (pin: string, amount = 400) =>
      call(h, "POST", "/v1/merchant/charges", { token: shop.ownerToken, key: uniq("k"), body: { shop_id: shop.shop.id, card_number: card.card.number, pin, amount_yen: amount } });

    const paid = await charge("2580");
    expect(paid.status, paid.text).toBe(201);
    expect(paid.body).toMatchObject({ kind: "card", amount_yen: 400, resident_id: customer.residentId });
    for (let left = 4; left >= 1; left--) {
      const wrong = await charge("1111");
      expectProblem(wrong, 422, "pin_incorrect");
      expect(wrong.body.tries_left).toBe(left);
    }
    expectProblem(await charge("1111"), 423, "card_locked");
    expectProblem(await charge("2580"), 423, "card_locked");
    expect(await available(h, `res:${customer.residentId}:coins`)).toBe(2600);
  });

  it("lets only the shop's own people charge for it", async () => {
    const customer = await newResident(h);
    await giveCoins(h, customer.residentId, 1000n);
    const shop = await newShop(h);
    const other = await newShop(h);
    const staffId = await newUser(h, "merchant");
    await h.identity.setShopStaff(shop.shop.id, staffId, "staff", admin);
    const staffToken = await tokenFor(h, staffId);
    const { code } = (await call(h, "POST", "/v1/wallet/codes", { token: customer.token })).body;
    expectProblem(await call(h, "POST", "/v1/merchant/charges", { token: other.ownerToken, key: uniq("k"), body: { shop_id: shop.shop.id, code, amount_yen: 100 } }), 403, "forbidden");
    expectProblem(await call(h, "POST", "/v1/merchant/charges", { token: customer.token, key: uniq("k"), body: { shop_id: shop.shop.id, code, amount_yen: 100 } }), 403, "forbidden");
    const byStaff = await call(h, "POST", "/v1/merchant/charges", { token: staffToken, key: uniq("k"), body: { shop_id: shop.shop.id, code, amount_yen: 100 } });
    expect(byStaff.status, byStaff.text).toBe(201);
  });
});
