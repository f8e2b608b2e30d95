// The ledger store on both backends: what the journal, balances, holds and audit look like after real writes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LedgerStore, TransferRequest } from "@tsubaki/ledger";
import { createLedgerStore } from "../src/ledger-store";
import type { Db } from "../src/client";
import { backends, openBackend } from "./backends";

const flags = (noOverdraft: boolean) => ({ debitsMustNotExceedCredits: noOverdraft, creditsMustNotExceedDebits: false });

describe.each(backends)("ledger store on %s", (backend) => {
  let db: Db;
  let close: () => Promise<void>;
  let store: LedgerStore;
  let clock = new Date("2026-04-01T00:00:00Z");

  beforeAll(async () => {
    ({ db, close } = await openBackend(backend));
    store = createLedgerStore(db, { now: () => clock });
    for (const [id, noOverdraft] of [["fund", false], ["alice", true], ["bob", true], ["shop", true]] as const) {
      const r = await store.createAccount({ id, kind: "test", owner: null, asset: "JPY", flags: flags(noOverdraft), metadata: null });
      expect(r.ok).toBe(true);
    }
  });
  afterAll(async () => close());

  const submit = async (r: TransferRequest) => (await store.submitBatch([r]))[0]!;

  it("moves money with a transfer and records balance_after on each entry", async () => {
    const r = await submit({ op: "transfer", id: "t1", legs: [{ from: "fund", to: "alice", amount: 5000n }] });
    expect(r.ok).toBe(true);
    const alice = await store.getAccount("alice");
    expect(alice?.creditsPosted).toBe(5000n);
    const page = await store.listEntries("alice", { limit: 10 });
    expect(page.entries.map((e) => [e.seq, e.side, e.amount, e.balanceAfter])).toEqual([[1, "credit", 5000n, 5000n]]);
  });

  it("refuses an overdraft, writes nothing, and keeps the id failed after funds arrive", async () => {
    const req: TransferRequest = { op: "transfer", id: "t2", legs: [{ from: "bob", to: "shop", amount: 100n }] };
    const first = await submit(req);
    expect(first).toMatchObject({ ok: false, code: "exceeds_balance" });
    await submit({ op: "transfer", id: "t3", legs: [{ from: "fund", to: "bob", amount: 1000n }] });
    expect(await submit(req)).toMatchObject({ ok: false, code: "exceeds_balance", replayed: true });
    expect((await store.getAccount("shop"))?.creditsPosted).toBe(0n);
  });

  it("replays the same id and body, rejects the same id with another body", async () => {
    const req: TransferRequest = { op: "transfer", id: "t4", legs: [{ from: "alice", to: "shop", amount: 300n }] };
    const [a, b] = await store.submitBatch([req, req]);
    expect(a).toMatchObject({ ok: true, replayed: false });
    expect(b).toMatchObject({ ok: true, replayed: true });
    expect(await submit({ ...req, legs: [{ from: "alice", to: "shop", amount: 301n }] })).toMatchObject({ ok: false, code: "id_reused" });
    expect((await store.getAccount("alice"))?.debitsPosted).toBe(300n);
  });

  it("holds, captures in parts, voids the rest", async () => {
    expect(await submit({ op: "transfer", id: "h1", legs: [{ from: "alice", to: "shop", amount: 1000n }], pending: { timeoutSeconds: 3600 } })).toMatchObject({ ok: true });
    let alice = await store.getAccount("alice");
    expect(alice?.debitsPending).toBe(1000n);
    expect(await submit({ op: "capture", id: "c1", holdId: "h1", amount: 100n })).toMatchObject({ ok: true });
    expect(await submit({ op: "capture", id: "c2", holdId: "h1", amount: 950n })).toMatchObject({ ok: false, code: "hold_exceeded" });
    expect(await submit({ op: "void", id: "v1", holdId: "h1" })).toMatchObject({ ok: true });
    expect(await submit({ op: "capture", id: "c3", holdId: "h1", amount: 1n })).toMatchObject({ ok: false, code: "hold_closed" });
    alice = await store.getAccount("alice");
    expect(alice).toMatchObject({ debitsPending: 0n, debitsPosted: 400n });
    expect(await store.getHold("h1")).toMatchObject({ status: "voided", captured: 100n });
  });

  it("expires a hold lazily and through the sweeper", async () => {
    await submit({ op: "transfer", id: "h2", legs: [{ from: "alice", to: "shop", amount: 200n }], pending: { timeoutSeconds: 60 } });
    await submit({ op: "transfer", id: "h3", legs: [{ from: "alice", to: "shop", amount: 300n }], pending: { timeoutSeconds: 60 } });
    clock = new Date(clock.getTime() + 61_000);
    expect(await submit({ op: "capture", id: "c4", holdId: "h2", amount: 100n })).toMatchObject({ ok: false, code: "hold_expired" });
    expect(await store.getTransfer("h2~expired")).toMatchObject({ op: "expire", status: "expired" });
    const due = await store.dueHoldIds(clock, 10);
    expect(due).toEqual(["h3"]);
    const [r] = await store.submitBatch(due.map((holdId) => ({ op: "expire", id: `${holdId}~expired`, holdId }) as const));
    expect(r).toMatchObject({ ok: true });
    expect((await store.getAccount("alice"))?.debitsPending).toBe(0n);
  });

  it("reverses a transfer once", async () => {
    expect(await submit({ op: "reversal", id: "r1", reversalOf: "t4" })).toMatchObject({ ok: true });
    expect(await submit({ op: "reversal", id: "r2", reversalOf: "t4" })).toMatchObject({ ok: false, code: "already_reversed" });
    expect(await submit({ op: "reversal", id: "r3", reversalOf: "nope" })).toMatchObject({ ok: false, code: "transfer_not_found" });
  });

  it("passes the audit, with entries as of a past time", async () => {
    const report = await store.audit();
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.ok).toBe(true);
    const asOf = await store.listEntries("alice", { limit: 100, asOf: new Date("2026-04-01T00:00:00Z") });
    expect(asOf.entries.length).toBeGreaterThan(0);
  });

  it("rejects UPDATE and DELETE on the journal in the database itself", async () => {
    await expect(db.query(`UPDATE ledger_entries SET amount = amount + 1`)).rejects.toThrow(/append-only/);
    await expect(db.query(`DELETE FROM ledger_transfers WHERE id = 't1'`)).rejects.toThrow(/append-only/);
    await expect(db.query(`UPDATE ledger_accounts SET debits_posted = credits_posted + 1 WHERE id = 'alice'`)).rejects.toThrow(/ledger_accounts_debit_limit/);
  });

  it("names a tampered balance and a tampered journal row", async () => {
    await db.query(`UPDATE ledger_accounts SET credits_posted = credits_posted + 7 WHERE id = 'fund'`);
    await db.query(`ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_append_only`);
    await db.query(`UPDATE ledger_entries SET created_at = created_at + interval '1 second' WHERE account_id = 'bob' AND seq = 1`);
    const report = await store.audit();
    const failed = Object.fromEntries(report.checks.filter((c) => !c.ok).map((c) => [c.name, c.detail]));
    expect(report.ok).toBe(false);
    expect(failed.balances_match_entries).toContain("fund");
    expect(failed.debits_equal_credits).toBeDefined();
    expect(failed.hash_chain).toMatch(/hash mismatch/);
    expect(failed.journal_append_only).toContain("ledger_entries_append_only");
  });
});

