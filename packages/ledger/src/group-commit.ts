// Group commit: requests that arrive while batches are being written wait and go together in the next batch, one
// database transaction for many transfers. Up to `inFlightMax` batches overlap, but a batch starts only after the
// one before it holds its row locks, so batches touching the same account are applied in submission order. A
// batch that settles holds or reverses transfers waits for every earlier batch to finish (it may depend on them).
import { assert } from "./assert";
import type { Attachment } from "./store";
import type { TransferRequest, TransferResult } from "./types";
import { batchSizeMax } from "./types";

export interface GroupCommitOptions {
  /** Most requests in one batch. */
  batchSizeMax?: number;
  /** Most batches being written at once. */
  inFlightMax?: number;
  /** Most requests waiting; past it submit() rejects at once (back-pressure instead of unbounded memory). */
  queueLengthMax?: number;
  /**
   * Fewest requests worth a batch of their own when the waiting ones are spread over the free in-flight slots.
   * Spreading lets the next batch be planned while the one before is being written, instead of one batch holding
   * every waiting request while the rest of the pipeline stands idle; but every batch has a fixed cost (about
   * 0.7 ms of PostgreSQL CPU for the write statement), so small batches cost more per transfer. Default 32 with
   * two batches in flight: on two cores with 64 submitters that measured 9,500 transfers/s against 7,500 for one
   * batch of 64 at a time (bench:ledger, BENCH_SPREAD_MIN, BENCH_IN_FLIGHT). 0: every batch takes all it can.
   */
  spreadBatchMin?: number;
}

export class QueueFullError extends Error {
  override name = "QueueFullError";
}

interface Waiting {
  request: TransferRequest;
  attachment: Attachment | undefined;
  resolve: (r: TransferResult) => void;
  reject: (e: unknown) => void;
}

export type BatchWriter = (requests: readonly TransferRequest[], onLocked: () => void, attachments: readonly (Attachment | undefined)[]) => Promise<TransferResult[]>;

/** Requests whose outcome can depend on a transfer still being written by an earlier batch. */
function dependsOnEarlierBatches(r: TransferRequest): boolean {
  return r.op !== "transfer";
}

export class GroupCommitter {
  private readonly queue: Waiting[] = [];
  private inFlight = 0;
  /** False while the newest batch has not yet taken its locks. */
  private gateOpen = true;
  private scheduled = false;
  private readonly batchMax: number;
  private readonly inFlightMax: number;
  private readonly queueMax: number;
  private readonly spreadMin: number;
  /** Batches written so far and requests in them (for benchmarks and metrics). */
  readonly stats = { batches: 0, requests: 0 };

  constructor(
    private readonly writeBatch: BatchWriter,
    options: GroupCommitOptions = {},
  ) {
    this.batchMax = options.batchSizeMax ?? batchSizeMax;
    this.inFlightMax = options.inFlightMax ?? 2;
    this.queueMax = options.queueLengthMax ?? 100_000;
    this.spreadMin = options.spreadBatchMin ?? 32;
    assert(this.batchMax >= 1 && this.inFlightMax >= 1, "group commit limits are positive");
  }

  /** Queues a request (with the rows it carries into its transaction, if any); resolves with its own result. */
  submit(request: TransferRequest, attachment?: Attachment): Promise<TransferResult> {
    if (this.queue.length >= this.queueMax) return Promise.reject(new QueueFullError("ledger write queue is full"));
    return new Promise((resolve, reject) => {
      this.queue.push({ request, attachment, resolve, reject });
      this.schedule();
    });
  }

  /** Starts batches on the next microtask, so requests submitted in the same tick go together. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0 && this.gateOpen && this.inFlight < this.inFlightMax) {
      const spread = this.spreadMin > 0 ? Math.max(this.spreadMin, Math.ceil(this.queue.length / (this.inFlightMax - this.inFlight))) : this.queue.length;
      const size = Math.min(this.batchMax, this.queue.length, spread);
      const dependent = this.queue.slice(0, size).some((w) => dependsOnEarlierBatches(w.request));
      if (dependent && this.inFlight > 0) return;
      this.start(this.queue.splice(0, size));
    }
  }

  private start(batch: Waiting[]): void {
    this.inFlight += 1;
    this.gateOpen = false;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.gateOpen = true;
      this.schedule();
    };
    // Started inside a promise so a writer that throws synchronously still settles every caller.
    Promise.resolve()
      .then(() =>
        this.writeBatch(
          batch.map((w) => w.request),
          release,
          batch.map((w) => w.attachment),
        ),
      )
      .then((results) => {
        assert(results.length === batch.length, "one result per request");
        this.stats.batches += 1;
        this.stats.requests += batch.length;
        batch.forEach((w, i) => w.resolve(results[i]!));
      })
      // After then(), not beside it: a failed assertion above must reject the callers too, not leave them waiting.
      .catch((error: unknown) => {
        for (const w of batch) w.reject(error);
      })
      .finally(() => {
        this.inFlight -= 1;
        release();
        this.schedule();
      });
  }

  get queueLength(): number {
    return this.queue.length;
  }
}
