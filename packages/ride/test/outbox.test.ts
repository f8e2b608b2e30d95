// The outbox state machine: one status per tap, retry data beside it, bounded exponential backoff, and no way
// for an acknowledged tap to become unacknowledged again.
import { describe, expect, test } from "vitest";
import {
  BACKOFF_BASE_MS,
  BACKOFF_CAP_MS,
  backoffMs,
  decideTap,
  dueForSend,
  markAcked,
  markExported,
  markFailed,
  markRejected,
  markSending,
  newOutboxRecord,
  nextWakeMs,
  recoverInterrupted,
  type OutboxRecord,
  type TapRecord,
} from "../src/index";
import { door, phoneCode, phonePass } from "./helpers";

const NOW = 1_743_465_600_000;
const zero = () => 0;
const almostOne = () => 0.999_999;

function payload(counter = 1): TapRecord {
  const d = decideTap(door(phoneCode(phonePass(), counter)));
  if (!d.ok) throw new Error(d.code);
  return d.record;
}

describe("transitions", () => {
  test("a new record is pending and due at once", () => {
    const p = payload();
    expect(newOutboxRecord(p, NOW)).toEqual({
      tapId: p.tapId,
      status: "pending",
      firstTry: null,
      nextRetry: NOW,
      retryCount: 0,
      lastError: null,
      createdAt: NOW,
      exportedAt: null,
      settledAt: null,
      result: null,
      payload: p,
    });
  });

  test("pending → sending → acked records the first try and the server's word", () => {
    const r = markSending(newOutboxRecord(payload(), NOW), NOW + 10);
    expect(r).toMatchObject({ status: "sending", firstTry: NOW + 10 });
    const acked = markAcked(r, NOW + 20, "captured");
    expect(acked).toMatchObject({ status: "acked", settledAt: NOW + 20, result: "captured", firstTry: NOW + 10 });
    expect(markAcked(acked, NOW + 99, "duplicate")).toBe(acked);
    expect(markFailed(acked, NOW + 99, "late timeout", zero)).toBe(acked);
    expect(() => markSending(acked, NOW)).toThrow(/BUG/);
    expect(() => markRejected(acked, NOW, "double_spend", "x")).toThrow(/BUG/);
  });

  test("a failure backs off and keeps the first try; the next send does not move it", () => {
    const first = markSending(newOutboxRecord(payload(), NOW), NOW);
    const failed = markFailed(first, NOW + 5, "network down", zero);
    expect(failed).toMatchObject({ status: "pending", retryCount: 1, nextRetry: NOW + 5 + BACKOFF_BASE_MS / 2, lastError: "network down", firstTry: NOW });
    expect(markSending(failed, NOW + 10_000).firstTry).toBe(NOW);
    expect(() => markFailed(failed, NOW, "not sending", zero)).toThrow(/BUG/);
  });

  test("rejected is final and keeps the reason", () => {
    const r = markRejected(markSending(newOutboxRecord(payload(), NOW), NOW), NOW + 1, "double_spend", "same counter, other time");
    expect(r).toMatchObject({ status: "rejected", result: "double_spend", lastError: "same counter, other time" });
    expect(markRejected(r, NOW + 2, "invalid", "x")).toBe(r);
    expect(() => markAcked(r, NOW)).toThrow(/BUG/);
  });

  test("an exported record stays exported between sends, and is still sent until acked", () => {
    const exported = markExported(newOutboxRecord(payload(), NOW), NOW + 1);
    expect(exported).toMatchObject({ status: "exported", exportedAt: NOW + 1 });
    expect(dueForSend([exported], NOW + 1)).toEqual([exported]);
    const sending = markSending(exported, NOW + 2);
    expect(markExported(sending, NOW + 3)).toMatchObject({ status: "sending", exportedAt: NOW + 1 });
    expect(markFailed(sending, NOW + 3, "offline", zero)).toMatchObject({ status: "exported", retryCount: 1 });
    expect(markAcked(sending, NOW + 4)).toMatchObject({ status: "acked", exportedAt: NOW + 1 });
    const acked = markAcked(sending, NOW + 4);
    expect(markExported(acked, NOW + 5)).toBe(acked);
  });

  test("an answer that arrives after a restart reset the record still settles it", () => {
    const reset = recoverInterrupted(markSending(newOutboxRecord(payload(), NOW), NOW), NOW + 60_000);
    expect(reset).toMatchObject({ status: "pending", nextRetry: NOW });
    expect(markAcked(reset, NOW + 61_000)).toMatchObject({ status: "acked" });
  });

  test("long errors are cut to 500 characters", () => {
    const r = markFailed(markSending(newOutboxRecord(payload(), NOW), NOW), NOW, "x".repeat(10_000), zero);
    expect(r.lastError).toHaveLength(500);
  });
});

describe("backoff", () => {
  test("doubles from 2 s to the 5-minute cap, with equal jitter in [d/2, d]", () => {
    const ceilings = [2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000];
    ceilings.forEach((d, i) => {
      expect(backoffMs(i + 1, zero)).toBe(d / 2);
      expect(backoffMs(i + 1, almostOne)).toBe(d - 1);
    });
    expect(backoffMs(1_000_000, almostOne)).toBeLessThanOrEqual(BACKOFF_CAP_MS);
    expect(backoffMs(1_000_000, zero)).toBe(BACKOFF_CAP_MS / 2);
  });

  test("a random() outside [0, 1) is a bug", () => {
    expect(() => backoffMs(1, () => 1)).toThrow(/BUG/);
    expect(() => backoffMs(1, () => -0.1)).toThrow(/BUG/);
  });

  test("a tap failing 100 times in a row waits at most 5 minutes between tries and is never dropped", () => {
    let r: OutboxRecord = newOutboxRecord(payload(), NOW);
    let now = NOW;
    for (let i = 1; i <= 100; i++) {
      r = markFailed(markSending(r, now), now, `try ${i}`, Math.random);
      const wait = r.nextRetry - now;
      expect(wait).toBeGreaterThanOrEqual(Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (i - 1)) / 2);
      expect(wait).toBeLessThanOrEqual(BACKOFF_CAP_MS);
      now = r.nextRetry;
    }
    expect(r).toMatchObject({ status: "pending", retryCount: 100, firstTry: NOW });
  });
});

describe("dueForSend", () => {
  test("due records only, longest-waiting first, at most batchMax", () => {
    const base = (n: number, nextRetry: number, status: OutboxRecord["status"] = "pending"): OutboxRecord => ({
      ...newOutboxRecord({ ...payload(n), tapId: `t${n}` }, NOW),
      tapId: `t${n}`,
      nextRetry,
      status,
    });
    const records = [
      base(1, NOW + 1),
      base(2, NOW - 5),
      base(3, NOW),
      base(4, NOW - 10, "sending"),
      base(5, NOW - 10, "acked"),
      base(6, NOW - 10, "rejected"),
      base(7, NOW - 7, "exported"),
    ];
    expect(dueForSend(records, NOW).map((r) => r.tapId)).toEqual(["t7", "t2", "t3"]);
    expect(dueForSend(records, NOW, 2).map((r) => r.tapId)).toEqual(["t7", "t2"]);
    expect(nextWakeMs(records)).toBe(NOW - 7);
    expect(nextWakeMs([])).toBeNull();
    expect(() => dueForSend(records, NOW, 101)).toThrow(/BUG/);
  });
});
