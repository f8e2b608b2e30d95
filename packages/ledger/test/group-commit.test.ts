// The group committer: many callers, few batches (one database transaction each), each caller its own answer,
// batches started in submission order. The writer here is a fake that records the batches it is given, takes
// their "locks" and finishes them only when the test says so.
import { describe, expect, test } from "vitest";
import { AssertionError, GroupCommitter, QueueFullError, type TransferRequest, type TransferResult } from "../src/index";

function pay(n: number): TransferRequest {
  return { op: "transfer", id: `pay-${n}`, legs: [{ from: "res:1:coins", to: "mer:1", amount: BigInt(n) }] };
}

function tap(n: number): TransferRequest {
  return { op: "capture", id: `tap-${n}`, holdId: "bus-1", amount: 1n };
}

/** A result naming the request it answers, so a mix-up between callers shows. */
function answer(r: TransferRequest): TransferResult {
  return { ok: false, code: "exceeds_balance", detail: `answer to ${r.id}`, replayed: false };
}

function detailOf(r: TransferResult): string {
  return r.ok ? r.transfer.id : r.detail;
}

interface InFlight {
  ids: string[];
  lock: () => void;
  finish: () => void;
  fail: (e: Error) => void;
}

/** A writer whose batches stay in flight until the test finishes them. With `locksAtOnce`, each batch reports its
 *  row locks taken as soon as it starts, as the store does after its SELECT … FOR UPDATE. */
class FakeWriter {
  readonly started: InFlight[] = [];

  constructor(private readonly locksAtOnce = false) {}

  readonly write = (requests: readonly TransferRequest[], onLocked: () => void): Promise<TransferResult[]> =>
    new Promise((resolve, reject) => {
      const batch: InFlight = { ids: requests.map((r) => r.id), lock: onLocked, finish: () => resolve(requests.map(answer)), fail: reject };
      this.started.push(batch);
      if (this.locksAtOnce) onLocked();
    });

  get batches(): string[][] {
    return this.started.map((b) => b.ids);
  }

  batch(i: number): InFlight {
    const b = this.started[i];
    if (!b) throw new Error(`batch ${i} has not started`);
    return b;
  }

  async finish(i: number, error?: Error): Promise<void> {
    await settle();
    if (error) this.batch(i).fail(error);
    else this.batch(i).finish();
    await settle();
  }
}

