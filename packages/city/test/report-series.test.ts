// The report series' arithmetic: every day present, recirculation from flows, and the burn-down identity
// issued = used + expired + remaining at every day's end, with history before the period as the opening balance.
import { describe, expect, it } from "vitest";
import { burnDownSeries, datesBetween, monthsBetween, recirculationOf, recirculationSeries, rideSeries } from "../src";

describe("report series", () => {
  it("lists every Tokyo date and month of a period, across a leap day and a year end", () => {
    expect(datesBetween("2028-02-28", "2028-03-01")).toEqual(["2028-02-28", "2028-02-29", "2028-03-01"]);
    expect(monthsBetween("2026-11-30", "2027-02-01")).toEqual(["2026-11", "2026-12", "2027-01", "2027-02"]);
    expect(() => datesBetween("2025-01-01", "2026-12-31")).toThrow(/at most 400 days/);
  });

  it("recirculation is what shops kept of what they took in; a month of larger payouts is 0 %, nothing received is undefined", () => {
    expect(recirculationOf(2500n, 200n, 1700n)).toEqual({ receivedYen: 2300n, paidOutYen: 1700n, retainedYen: 600n, shopToShopYen: 0n, recirculationBps: 2609 });
    expect(recirculationOf(1000n, 0n, 5000n).recirculationBps).toBe(0);
    expect(recirculationOf(0n, 0n, 0n).recirculationBps).toBeNull();
    const s = recirculationSeries([{ day: "2026-04-02", paymentsYen: 1000n, refundsYen: 0n, paidOutYen: 0n }, { day: "2026-04-03", paymentsYen: 0n, refundsYen: 0n, paidOutYen: 900n }], "2026-04-01", "2026-04-03");
    expect(s.days.map((d) => [d.day, d.recirculationBps])).toEqual([["2026-04-01", null], ["2026-04-02", 10_000], ["2026-04-03", null]]);
    expect(s.total).toMatchObject({ receivedYen: 1000n, retainedYen: 100n, recirculationBps: 1000 });
  });

  it("burn-down: days before the period open it; each day keeps issued = used + expired + remaining", () => {
    const rows = [
      { day: "2026-03-31", issuedYen: 10_000n, expiredYen: 0n, lotNetYen: 10_000n },
      { day: "2026-04-01", issuedYen: 0n, expiredYen: 0n, lotNetYen: -3_000n },
      { day: "2026-04-03", issuedYen: 500n, expiredYen: 1_000n, lotNetYen: -500n },
      { day: "2026-04-09", issuedYen: 99n, expiredYen: 0n, lotNetYen: 99n },
    ];
    const series = burnDownSeries(rows, "2026-04-01", "2026-04-03");
    expect(series.map((d) => [d.day, d.issuedYen, d.usedYen, d.expiredYen, d.remainingYen, d.usedTodayYen])).toEqual([
      ["2026-04-01", 10_000n, 3_000n, 0n, 7_000n, 3_000n],
      ["2026-04-02", 10_000n, 3_000n, 0n, 7_000n, 0n],
      ["2026-04-03", 10_500n, 3_000n, 1_000n, 6_500n, 0n],
    ]);
    for (const d of series) expect(d.issuedYen).toBe(d.usedYen + d.expiredYen + d.remainingYen);
  });

  it("rides: quiet days are zero and the totals add the days", () => {
    const r = rideSeries([{ day: "2026-04-02", rides: 3, fareYen: 300n, debtYen: 0n, riders: 2 }], "2026-04-01", "2026-04-02");
    expect(r).toEqual({ days: [{ day: "2026-04-01", rides: 0, fareYen: 0n, debtYen: 0n, riders: 0 }, { day: "2026-04-02", rides: 3, fareYen: 300n, debtYen: 0n, riders: 2 }], rides: 3, fareYen: 300n, debtYen: 0n });
  });
});
