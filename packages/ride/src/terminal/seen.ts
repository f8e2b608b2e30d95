// What a terminal remembers about the taps it accepted: enough to refuse replays, spot a double scan and keep a
// local running total. Rebuilt from the tap store at start-up (acked records are kept longer than any phone
// allowance lives), updated after each tap is durably written.
import { assert } from "../assert";
import { limitKey, type TapRecord } from "./record";

export interface SeenState {
  /** Phones: the highest rider counter accepted here, by allowance id. */
  countersByAllowance: Map<string, number>;
  /** Yen accepted here, by limit key (allowance id; allowance id and service day for a card). */
  totalsByAllowance: Map<string, number>;
  /** Taps accepted here, by limit key. */
  tapsByAllowance: Map<string, number>;
  /** The last tap accepted here, by allowance id: a second read moments later is a double scan. */
  lastPaidByAllowance: Map<string, { scannedAt: number; fareYen: number }>;
}

export function emptySeen(): SeenState {
  return { countersByAllowance: new Map(), totalsByAllowance: new Map(), tapsByAllowance: new Map(), lastPaidByAllowance: new Map() };
}

/** Adds an accepted tap (mutates `seen`). Call it after the store's `put` has resolved, never before. */
export function rememberTap(seen: SeenState, record: TapRecord): void {
  const key = limitKey(record.allowanceId, record.kind === "card", record.time);
  if (record.kind === "phone") {
    const last = seen.countersByAllowance.get(record.allowanceId);
    assert(last === undefined || record.counter > last, `counter ${record.counter} after ${last} for ${record.allowanceId}`);
    seen.countersByAllowance.set(record.allowanceId, record.counter);
  }
  seen.totalsByAllowance.set(key, (seen.totalsByAllowance.get(key) ?? 0) + record.fareYen);
  seen.tapsByAllowance.set(key, (seen.tapsByAllowance.get(key) ?? 0) + 1);
  const last = seen.lastPaidByAllowance.get(record.allowanceId);
  if (!last || record.scannedAt >= last.scannedAt) {
    seen.lastPaidByAllowance.set(record.allowanceId, { scannedAt: record.scannedAt, fareYen: record.fareYen });
  }
}

/** The state after a restart: every stored tap, oldest first (by localSeq). */
export function seenFromRecords(records: readonly TapRecord[]): SeenState {
  const seen = emptySeen();
  for (const r of [...records].sort((a, b) => a.localSeq - b.localSeq)) rememberTap(seen, r);
  return seen;
}
