// The terminal's outbox, GNU Taler style: each tap is one record with one `status` (the state machine) and its
// retry data beside it, so a crash, a reboot or a dead battery resumes exactly where it stopped. Transitions
// are pure; the store (idb.ts) writes their results durably.
//
//   pending ──markSending──▶ sending ──markAcked──▶ acked        (final; pruned after a retention period)
//      ▲                        │    ──markRejected─▶ rejected  (final; kept)
//      └──────markFailed────────┘    (backoff: nextRetry moves out)
//   pending | sending ──markExported──▶ exported   (copied to a file; still unacknowledged, still sent)
//   exported ──markSending──▶ sending ──markFailed──▶ exported
//   sending ──recoverInterrupted──▶ pending | exported   (at start-up: the send's fate is unknown; resending
//                                                        is safe because the server is idempotent per tap)
//
// Invariants: nothing leaves `acked`/`rejected`; nothing unacknowledged is ever deleted; `retryCount` counts
// failed sends; `firstTry` is the first send's time and never changes afterwards. Times are unix milliseconds.
import { assert } from "../assert";
import type { TapRecord } from "../terminal/record";

export type OutboxStatus = "pending" | "sending" | "acked" | "rejected" | "exported";

export const OUTBOX_STATUSES: readonly OutboxStatus[] = ["pending", "sending", "acked", "rejected", "exported"];

export interface OutboxRecord {
  tapId: string;
  status: OutboxStatus;
  /** Unix ms of the first send attempt; null until there is one. */
  firstTry: number | null;
  /** Unix ms before which the record is not sent again. */
  nextRetry: number;
  /** Failed sends so far. */
  retryCount: number;
  lastError: string | null;
  /** Unix ms when the tap was stored. */
  createdAt: number;
  /** Unix ms of the first export to a file; the record stays `exported` between sends from then on. */
  exportedAt: number | null;
  /** Unix ms of the server's answer (acked or rejected). */
  settledAt: number | null;
  /** The server's word on the tap once there is one (e.g. "captured", "double_spend"). */
  result: string | null;
  payload: TapRecord;
}

export const BACKOFF_BASE_MS = 2_000;
export const BACKOFF_CAP_MS = 5 * 60_000;
export const SYNC_BATCH_MAX = 100;
export const LAST_ERROR_CHARS_MAX = 500;
export const RESULT_CHARS_MAX = 64;

export function isFinal(status: OutboxStatus): boolean {
  return status === "acked" || status === "rejected";
}

/** A new record, due at once. */
export function newOutboxRecord(payload: TapRecord, nowMs: number): OutboxRecord {
  return {
    tapId: payload.tapId,
    status: "pending",
    firstTry: null,
    nextRetry: nowMs,
    retryCount: 0,
    lastError: null,
    createdAt: nowMs,
    exportedAt: null,
    settledAt: null,
    result: null,
    payload,
  };
}

/** Where an unacknowledged record rests between sends. */
function restingStatus(r: OutboxRecord): "pending" | "exported" {
  return r.exportedAt === null ? "pending" : "exported";
}

export function markSending(r: OutboxRecord, nowMs: number): OutboxRecord {
  assert(r.status === "pending" || r.status === "exported", `markSending from ${r.status} (${r.tapId})`);
  return { ...r, status: "sending", firstTry: r.firstTry ?? nowMs };
}

/**
 * The server settled the tap (captured, duplicate, debt). Accepted from any unacknowledged status: an answer
 * that arrives after a restart reset the record is still the server's final word. Idempotent on `acked`.
 */
export function markAcked(r: OutboxRecord, nowMs: number, result = "acked"): OutboxRecord {
  if (r.status === "acked") return r;
  assert(r.status !== "rejected", `markAcked after rejected (${r.tapId})`);
  return { ...r, status: "acked", settledAt: nowMs, result: result.slice(0, RESULT_CHARS_MAX) };
}

/** The server recorded the tap but will not capture it (double spend, bad signature). Idempotent. */
export function markRejected(r: OutboxRecord, nowMs: number, result: string, error: string): OutboxRecord {
  if (r.status === "rejected") return r;
  assert(r.status !== "acked", `markRejected after acked (${r.tapId})`);
  return { ...r, status: "rejected", settledAt: nowMs, result: result.slice(0, RESULT_CHARS_MAX), lastError: error.slice(0, LAST_ERROR_CHARS_MAX) };
}

/**
 * The delay before retry number `retryCount` (1 = after the first failure): d = min(cap, base · 2^(n−1)),
 * with "equal jitter" d/2 + random·d/2, so it always lies in [d/2, d] and never exceeds the cap. `random` is
 * injected (uniform in [0, 1)) so tests are exact.
 */
export function backoffMs(retryCount: number, random: () => number): number {
  assert(Number.isInteger(retryCount) && retryCount >= 1, "retryCount ≥ 1");
  const exponent = Math.min(retryCount - 1, 30);
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** exponent);
  const u = random();
  assert(u >= 0 && u < 1, `random() must be in [0, 1): ${u}`);
  return Math.floor(ceiling / 2 + (u * ceiling) / 2);
}

/** The send failed (network, 5xx, timeout): back off and try again later. A late failure after an answer is ignored. */
export function markFailed(r: OutboxRecord, nowMs: number, error: string, random: () => number): OutboxRecord {
  if (isFinal(r.status)) return r;
  assert(r.status === "sending", `markFailed from ${r.status} (${r.tapId})`);
  const retryCount = r.retryCount + 1;
  return { ...r, status: restingStatus(r), retryCount, nextRetry: nowMs + backoffMs(retryCount, random), lastError: error.slice(0, LAST_ERROR_CHARS_MAX) };
}

/** The record went into an export file. It stays unacknowledged (and is still sent) until the server answers. */
export function markExported(r: OutboxRecord, nowMs: number): OutboxRecord {
  if (isFinal(r.status)) return r;
  return { ...r, status: r.status === "sending" ? "sending" : "exported", exportedAt: r.exportedAt ?? nowMs };
}

/** At start-up: a record left `sending` by a crash is due again now. */
export function recoverInterrupted(r: OutboxRecord, nowMs: number): OutboxRecord {
  if (r.status !== "sending") return r;
  return { ...r, status: restingStatus(r), nextRetry: Math.min(r.nextRetry, nowMs) };
}

export function isDue(r: OutboxRecord, nowMs: number): boolean {
  return (r.status === "pending" || r.status === "exported") && r.nextRetry <= nowMs;
}

/** The next batch: due records, the longest-waiting first (then by tap id, so the order is total). */
export function dueForSend(records: readonly OutboxRecord[], nowMs: number, batchMax = SYNC_BATCH_MAX): OutboxRecord[] {
  assert(Number.isInteger(batchMax) && batchMax >= 1 && batchMax <= SYNC_BATCH_MAX, `batchMax 1..${SYNC_BATCH_MAX}`);
  return records
    .filter((r) => isDue(r, nowMs))
    .sort((a, b) => a.nextRetry - b.nextRetry || a.createdAt - b.createdAt || (a.tapId < b.tapId ? -1 : a.tapId > b.tapId ? 1 : 0))
    .slice(0, batchMax);
}

/** When the sync loop should wake next (null: nothing is waiting). */
export function nextWakeMs(records: readonly OutboxRecord[]): number | null {
  let next: number | null = null;
  for (const r of records) {
    if (r.status === "pending" || r.status === "exported") next = next === null ? r.nextRetry : Math.min(next, r.nextRetry);
  }
  return next;
}
