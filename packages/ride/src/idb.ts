// The fare terminal's tap store on IndexedDB: the outbox must survive a reload, a crash and a power cut, so a
// tap is written with strict durability and counts as stored only when its transaction completes. The
// IndexedDB factory is passed in (browsers: `indexedDB`; tests: fake-indexeddb), and the few parts of the API
// used here are typed structurally below, so this file compiles without the DOM library and never touches a
// global.
//
// Schema v1: object store "taps" (keyPath "tapId", index "status"); object store "meta" holding
// "nextLocalSeq", written in the same transaction as each new tap so a terminal never reuses a sequence number.
import { assert, AssertionError } from "./assert";
import { OUTBOX_STATUSES, dueForSend, isFinal, markExported, recoverInterrupted, SYNC_BATCH_MAX, type OutboxRecord, type OutboxStatus } from "./outbox/outbox";
import {
  ACKED_RETENTION_DAYS_MIN,
  OUTBOX_EXPORT_FORMAT,
  OUTBOX_EXPORT_VERSION,
  STORE_SCAN_MAX,
  type OutboxExport,
  type PutResult,
  type TapStore,
} from "./outbox/store";

type Handler = ((ev: never) => unknown) | null;

interface IdbError {
  readonly name: string;
  readonly message: string;
}

export interface IdbRequestLike<T> {
  readonly result: T;
  readonly error: IdbError | null;
  onsuccess: Handler;
  onerror: Handler;
}

export interface IdbOpenRequestLike extends IdbRequestLike<IdbDatabaseLike> {
  onupgradeneeded: Handler;
  onblocked: Handler;
}

export interface IdbCursorLike {
  readonly value: unknown;
  delete(): IdbRequestLike<unknown>;
  continue(): void;
}

export interface IdbIndexLike {
  getAll(query?: string, count?: number): IdbRequestLike<unknown[]>;
  count(query?: string): IdbRequestLike<number>;
  openCursor(query?: string): IdbRequestLike<IdbCursorLike | null>;
}

export interface IdbObjectStoreLike {
  add(value: unknown): IdbRequestLike<unknown>;
  put(value: unknown, key?: string): IdbRequestLike<unknown>;
  get(key: string): IdbRequestLike<unknown>;
  getAll(query?: string, count?: number): IdbRequestLike<unknown[]>;
  index(name: string): IdbIndexLike;
  createIndex(name: string, keyPath: string): unknown;
}

export interface IdbTransactionLike {
  readonly error: IdbError | null;
  objectStore(name: string): IdbObjectStoreLike;
  abort(): void;
  oncomplete: Handler;
  onerror: Handler;
  onabort: Handler;
}

export interface IdbDatabaseLike {
  readonly objectStoreNames: { contains(name: string): boolean };
  transaction(storeNames: string | string[], mode: "readonly" | "readwrite", options?: { durability?: "default" | "strict" | "relaxed" }): IdbTransactionLike;
  createObjectStore(name: string, options?: { keyPath?: string }): IdbObjectStoreLike;
  close(): void;
  onversionchange: Handler;
}

export interface IdbFactoryLike {
  open(name: string, version?: number): IdbOpenRequestLike;
}

export const TAP_DB_NAME = "tsubaki-ride-terminal";
export const TAP_DB_VERSION = 1;
const TAPS = "taps";
const META = "meta";
const STATUS_INDEX = "status";
const NEXT_LOCAL_SEQ = "nextLocalSeq";
const DAY_MS = 86_400_000;

/** A transaction that aborted; `causeName` is the IndexedDB error name (e.g. "ConstraintError") when there is one. */
export class IdbTransactionError extends Error {
  override name = "IdbTransactionError";
  constructor(readonly causeName: string | null, message: string) {
    super(message);
  }
}

