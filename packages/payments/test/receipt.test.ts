import { describe, expect, it } from "vitest";
import { buildReceipt, planPayment, planRefund } from "../src";
import { coins, expectOk, food, kissa, lots, now, summer, welcome } from "./fixtures";

describe("the receipt the wallet and the shop see", () => {
  it("lists every leg with its lot, campaign and expiry, and what is left afterwards", () => {
    const plan = expectOk(planPayment({ amountYen: 1_500n, merchant: kissa, lots, coins, now }));
    const receipt = buildReceipt({
      transferId: "pay-0001",
      at: now,
      merchant: kissa,
      allocation: plan.allocation,
      balancesAfter: { coins, lots: [{ ...summer, balanceYen: 0n }, { ...food, balanceYen: 0n }, { ...welcome, balanceYen: 300n }] },
    });
    expect(receipt).toEqual({
      transferId: "pay-0001",
      kind: "payment",
      at: "2025-06-15T03:00:00.000Z",
      merchant: { merchantId: "kissa", accountId: "mer:kissa", category: "food", tier: "small" },
      totalYen: 1_500,
      pointsYen: 1_500,
      coinsYen: 0,
      lapsedYen: 0,
      lines: [
        { source: "lot", lotId: "L-summer", campaignId: "summer", accountId: "res:r1:pts:L-summer", amountYen: 300, expiresAt: "2025-06-30T15:00:00.000Z", lapsed: false },
        { source: "lot", lotId: "L-food", campaignId: "food", accountId: "res:r1:pts:L-food", amountYen: 1_000, expiresAt: "2025-07-31T15:00:00.000Z", lapsed: false },
        { source: "lot", lotId: "L-welcome", campaignId: "welcome", accountId: "res:r1:pts:L-welcome", amountYen: 200, expiresAt: "2025-09-30T15:00:00.000Z", lapsed: false },
      ],
      balancesAfter: [
        { source: "coins", accountId: "res:r1:coins", balanceYen: 5_000 },
        { source: "lot", lotId: "L-welcome", campaignId: "welcome", accountId: "res:r1:pts:L-welcome", balanceYen: 300, expiresAt: "2025-09-30T15:00:00.000Z" },
      ],
      pointsBalanceYen: 300,
      coinsBalanceYen: 5_000,
    });
    // The receipt is plain JSON: it survives a round trip unchanged.
    expect(JSON.parse(JSON.stringify(receipt))).toEqual(receipt);
  });

  it("a refund receipt marks the share that went back to the city because the lot had lapsed", () => {
    const paid = expectOk(planPayment({ amountYen: 2_000n, merchant: kissa, lots, coins, now }));
    const at = new Date("2025-07-01T03:00:00Z");
    const refund = expectOk(
      planRefund({
        payment: { allocation: paid.allocation, merchantAccountId: kissa.accountId, paidAt: now },
        refundedSoFar: [],
        amountYen: 2_000n,
        lotsNow: new Map(lots.map((l) => [l.lotId, l])),
        now: at,
      }),
    );
    const receipt = buildReceipt({
      transferId: "refund-0001",
      kind: "refund",
      at,
      merchant: kissa,
      allocation: refund.allocation,
      lapsed: refund.lapsed,
      // After the refund: coins 4,800 + 200, the lots refilled; summer holds nothing (its ¥300 went to the city).
      balancesAfter: { coins, lots: [{ ...summer, balanceYen: 0n }, food, welcome] },
    });
    expect(receipt.lines.map((l) => [l.source === "lot" ? l.lotId : l.source, l.amountYen, l.source === "lot" && l.lapsed])).toEqual([
      ["coins", 200, false],
      ["L-welcome", 500, false],
      ["L-food", 1_000, false],
      ["L-summer", 300, true],
    ]);
    expect([receipt.totalYen, receipt.coinsYen, receipt.pointsYen, receipt.lapsedYen]).toEqual([2_000, 200, 1_500, 300]);
    expect(receipt.balancesAfter.map((b) => (b.source === "lot" ? b.lotId : b.source))).toEqual(["coins", "L-food", "L-welcome"]);
    expect([receipt.pointsBalanceYen, receipt.coinsBalanceYen]).toEqual([1_500, 5_000]);
  });

  it("yen beyond what JSON carries exactly is a bug", () => {
    expect(() =>
      buildReceipt({
        transferId: "t",
        at: now,
        merchant: kissa,
        allocation: [{ source: "coins", accountId: "res:r1:coins", amountYen: 2n ** 53n }],
        balancesAfter: { coins, lots: [] },
      }),
    ).toThrow(/BUG: ¥9007199254740992 is not a safe JSON integer/);
  });
});
