// Randomised checks of the spend order and of refunds against rules restated from DESIGN §3 and §4. The seed is
// printed; FC_SEED=<seed> replays a run exactly.
import { legsMax } from "@tsubaki/ledger";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { planPayment, planRefund, sourceKey, type AllocationPart, type Merchant, type PointLot } from "../src";

const seed = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : Date.now() ^ (Math.random() * 2 ** 31);
const numRuns = 2_000;
console.log(`payments property tests: FC_SEED=${seed}`);

const dayMs = 24 * 3600 * 1000;
const now = new Date("2025-06-15T03:00:00Z");
const merchants: Merchant[] = [
  { merchantId: "kissa", accountId: "mer:kissa", category: "food", tier: "small", mcc: "5812", pointsAccepted: true },
  { merchantId: "mall", accountId: "mer:mall", category: "retail", tier: "large", mcc: "5311", pointsAccepted: true },
  { merchantId: "books", accountId: "mer:books", category: "retail", tier: "small", mcc: "5942", pointsAccepted: true },
  { merchantId: "tabako", accountId: "mer:tabako", category: "tobacco", tier: "small", mcc: "5993", pointsAccepted: false },
];
const restrictions: PointLot["restriction"][] = [null, { categories: ["food"] }, { tiers: ["large"] }, { categories: ["retail"], tiers: ["small"] }, { categories: [] }];

// Expiry and grant on a coarse day grid (−3 … +6 days) so ties are frequent.
const lotsArb = fc
  .array(
    fc.record({
      balanceYen: fc.bigInt({ min: 0n, max: 2_000n }),
      expiresDay: fc.integer({ min: -3, max: 6 }),
      grantedDay: fc.integer({ min: -60, max: -58 }),
      restriction: fc.constantFrom(...restrictions),
    }),
    { maxLength: legsMax - 4 },
  )
  .map((raws) =>
    raws.map((r, i): PointLot => ({
      accountId: `res:r1:pts:L${i}`,
      lotId: `L${i}`,
      campaignId: `c${i % 3}`,
      balanceYen: r.balanceYen,
      grantedAt: new Date(now.getTime() + r.grantedDay * dayMs),
      expiresAt: new Date(now.getTime() + r.expiresDay * dayMs),
      restriction: r.restriction,
      expiredAccountId: `cmp:c${i % 3}:expired`,
    })),
  );

const caseArb = fc.record({
  lots: lotsArb,
  coinsYen: fc.bigInt({ min: 0n, max: 3_000n }),
  amountYen: fc.bigInt({ min: 1n, max: 12_000n }),
  merchant: fc.constantFrom(...merchants),
});

/** Usable here and now, written out from DESIGN §3 independently of src/spend.ts. */
function usable(lot: PointLot, m: Merchant): boolean {
  if (lot.expiresAt.getTime() <= now.getTime() || !m.pointsAccepted) return false;
  const r = lot.restriction;
  return r === null || ((r.categories?.includes(m.category) ?? true) && (r.tiers?.includes(m.tier) ?? true));
}
function before(a: PointLot, b: PointLot): boolean {
  const ka = [a.expiresAt.getTime(), a.grantedAt.getTime()];
  const kb = [b.expiresAt.getTime(), b.grantedAt.getTime()];
  return ka[0]! !== kb[0]! ? ka[0]! < kb[0]! : ka[1]! !== kb[1]! ? ka[1]! < kb[1]! : a.lotId < b.lotId;
}