function openDatabase(factory: IdbFactoryLike, name: string): Promise<IdbDatabaseLike> {
  return new Promise((resolve, reject) => {
    const request = factory.open(name, TAP_DB_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(TAPS)) db.createObjectStore(TAPS, { keyPath: "tapId" }).createIndex(STATUS_INDEX, "status");
      if (!db.objectStoreNames.contains(META)) db.createObjectStore(META);
    };
    request.onsuccess = () => {
      const db = request.result;
      // Another tab upgrading the schema: step aside rather than block it.
      db.onversionchange = () => db.close();
      resolve(db);
    };
    request.onerror = () => reject(new Error(`cannot open ${name}: ${request.error?.message ?? "unknown error"}`));
    request.onblocked = () => reject(new Error(`cannot open ${name}: blocked by another connection`));
  });
}

/**
 * Runs `body` in one transaction and resolves with its value when the transaction has completed (committed),
 * never earlier. `body` may call `fail(error)` to abort with that error.
 */
function inTransaction<T>(
  db: IdbDatabaseLike,
  stores: string[],
  mode: "readonly" | "readwrite",
  body: (tx: IdbTransactionLike, fail: (error: Error) => void) => () => T,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const tx = mode === "readwrite" ? db.transaction(stores, mode, { durability: "strict" }) : db.transaction(stores, mode);
    let failure: Error | null = null;
    const fail = (error: Error) => {
      failure ??= error;
      tx.abort();
    };
    let result: () => T = () => {
      throw new AssertionError("BUG: transaction body did not run");
    };
    tx.oncomplete = () => resolve(result());
    tx.onabort = () => reject(failure ?? new IdbTransactionError(tx.error?.name ?? null, `transaction aborted: ${tx.error?.message ?? "no reason given"}`));
    tx.onerror = () => undefined; // the abort that follows reports it
    try {
      result = body(tx, fail);
    } catch (error) {
      fail(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

function checkNewRecord(record: OutboxRecord): void {
  assert(record.status === "pending" && record.retryCount === 0 && record.firstTry === null, `put takes a new pending record (${record.tapId})`);
  assert(record.tapId === record.payload.tapId, "record tapId matches its payload");
}

class IdbTapStore implements TapStore {
  constructor(private readonly db: IdbDatabaseLike) {}

  async put(record: OutboxRecord): Promise<PutResult> {
    checkNewRecord(record);
    try {
      await inTransaction(this.db, [TAPS, META], "readwrite", (tx) => {
        tx.objectStore(TAPS).add(record);
        const meta = tx.objectStore(META);
        const seq = meta.get(NEXT_LOCAL_SEQ);
        seq.onsuccess = () => {
          const next = typeof seq.result === "number" ? seq.result : 0;
          meta.put(Math.max(next, record.payload.localSeq + 1), NEXT_LOCAL_SEQ);
        };
        return () => undefined;
      });
      return { ok: true };
    } catch (error) {
      if (error instanceof IdbTransactionError && error.causeName === "ConstraintError") return { ok: false, code: "tap_exists" };
      throw error;
    }
  }

  get(tapId: string): Promise<OutboxRecord | null> {
    return inTransaction(this.db, [TAPS], "readonly", (tx) => {
      const request = tx.objectStore(TAPS).get(tapId);
      return () => (request.result as OutboxRecord | undefined) ?? null;
    });
  }

  async update(records: readonly OutboxRecord[]): Promise<void> {
    if (records.length === 0) return;
    await inTransaction(this.db, [TAPS], "readwrite", (tx, fail) => {
      const taps = tx.objectStore(TAPS);
      for (const record of records) {
        const existing = taps.get(record.tapId);
        existing.onsuccess = () => {
          const stored = existing.result as OutboxRecord | undefined;
          if (!stored) return fail(new AssertionError(`BUG: update of a tap that was never stored (${record.tapId})`));
          if (isFinal(stored.status) && record.status !== stored.status) {
            return fail(new AssertionError(`BUG: ${record.tapId} is ${stored.status}; it cannot become ${record.status}`));
          }
          taps.put(record);
        };
      }
      return () => undefined;
    });
  }

  async listDue(nowMs: number, batchMax = SYNC_BATCH_MAX): Promise<OutboxRecord[]> {
    const waiting = await inTransaction(this.db, [TAPS], "readonly", (tx) => {
      const index = tx.objectStore(TAPS).index(STATUS_INDEX);
      const requests = (["pending", "exported"] as const).map((s) => index.getAll(s, STORE_SCAN_MAX));
      return () => requests.flatMap((r) => r.result as OutboxRecord[]);
    });
    return dueForSend(waiting, nowMs, batchMax);
  }

  listAll(): Promise<OutboxRecord[]> {
    return inTransaction(this.db, [TAPS], "readonly", (tx) => {
      const request = tx.objectStore(TAPS).getAll(undefined, STORE_SCAN_MAX);
      return () => request.result as OutboxRecord[];
    });
  }

  countByStatus(): Promise<Record<OutboxStatus, number>> {
    return inTransaction(this.db, [TAPS], "readonly", (tx) => {
      const index = tx.objectStore(TAPS).index(STATUS_INDEX);
      const requests = OUTBOX_STATUSES.map((s) => [s, index.count(s)] as const);
      return () => Object.fromEntries(requests.map(([s, r]) => [s, r.result])) as Record<OutboxStatus, number>;
    });
  }

  nextLocalSeq(): Promise<number> {
    return inTransaction(this.db, [META], "readonly", (tx) => {
      const request = tx.objectStore(META).get(NEXT_LOCAL_SEQ);
      return () => (typeof request.result === "number" ? request.result : 0);
    });
  }

  async recoverInterrupted(nowMs: number): Promise<number> {
    return this.rewriteStatus("sending", (r) => recoverInterrupted(r, nowMs));
  }

  async exportAll(nowMs: number): Promise<string> {
    const records = await inTransaction(this.db, [TAPS], "readwrite", (tx) => {
      const taps = tx.objectStore(TAPS);
      const request = taps.getAll(undefined, STORE_SCAN_MAX);
      const out: OutboxRecord[] = [];
      request.onsuccess = () => {
        for (const r of request.result as OutboxRecord[]) {
          const next = markExported(r, nowMs);
          if (next !== r) taps.put(next);
          out.push(next);
        }
      };
      return () => out;
    });
    const file: OutboxExport = { format: OUTBOX_EXPORT_FORMAT, version: OUTBOX_EXPORT_VERSION, exportedAt: nowMs, records };
    return JSON.stringify(file);
  }

  async pruneAcked(nowMs: number, olderThanDays: number): Promise<number> {
    assert(Number.isFinite(olderThanDays) && olderThanDays >= ACKED_RETENTION_DAYS_MIN, `keep acked taps at least ${ACKED_RETENTION_DAYS_MIN} days`);
    const cutoffMs = nowMs - olderThanDays * DAY_MS;
    return inTransaction(this.db, [TAPS], "readwrite", (tx) => {
      let deleted = 0;
      const cursorRequest = tx.objectStore(TAPS).index(STATUS_INDEX).openCursor("acked");
      cursorRequest.onsuccess = () => {
        const cursor = cursorRequest.result;
        if (!cursor) return;
        const r = cursor.value as OutboxRecord;
        assert(r.status === "acked", "the acked index holds acked records");
        if (r.settledAt !== null && r.settledAt <= cutoffMs) {
          cursor.delete();
          deleted++;
        }
        cursor.continue();
      };
      return () => deleted;
    });
  }

  close(): void {
    this.db.close();
  }

  private rewriteStatus(status: OutboxStatus, next: (r: OutboxRecord) => OutboxRecord): Promise<number> {
    return inTransaction(this.db, [TAPS], "readwrite", (tx) => {
      const taps = tx.objectStore(TAPS);
      const request = taps.index(STATUS_INDEX).getAll(status, STORE_SCAN_MAX);
      let changed = 0;
      request.onsuccess = () => {
        for (const r of request.result as OutboxRecord[]) {
          taps.put(next(r));
          changed++;
        }
      };
      return () => changed;
    });
  }
}

/** Opens (creating or upgrading as needed) the terminal's tap store. Browsers pass `indexedDB`; tests pass fake-indexeddb. */
export async function createTapStore(idbFactory: IdbFactoryLike, options: { name?: string } = {}): Promise<TapStore> {
  return new IdbTapStore(await openDatabase(idbFactory, options.name ?? TAP_DB_NAME));
}
