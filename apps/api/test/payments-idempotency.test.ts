// Idempotency-Key on every money-moving POST (DESIGN §6): the same key and body replays the stored response byte for
// byte with Idempotency-Replayed: true and moves nothing again; the same key with another body is 409
// idempotency_key_reused; a duplicate while the first is still running is 409 idempotency_in_progress; no key is
// 400. On PGlite and on a real PostgreSQL server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends, expectProblem } from "./harness";
import { admin, available, call, counterClerk, giveCoins, grantLot, newCampaign, newResident, newShop, openPaymentsHarness, stickerOf, uniq, type PaymentsHarness } from "./payments-kit";

interface Scenario {
  name: string;
  /** Sets the scene; returns the request and a different body for the same key. */
  prepare(): Promise<{ path: string; token: string; body: Record<string, unknown>; other: Record<string, unknown>; watch: string[] }>;
}

describe.each(backends)("idempotent money-moving POSTs on %s", (backend) => {
  let h: PaymentsHarness;
  beforeAll(async () => {
    h = await openPaymentsHarness(backend);
  });
  afterAll(async () => {
    await h?.close();
  });

  async function paidPayment() {
    const payer = await newResident(h);
    const shop = await newShop(h);
    await giveCoins(h, payer.residentId, 5000n);
    const paid = await call(h, "POST", "/v1/payments", { token: payer.token, key: uniq("k"), body: { qr: await stickerOf(h, shop), amount_yen: 1000 } });
    expect(paid.status, paid.text).toBe(201);
    return { payer, shop, paymentId: paid.body.payment_id as string };
  }

  const scenarios: Scenario[] = [
    {
      name: "POST /v1/payments",
      async prepare() {
        const payer = await newResident(h);
        const shop = await newShop(h);
        await giveCoins(h, payer.residentId, 5000n);
        const qr = await stickerOf(h, shop);
        return { path: "/v1/payments", token: payer.token, body: { qr, amount_yen: 300 }, other: { qr, amount_yen: 301 }, watch: [`res:${payer.residentId}:coins`, `mer:${shop.shop.id}`] };
      },
    },
    {
      name: "POST /v1/merchant/charges (code)",
      async prepare() {
        const payer = await newResident(h);
        const shop = await newShop(h);
        await giveCoins(h, payer.residentId, 5000n);
        const { code } = (await call(h, "POST", "/v1/wallet/codes", { token: payer.token })).body;
        return {
          path: "/v1/merchant/charges",
          token: shop.ownerToken,
          body: { shop_id: shop.shop.id, code, amount_yen: 300 },
          other: { shop_id: shop.shop.id, code, amount_yen: 299 },
          watch: [`res:${payer.residentId}:coins`, `mer:${shop.shop.id}`],
        };
      },
    },
    {
      name: "POST /v1/merchant/charges (card)",
      async prepare() {
        const payer = await newResident(h);
        const shop = await newShop(h);
        await giveCoins(h, payer.residentId, 5000n);
        const card = await h.identity.issueCard({ residentId: payer.residentId, pin: "2580" }, admin);
        if (!card.ok) throw new Error(card.code);
        const body = { shop_id: shop.shop.id, card_number: card.card.number, pin: "2580", amount_yen: 300 };
        return { path: "/v1/merchant/charges", token: shop.ownerToken, body, other: { ...body, amount_yen: 3000 }, watch: [`res:${payer.residentId}:coins`, `mer:${shop.shop.id}`] };
      },
    },
    {
      name: "POST /v1/merchant/refunds",
      async prepare() {
        const { payer, shop, paymentId } = await paidPayment();
        return {
          path: "/v1/merchant/refunds",
          token: shop.ownerToken,
          body: { shop_id: shop.shop.id, payment_id: paymentId, amount_yen: 400 },
          other: { shop_id: shop.shop.id, payment_id: paymentId, amount_yen: 500 },
          watch: [`res:${payer.residentId}:coins`, `mer:${shop.shop.id}`],
        };
      },
    },
    {
      name: "POST /v1/merchant/payments/cancel-last",
      async prepare() {
        const { payer, shop } = await paidPayment();
        const other = await newShop(h);
        await h.identity.setShopStaff(other.shop.id, shop.ownerId, "owner", admin); // the same owner runs two shops
        return { path: "/v1/merchant/payments/cancel-last", token: shop.ownerToken, body: { shop_id: shop.shop.id }, other: { shop_id: other.shop.id }, watch: [`res:${payer.residentId}:coins`, `mer:${shop.shop.id}`] };
      },
    },
    {
      name: "POST /v1/p2p",
      async prepare() {
        const sender = await newResident(h);
        const receiver = await newResident(h);
        await giveCoins(h, sender.residentId, 5000n);
        return {
          path: "/v1/p2p",
          token: sender.token,
          body: { to_resident_id: receiver.residentId, amount_yen: 700 },
          other: { to_resident_id: receiver.residentId, amount_yen: 701 },
          watch: [`res:${sender.residentId}:coins`, `res:${receiver.residentId}:coins`],
        };
      },
    },
    {
      name: "POST /v1/counter/charges",
      async prepare() {
        const clerk = await counterClerk(h);
        const resident = await newResident(h);
        return {
          path: "/v1/counter/charges",
          token: clerk.token,
          body: { resident_id: resident.residentId, amount_yen: 3000 },
          other: { resident_id: resident.residentId, amount_yen: 3001 },
          watch: [`res:${resident.residentId}:coins`, `cashin:${clerk.userId}`],
        };
      },
    },
  ];

  it.each(scenarios)("$name: a replay answers the stored response and moves nothing; another body → 409; no key → 400", async (scenario) => {
    const { path, token, body, other, watch } = await scenario.prepare();
    expectProblem(await call(h, "POST", path, { token, body }), 400, "idempotency_key_required");
    const key = uniq("idem-");
    const first = await call(h, "POST", path, { token, key, body });
    expect(first.status, first.text).toBe(201);
    expect(first.headers.get("idempotency-replayed")).toBeNull();
    const balances = await Promise.all(watch.map((id) => available(h, id)));

    const replay = await call(h, "POST", path, { token, key, body });
    expect(replay.status).toBe(201);
    expect(replay.headers.get("idempotency-replayed")).toBe("true");
    expect(replay.text).toBe(first.text);
    // Keys are per caller and compare bodies canonically: the same fields in another order are the same request.
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    expect((await call(h, "POST", path, { token, key, body: reordered })).text).toBe(first.text);

    expectProblem(await call(h, "POST", path, { token, key, body: other }), 409, "idempotency_key_reused");
    expect(await Promise.all(watch.map((id) => available(h, id)))).toEqual(balances);
    const report = await h.ledger.audit();
    expect(report.ok, JSON.stringify(report.checks)).toBe(true);
  });

  it("answers 409 idempotency_in_progress while the first request with the key is still running", async () => {
    const payer = await newResident(h);
    const shop = await newShop(h);
    await giveCoins(h, payer.residentId, 5000n);
    const qr = await stickerOf(h, shop);
    const key = uniq("idem-");
    // A request with this key is in flight (claimed just now by another instance, say).
    await h.payments.context.store.claimKeys([{ principal: payer.userId, key, requestHash: "in-flight" }], new Date(), new Date(0));
    const duplicate = await call(h, "POST", "/v1/payments", { token: payer.token, key, body: { qr, amount_yen: 100 } });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.code).toBe("idempotency_key_reused"); // its body differs
    await h.db.query(`UPDATE idempotency_keys SET request_hash = $3 WHERE principal = $1 AND key = $2`, [payer.userId, key, await hashOf(payer.userId, qr, key)]);
    const same = await call(h, "POST", "/v1/payments", { token: payer.token, key, body: { qr, amount_yen: 100 } });
    expectProblem(same, 409, "idempotency_in_progress");
    expect(same.headers.get("retry-after")).toBe("1");
    expect(await available(h, `res:${payer.residentId}:coins`)).toBe(5000);
  });

  it("lets a retry take over a request that died after the key was claimed, and pays once", async () => {
    const payer = await newResident(h);
    const shop = await newShop(h);
    await giveCoins(h, payer.residentId, 5000n);
    const qr = await stickerOf(h, shop);
    const key = uniq("idem-");
    const body = { qr, amount_yen: 100 };
    // The first attempt claimed the key and died (its row was last touched a minute ago).
    await h.payments.context.store.claimKeys([{ principal: payer.userId, key, requestHash: await hashOf(payer.userId, qr, key) }], new Date(Date.now() - 60_000), new Date(0));
    const resumed = await call(h, "POST", "/v1/payments", { token: payer.token, key, body });
    expect(resumed.status, resumed.text).toBe(201);
    const replay = await call(h, "POST", "/v1/payments", { token: payer.token, key, body });
    expect(replay.headers.get("idempotency-replayed")).toBe("true");
    expect(replay.text).toBe(resumed.text);
    expect(await available(h, `res:${payer.residentId}:coins`)).toBe(4900);
  });

  it("reads with the claim the same wallet loadWallets reads: restricted and open lots, none lapsed or empty", async () => {
    const payer = await newResident(h);
    const restricted = await newCampaign(h, { restriction: { categories: ['和菓子"店', "tab\tcat"], tiers: ["small"] } });
    const open = await newCampaign(h);
    const now = h.clock.now().getTime();
    await grantLot(h, restricted, payer.residentId, 300n, new Date(now + 5 * 86_400_000 + 123), new Date(now - 86_400_000 + 7));
    await grantLot(h, open, payer.residentId, 200n, new Date(now + 9 * 86_400_000));
    await grantLot(h, open, payer.residentId, 100n, new Date(now + 60_000), new Date(now - 1000));
    const spent = await grantLot(h, open, payer.residentId, 50n, new Date(now + 86_400_000));
    expect((await h.ledger.submit({ op: "transfer", id: uniq("spend-"), legs: [{ from: spent.accountId, to: "fund:city", amount: 50n }] })).ok).toBe(true);
    await grantLot(h, open, payer.residentId, 70n, new Date(now - 1000), new Date(now - 86_400_000)); // lapsed
    await giveCoins(h, payer.residentId, 1234n);
    const at = h.clock.now();
    const [claim] = await h.payments.context.store.claimKeys([{ principal: payer.userId, key: uniq("wallet-"), requestHash: "w", walletOf: payer.residentId }], at, new Date(0));
    const loaded = (await h.payments.context.store.loadWallets([payer.residentId], at)).get(payer.residentId);
    if (claim?.kind !== "claimed" || !claim.wallet || !loaded) throw new Error("a claimed key with a wallet, and a loaded wallet");
    const byId = (lots: { lotId: string }[]) => [...lots].sort((a, b) => a.lotId.localeCompare(b.lotId));
    expect(claim.wallet.lots).toHaveLength(3);
    expect(byId(claim.wallet.lots)).toEqual(byId(loaded.lots));
    expect(claim.wallet.coins).toEqual(loaded.coins);
    expect(claim.wallet.coins.availableYen).toBe(1234n);
    expect(claim.wallet.lots.find((l) => l.restriction !== null)?.restriction).toEqual({ categories: ['和菓子"店', "tab\tcat"], tiers: ["small"] });
    // The ledger accounts read with it are the ledger's own, field for field (the writer plans from them).
    for (const accountId of [...claim.wallet.lots.map((l) => l.accountId), claim.wallet.coins.accountId]) {
      expect(claim.wallet.ledgerAccount?.(accountId)).toEqual(await h.ledger.getAccount(accountId));
    }
    expect(claim.wallet.ledgerAccount?.("res:nobody:coins")).toBeNull();
    // An owner holding a separator (free text) is not handed over; the lot itself still reads the same.
    const odd = claim.wallet.lots[0]!.accountId;
    await h.db.query(`UPDATE ledger_accounts SET owner = 'odd' || chr(31) || 'owner' || chr(30) WHERE id = $1`, [odd]);
    const [again] = await h.payments.context.store.claimKeys([{ principal: payer.userId, key: uniq("wallet-"), requestHash: "w", walletOf: payer.residentId }], at, new Date(0));
    if (again?.kind !== "claimed" || !again.wallet) throw new Error("claimed again");
    expect(again.wallet.ledgerAccount?.(odd)).toBeNull();
    expect(byId(again.wallet.lots)).toEqual(byId(loaded.lots));
  });

  /** The request hash the API computes for POST /v1/payments {qr, amount_yen: 100}. */
  async function hashOf(_principal: string, qr: string, _key: string): Promise<string> {
    const { idempotencyScope } = await import("../src/services/payments-idempotency");
    const request = new Request("http://localhost/v1/payments", { method: "POST", headers: { "Idempotency-Key": "x" } });
    const scope = idempotencyScope("x", request, { qr, amount_yen: 100 });
    if (!scope.ok) throw new Error("scope");
    return scope.value.requestHash;
  }
});