describe.each(backends)("ledger audit of batch labels on %s", (backend) => {
  let db: Db;
  let close: () => Promise<void>;
  let store: LedgerStore;

  beforeAll(async () => {
    ({ db, close } = await openBackend(backend));
    store = createLedgerStore(db);
    for (const [id, noOverdraft] of [["fund", false], ["alice", true], ["bob", true]] as const) {
      expect((await store.createAccount({ id, kind: "test", owner: null, asset: "JPY", flags: flags(noOverdraft), metadata: null })).ok).toBe(true);
    }
    for (const [k, to] of ["alice", "bob", "alice"].entries()) {
      expect((await store.submitBatch([{ op: "transfer", id: `b${k}`, legs: [{ from: "fund", to, amount: 100n }] }]))[0]).toMatchObject({ ok: true });
    }
    expect((await store.audit()).ok).toBe(true);
    await db.query(`ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_append_only`);
  });
  afterAll(async () => close());

  // The audit reads each sealed batch's entries by the batch id they carry (its index), so a row re-labelled to
  // another batch, or to one that was never sealed, must still be found out.
  it("names an entry moved to another sealed batch", async () => {
    await db.query(`UPDATE ledger_entries SET batch_id = (SELECT batch_id FROM ledger_transfers WHERE id = 'b1') WHERE transfer_id = 'b0' AND account_id = 'alice'`);
    const failed = Object.fromEntries((await store.audit()).checks.filter((c) => !c.ok).map((c) => [c.name, c.detail]));
    // The batch it left is short of an entry (the first seal checked).
    expect(failed.hash_chain).toMatch(/seal \d+: 1 transfers\/1 entries, sealed 1\/2/);
    await db.query(`UPDATE ledger_entries SET batch_id = (SELECT batch_id FROM ledger_transfers WHERE id = 'b0') WHERE transfer_id = 'b0'`);
    // Put back, the chain checks out again (journal_append_only stays failed while the trigger is off).
    expect((await store.audit()).checks.find((c) => c.name === "hash_chain")).toMatchObject({ ok: true });
  });

  it("names an entry moved to a batch that was never sealed", async () => {
    await db.query(`UPDATE ledger_entries SET batch_id = 999999 WHERE transfer_id = 'b2' AND account_id = 'alice'`);
    const failed = Object.fromEntries((await store.audit()).checks.filter((c) => !c.ok).map((c) => [c.name, c.detail]));
    expect(failed.hash_chain).toMatch(/1 transfers\/1 entries, sealed 1\/2/);
    await db.query(`UPDATE ledger_entries SET batch_id = (SELECT batch_id FROM ledger_transfers WHERE id = 'b2') WHERE transfer_id = 'b2'`);
    expect((await store.audit()).checks.find((c) => c.name === "hash_chain")).toMatchObject({ ok: true });
  });

  it("names an entry added under a batch that was never sealed, though every seal checks out", async () => {
    await db.query(
      `INSERT INTO ledger_entries (account_id, seq, transfer_id, side, phase, amount, balance_after, debits_pending_after, credits_pending_after, batch_id, created_at)
       VALUES ('bob', 99, 'b1', 'credit', 'posted', 1, 101, 0, 0, 999998, now())`,
    );
    const failed = Object.fromEntries((await store.audit()).checks.filter((c) => !c.ok).map((c) => [c.name, c.detail]));
    expect(failed.hash_chain).toBe("1 entries outside any seal");
  });
});
