// The terminal's tap store on IndexedDB (fake-indexeddb here, the browser's in the app): a tap counts as stored
// only once its strict-durability transaction has completed, survives a reload, and is never deleted before the
// server has acknowledged it. Each test gets its own in-memory IndexedDB.
import { IDBDatabase as FakeIDBDatabase, IDBFactory } from "fake-indexeddb";
import { afterEach, describe, expect, test } from "vitest";
import {
  AssertionError,
  createTapStore,
  decideTap,
  markAcked,
  markSending,
  newOutboxRecord,
  rememberTap,
  seenFromRecords,
  syncOnce,
  type IdbFactoryLike,
  type OutboxRecord,
  type SyncRequest,
  type SyncResponse,
  type TapRecord,
  type TapStore,
} from "../src/index";
import { cardPass, door, phoneCode, phonePass, T0 } from "./helpers";

const NOW = T0 * 1000;
const DAY_MS = 86_400_000;
const open: TapStore[] = [];

afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

async function storeOn(factory: IdbFactoryLike): Promise<TapStore> {
  const s = await createTapStore(factory);
  open.push(s);
  return s;
}

let seq = 1;
function tap(): TapRecord {
  const d = decideTap(door(phoneCode(phonePass(), 1), { terminal: { terminalId: "bus-1", nextLocalSeq: seq++ } }));
  if (!d.ok) throw new Error(d.code);
  return d.record;
}

describe("durability", () => {
  test("put uses a strict-durability transaction and resolves only after it completes", async () => {
    const factory = new IDBFactory();
    const store = await storeOn(factory);
    const log: string[] = [];
    const proto = FakeIDBDatabase.prototype as unknown as { transaction: (...args: unknown[]) => unknown };
    const original = proto.transaction;
    const options: unknown[] = [];
    proto.transaction = function (this: unknown, ...args: unknown[]) {
      const tx = original.apply(this, args) as { addEventListener(type: string, f: () => void): void };
      options.push(args[2]);
      tx.addEventListener("complete", () => log.push("complete"));
      return tx;
    };
    try {
      const written = store.put(newOutboxRecord(tap(), NOW)).then(() => log.push("resolved"));
      log.push("put called");
      await written;
    } finally {
      proto.transaction = original;
    }
    expect(options).toEqual([{ durability: "strict" }]);
    expect(log).toEqual(["put called", "complete", "resolved"]);
  });

  test("taps survive a reload (the database reopened), with their sequence number", async () => {
    const factory = new IDBFactory();
    const first = await storeOn(factory);
    const records = [tap(), tap(), tap()].map((t) => newOutboxRecord(t, NOW));
    for (const r of records) expect(await first.put(r)).toEqual({ ok: true });
    first.close();

    const reloaded = await storeOn(factory);
    expect(await reloaded.get(records[1]!.tapId)).toEqual(records[1]);
    expect((await reloaded.listAll()).map((r) => r.tapId).sort()).toEqual(records.map((r) => r.tapId).sort());
    expect(await reloaded.nextLocalSeq()).toBe(Math.max(...records.map((r) => r.payload.localSeq)) + 1);
    expect(await reloaded.countByStatus()).toEqual({ pending: 3, sending: 0, acked: 0, rejected: 0, exported: 0 });
  });

  test("the same tap id twice is tap_exists and changes nothing", async () => {
    const store = await storeOn(new IDBFactory());
    const r = newOutboxRecord(tap(), NOW);
    await store.put(r);
    const before = await store.nextLocalSeq();
    expect(await store.put({ ...r, payload: { ...r.payload, localSeq: 999 } })).toEqual({ ok: false, code: "tap_exists" });
    expect(await store.get(r.tapId)).toEqual(r);
    expect(await store.nextLocalSeq()).toBe(before);
  });

  test("only new pending records can be put", async () => {
    const store = await storeOn(new IDBFactory());
    await expect(store.put(markSending(newOutboxRecord(tap(), NOW), NOW))).rejects.toThrow(AssertionError);
  });
});

