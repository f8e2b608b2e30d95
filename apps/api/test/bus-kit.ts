// Shared by the bus tests: a bus service on a migrated database with a clock the test moves, funded riders, an
// in-memory tap store with the semantics of @tsubaki/ride's IndexedDB store, and a seeded random source.
import { createBusStore, createLedgerStore, type Db } from "@tsubaki/db";
import { migrate, openDatabase } from "@tsubaki/db/node";
import {
  dueForSend,
  encodeRideCode,
  isFinal,
  phoneTapId,
  recoverInterrupted,
  signTap,
  type OutboxRecord,
  type OutboxStatus,
  type PutResult,
  type TapRecord,
  type TapStore,
} from "@tsubaki/ride";
import { createBusService, type BusService } from "../src/services/bus";
import { hexToBytes, loadIssuerKeyring, type IssuerKeyring } from "../src/services/bus-keys";
import { createLedgerService, type LedgerService } from "../src/services/ledger";

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface BusWorld {
  db: Db;
  ledger: LedgerService;
  bus: BusService;
  keys: IssuerKeyring;
  clock: { ms: number };
  close(): Promise<void>;
}

/** 2026-04-01T00:00:00Z. */
export const SIM_START_MS = Date.UTC(2026, 3, 1, 0, 0, 0);

export async function openBusWorld(startMs = SIM_START_MS): Promise<BusWorld> {
  const db = await openDatabase({ dataDir: "memory" });
  await migrate(db);
  const clock = { ms: startMs };
  const now = () => new Date(clock.ms);
  const amountMaxYen = 1_000_000_000_000n;
  const ledger = createLedgerService(createLedgerStore(db, { amountMax: amountMaxYen, now }), { amountMaxYen });
  const store = createBusStore(db);
  const keys = await loadIssuerKeyring({ configured: null, store, now: now() });
  const bus = createBusService({ ledger, store, keys, now });
  return { db, ledger, bus, keys, clock, close: () => db.close() };
}

/** A resident's coin account with `yen` in it (from a counter's cash-in account). */
export async function fundRider(ledger: LedgerService, residentId: string, yen: number): Promise<string> {
  const coins = `res:${residentId}:coins`;
  const flags = { debitsMustNotExceedCredits: true, creditsMustNotExceedDebits: false };
  await ledger.createAccount({ id: coins, kind: "coins", owner: `resident:${residentId}`, asset: "JPY", flags, metadata: null });
  await ledger.createAccount({ id: "cashin:sim", kind: "cashin", owner: null, asset: "JPY", flags: { debitsMustNotExceedCredits: false, creditsMustNotExceedDebits: false }, metadata: null });
  const r = await ledger.submit({ op: "transfer", id: `fund:${residentId}`, legs: [{ from: "cashin:sim", to: coins, amount: BigInt(yen) }] });
  if (!r.ok) throw new Error(`funding ${residentId}: ${r.code}`);
  return coins;
}

/** The IndexedDB store's contract in memory (no durability to test here); `crashOnUpdate` simulates a restart. */
export class MemoryTapStore implements TapStore {
  records = new Map<string, OutboxRecord>();
  localSeq = 1;
  crashOnUpdate = false;

  async put(record: OutboxRecord): Promise<PutResult> {
    if (this.records.has(record.tapId)) return { ok: false, code: "tap_exists" };
    this.records.set(record.tapId, record);
    this.localSeq = Math.max(this.localSeq, record.payload.localSeq + 1);
    return { ok: true };
  }
  async get(tapId: string) {
    return this.records.get(tapId) ?? null;
  }
  async update(records: readonly OutboxRecord[]) {
    if (this.crashOnUpdate) {
      this.crashOnUpdate = false;
      throw new Error("terminal restarted");
    }
    for (const r of records) {
      const old = this.records.get(r.tapId);
      if (old && isFinal(old.status) && !isFinal(r.status)) throw new Error("a final record became unfinal");
    }
    for (const r of records) this.records.set(r.tapId, r);
  }
  async listDue(nowMs: number, batchMax?: number) {
    return dueForSend([...this.records.values()], nowMs, batchMax);
  }
  async listAll() {
    return [...this.records.values()];
  }
  async countByStatus() {
    const out: Record<OutboxStatus, number> = { pending: 0, sending: 0, acked: 0, rejected: 0, exported: 0 };
    for (const r of this.records.values()) out[r.status] += 1;
    return out;
  }
  async nextLocalSeq() {
    return this.localSeq;
  }
  async recoverInterrupted(nowMs: number) {
    let n = 0;
    for (const r of this.records.values()) {
      if (r.status === "sending") {
        this.records.set(r.tapId, recoverInterrupted(r, nowMs));
        n += 1;
      }
    }
    return n;
  }
  async exportAll() {
    return JSON.stringify([...this.records.values()]);
  }
  async pruneAcked() {
    return 0;
  }
  close() {}
}

/** A tap of a phone ride code as a terminal records it: counter `counter` at `time`, signed by the rider's key. */
export function phoneTap(
  allowance: { id: string; certificate: string; fareClass: string },
  secretKey: Uint8Array,
  counter: number,
  time: number,
  localSeq: number,
  terminalId: string,
): TapRecord {
  const tap = { counter, time };
  const rideCode = encodeRideCode({ kind: "phone", cert: hexToBytes(allowance.certificate), tap, sig: signTap(allowance.id, tap, secretKey) });
  return {
    tapId: phoneTapId(allowance.id, counter),
    kind: "phone",
    rideCode,
    allowanceId: allowance.id,
    counter,
    time,
    scannedAt: time,
    terminalId,
    localSeq,
    operatorId: "notty",
    fareClass: allowance.fareClass as TapRecord["fareClass"],
    fareYen: 100,
    transferFrom: null,
  };
}
