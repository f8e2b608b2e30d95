// The store the outbox needs, declared by the domain (Formance habit); idb.ts implements it on IndexedDB.
import type { OutboxRecord, OutboxStatus } from "./outbox";

export type PutResult = { ok: true } | { ok: false; code: "tap_exists" };

export interface TapStore {
  /**
   * Writes a new tap (status `pending`) durably: resolves only once the transaction has committed with strict
   * durability, so the green screen never shows for a tap a power cut could lose. A tap id that is already
   * stored is `tap_exists` and changes nothing.
   */
  put(record: OutboxRecord): Promise<PutResult>;
  get(tapId: string): Promise<OutboxRecord | null>;
  /** Replaces stored records with their next state, all or none. A final record never becomes unfinal. */
  update(records: readonly OutboxRecord[]): Promise<void>;
  listDue(nowMs: number, batchMax?: number): Promise<OutboxRecord[]>;
  listAll(): Promise<OutboxRecord[]>;
  countByStatus(): Promise<Record<OutboxStatus, number>>;
  /** The localSeq for the next accepted tap; never goes back, even when old records are pruned. */
  nextLocalSeq(): Promise<number>;
  /** Start-up: records left `sending` by a crash become due again. Returns how many. */
  recoverInterrupted(nowMs: number): Promise<number>;
  /** Every record as JSON (the last resort when the terminal cannot sync); unacknowledged ones become `exported`. */
  exportAll(nowMs: number): Promise<string>;
  /** Deletes `acked` records settled more than `olderThanDays` ago (≥ ACKED_RETENTION_DAYS_MIN). Nothing else is ever deleted. */
  pruneAcked(nowMs: number, olderThanDays: number): Promise<number>;
  close(): void;
}

/**
 * Acked records are kept at least this long: longer than any phone allowance lives (72 h), so a terminal
 * rebuilt from its store after a restart still refuses every counter it accepted.
 */
export const ACKED_RETENTION_DAYS_MIN = 4;
/** The most records one read returns; a terminal holds a few days of taps, far fewer than this. */
export const STORE_SCAN_MAX = 100_000;

export const OUTBOX_EXPORT_FORMAT = "tsubaki.ride.outbox";
export const OUTBOX_EXPORT_VERSION = 1;

export interface OutboxExport {
  format: typeof OUTBOX_EXPORT_FORMAT;
  version: typeof OUTBOX_EXPORT_VERSION;
  /** Unix ms. */
  exportedAt: number;
  records: OutboxRecord[];
}
