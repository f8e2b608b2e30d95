// The PostgreSQL store must decide exactly what the pure planner decides over an in-memory store: a seeded
// random run (transfers, holds, captures, voids, expiries, reversals, replays, reused ids, bad requests) goes
// batch by batch to both, and every result and every final balance must agree; then the audit must pass.
// This covers what the pure model test cannot: which rows the SQL store loads and locks, and what it writes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expiryTransferId, type Leg, type LedgerStore, type TransferRequest, type TransferResult } from "@tsubaki/ledger";
import { MemoryLedger, type Limit } from "@tsubaki/ledger/testing";
import { createLedgerStore } from "../src/ledger-store";
import type { Db } from "../src/client";
import { backends, openBackend } from "./backends";

const opsTotal = Number(process.env.STORE_FUZZ_OPS ?? 1_500);
const seed = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
const batchSizeMax = 24;

/** mulberry32: small, fast, reproducible. */
function random(seedValue: number) {
  let a = seedValue >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
  };
}

const accounts: { id: string; limit: Limit }[] = [
  { id: "fund", limit: null },
  ...Array.from({ length: 8 }, (_, i) => ({ id: `w${i}`, limit: "debits" as Limit })),
  { id: "payout0", limit: "credits" },
  { id: "payout1", limit: "credits" },
  { id: "plain", limit: null },
];

function summary(r: TransferResult): string {
  return r.ok ? `ok${r.replayed ? "+replay" : ""}:${r.transfer.status}` : `${r.code}${r.replayed ? "+replay" : ""}`;
}

describe.each(backends)("store vs. planner on %s", (backend) => {
  let db: Db;
  let close: () => Promise<void>;
  let store: LedgerStore;
  const memory = new MemoryLedger();
  let clockMs = Date.parse("2026-04-01T00:00:00Z");

  beforeAll(async () => {
    console.log(`store differential on ${backend}: seed ${seed}, ${opsTotal} ops (FUZZ_SEED=${seed} to replay)`);
    ({ db, close } = await openBackend(backend));
    store = createLedgerStore(db, { now: () => new Date(clockMs) });
    for (const a of accounts) {
      const created = await store.createAccount({
        id: a.id,
        kind: "fuzz",
        owner: null,
        asset: "JPY",
        flags: { debitsMustNotExceedCredits: a.limit === "debits", creditsMustNotExceedDebits: a.limit === "credits" },
        metadata: null,
      });
      expect(created.ok).toBe(true);
      memory.createAccount(a.id, a.limit, new Date(clockMs));
    }
  });
  afterAll(async () => close());

  it("decides every request the same way and ends with the same balances", async () => {
    const rnd = random(seed + (backend === "pglite" ? 0 : 1));
    const sent: TransferRequest[] = [];
    const okTransfers: string[] = [];
    const holds: string[] = [];
    let n = 0;
    const leg = (): Leg => {
      const from = rnd.next() < 0.3 ? "fund" : rnd.pick(accounts).id;
      let to = rnd.pick(accounts).id;
      if (to === from) to = from === "fund" ? "w0" : "fund";
      return { from, to, amount: BigInt(1 + rnd.int(rnd.next() < 0.1 ? 100_000 : 2_000)) };
    };
    const make = (): TransferRequest => {
      const id = `op${n++}`;
      const roll = rnd.next();
      if (roll < 0.35) return { op: "transfer", id, legs: Array.from({ length: 1 + rnd.int(3) }, leg) };
      if (roll < 0.45) return { op: "transfer", id, legs: [leg()], pending: { timeoutSeconds: 30 + rnd.int(600) } };
      if (roll < 0.55 && holds.length) return { op: "capture", id, holdId: rnd.pick(holds), amount: BigInt(1 + rnd.int(800)) };
      if (roll < 0.6 && holds.length) return { op: "void", id, holdId: rnd.pick(holds) };
      if (roll < 0.65 && holds.length) {
        const holdId = rnd.pick(holds);
        return { op: "expire", id: expiryTransferId(holdId), holdId };
      }
      if (roll < 0.72 && okTransfers.length) return { op: "reversal", id, reversalOf: rnd.pick(okTransfers) };
      if (roll < 0.8 && sent.length) return rnd.pick(sent); // a replay: same id, same body
      if (roll < 0.85 && sent.length) {
        const earlier = rnd.pick(sent);
        return { op: "transfer", id: earlier.id === expiryTransferId("x") ? id : earlier.id.replace("~expired", ""), legs: [leg()] };
      }
      if (roll < 0.9) return { op: "transfer", id, legs: [{ from: "w1", to: rnd.pick(["ghost", "w2"]), amount: rnd.pick([0n, -5n, 10n]) }] };
      return { op: "transfer", id, legs: [leg(), leg(), leg(), leg()] };
    };

    let done = 0;
    const tally = new Map<string, number>();
    while (done < opsTotal) {
      const batch = Array.from({ length: Math.min(opsTotal - done, 1 + rnd.int(batchSizeMax)) }, make);
      done += batch.length;
      if (rnd.next() < 0.2) clockMs += rnd.int(400) * 1000;
      const now = new Date(clockMs);
      const fromStore = await store.submitBatch(batch);
      const fromMemory = memory.submit(batch, now).results;
      const at = `seed ${seed}, batch ending at op ${done}`;
      for (const r of fromStore) tally.set(summary(r), (tally.get(summary(r)) ?? 0) + 1);
      expect(fromStore.map(summary), at).toEqual(fromMemory.map(summary));
      batch.forEach((r, i) => {
        sent.push(r);
        const result = fromStore[i]!;
        if (result.ok && !result.replayed) {
          if (result.transfer.status === "pending") holds.push(result.transfer.id);
          if (result.transfer.op === "transfer" && result.transfer.status === "posted") okTransfers.push(result.transfer.id);
        }
      });
    }

    console.log(`outcomes on ${backend}: ${[...tally].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(", ")}`);
    const stored = await store.getAccounts(accounts.map((a) => a.id));
    for (const account of stored) {
      const expected = memory.accounts.get(account.id)!;
      expect(
        [account.debitsPosted, account.creditsPosted, account.debitsPending, account.creditsPending, account.entrySeq],
        `${account.id}, seed ${seed}`,
      ).toEqual([expected.debitsPosted, expected.creditsPosted, expected.debitsPending, expected.creditsPending, expected.entrySeq]);
    }
    const report = await store.audit();
    expect(report.checks.filter((c) => !c.ok), `seed ${seed}`).toEqual([]);
  });
});
