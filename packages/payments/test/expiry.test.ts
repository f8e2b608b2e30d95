import { describe, expect, it } from "vitest";
import { lotsLapsingWithin, planExpirySweep } from "../src";
import { food, lot, lots, now, summer, welcome } from "./fixtures";

describe("warning a resident before points lapse", () => {
  it("lists the lots lapsing within 30 days, soonest first: only summer (6/30) from 6/15", () => {
    expect(lotsLapsingWithin(lots, now)).toEqual([summer]);
  });
  it("within 60 days the food lot (7/31) joins; welcome (9/30) does not", () => {
    expect(lotsLapsingWithin(lots, now, 60)).toEqual([summer, food]);
  });
  it("includes a lot lapsing exactly at the horizon, and skips spent and already lapsed lots", () => {
    const atHorizon = lot("L-edge", { balanceYen: 10n, expiresAt: "2025-07-15T03:00:00Z" });
    const spent = lot("L-spent", { balanceYen: 0n, expiresAt: "2025-06-20T00:00:00Z" });
    const gone = lot("L-gone", { balanceYen: 10n, expiresAt: now.toISOString() });
    expect(lotsLapsingWithin([atHorizon, spent, gone], now).map((l) => l.lotId)).toEqual(["L-edge"]);
  });
});

describe("the expiry sweep returns lapsed points to each campaign", () => {
  it("moves each lapsed lot's whole balance to its campaign's expired account, one leg per lot", () => {
    const july = new Date("2025-08-01T00:00:00Z");
    expect(planExpirySweep(lots, july)).toEqual({
      legs: [
        { from: "res:r1:pts:L-summer", to: "cmp:summer:expired", amount: 300n },
        { from: "res:r1:pts:L-food", to: "cmp:food:expired", amount: 1_000n },
      ],
      lapsed: [
        { lotId: "L-summer", campaignId: "summer", accountId: "res:r1:pts:L-summer", expiredAccountId: "cmp:summer:expired", amountYen: 300n, expiresAt: summer.expiresAt },
        { lotId: "L-food", campaignId: "food", accountId: "res:r1:pts:L-food", expiredAccountId: "cmp:food:expired", amountYen: 1_000n, expiresAt: food.expiresAt },
      ],
      totalYen: 1_300n,
    });
  });
  it("a lot lapses at its expiry instant; empty lots need no leg; nothing lapsed, nothing to do", () => {
    expect(planExpirySweep([welcome], welcome.expiresAt).legs).toEqual([
      { from: "res:r1:pts:L-welcome", to: "cmp:welcome:expired", amount: 500n },
    ]);
    expect(planExpirySweep([{ ...summer, balanceYen: 0n }], new Date("2026-01-01T00:00:00Z"))).toEqual({ legs: [], lapsed: [], totalYen: 0n });
    expect(planExpirySweep(lots, now)).toEqual({ legs: [], lapsed: [], totalYen: 0n });
  });
});
