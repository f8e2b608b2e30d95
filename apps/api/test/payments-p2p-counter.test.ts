// Coins between residents (P2P: coins only, both verified, per-transfer and daily limits) and charges at a city
// counter (cash → coins, with a premium lot from a premium campaign in the same transfer, within the cap and the
// budget). On PGlite and on a real PostgreSQL server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends, expectProblem } from "./harness";
import { admin, available, call, counterClerk, days, giveCoins, grantLot, newCampaign, newResident, openPaymentsHarness, uniq, type PaymentsHarness } from "./payments-kit";
import { expectLedgerAudited } from "./payments-kit";

describe.each(backends)("P2P and counter charges on %s", (backend) => {
  let h: PaymentsHarness;
  beforeAll(async () => {
    h = await openPaymentsHarness(backend);
  });
  afterAll(async () => {
    await h?.close();
  });

  it("sends coins to a resident by id or by their receive code; points never move", async () => {
    const sender = await newResident(h);
    const receiver = await newResident(h);
    const campaign = await newCampaign(h);
    const lot = await grantLot(h, campaign, sender.residentId, 5000n, new Date(Date.now() + days(30)));
    await giveCoins(h, sender.residentId, 1000n);
    const sent = await call(h, "POST", "/v1/p2p", { token: sender.token, key: uniq("k"), body: { to_resident_id: receiver.residentId, amount_yen: 600 } });
    expect(sent.status, sent.text).toBe(201);
    expect(sent.body).toMatchObject({ from_resident_id: sender.residentId, to_resident_id: receiver.residentId, amount_yen: 600, coins_balance_yen: 400 });
    // 5,000 of points are there, but only coins can be sent.
    expectProblem(await call(h, "POST", "/v1/p2p", { token: sender.token, key: uniq("k"), body: { to_resident_id: receiver.residentId, amount_yen: 401 } }), 422, "insufficient_funds");
    expect(await available(h, lot.accountId)).toBe(5000);

    const receive = await call(h, "POST", "/v1/wallet/codes", { token: receiver.token, body: { purpose: "receive" } });
    expect(receive.body.purpose).toBe("receive");
    const byCode = await call(h, "POST", "/v1/p2p", { token: sender.token, key: uniq("k"), body: { to_code: receive.body.code, amount_yen: 100 } });
    expect(byCode.status, byCode.text).toBe(201);
    expect(byCode.body.to_resident_id).toBe(receiver.residentId);
    expectProblem(await call(h, "POST", "/v1/p2p", { token: sender.token, key: uniq("k"), body: { to_code: receive.body.code, amount_yen: 100 } }), 409, "code_used");
    // A pay code is not a receive code.
    const payCode = await call(h, "POST", "/v1/wallet/codes", { token: receiver.token });
    expectProblem(await call(h, "POST", "/v1/p2p", { token: sender.token, key: uniq("k"), body: { to_code: payCode.body.code, amount_yen: 100 } }), 404, "code_not_found");
    expect(await available(h, `res:${receiver.residentId}:coins`)).toBe(700);
    const history = await call(h, "GET", "/v1/wallet/history", { token: receiver.token });
    expect(history.body.items.map((i: { kind: string; net_yen: number }) => [i.kind, i.net_yen])).toEqual([
      ["p2p", 100],
      ["p2p", 600],
    ]);
    await expectLedgerAudited(h);
  });

  it("keeps the P2P rules: not to oneself, both verified, ¥30,000 a transfer, ¥50,000 a day", async () => {
    const sender = await newResident(h);
    const receiver = await newResident(h);
    const unverified = await newResident(h, { verified: false });
    await giveCoins(h, sender.residentId, 100_000n);
    const send = (to: string, amount: number, token = sender.token) => call(h, "POST", "/v1/p2p", { token, key: uniq("k"), body: { to_resident_id: to, amount_yen: amount } });
    expectProblem(await send(sender.residentId, 100), 422, "p2p_same_person");
    const toUnverified = await send(unverified.residentId, 100);
    expectProblem(toUnverified, 422, "p2p_unverified");
    expect(toUnverified.body.party).toBe("receiver");
    await giveCoins(h, unverified.residentId, 100n);
    expectProblem(await send(receiver.residentId, 100, unverified.token), 422, "p2p_unverified");
    expectProblem(await send(receiver.residentId, 30_001), 422, "limit_exceeded");
    expect((await send(receiver.residentId, 30_000)).status).toBe(201);
    const daily = await send(receiver.residentId, 20_001);
    expectProblem(daily, 422, "p2p_daily_limit");
    expect(daily.body.remaining_yen).toBe(20_000);
    expect((await send(receiver.residentId, 20_000)).status).toBe(201);
    expect(await available(h, `res:${sender.residentId}:coins`)).toBe(50_000);
    await expectLedgerAudited(h);
  });

  it("charges coins at a counter by resident id or card number, with a premium lot in the same transfer", async () => {
    const clerk = await counterClerk(h);
    const resident = await newResident(h);
    const premium = await newCampaign(h, { kind: "premium", rateBps: 2000, capYen: 3000n, budgetYen: 1_000_000n, restriction: { tiers: ["small"] } });
    const charged = await call(h, "POST", "/v1/counter/charges", { token: clerk.token, key: uniq("k"), body: { resident_id: resident.residentId, amount_yen: 10_000, campaign_id: premium.id } });
    expect(charged.status, charged.text).toBe(201);
    expect(charged.body).toMatchObject({ resident_id: resident.residentId, amount_yen: 10_000, premium_yen: 2000, premium_limited_by: "none", coins_balance_yen: 10_000 });
    expect(charged.body.lot).toMatchObject({ campaign_id: premium.id, amount_yen: 2000 });
    const transfer = await h.ledger.getTransfer(charged.body.charge_id);
    expect(transfer?.legs.map((l) => [l.from, l.to, Number(l.amount)])).toEqual([
      [`cashin:${clerk.userId}`, `res:${resident.residentId}:coins`, 10_000],
      [premium.budgetAccountId, `res:${resident.residentId}:pts:${charged.body.lot.lot_id}`, 2000],
    ]);
    // The cap (¥3,000 a person) holds the next premium at ¥1,000.
    const second = await call(h, "POST", "/v1/counter/charges", { token: clerk.token, key: uniq("k"), body: { resident_id: resident.residentId, amount_yen: 10_000, campaign_id: premium.id } });
    expect(second.body).toMatchObject({ premium_yen: 1000, premium_limited_by: "person_cap" });
    const third = await call(h, "POST", "/v1/counter/charges", { token: clerk.token, key: uniq("k"), body: { resident_id: resident.residentId, amount_yen: 1000, campaign_id: premium.id } });
    expect(third.body).toMatchObject({ premium_yen: 0, lot: null });
    const wallet = await call(h, "GET", "/v1/wallet", { token: resident.token });
    expect(wallet.body).toMatchObject({ coins_yen: 21_000, points_yen: 3000 });
    expect(wallet.body.lots[0].restriction).toEqual({ categories: null, tiers: ["small"] });

    const card = await h.identity.issueCard({ residentId: resident.residentId, pin: "2580" }, admin);
    if (!card.ok) throw new Error(card.code);
    const byCard = await call(h, "POST", "/v1/counter/charges", { token: clerk.token, key: uniq("k"), body: { card_number: card.card.number, amount_yen: 500 } });
    expect(byCard.status, byCard.text).toBe(201);
    expect(byCard.body.coins_balance_yen).toBe(21_500);
    await expectLedgerAudited(h);
  });

  it("keeps the charge limits, a premium within the budget, and counter charges to counter clerks", async () => {
    const clerk = await counterClerk(h);
    const resident = await newResident(h);
    const small = await newCampaign(h, { kind: "premium", rateBps: 5000, capYen: 100_000n, budgetYen: 700n });
    const grant = await newCampaign(h, { kind: "grant" });
    const charge = (body: Record<string, unknown>, token = clerk.token) => call(h, "POST", "/v1/counter/charges", { token, key: uniq("k"), body });
    const budgeted = await charge({ resident_id: resident.residentId, amount_yen: 2000, campaign_id: small.id });
    expect(budgeted.body).toMatchObject({ premium_yen: 700, premium_limited_by: "budget" });
    expectProblem(await charge({ resident_id: resident.residentId, amount_yen: 1000, campaign_id: grant.id }), 409, "campaign_inactive");
    expectProblem(await charge({ resident_id: resident.residentId, amount_yen: 1000, campaign_id: "nope" }), 404, "campaign_not_found");
    expectProblem(await charge({ resident_id: "r_nobody", amount_yen: 1000 }), 404, "resident_not_found");
    expectProblem(await charge({ resident_id: resident.residentId, amount_yen: 100_001 }), 422, "limit_exceeded");
    expect((await charge({ resident_id: resident.residentId, amount_yen: 100_000 })).status).toBe(201);
    expect((await charge({ resident_id: resident.residentId, amount_yen: 98_000 })).status).toBe(201);
    expectProblem(await charge({ resident_id: resident.residentId, amount_yen: 1 }), 422, "daily_limit");
    expectProblem(await charge({ resident_id: resident.residentId, amount_yen: 100 }, resident.token), 403, "forbidden");
    expect(await available(h, `res:${resident.residentId}:coins`)).toBe(200_000);
    await expectLedgerAudited(h);
  });
});
