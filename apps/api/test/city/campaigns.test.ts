// Campaign administration as the city runs it: caps that hold to the yen, funding and issuance that need a second
// approver, a bulk grant that can be run twice without granting anybody twice, the expiry sweep and burn-down.
import { createPaymentsStore } from "@tsubaki/db";
import { planPayment } from "@tsubaki/payments";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { budgetAccountId, cityFundingAccountId, expiredAccountId, grantLotId } from "../../src/services/city";
import { approverA, approverB, openCityHarness, operator, type CityHarness } from "./city-harness";

const t0 = new Date("2026-04-10T01:00:00Z"); // 10:00 JST, 2026-04-10
const period = { startsAt: new Date("2026-04-01T00:00:00Z"), endsAt: new Date("2026-09-01T00:00:00Z") };

async function available(h: CityHarness, id: string): Promise<bigint> {
  const a = await h.ledger.getAccount(id);
  return a ? a.creditsPosted - a.debitsPosted - a.debitsPending : 0n;
}

async function newCampaign(h: CityHarness, id: string, extra: Partial<Parameters<CityHarness["city"]["createCampaign"]>[0]> = {}) {
  const r = await h.city.createCampaign(
    { id, nameJa: `テスト ${id}`, nameEn: `Test ${id}`, kind: "grant", grantYen: 1000n, capPerPersonYen: 3000n, restriction: null, ...period, ...extra },
    operator,
  );
  expect(r.ok, JSON.stringify(r, (_k, v) => (typeof v === "bigint" ? v.toString() : v))).toBe(true);
}

