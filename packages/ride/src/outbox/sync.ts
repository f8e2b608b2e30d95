// One round of the terminal's sync loop: take the due records, mark them sending, send one batch to
// POST /v1/bus/taps:sync and record each answer. The transport is injected (the app signs the request with the
// terminal's key via @tsubaki/auth and does the fetch), so this runs the same in a browser and in tests.
// The loop itself is the app's: call `syncOnce` when online and again at `nextWakeMs` of the store.
import { assert, assertUnreachable } from "../assert";
import type { TapRecord } from "../terminal/record";
import { markAcked, markFailed, markRejected, markSending, SYNC_BATCH_MAX, type OutboxRecord } from "./outbox";
import type { TapStore } from "./store";

/** Body of POST /v1/bus/taps:sync. */
export interface SyncRequest {
  terminalId: string;
  taps: TapRecord[];
}

/**
 * The server's word on one tap. captured / duplicate / debt are acknowledgements (the tap is settled);
 * double_spend and invalid are final refusals (recorded by the server, never captured).
 */
export type SyncResultKind = "captured" | "duplicate" | "debt" | "double_spend" | "invalid";

export interface SyncTapResult {
  tapId: string;
  result: SyncResultKind;
  captureYen: number;
  debtYen: number;
  /** For `invalid`: the door code the server's own check gave (e.g. cert_bad_signature). */
  code?: string;
}

export interface SyncResponse {
  results: SyncTapResult[];
}

/** Sends one batch; throws (or rejects) when there is no answer: network down, timeout, 5xx. */
export type SyncTransport = (request: SyncRequest) => Promise<SyncResponse>;

export interface SyncRound {
  sent: number;
  acked: number;
  rejected: number;
  failed: number;
}

export interface SyncOptions {
  store: TapStore;
  send: SyncTransport;
  terminalId: string;
  /** Unix ms. */
  now: () => number;
  /** Uniform in [0, 1), for backoff jitter. */
  random: () => number;
  batchMax?: number;
}

function settle(r: OutboxRecord, answer: SyncTapResult | undefined, nowMs: number, random: () => number): OutboxRecord {
  if (!answer) return markFailed(r, nowMs, "the server did not answer for this tap", random);
  switch (answer.result) {
    case "captured":
    case "duplicate":
    case "debt":
      return markAcked(r, nowMs, answer.result);
    case "double_spend":
    case "invalid":
      return markRejected(r, nowMs, answer.result, answer.code ?? answer.result);
    default:
      return assertUnreachable(answer.result);
  }
}

export async function syncOnce(options: SyncOptions): Promise<SyncRound> {
  const { store, send, random } = options;
  const due = await store.listDue(options.now(), options.batchMax ?? SYNC_BATCH_MAX);
  if (due.length === 0) return { sent: 0, acked: 0, rejected: 0, failed: 0 };
  const sending = due.map((r) => markSending(r, options.now()));
  await store.update(sending);

  let response: SyncResponse;
  try {
    response = await send({ terminalId: options.terminalId, taps: sending.map((r) => r.payload) });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const failedAt = options.now();
    await store.update(sending.map((r) => markFailed(r, failedAt, message, random)));
    return { sent: sending.length, acked: 0, rejected: 0, failed: sending.length };
  }

  const answers = new Map<string, SyncTapResult>();
  for (const a of response.results) answers.set(a.tapId, a);
  const answeredAt = options.now();
  const next = sending.map((r) => settle(r, answers.get(r.tapId), answeredAt, random));
  assert(next.length === sending.length, "one next state per record");
  await store.update(next);
  return {
    sent: sending.length,
    acked: next.filter((r) => r.status === "acked").length,
    rejected: next.filter((r) => r.status === "rejected").length,
    failed: next.filter((r) => r.status !== "acked" && r.status !== "rejected").length,
  };
}