describe("updates", () => {
  test("an acked tap can never become pending again, and a batch with such a change writes nothing", async () => {
    const store = await storeOn(new IDBFactory());
    const a = newOutboxRecord(tap(), NOW);
    const b = newOutboxRecord(tap(), NOW);
    await store.put(a);
    await store.put(b);
    const ackedA = markAcked(markSending(a, NOW), NOW + 1, "captured");
    await store.update([ackedA]);
    await expect(store.update([markSending(b, NOW + 2), { ...ackedA, status: "pending" }])).rejects.toThrow(/acked; it cannot become pending/);
    expect(await store.get(a.tapId)).toEqual(ackedA);
    expect(await store.get(b.tapId)).toEqual(b);
  });

  test("updating a tap that was never stored is a bug", async () => {
    const store = await storeOn(new IDBFactory());
    await expect(store.update([newOutboxRecord(tap(), NOW)])).rejects.toThrow(/never stored/);
  });

  test("after a crash mid-send, recovery makes the taps due again", async () => {
    const factory = new IDBFactory();
    const store = await storeOn(factory);
    const r = newOutboxRecord(tap(), NOW);
    await store.put(r);
    await store.update([markSending(r, NOW + 1)]);
    store.close(); // the tab dies while the request is in flight

    const reloaded = await storeOn(factory);
    expect(await reloaded.listDue(NOW + 2)).toEqual([]);
    expect(await reloaded.recoverInterrupted(NOW + 2)).toBe(1);
    expect((await reloaded.listDue(NOW + 2)).map((x) => x.status)).toEqual(["pending"]);
  });
});

describe("export and pruning", () => {
  test("exportAll writes every tap as JSON and marks the unacknowledged ones exported", async () => {
    const store = await storeOn(new IDBFactory());
    const pending = newOutboxRecord(tap(), NOW);
    const acked = newOutboxRecord(tap(), NOW);
    await store.put(pending);
    await store.put(acked);
    await store.update([markAcked(markSending(acked, NOW), NOW, "captured")]);
    const file = JSON.parse(await store.exportAll(NOW + 5));
    expect(file).toMatchObject({ format: "tsubaki.ride.outbox", version: 1, exportedAt: NOW + 5 });
    const byId = new Map<string, OutboxRecord>(file.records.map((r: OutboxRecord) => [r.tapId, r]));
    expect(byId.get(pending.tapId)).toMatchObject({ status: "exported", exportedAt: NOW + 5, payload: pending.payload });
    expect(byId.get(acked.tapId)).toMatchObject({ status: "acked", exportedAt: null });
    expect(await store.countByStatus()).toMatchObject({ exported: 1, acked: 1 });
    expect((await store.listDue(NOW + 5)).map((r) => r.tapId)).toEqual([pending.tapId]); // still sent
  });

  test("pruning deletes only acked taps settled more than N ≥ 4 days ago", async () => {
    const store = await storeOn(new IDBFactory());
    const oldAcked = newOutboxRecord(tap(), NOW);
    const newAcked = newOutboxRecord(tap(), NOW);
    const oldPending = newOutboxRecord(tap(), NOW - 30 * DAY_MS);
    const oldRejected = newOutboxRecord(tap(), NOW);
    for (const r of [oldAcked, newAcked, oldPending, oldRejected]) await store.put(r);
    const seqBefore = await store.nextLocalSeq();
    await store.update([
      markAcked(markSending(oldAcked, NOW), NOW - 8 * DAY_MS, "captured"),
      markAcked(markSending(newAcked, NOW), NOW - 6 * DAY_MS, "captured"),
      { ...markSending(oldRejected, NOW), status: "rejected", settledAt: NOW - 30 * DAY_MS, result: "double_spend" },
    ]);
    await expect(store.pruneAcked(NOW, 3)).rejects.toThrow(/at least 4 days/);
    expect(await store.pruneAcked(NOW, 7)).toBe(1);
    expect(await store.get(oldAcked.tapId)).toBeNull();
    expect((await store.listAll()).map((r) => r.tapId).sort()).toEqual([newAcked.tapId, oldPending.tapId, oldRejected.tapId].sort());
    expect(await store.nextLocalSeq()).toBe(seqBefore);
  });
});

