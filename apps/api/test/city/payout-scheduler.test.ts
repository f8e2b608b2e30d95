// The monthly payout scheduler driven by a clock the test moves: from 00:00 JST on the 1st it pays every shop out for
// the month that ended, once — across restarts, two processes ticking together, and a process that died holding
// the month (its lease lapses, the next process takes over and replays the same run instead of paying twice).
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { payoutTransferIdOf } from "../../src/services/city-payouts";
import { createPayoutScheduler, monthlyPayoutOf, payoutLeaseMs } from "../../src/services/payout-scheduler";
import { openCityHarness, type CityHarness } from "./city-harness";

const auditor = { actor: "u_test_admin", actorRoles: ["admin_operator"], requestId: null };
const jst = (iso: string) => new Date(`${iso}+09:00`);

for (const backend of ["pglite", "postgres"] as const) {
  describe(`monthly payout scheduler (${backend})`, () => {
    let h: CityHarness;
    const shops: string[] = [];

    async function sell(shopId: string, yen: bigint): Promise<void> {
      const r = await h.ledger.submit({ op: "transfer", id: `sales-${shopId}-${h.clock.now.getTime()}-${yen}`, legs: [{ from: "cashin:scheduler-test", to: `mer:${shopId}`, amount: yen }] });
      expect(r.ok).toBe(true);
    }

    async function balance(id: string): Promise<bigint> {
      const a = await h.ledger.getAccount(id);
      return a ? a.creditsPosted - a.debitsPosted - a.debitsPending : 0n;
    }

    const runsOf = async () => (await h.db.query<{ id: string; trigger: string; transfer_date: string; total_yen: string }>(`SELECT id, trigger, transfer_date, total_yen::text AS total_yen FROM payout_runs ORDER BY created_at`));

    beforeAll(async () => {
      h = await openCityHarness(backend, jst("2026-09-20T12:00:00"));
      await h.ledger.createAccount({ id: "cashin:scheduler-test", kind: "cash_in", owner: null, asset: "JPY", flags: { debitsMustNotExceedCredits: false, creditsMustNotExceedDebits: false }, metadata: null });
      for (const [i, holderKana] of ["ノノイチ シヨウテン", "カガ パン"].entries()) {
        const created = await h.identity.createShop(
          {
            code: `SCHED${i}${backend.slice(0, 2).toUpperCase()}`,
            nameJa: `月次精算${i}`,
            nameLatin: `Monthly ${i}`,
            category: "food",
            tier: "small",
            mcc: "5411",
            feeRateBasisPoints: 150,
            bank: { bankCode: "0146", branchCode: "201", accountType: "ordinary", accountNumber: `123456${i}`, holderKana },
            status: "active",
          },
          auditor,
        );
        if (!created.ok) throw new Error(created.code);
        shops.push(created.shop.id);
        await h.ledger.createAccount({ id: `mer:${created.shop.id}`, kind: "merchant", owner: null, asset: "JPY", flags: { debitsMustNotExceedCredits: true, creditsMustNotExceedDebits: false }, metadata: null });
      }
    });
    afterAll(async () => {
      await h?.close();
    });

    test("the month paid is the one before today's Tokyo date; the transfer date is the 10th or two days after a late run", () => {
      expect(monthlyPayoutOf("2026-10-01")).toMatchObject({ month: "2026-09", key: "payout-monthly:2026-09", transferDate: "1010" });
      expect(monthlyPayoutOf("2027-01-01")).toMatchObject({ month: "2026-12", transferDate: "0110" });
      expect(monthlyPayoutOf("2026-10-20")).toMatchObject({ month: "2026-09", transferDate: "1022" });
      expect(monthlyPayoutOf("2026-10-01").runId).toBe(monthlyPayoutOf("2026-10-31").runId);
      expect(monthlyPayoutOf("2026-10-01").runId).not.toBe(monthlyPayoutOf("2026-11-01").runId);
    });

    test("on the 1st (JST) it pays September out once; a restart and a second process replay nothing", async () => {
      await sell(shops[0]!, 100_000n);
      await sell(shops[1]!, 5_000n);
      const first = createPayoutScheduler({ city: h.city, now: () => h.clock.now, processId: "host-a:1" });
      // 23:59 JST on 30 September: September has not ended, and August's run is past its catch-up week.
      h.clock.now = jst("2026-09-30T23:59:00");
      expect(await first.tick()).toEqual({ status: "not_due", month: "2026-08" });
      expect(await balance(`mer:${shops[0]}`)).toBe(100_000n);
      await sell(shops[0]!, 20_000n);

      h.clock.now = jst("2026-10-01T00:05:00");
      const tick = await first.tick();
      expect(tick).toMatchObject({ status: "done", month: "2026-09", outcome: "created", attempt: 1, runId: monthlyPayoutOf("2026-10-01").runId });
      expect(await balance(`mer:${shops[0]}`)).toBe(0n);
      expect(await balance("payout:pending")).toBe(100_000n - 1500n + (5_000n - 75n) + (20_000n - 300n));

      // A restarted process (new scheduler) and another host, in the catch-up week: already done, no new run, no money moves.
      await sell(shops[1]!, 3_000n);
      h.clock.now = jst("2026-10-07T23:00:00");
      const restarted = createPayoutScheduler({ city: h.city, now: () => h.clock.now, processId: "host-a:2" });
      const other = createPayoutScheduler({ city: h.city, now: () => h.clock.now, processId: "host-b:1" });
      expect(await restarted.tick()).toEqual({ status: "already_done", month: "2026-09" });
      expect(await other.tick()).toEqual({ status: "already_done", month: "2026-09" });
      expect(await balance(`mer:${shops[1]}`)).toBe(3_000n);
      const runs = await runsOf();
      expect(runs.map((r) => [r.id, r.trigger, r.transfer_date, r.total_yen])).toEqual([[tick.status === "done" ? tick.runId : "", "monthly", "1010", String(100_000n - 1500n + (5_000n - 75n) + (20_000n - 300n))]]);
      // After the catch-up week nothing is due until the next 1st.
      h.clock.now = jst("2026-10-08T00:00:00");
      expect(await other.tick()).toEqual({ status: "not_due", month: "2026-09" });
      expect((await h.ledger.audit()).ok).toBe(true);
    });

    test("two processes ticking at the same moment: one pays, the other stands aside", async () => {
      h.clock.now = jst("2026-11-01T00:00:00");
      const a = createPayoutScheduler({ city: h.city, now: () => h.clock.now, processId: "host-a:3" });
      const b = createPayoutScheduler({ city: h.city, now: () => h.clock.now, processId: "host-b:2" });
      const results = await Promise.all([a.tick(), b.tick()]);
      const statuses = results.map((r) => r.status).sort();
      expect(statuses[0]).toBe("done");
      expect(["already_done", "held_elsewhere"]).toContain(statuses[1]);
      const october = (await runsOf()).filter((r) => r.id === monthlyPayoutOf("2026-11-01").runId);
      expect(october.map((r) => r.total_yen)).toEqual([String(3_000n - 45n)]);
      expect(await balance(`mer:${shops[1]}`)).toBe(0n);
    });

    test("a process that died holding the month: its lease lapses and the next tick replays the run it had made", async () => {
      const m = monthlyPayoutOf("2026-12-01");
      await sell(shops[0]!, 40_000n);
      h.clock.now = jst("2026-12-01T00:00:00");
      // The dead process claimed the month and created the run, then crashed before marking it done.
      expect(await h.city.store.claimScheduledRun(m.jobId, "host-dead:9", h.clock.now, payoutLeaseMs)).toBe(1);
      const made = await h.city.payouts.runPayouts({ trigger: "monthly", transferDate: m.transferDate, shopIds: null }, m.key, { userId: "system:payout-scheduler", roles: ["service"] });
      expect(made.ok).toBe(true);
      const pendingAfterRun = await balance("payout:pending");

      const survivor = createPayoutScheduler({ city: h.city, now: () => h.clock.now, processId: "host-a:4" });
      h.clock.now = new Date(jst("2026-12-01T00:00:00").getTime() + payoutLeaseMs - 1000);
      expect(await survivor.tick()).toEqual({ status: "held_elsewhere", month: "2026-11" });
      h.clock.now = new Date(jst("2026-12-01T00:00:00").getTime() + payoutLeaseMs);
      expect(await survivor.tick()).toEqual({ status: "done", month: "2026-11", runId: m.runId, outcome: "replayed", attempt: 2 });
      expect(await balance("payout:pending")).toBe(pendingAfterRun);
      expect((await runsOf()).filter((r) => r.id === m.runId)).toHaveLength(1);
      expect(await h.city.store.getScheduledRun(m.jobId)).toMatchObject({ claimedBy: "host-a:4", attempts: 2, result: { outcome: "replayed", run_id: m.runId } });
      expect((await h.ledger.audit()).ok).toBe(true);
    });

    test("a process that died after moving one shop's money but before writing the run: the retry puts that payout in the file", async () => {
      const m = monthlyPayoutOf("2027-02-01");
      await sell(shops[0]!, 10_000n);
      await sell(shops[1]!, 2_000n);
      h.clock.now = jst("2027-02-01T00:00:00");
      // What the dead attempt posted for shop 0 (its derived transfer), before the process went away.
      const pendingBefore = await balance("payout:pending");
      const moved = await h.ledger.submit({
        op: "transfer",
        id: payoutTransferIdOf(m.runId, shops[0]!),
        legs: [
          { from: `mer:${shops[0]}`, to: "payout:pending", amount: 9_850n },
          { from: `mer:${shops[0]}`, to: "fee:operator", amount: 150n },
        ],
        code: "payout",
        metadata: { run_id: m.runId, shop_id: shops[0] },
      });
      expect(moved.ok).toBe(true);
      const s = createPayoutScheduler({ city: h.city, now: () => h.clock.now, processId: "host-a:6" });
      expect(await s.tick()).toMatchObject({ status: "done", month: "2027-01", runId: m.runId, outcome: "created" });
      const lines = await h.city.store.payoutsOfRun(m.runId);
      const byShop = (a: readonly unknown[], b: readonly unknown[]) => String(a[0]).localeCompare(String(b[0]));
      expect(lines.map((l) => [l.shopId, l.grossYen, l.feeYen, l.netYen]).sort(byShop)).toEqual(
        [
          [shops[0], 10_000n, 150n, 9_850n],
          [shops[1], 2_000n, 30n, 1_970n],
        ].sort(byShop),
      );
      expect(await balance("payout:pending")).toBe(pendingBefore + 9_850n + 1_970n);
      expect((await h.ledger.audit()).ok).toBe(true);
    });

    test("a quiet month is done with nothing to pay", async () => {
      h.clock.now = jst("2027-03-01T03:00:00");
      const s = createPayoutScheduler({ city: h.city, now: () => h.clock.now, processId: "host-a:5" });
      expect(await s.tick()).toEqual({ status: "done", month: "2027-02", runId: null, outcome: "nothing_to_pay", attempt: 1 });
      expect(await s.tick()).toEqual({ status: "already_done", month: "2027-02" });
    });
  });
}