describe("planPayment, for any wallet and amount", () => {
  it("fails only when what is usable here is short, and otherwise pays exactly, within balances, in spend order", () => {
    fc.assert(
      fc.property(caseArb, ({ lots, coinsYen, amountYen, merchant }) => {
        const coins = { accountId: "res:r1:coins", availableYen: coinsYen };
        const plan = planPayment({ amountYen, merchant, lots, coins, now });
        const usableYen = lots.filter((l) => usable(l, merchant)).reduce((s, l) => s + l.balanceYen, 0n) + coinsYen;
        if (!plan.ok) {
          expect(plan).toMatchObject({ code: "insufficient_funds", usableYen });
          expect(usableYen < amountYen).toBe(true);
          return;
        }
        expect(usableYen >= amountYen).toBe(true);
        expect(plan.legs.reduce((s, l) => s + l.amount, 0n)).toBe(amountYen);
        expect(plan.pointsYen + plan.coinsYen).toBe(amountYen);
        const taken = new Map<string, bigint>();
        plan.legs.forEach((leg, i) => {
          expect(leg.to).toBe(merchant.accountId);
          expect(leg.amount > 0n).toBe(true);
          expect(leg.from).toBe(plan.allocation[i]!.accountId);
          expect(taken.has(leg.from)).toBe(false);
          taken.set(leg.from, leg.amount);
        });
        for (const lot of lots) {
          const took = taken.get(lot.accountId) ?? 0n;
          expect(took <= lot.balanceYen).toBe(true);
          if (took === 0n) continue;
          expect(usable(lot, merchant)).toBe(true);
          // No usable lot that comes earlier in the spend order is left with a balance.
          for (const other of lots) {
            if (other !== lot && usable(other, merchant) && before(other, lot)) {
              expect(taken.get(other.accountId) ?? 0n).toBe(other.balanceYen);
            }
          }
        }
        const coinsTaken = taken.get(coins.accountId) ?? 0n;
        expect(coinsTaken <= coinsYen).toBe(true);
        if (coinsTaken > 0n) {
          for (const lot of lots.filter((l) => usable(l, merchant))) expect(taken.get(lot.accountId) ?? 0n).toBe(lot.balanceYen);
        }
      }),
      { seed, numRuns },
    );
  });
});

describe("planRefund, for any payment and any sequence of partial refunds", () => {
  it("never gives a source back more than it paid, and refunding everything restores every source exactly", () => {
    const refundArb = fc.record({ pay: caseArb, cuts: fc.array(fc.bigInt({ min: 1n, max: 5_000n }), { maxLength: 6 }), lapseDays: fc.integer({ min: 0, max: 8 }) });
    fc.assert(
      fc.property(refundArb, ({ pay, cuts, lapseDays }) => {
        const coins = { accountId: "res:r1:coins", availableYen: pay.coinsYen };
        const plan = planPayment({ amountYen: pay.amountYen, merchant: pay.merchant, lots: pay.lots, coins, now });
        if (!plan.ok) return;
        const payment = { allocation: plan.allocation, merchantAccountId: pay.merchant.accountId, paidAt: now };
        const later = new Date(now.getTime() + lapseDays * dayMs);
        const lotsNow = new Map(pay.lots.map((l) => [l.lotId, l]));
        const soFar: AllocationPart[] = [];
        const refundOnce = (amountYen: bigint) => {
          const refund = planRefund({ payment, refundedSoFar: soFar, amountYen, lotsNow, now: later });
          const leftYen = pay.amountYen - soFar.reduce((s, p) => s + p.amountYen, 0n);
          if (!refund.ok) {
            expect(refund).toMatchObject({ code: "refund_exceeds_payment", refundableYen: leftYen });
            expect(amountYen > leftYen).toBe(true);
            return;
          }
          expect(refund.legs.reduce((s, l) => s + l.amount, 0n)).toBe(amountYen);
          expect(refund.coinsYen + refund.pointsYen + refund.lapsedYen).toBe(amountYen);
          for (const [i, leg] of refund.legs.entries()) {
            const part = refund.allocation[i]!;
            const lot = part.source === "lot" ? lotsNow.get(part.lotId)! : undefined;
            const lapsed = lot !== undefined && lot.expiresAt.getTime() <= later.getTime();
            expect(leg).toEqual({ from: pay.merchant.accountId, to: lapsed ? lot.expiredAccountId : part.accountId, amount: part.amountYen });
          }
          soFar.push(...refund.allocation);
        };
        for (const cut of cuts) refundOnce(cut);
        const rest = pay.amountYen - soFar.reduce((s, p) => s + p.amountYen, 0n);
        if (rest > 0n) refundOnce(rest);
        const back = new Map<string, bigint>();
        for (const p of soFar) back.set(sourceKey(p), (back.get(sourceKey(p)) ?? 0n) + p.amountYen);
        for (const p of plan.allocation) expect(back.get(sourceKey(p))).toBe(p.amountYen);
        expect(back.size).toBe(plan.allocation.length);
      }),
      { seed, numRuns: 500 },
    );
  });
});
