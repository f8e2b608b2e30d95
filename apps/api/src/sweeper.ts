// Holds lapse on their own: this sweeper writes the expiry of every hold past its timeout, every few seconds.
// (A late capture or void also expires a due hold lazily; the sweeper makes the release visible without one.)
import type { Logger } from "./log";
import { describeError } from "./log";
import { expirySweepSizeMax, type LedgerService } from "./services/ledger";

/** Sweeps per tick at most; a larger backlog drains over the next ticks. */
const sweepRoundsMax = 8;

/** Expires due holds in up to sweepRoundsMax rounds; returns how many it expired. */
export async function sweepExpiredHolds(ledger: LedgerService, now: () => Date = () => new Date()): Promise<number> {
  let total = 0;
  for (let round = 0; round < sweepRoundsMax; round++) {
    const expired = await ledger.expireDueHolds(now(), expirySweepSizeMax);
    total += expired;
    if (expired < expirySweepSizeMax) break;
  }
  return total;
}

export interface Sweeper {
  /** Stops the timer and waits for a running sweep to finish. */
  stop(): Promise<void>;
}

export function startHoldSweeper(ledger: LedgerService, options: { intervalMs: number; logger: Logger }): Sweeper {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> = Promise.resolve();

  const tick = () => {
    running = sweepExpiredHolds(ledger)
      .then((count) => {
        if (count > 0) options.logger.info("expired holds", { count });
      })
      .catch((error: unknown) => options.logger.error("hold sweep failed", { error: describeError(error) }))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, options.intervalMs);
      });
  };
  timer = setTimeout(tick, options.intervalMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