for (const backend of ["pglite", "postgres"] as const) {
  describe(`campaign administration (${backend})`, () => {
    let h: CityHarness;
    beforeAll(async () => {
      h = await openCityHarness(backend, t0);
    });
    afterAll(async () => {
      await h?.close();
    });

    test("the per-person cap and the budget cap hold exactly; a grant past the budget fails and moves nothing", async () => {
      await newCampaign(h, "caps");
      const funded = await h.city.fundCampaign("caps", 10_000n, "fund-caps-1", operator);
      expect(funded).toMatchObject({ ok: true, status: "executed" });
      expect(await available(h, budgetAccountId("caps"))).toBe(10_000n);

      // r1 asks for 5,000 but the cap is 3,000; the rest get 2,000 each: 3,000 + 3 × 2,000 = 9,000.
      const amounts = new Map([["r1", 5000n]]);
      const g = await h.city.requestGrant("caps", ["r1", "r2", "r3", "r4"], 2000n, amounts, "grant-caps-1", operator);
      expect(g).toMatchObject({ ok: true, status: "executed", grantedCount: 4, grantedYen: 9000n });
      expect(await available(h, `res:r1:pts:${grantLotId("caps", "r1")}`)).toBe(3000n);
      expect(await h.city.store.grantedTo("caps", ["r1"])).toEqual(new Map([["r1", 3000n]]));
      expect(await available(h, budgetAccountId("caps"))).toBe(1000n);

      // 2 × 2,000 > ¥1,000 left: refused before anything moves.
      const over = await h.city.requestGrant("caps", ["r5", "r6"], 2000n, undefined, "grant-caps-2", operator);
      expect(over).toMatchObject({ ok: false, code: "exceeds_budget", status: 409 });
      expect(await available(h, budgetAccountId("caps"))).toBe(1000n);
      expect(await h.ledger.getAccount(`res:r5:pts:${grantLotId("caps", "r5")}`)).toBeNull();
      expect((await h.city.store.existingLots([grantLotId("caps", "r5")])).size).toBe(0);

      // Exactly what is left is fine, and the budget ends at 0.
      const last = await h.city.requestGrant("caps", ["r5"], 1000n, undefined, "grant-caps-3", operator);
      expect(last).toMatchObject({ ok: true, grantedYen: 1000n });
      expect(await available(h, budgetAccountId("caps"))).toBe(0n);
      expect((await h.ledger.audit()).ok).toBe(true);
    });

    test("running the same bulk grant again grants nobody twice (a ledger replay)", async () => {
      await newCampaign(h, "again");
      await h.city.fundCampaign("again", 50_000n, "fund-again", operator);
      const residents = Array.from({ length: 20 }, (_, i) => `again-r${i}`);
      const first = await h.city.requestGrant("again", residents, 1000n, undefined, "k1", operator);
      expect(first).toMatchObject({ ok: true, grantedCount: 20, grantedYen: 20_000n, replayedCount: 0 });
      const progress: number[] = [];
      const second = await h.city.requestGrant("again", residents, 1000n, undefined, "k2", operator, (p) => progress.push(p.doneCount));
      expect(second).toMatchObject({ ok: true, grantedCount: 0, grantedYen: 0n, replayedCount: 20 });
      expect(progress).toEqual([20]);
      expect(await available(h, budgetAccountId("again"))).toBe(30_000n);
      expect(await h.city.store.grantedTo("again", ["again-r0"])).toEqual(new Map([["again-r0", 1000n]]));
    });

    test("funding of ¥1,000,000 or more waits for a different admin_approver, and both acts are audited", async () => {
      await newCampaign(h, "big");
      const asked = await h.city.fundCampaign("big", 1_000_000n, "fund-big", approverA);
      expect(asked).toMatchObject({ ok: true, status: "pending_approval" });
      if (!asked.ok || asked.status !== "pending_approval") throw new Error("unreachable");
      expect(await available(h, budgetAccountId("big"))).toBe(0n);

      expect(await h.city.approveRequest(asked.request.id, approverA)).toMatchObject({ ok: false, code: "self_approval", status: 403 });
      expect(await h.city.approveRequest(asked.request.id, operator)).toMatchObject({ ok: false, code: "approver_role_required", status: 403 });
      expect(await available(h, budgetAccountId("big"))).toBe(0n);

      const approved = await h.city.approveRequest(asked.request.id, approverB);
      expect(approved).toMatchObject({ ok: true });
      expect(await available(h, budgetAccountId("big"))).toBe(1_000_000n);
      expect(await h.city.approveRequest(asked.request.id, approverB)).toMatchObject({ ok: false, code: "request_not_pending" });

      const log = await h.identity.queryAudit({ target: "big", limit: 20 });
      const acts = log.entries.map((e) => [e.action, e.actor]).reverse();
      expect(acts).toEqual([
        ["campaign.created", operator.userId],
        ["issuance.requested", approverA.userId],
        ["issuance.approved", approverB.userId],
        ["campaign.funded", approverA.userId],
      ]);
      const funded = log.entries.find((e) => e.action === "campaign.funded");
      expect(funded?.details).toMatchObject({ amount_yen: "1000000", approved_by: approverB.userId });
    });

    test("a grant of ¥1,000,000 to 1,000 residents waits for approval, then grants each once", async () => {
      await newCampaign(h, "thousand", { capPerPersonYen: 1000n });
      const f = await h.city.fundCampaign("thousand", 1_200_000n, "fund-thousand", operator);
      if (!f.ok || f.status !== "pending_approval") throw new Error(JSON.stringify(f));
      await h.city.approveRequest(f.request.id, approverB);
      const residents = Array.from({ length: 1000 }, (_, i) => `t-r${String(i).padStart(4, "0")}`);
      const asked = await h.city.requestGrant("thousand", residents, 1000n, undefined, "g-thousand", operator);
      if (!asked.ok || asked.status !== "pending_approval") throw new Error(JSON.stringify(asked));
      expect(asked.plannedYen).toBe(1_000_000n);
      expect((await h.city.store.existingLots([grantLotId("thousand", "t-r0000")])).size).toBe(0);
      const done = await h.city.approveRequest(asked.request.id, approverA);
      expect(done).toMatchObject({ ok: true, result: { granted_count: 1000, granted_yen: "1000000" } });
      expect(await available(h, budgetAccountId("thousand"))).toBe(200_000n);
      const log = await h.identity.queryAudit({ target: "thousand", action: "campaign.granted" });
      expect(log.entries[0]?.details).toMatchObject({ granted_count: 1000, approved_by: approverA.userId });
    });

    test("a restricted lot is refused at other shops, which take coins instead", async () => {
      await newCampaign(h, "local", { restriction: { tiers: ["small"] } });
      await h.city.fundCampaign("local", 5000n, "fund-local", operator);
      await h.city.requestGrant("local", ["shopper"], 1000n, undefined, "g-local", operator);
      await h.ledger.createAccount({ id: "res:shopper:coins", kind: "coins", owner: null, asset: "JPY", flags: { debitsMustNotExceedCredits: true, creditsMustNotExceedDebits: false }, metadata: null });
      await h.ledger.submit({ op: "transfer", id: "charge-shopper", legs: [{ from: cityFundingAccountId, to: "res:shopper:coins", amount: 2000n }] });
      const wallet = (await createPaymentsStore(h.db).loadWallets(["shopper"], h.clock.now)).get("shopper")!;
      const shop = (tier: "small" | "large") => ({ merchantId: tier, accountId: `mer:${tier}`, category: "food", tier, mcc: "5411", pointsAccepted: true });
      const large = planPayment({ amountYen: 500n, merchant: shop("large"), lots: wallet.lots, coins: wallet.coins, now: h.clock.now });
      expect(large).toMatchObject({ ok: true, pointsYen: 0n, coinsYen: 500n });
      const small = planPayment({ amountYen: 1500n, merchant: shop("small"), lots: wallet.lots, coins: wallet.coins, now: h.clock.now });
      expect(small).toMatchObject({ ok: true, pointsYen: 1000n, coinsYen: 500n });
      const tooMuch = planPayment({ amountYen: 2500n, merchant: shop("large"), lots: wallet.lots, coins: wallet.coins, now: h.clock.now });
      expect(tooMuch).toMatchObject({ ok: false, code: "insufficient_funds", usableYen: 2000n });
    });

    test("the expiry sweep returns exactly what lapsed, and burn-down adds up before and after", async () => {
      await newCampaign(h, "short", { expiryDays: 10 });
      await h.city.fundCampaign("short", 100_000n, "fund-short", operator);
      const residents = ["s1", "s2", "s3"];
      await h.city.requestGrant("short", residents, 3000n, undefined, "g-short", operator);
      // s1 spends 1,234 and s2 spends everything at a shop; s3 spends nothing.
      await h.ledger.createAccount({ id: "mer:sweep-shop", kind: "merchant", owner: null, asset: "JPY", flags: { debitsMustNotExceedCredits: true, creditsMustNotExceedDebits: false }, metadata: null });
      const lot = (rid: string) => `res:${rid}:pts:${grantLotId("short", rid)}`;
      await h.ledger.submit({ op: "transfer", id: "pay-s1", legs: [{ from: lot("s1"), to: "mer:sweep-shop", amount: 1234n }] });
      await h.ledger.submit({ op: "transfer", id: "pay-s2", legs: [{ from: lot("s2"), to: "mer:sweep-shop", amount: 3000n }] });

      const soon = await h.city.lapsingSoon(30, 100, 0);
      expect(soon.filter((r) => residents.includes(r.residentId)).map((r) => [r.residentId, r.yen])).toEqual([
        ["s1", 1766n],
        ["s3", 3000n],
      ]);
      const before = await h.city.campaignBurnDown("short");
      expect(before).toMatchObject({ ok: true, figures: { issuedYen: 9000n, usedYen: 4234n, expiredYen: 0n, remainingYen: 4766n } });

      // Granted 2026-04-10 with 10 days: usable through 4/19, lapses at 00:00 JST on 4/20.
      h.clock.now = new Date("2026-04-19T14:59:59Z");
      expect(await h.city.sweepExpired("short")).toEqual({ lots: 0, totalYen: 0n });
      h.clock.now = new Date("2026-04-19T15:00:00Z");
      expect(await h.city.sweepExpired("short")).toEqual({ lots: 2, totalYen: 4766n });
      expect(await available(h, expiredAccountId("short"))).toBe(4766n);
      expect(await available(h, lot("s1"))).toBe(0n);
      expect(await h.city.sweepExpired("short")).toEqual({ lots: 0, totalYen: 0n });
      const after = await h.city.campaignBurnDown("short");
      expect(after).toMatchObject({ ok: true, figures: { issuedYen: 9000n, usedYen: 4234n, expiredYen: 4766n, remainingYen: 0n }, budgetAvailableYen: 91_000n });
      expect((await h.ledger.audit()).ok).toBe(true);
      h.clock.now = t0;
    });

    test("the 基準日 figure equals an independent sum of coin balances, and cash refunds keep to the legal limits", async () => {
      const coins = (k: string) => `res:${k}:coins`;
      await h.ledger.createAccount({ id: "cashin:ref", kind: "cash_in", owner: null, asset: "JPY", flags: { debitsMustNotExceedCredits: false, creditsMustNotExceedDebits: false }, metadata: null });
      await h.ledger.createAccount({ id: "mer:ref-shop", kind: "merchant", owner: null, asset: "JPY", flags: { debitsMustNotExceedCredits: true, creditsMustNotExceedDebits: false }, metadata: null });
      for (const k of ["k1", "k2", "k3"]) {
        await h.ledger.createAccount({ id: coins(k), kind: "coins", owner: null, asset: "JPY", flags: { debitsMustNotExceedCredits: true, creditsMustNotExceedDebits: false }, metadata: null });
      }
      // [when, resident, signed yen, kind]: charges credit coins from a counter; payments debit them to a shop.
      const events: [string, string, number, "charge" | "payment"][] = [
        ["2026-03-31T14:30:00Z", "k1", 5000, "charge"],
        ["2026-03-31T14:31:00Z", "k2", 3000, "charge"],
        ["2026-03-31T14:32:00Z", "k3", 700, "charge"],
        ["2026-03-31T14:59:59Z", "k1", -1200, "payment"],
        ["2026-03-31T15:00:00Z", "k2", 10_000, "charge"], // 00:00 JST on 4/1: the next period
        ["2026-03-31T15:00:01Z", "k3", -700, "payment"],
      ];
      for (const [i, [when, k, yen, code]] of events.entries()) {
        h.clock.now = new Date(when);
        const legs = yen > 0 ? [{ from: "cashin:ref", to: coins(k), amount: BigInt(yen) }] : [{ from: coins(k), to: "mer:ref-shop", amount: BigInt(-yen) }];
        const r = await h.ledger.submit({ op: "transfer", id: `ref-event-${i}`, legs, code });
        expect(r.ok).toBe(true);
      }
      const endOf331 = Date.parse("2026-03-31T15:00:00Z");
      const independent = events.filter(([when]) => Date.parse(when) < endOf331).reduce((sum, [, , yen]) => sum + yen, 0);
      expect(independent).toBe(7500);
      const figure = await h.city.referenceDateFigure("2026-03-31");
      expect(figure).toMatchObject({ unusedBalanceYen: BigInt(independent), coinAccounts: 3, thresholdExceeded: false, requiredDepositYen: 0n, dueDate: "2026-05-31" });
      expect((await h.city.referenceDateFigure("2025-09-30")).unusedBalanceYen).toBe(0n);

      // In the period to 9/30: last period issued ¥8,700 (20 % = ¥1,740); the 3/31 balance was ¥7,500 (5 % = ¥375).
      h.clock.now = t0;
      const first = await h.city.cashRefund({ residentId: "k2", amountYen: 1000n, reason: "holder_request", evidence: null }, "refund-1", operator);
      expect(first).toMatchObject({ ok: true, refund: { rule: "issuance_20_percent" }, limits: { issuance20PercentYen: 1740n, balance5PercentYen: 375n } });
      const second = await h.city.cashRefund({ residentId: "k2", amountYen: 800n, reason: "holder_request", evidence: null }, "refund-2", operator);
      expect(second).toMatchObject({ ok: false, code: "refund_limit_exceeded", status: 422 });
      expect(await available(h, coins("k2"))).toBe(12_000n);
      h.clock.now = new Date(t0.getTime() + 60_000);
      const moving = await h.city.cashRefund({ residentId: "k2", amountYen: 12_000n, reason: "moving_away", evidence: "転出届 確認" }, "refund-3", operator);
      expect(moving).toMatchObject({ ok: true, refund: { rule: "unavoidable_circumstances" } });
      expect(await h.city.cashRefund({ residentId: "k2", amountYen: 12_000n, reason: "moving_away", evidence: "転出届 確認" }, "refund-3", operator)).toMatchObject({ ok: true, replayed: true });
      expect(await available(h, coins("k2"))).toBe(0n);
      expect(await available(h, "refund:payable")).toBe(13_000n);
      const register = await h.city.store.listCashRefunds("2026-09-30", 10, 0);
      expect(register.map((r) => [r.residentId, r.amountYen, r.rule])).toEqual([
        ["k2", 1000n, "issuance_20_percent"],
        ["k2", 12_000n, "unavoidable_circumstances"],
      ]);
      const audited = await h.identity.queryAudit({ action: "refund.issued", target: "k2" });
      expect(audited.entries.length).toBe(2);
    });
  });
}
