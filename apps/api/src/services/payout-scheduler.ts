// The monthly payout without a person pressing a button (DESIGN §4 Payout: "monthly or on request"): from 00:00 JST
// on the 1st, the server pays every shop out for the month that ended. Every Node process ticks; a lease row in
// scheduled_runs lets one of them run it, and the run's id is derived from the month, so a second attempt — another
// process, a restart, a takeover after a crash — finds the same run (or the same ledger transfers) and replays.
import { addDays, formatCalendarDate, parseCalendarDate } from "@tsubaki/city";
import { tokyoDate } from "@tsubaki/payments";
import type { Actor, CityService } from "./city";
import { payoutRunIdOf } from "./city-payouts";

/** How often each process looks whether the month's payout is due (it is cheap: one row read). */
export const payoutSchedulerIntervalMs = 15 * 60_000;
/** A claim lapses after this long; far above a run of a few hundred shops, so two processes never run it together. */
export const payoutLeaseMs = 30 * 60_000;
/** The bank transfers on this day of the month (振込指定日), or two days after the run when it runs later. */
export const payoutTransferDayOfMonth = 10;
/**
 * The month's run is made from the 1st through this day: a server that was down on the 1st catches up, but a server
 * first started mid-month (a new install, the demo) waits for the next 1st instead of paying shops out at once.
 */
export const payoutCatchUpDaysMax = 7;
/** Days between a late run and its transfer date (the bank wants the file before the day). */
const transferLeadDays = 2;

export const schedulerActor: Actor = { userId: "system:payout-scheduler", roles: ["service"], requestId: null };

/** The month a run on `today` pays out ("YYYY-MM" of the month before) and the scheduled run's id. */
export function monthlyPayoutOf(today: string): { month: string; jobId: string; key: string; runId: string; transferDate: string } {
  const parts = parseCalendarDate(today);
  if (!parts) throw new Error(`BUG: ${today} is not a calendar date`);
  const previous = parts.month === 1 ? { year: parts.year - 1, month: 12 } : { year: parts.year, month: parts.month - 1 };
  const month = formatCalendarDate({ ...previous, day: 1 }).slice(0, 7);
  const key = `payout-monthly:${month}`;
  const due = formatCalendarDate({ year: parts.year, month: parts.month, day: payoutTransferDayOfMonth });
  const earliest = addDays(today, transferLeadDays);
  const transfer = due >= earliest ? due : earliest;
  return { month, jobId: key, key, runId: payoutRunIdOf(key), transferDate: transfer.slice(5, 7) + transfer.slice(8, 10) };
}

export type SchedulerTick =
  | { status: "done"; month: string; runId: string | null; outcome: string; attempt: number }
  | { status: "already_done" | "held_elsewhere" | "not_due"; month: string }
  | { status: "failed"; month: string; code: string; attempt: number };

export interface PayoutSchedulerOptions {
  city: Pick<CityService, "payouts" | "store">;
  now: () => Date;
  /** Who holds a claim (host and pid): a claim shows which process ran the month. */
  processId: string;
}

export function createPayoutScheduler(options: PayoutSchedulerOptions) {
  const { city, now, processId } = options;

  /** One look: runs last month's payout if nobody has, else does nothing. */
  async function tick(): Promise<SchedulerTick> {
    const at = now();
    const today = tokyoDate(at);
    const m = monthlyPayoutOf(today);
    if (Number(today.slice(8, 10)) > payoutCatchUpDaysMax) return { status: "not_due", month: m.month };
    const existing = await city.store.getScheduledRun(m.jobId);
    if (existing?.finishedAt) return { status: "already_done", month: m.month };
    const attempt = await city.store.claimScheduledRun(m.jobId, processId, at, payoutLeaseMs);
    if (attempt === null) {
      const again = await city.store.getScheduledRun(m.jobId);
      return { status: again?.finishedAt ? "already_done" : "held_elsewhere", month: m.month };
    }
    const r = await city.payouts.runPayouts({ trigger: "monthly", transferDate: m.transferDate, shopIds: null }, m.key, { ...schedulerActor, requestId: m.jobId });
    if (r.ok) {
      await city.store.endScheduledRun(m.jobId, processId, now(), true, { outcome: r.replayed ? "replayed" : "created", run_id: r.run.id, count: r.run.count, total_yen: r.run.totalYen.toString() });
      return { status: "done", month: m.month, runId: r.run.id, outcome: r.replayed ? "replayed" : "created", attempt };
    }
    if (r.code === "nothing_to_pay") {
      // A quiet month (or every shop below the minimum): done; the balances wait for next month's run.
      await city.store.endScheduledRun(m.jobId, processId, now(), true, { outcome: "nothing_to_pay", detail: r.detail });
      return { status: "done", month: m.month, runId: null, outcome: "nothing_to_pay", attempt };
    }
    // Anything else is retried at a later tick: the claim is given back now.
    await city.store.endScheduledRun(m.jobId, processId, now(), false, { outcome: "failed", code: r.code, detail: r.detail });
    return { status: "failed", month: m.month, code: r.code, attempt };
  }

  return { tick };
}

export type PayoutScheduler = ReturnType<typeof createPayoutScheduler>;
