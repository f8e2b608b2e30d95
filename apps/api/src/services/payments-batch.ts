// Many concurrent payments each need the same few statements (claim a key, read a wallet, record the payment).
// A MicroBatcher sends the calls that arrive while earlier batches are in flight as one statement, so the
// database does one round trip for many requests: the same idea as the ledger's group commit, for reads and for
// writes outside the ledger.
import { assert } from "@tsubaki/ledger";

export interface MicroBatcherOptions<I> {
  /** Most calls in one batch. */
  batchSizeMax: number;
  /** Most batches running at once (1: batches run strictly one after another). */
  inFlightMax: number;
  /** Most calls waiting; past it submit() rejects (back-pressure instead of unbounded memory). */
  queueLengthMax?: number;
  /**
   * Keys that may appear once per batch (a statement may touch a row once); a call whose key is taken waits for
   * a later batch, keeping its place in the queue.
   */
  keysOf?: (item: I) => readonly string[];
}

interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

export class BatchQueueFullError extends Error {
  override name = "BatchQueueFullError";
}

/**
 * Where a batch is started from: after the current event-loop turn's I/O callbacks (setImmediate), so every request
 * whose bytes arrived in the same poll goes in one batch; queueMicrotask where there is no setImmediate (Workers).
 */
const afterIo: (run: () => void) => void =
  typeof globalThis.setImmediate === "function" ? (run) => void globalThis.setImmediate(run) : (run) => queueMicrotask(run);

export class MicroBatcher<I, O> {
  private readonly queue: Waiting<I, O>[] = [];
  /** Batches run so far and calls in them (for benchmarks and metrics). */
  readonly stats = { batches: 0, items: 0 };
  private inFlight = 0;
  private scheduled = false;
  private readonly queueLengthMax: number;

  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly options: MicroBatcherOptions<I>,
  ) {
    assert(options.batchSizeMax >= 1 && options.inFlightMax >= 1, "batch limits are positive");
    this.queueLengthMax = options.queueLengthMax ?? 50_000;
  }

  submit(item: I): Promise<O> {
    if (this.queue.length >= this.queueLengthMax) return Promise.reject(new BatchQueueFullError("too many calls are waiting"));
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Batches start after the current I/O callbacks, so calls made in the same turn go together. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    afterIo(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0 && this.inFlight < this.options.inFlightMax) this.start(this.take());
  }

  /** The next batch: queue order, at most batchSizeMax calls, no key twice. */
  private take(): Waiting<I, O>[] {
    const keysOf = this.options.keysOf;
    if (!keysOf) return this.queue.splice(0, this.options.batchSizeMax);
    const batch: Waiting<I, O>[] = [];
    const taken = new Set<string>();
    const rest: Waiting<I, O>[] = [];
    for (const waiting of this.queue) {
      const keys = batch.length < this.options.batchSizeMax ? keysOf(waiting.item) : null;
      if (keys === null || keys.some((k) => taken.has(k))) {
        rest.push(waiting);
        continue;
      }
      for (const k of keys) taken.add(k);
      batch.push(waiting);
    }
    this.queue.splice(0, this.queue.length, ...rest);
    return batch;
  }

  private start(batch: Waiting<I, O>[]): void {
    this.inFlight += 1;
    this.stats.batches += 1;
    this.stats.items += batch.length;
    Promise.resolve()
      .then(() => this.run(batch.map((w) => w.item)))
      .then((results) => {
        assert(results.length === batch.length, "one result per call");
        batch.forEach((w, i) => w.resolve(results[i]!));
      })
      .catch((error: unknown) => {
        for (const w of batch) w.reject(error);
      })
      .finally(() => {
        this.inFlight -= 1;
        this.schedule();
      });
  }
}

/** A map whose entries expire after ttlMs and that holds at most sizeMax of them (oldest dropped first). */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, { value: V; expiresAtMs: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly sizeMax: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAtMs <= this.nowMs()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    if (this.entries.size >= this.sizeMax) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, expiresAtMs: this.nowMs() + this.ttlMs });
  }

  delete(key: K): void {
    this.entries.delete(key);
  }
}