describe("sync", () => {
  /** A server stand-in that answers each tap with the scripted result, or fails the whole batch. */
  function server(script: (r: TapRecord) => SyncResponse["results"][number] | null) {
    const requests: SyncRequest[] = [];
    let down = false;
    return {
      requests,
      setDown: (d: boolean) => (down = d),
      send: async (req: SyncRequest): Promise<SyncResponse> => {
        requests.push(req);
        if (down) throw new Error("fetch failed");
        return { results: req.taps.flatMap((t) => script(t) ?? []) };
      },
    };
  }

  test("acks, rejections and missing answers each land in the right status", async () => {
    const store = await storeOn(new IDBFactory());
    const [a, b, c] = [tap(), tap(), tap()];
    for (const t of [a, b, c]) await store.put(newOutboxRecord(t, NOW));
    const fake = server((t) =>
      t.tapId === a!.tapId
        ? { tapId: t.tapId, result: "captured", captureYen: 100, debtYen: 0 }
        : t.tapId === b!.tapId
          ? { tapId: t.tapId, result: "double_spend", captureYen: 0, debtYen: 0 }
          : null,
    );
    const round = await syncOnce({ store, send: fake.send, terminalId: "bus-1", now: () => NOW, random: () => 0 });
    expect(round).toEqual({ sent: 3, acked: 1, rejected: 1, failed: 1 });
    expect(fake.requests[0]!.taps.map((t) => t.tapId).sort()).toEqual([a!.tapId, b!.tapId, c!.tapId].sort());
    expect(await store.get(a!.tapId)).toMatchObject({ status: "acked", result: "captured", firstTry: NOW });
    expect(await store.get(b!.tapId)).toMatchObject({ status: "rejected", result: "double_spend" });
    expect(await store.get(c!.tapId)).toMatchObject({ status: "pending", retryCount: 1, nextRetry: NOW + 1000 });
  });

  test("while the network is down taps back off; once it is back they are acked, none lost", async () => {
    const store = await storeOn(new IDBFactory());
    const taps = [tap(), tap()];
    for (const t of taps) await store.put(newOutboxRecord(t, NOW));
    const fake = server((t) => ({ tapId: t.tapId, result: "captured", captureYen: 100, debtYen: 0 }));
    fake.setDown(true);
    let now = NOW;
    const opts = { store, send: fake.send, terminalId: "bus-1", now: () => now, random: () => 0.5 };
    expect(await syncOnce(opts)).toEqual({ sent: 2, acked: 0, rejected: 0, failed: 2 });
    expect(await syncOnce(opts)).toEqual({ sent: 0, acked: 0, rejected: 0, failed: 0 }); // backing off
    now += 1500;
    expect((await syncOnce(opts)).failed).toBe(2);
    expect((await store.get(taps[0]!.tapId))!.retryCount).toBe(2);
    fake.setDown(false);
    now += 3000;
    expect(await syncOnce(opts)).toEqual({ sent: 2, acked: 2, rejected: 0, failed: 0 });
    expect(await store.countByStatus()).toEqual({ pending: 0, sending: 0, acked: 2, rejected: 0, exported: 0 });
    expect(fake.requests).toHaveLength(3);
  });
});

describe("the terminal's loop", () => {
  test("decide, store, remember; after a reload the rebuilt memory still refuses the same ride", async () => {
    const factory = new IDBFactory();
    let store = await storeOn(factory);
    const pass = phonePass();
    const card = cardPass();
    let seen = seenFromRecords([]);
    for (const code of [phoneCode(pass, 1), card.code]) {
      const d = decideTap(door(code, { seen, terminal: { terminalId: "bus-1", nextLocalSeq: await store.nextLocalSeq() } }));
      if (!d.ok) throw new Error(d.code);
      expect(await store.put(newOutboxRecord(d.record, NOW))).toEqual({ ok: true });
      rememberTap(seen, d.record);
    }
    store.close();

    store = await storeOn(factory);
    seen = seenFromRecords((await store.listAll()).map((r) => r.payload));
    expect(await store.nextLocalSeq()).toBe(2);
    const later = T0 + 600;
    expect(decideTap(door(phoneCode(pass, 1, later), { seen, now: later, denyList: { entries: new Set(), updatedAt: later } }))).toMatchObject({
      code: "tap_replayed",
    });
    expect(decideTap(door(card.code, { seen, now: T0 + 10 }))).toMatchObject({ code: "already_paid" });
  });
});