/** Lets queued promise callbacks and microtasks run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

describe("group commit", () => {
  test("requests submitted together go in one batch, in order, and each caller gets its own result", async () => {
    const writer = new FakeWriter();
    const committer = new GroupCommitter(writer.write);
    const results = [1, 2, 3, 4, 5].map((n) => committer.submit(pay(n)));
    await writer.finish(0);
    expect(writer.batches).toEqual([["pay-1", "pay-2", "pay-3", "pay-4", "pay-5"]]);
    expect((await Promise.all(results)).map(detailOf)).toEqual(["answer to pay-1", "answer to pay-2", "answer to pay-3", "answer to pay-4", "answer to pay-5"]);
    expect(committer.stats).toEqual({ batches: 1, requests: 5 });
  });

  test("until a batch holds its locks, later requests wait, then go together in the next batch", async () => {
    const writer = new FakeWriter();
    const committer = new GroupCommitter(writer.write);
    const first = committer.submit(pay(1));
    await settle();
    const later = [2, 3, 4].map((n) => committer.submit(pay(n)));
    await settle();
    expect(writer.batches).toEqual([["pay-1"]]);
    expect(committer.queueLength).toBe(3);
    writer.batch(0).lock();
    await settle();
    expect(writer.batches).toEqual([["pay-1"], ["pay-2", "pay-3", "pay-4"]]);
    await writer.finish(1);
    await writer.finish(0);
    expect(detailOf(await first)).toBe("answer to pay-1");
    expect((await Promise.all(later)).map(detailOf)).toEqual(["answer to pay-2", "answer to pay-3", "answer to pay-4"]);
  });

  test("batches overlap up to inFlightMax; each caller's answer comes from its own batch, whichever finishes first", async () => {
    const writer = new FakeWriter(true);
    const committer = new GroupCommitter(writer.write, { inFlightMax: 2 });
    const results: Array<Promise<TransferResult>> = [];
    for (const n of [1, 2, 3]) {
      results.push(committer.submit(pay(n)));
      await settle();
    }
    expect(writer.batches).toEqual([["pay-1"], ["pay-2"]]);
    await writer.finish(1);
    expect(detailOf(await results[1]!)).toBe("answer to pay-2");
    expect(writer.batches).toEqual([["pay-1"], ["pay-2"], ["pay-3"]]);
    await writer.finish(2);
    await writer.finish(0);
    expect((await Promise.all(results)).map(detailOf)).toEqual(["answer to pay-1", "answer to pay-2", "answer to pay-3"]);
  });

  test("with spreadBatchMin, waiting requests are spread over the free in-flight slots, never below the minimum", async () => {
    const writer = new FakeWriter(true);
    const committer = new GroupCommitter(writer.write, { inFlightMax: 4, spreadBatchMin: 2 });
    const results = Array.from({ length: 10 }, (_, i) => committer.submit(pay(i + 1)));
    await settle();
    // 10 over 4 slots: 3, then 7 over 3: 3, then 4 over 2: 2, then 2 over 1: 2.
    expect(writer.batches.map((b) => b.length)).toEqual([3, 3, 2, 2]);
    expect(writer.batches.flat()).toEqual(Array.from({ length: 10 }, (_, i) => `pay-${i + 1}`));
    for (let i = 0; i < 4; i++) await writer.finish(i);
    expect((await Promise.all(results)).map(detailOf)).toEqual(Array.from({ length: 10 }, (_, i) => `answer to pay-${i + 1}`));
    // Two waiting, four free slots: the minimum keeps them in one batch.
    const two = [11, 12].map((n) => committer.submit(pay(n)));
    await settle();
    expect(writer.batches[4]).toEqual(["pay-11", "pay-12"]);
    await writer.finish(4);
    await Promise.all(two);
  });

  test("a batch that settles holds or reverses transfers waits until every earlier batch has finished", async () => {
    const writer = new FakeWriter(true);
    const committer = new GroupCommitter(writer.write, { inFlightMax: 4 });
    const p1 = committer.submit(pay(1));
    await settle();
    const t1 = committer.submit(tap(1));
    const reversal = committer.submit({ op: "reversal", id: "rf-1", reversalOf: "pay-1" });
    await settle();
    // The capture may depend on a hold still being written: it must not overtake it. Nor may anything behind it.
    const p2 = committer.submit(pay(2));
    await settle();
    expect(writer.batches).toEqual([["pay-1"]]);
    await writer.finish(0);
    expect(writer.batches).toEqual([["pay-1"], ["tap-1", "rf-1", "pay-2"]]);
    await writer.finish(1);
    expect((await Promise.all([p1, t1, reversal, p2])).map(detailOf)).toEqual(["answer to pay-1", "answer to tap-1", "answer to rf-1", "answer to pay-2"]);
  });

  test("a batch holds at most batchSizeMax requests; the rest follow in order", async () => {
    const writer = new FakeWriter(true);
    const committer = new GroupCommitter(writer.write, { batchSizeMax: 4, inFlightMax: 4 });
    const results = Array.from({ length: 10 }, (_, i) => committer.submit(pay(i + 1)));
    await settle();
    expect(writer.batches).toEqual([
      ["pay-1", "pay-2", "pay-3", "pay-4"],
      ["pay-5", "pay-6", "pay-7", "pay-8"],
      ["pay-9", "pay-10"],
    ]);
    for (const i of [2, 0, 1]) await writer.finish(i);
    expect((await Promise.all(results)).map(detailOf)).toEqual(Array.from({ length: 10 }, (_, i) => `answer to pay-${i + 1}`));
    expect(committer.stats).toEqual({ batches: 3, requests: 10 });
  });

  test("a failed write rejects only the callers in that batch; the next batch goes ahead", async () => {
    const writer = new FakeWriter();
    const committer = new GroupCommitter(writer.write);
    // Caught at once, so the rejection is never unhandled while the test is still finishing batches.
    const doomed = [1, 2].map((n) => committer.submit(pay(n)).catch((e: unknown) => e));
    await settle();
    const fine = [3, 4].map((n) => committer.submit(pay(n)));
    const failure = new Error("connection reset");
    await writer.finish(0, failure);
    await writer.finish(1);
    expect(await Promise.all(doomed)).toEqual([failure, failure]);
    expect((await Promise.all(fine)).map(detailOf)).toEqual(["answer to pay-3", "answer to pay-4"]);
    expect(committer.stats).toEqual({ batches: 1, requests: 2 });
  });

  test("a writer that answers with the wrong number of results fails that batch loudly, and the next one still runs", async () => {
    let calls = 0;
    const committer = new GroupCommitter(async (requests) => {
      calls += 1;
      return calls === 1 ? [] : requests.map(answer);
    });
    await expect(committer.submit(pay(1))).rejects.toBeInstanceOf(AssertionError);
    await expect(committer.submit(pay(2))).resolves.toMatchObject({ detail: "answer to pay-2" });
  });

  test("past queueLengthMax waiting requests, submit refuses at once instead of growing without bound", async () => {
    const writer = new FakeWriter();
    const committer = new GroupCommitter(writer.write, { queueLengthMax: 2 });
    const inFlight = committer.submit(pay(1));
    await settle();
    const waiting = [committer.submit(pay(2)), committer.submit(pay(3))];
    await expect(committer.submit(pay(4))).rejects.toBeInstanceOf(QueueFullError);
    expect(committer.queueLength).toBe(2);
    await writer.finish(0);
    // The queue drained into the next batch: there is room again.
    const afterwards = committer.submit(pay(5));
    await writer.finish(1);
    await writer.finish(2);
    expect(writer.batches).toEqual([["pay-1"], ["pay-2", "pay-3"], ["pay-5"]]);
    await Promise.all([inFlight, ...waiting, afterwards]);
  });

  test("the committer starts again after going idle", async () => {
    const writer = new FakeWriter();
    const committer = new GroupCommitter(writer.write);
    const a = committer.submit(pay(1));
    await writer.finish(0);
    await a;
    const b = committer.submit(pay(2));
    await writer.finish(1);
    await expect(b).resolves.toMatchObject({ detail: "answer to pay-2" });
    expect(writer.batches).toEqual([["pay-1"], ["pay-2"]]);
  });

  test("limits must be positive", () => {
    const write = async (): Promise<TransferResult[]> => [];
    expect(() => new GroupCommitter(write, { batchSizeMax: 0 })).toThrow(AssertionError);
    expect(() => new GroupCommitter(write, { inFlightMax: 0 })).toThrow(AssertionError);
  });
});
