// Contention on a real server (PGlite has no concurrency): many clients, separate connection pools, one hot
// account, and overdrafts racing each other. Nothing may overdraw, nothing may deadlock, every yen is conserved.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GroupCommitter, type LedgerStore, type TransferRequest, type TransferResult } from "@tsubaki/ledger";
import { createTestDatabase, dropTestDatabase } from "@tsubaki/testkit/pg";
import { testDatabaseUrl } from "@tsubaki/testkit/pg-global-setup";
import { createLedgerStore } from "../src/ledger-store";
import { migrate, openDatabase } from "../src/node";
import type { Db } from "../src/client";

const clientsCount = 32;
const poolsCount = 4;
const residentsCount = 40;
const fundingYen = 1_000n;

describe("ledger store under contention (real PostgreSQL)", () => {
  let url: string;
  const pools: Db[] = [];
  const stores: LedgerStore[] = [];

  beforeAll(async () => {
    url = await createTestDatabase(testDatabaseUrl(), "conc");
    for (let i = 0; i < poolsCount; i++) pools.push(await openDatabase({ url, connectionsMax: clientsCount / poolsCount }));
    await migrate(pools[0]!);
    for (const db of pools) stores.push(createLedgerStore(db));
    const store = stores[0]!;
    const flags = { debitsMustNotExceedCredits: true, creditsMustNotExceedDebits: false };
    await store.createAccount({ id: "fund", kind: "fund", owner: null, asset: "JPY", flags: { ...flags, debitsMustNotExceedCredits: false }, metadata: null });
    await store.createAccount({ id: "hot", kind: "merchant", owner: null, asset: "JPY", flags, metadata: null });
    for (let r = 0; r < residentsCount; r++) {
      await store.createAccount({ id: `res${r}`, kind: "coins", owner: null, asset: "JPY", flags, metadata: null });
      const [funded] = await store.submitBatch([{ op: "transfer", id: `fund-${r}`, legs: [{ from: "fund", to: `res${r}`, amount: fundingYen }] }]);
      expect(funded?.ok).toBe(true);
    }
  });
  afterAll(async () => {
    for (const db of pools) await db.close();
    await dropTestDatabase(url);
  });

  it("32 clients racing overdrafts into one hot account never overdraw and conserve every yen", async () => {
    // Each resident can afford 10 payments of 100; clients try 16 each, from different pools at once.
    const attempts: TransferRequest[] = [];
    for (let r = 0; r < residentsCount; r++) {
      for (let k = 0; k < 16; k++) attempts.push({ op: "transfer", id: `pay-${r}-${k}`, legs: [{ from: `res${r}`, to: "hot", amount: 100n }] });
    }
    attempts.sort(() => Math.random() - 0.5);
    const results = new Map<string, TransferResult>();
    let next = 0;
    await Promise.all(
      Array.from({ length: clientsCount }, async (_, c) => {
        const store = stores[c % poolsCount]!;
        while (next < attempts.length) {
          const request = attempts[next++]!;
          const [result] = await store.submitBatch([request]);
          results.set(request.id, result!);
        }
      }),
    );
    const ok = [...results.values()].filter((r) => r.ok).length;
    const refused = [...results.values()].filter((r) => !r.ok);
    expect(ok).toBe(residentsCount * 10);
    expect(new Set(refused.map((r) => (r.ok ? "" : r.code)))).toEqual(new Set(["exceeds_balance"]));
    const hot = await stores[0]!.getAccount("hot");
    expect(hot?.creditsPosted).toBe(BigInt(residentsCount) * fundingYen);
    for (const account of await stores[0]!.getAccounts(Array.from({ length: residentsCount }, (_, r) => `res${r}`))) {
      expect(account.creditsPosted - account.debitsPosted).toBe(0n);
    }
    const report = await stores[0]!.audit();
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
  });

  it("concurrent duplicates of one id from many pools: exactly one applied, every caller the same result", async () => {
    await stores[0]!.submitBatch([{ op: "transfer", id: "refill", legs: [{ from: "fund", to: "res0", amount: 500n }] }]);
    const request: TransferRequest = { op: "transfer", id: "dup-1", legs: [{ from: "res0", to: "hot", amount: 250n }] };
    const results = await Promise.all(Array.from({ length: clientsCount }, (_, c) => stores[c % poolsCount]!.submitBatch([request]).then((r) => r[0]!)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    const transfers = new Set(results.map((r) => (r.ok ? JSON.stringify(r.transfer, (_k, v) => (typeof v === "bigint" ? v.toString() : v)) : "")));
    expect(transfers.size).toBe(1);
    const res0 = await stores[0]!.getAccount("res0");
    expect(res0!.creditsPosted - res0!.debitsPosted).toBe(250n);
  });

  it("group commit keeps each caller's own result under a hot account", async () => {
    const committer = new GroupCommitter((batch, onLocked) => stores[1]!.submitBatch(batch, onLocked));
    await stores[0]!.submitBatch([{ op: "transfer", id: "refill-2", legs: [{ from: "fund", to: "res1", amount: 1000n }] }]);
    const requests: TransferRequest[] = Array.from({ length: 64 }, (_, i) => ({ op: "transfer", id: `gc-${i}`, legs: [{ from: "res1", to: "hot", amount: 100n }] }));
    const results = await Promise.all(requests.map((r) => committer.submit(r)));
    expect(results.slice(0, 10).every((r) => r.ok)).toBe(true);
    expect(results.slice(10).every((r) => !r.ok && r.code === "exceeds_balance")).toBe(true);
    expect(committer.stats.batches).toBeLessThan(64);
    expect((await stores[0]!.audit()).ok).toBe(true);
  });
});
