// pnpm bench:ledger — the ledger's write path (validation → group commit → one transaction per batch) against a
// real PostgreSQL: 10,000 accounts, 64 concurrent submitters, three workloads; plus pgbench -N on the same
// server when pgbench is on PATH, for a ratio that does not depend on the machine.
import { execFileSync, spawnSync } from "node:child_process";
import { GroupCommitter, validateRequest, type TransferRequest } from "@tsubaki/ledger";
import { createLedgerStore } from "@tsubaki/db";
import { migrate, openDatabase } from "@tsubaki/db/node";
import { measureCpu, printTable, progress, runClosedLoop } from "./lib/report";
import { createTestDatabase } from "@tsubaki/testkit/pg";

const accountsCount = Number(process.env.BENCH_ACCOUNTS ?? 10_000);
const clients = Number(process.env.BENCH_CLIENTS ?? 64);
const transfersPerScenario = Number(process.env.BENCH_TRANSFERS ?? 60_000);
/** Unmeasured transfers first, so V8 has compiled the write path and PostgreSQL has settled its plans. */
const warmupTransfers = Number(process.env.BENCH_WARMUP ?? 10_000);
const pgbenchSeconds = Number(process.env.BENCH_PGBENCH_SECONDS ?? 10);

const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) throw new Error("DATABASE_URL is not set (run through `pnpm bench:ledger`, which starts a server)");

/** A new, empty database on the benchmark server (testkit names and guards it). */
const freshDatabase = (prefix: string) => createTestDatabase(serverUrl!, prefix);

async function main() {
  const url = await freshDatabase("bench_ledger");
  const db = await openDatabase({ url, connectionsMax: 8 });
  await migrate(db);
  const store = createLedgerStore(db, { pipelined: process.env.BENCH_PIPELINED !== "0" });
  progress(`creating ${accountsCount} accounts`);
  await db.query(
    `INSERT INTO ledger_accounts (id, kind, debits_must_not_exceed_credits)
     SELECT 'acct' || g, 'bench', true FROM generate_series(0, $1::int - 1) g`,
    [accountsCount],
  );
  await db.query(`INSERT INTO ledger_accounts (id, kind) VALUES ('fund', 'bench'), ('hot', 'bench')`);
  progress("funding accounts");
  const committer = new GroupCommitter((batch, onLocked) => store.submitBatch(batch, onLocked), {
    ...(process.env.BENCH_BATCH_MAX ? { batchSizeMax: Number(process.env.BENCH_BATCH_MAX) } : {}),
    ...(process.env.BENCH_IN_FLIGHT ? { inFlightMax: Number(process.env.BENCH_IN_FLIGHT) } : {}),
    ...(process.env.BENCH_SPREAD_MIN ? { spreadBatchMin: Number(process.env.BENCH_SPREAD_MIN) } : {}),
  });
  for (let start = 0; start < accountsCount; start += 1000) {
    await Promise.all(
      Array.from({ length: Math.min(1000, accountsCount - start) }, (_, k) =>
        committer.submit({ op: "transfer", id: `fund-${start + k}`, legs: [{ from: "fund", to: `acct${start + k}`, amount: 1_000_000n }] }),
      ),
    );
  }

  const pick = () => `acct${Math.floor(Math.random() * accountsCount)}`;
  const pickOther = (not: string) => {
    for (;;) {
      const id = pick();
      if (id !== not) return id;
    }
  };
  const scenarios: { name: string; make: (i: number) => TransferRequest }[] = [
    {
      name: "a: single-leg, uniform",
      make: (i) => {
        const from = pick();
        return { op: "transfer", id: `a-${i}`, legs: [{ from, to: pickOther(from), amount: 1n + BigInt(i % 100) }] };
      },
    },
    {
      name: "b: 50% to one hot account",
      make: (i) => {
        const from = pick();
        const to = i % 2 === 0 ? "hot" : pickOther(from);
        return { op: "transfer", id: `b-${i}`, legs: [{ from, to, amount: 1n + BigInt(i % 100) }] };
      },
    },
    {
      name: "c: 3-leg transfers",
      make: (i) => {
        const a = pick();
        const b = pickOther(a);
        const c = pickOther(b);
        return {
          op: "transfer",
          id: `c-${i}`,
          legs: [
            { from: a, to: b, amount: 3n },
            { from: b, to: c, amount: 2n },
            { from: c, to: "hot", amount: 1n },
          ],
        };
      },
    },
  ];

  const submitValid = async (request: TransferRequest) => {
    const v = validateRequest(request);
    if (!v.ok) throw new Error(`bench built an invalid request: ${v.code}`);
    return committer.submit(request);
  };
  if (warmupTransfers > 0) {
    progress(`warming up: ${warmupTransfers} transfers (not measured)`);
    await runClosedLoop(clients, warmupTransfers, async (i) => void (await submitValid({ ...scenarios[0]!.make(i), id: `warmup-${i}` })));
  }

  const results: Record<string, unknown>[] = [];
  const only = process.env.BENCH_SCENARIOS?.split(",");
  for (const scenario of scenarios.filter((sc) => !only || only.includes(sc.name[0]!))) {
    progress(`${scenario.name}: ${transfersPerScenario} transfers from ${clients} clients`);
    const before = { ...committer.stats };
    let failed = 0;
    // The server's backends for this database (the pool and the ordered writer), to count their CPU.
    const backends = (await db.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)).map((b) => b.pid);
    const { result: r, nodeCpuS, pgCpuS } = await measureCpu(backends, () => runClosedLoop(
      clients,
      transfersPerScenario,
      async (i) => {
        const result = await submitValid(scenario.make(i));
        if (!result.ok) failed++;
      },
      (done) => progress(`  ${done}/${transfersPerScenario}`),
    ));
    const batches = committer.stats.batches - before.batches;
    progress(`  store paths: ${JSON.stringify(store.stats)}`);
    results.push({
      scenario: scenario.name,
      transfers: transfersPerScenario,
      failed,
      transfers_per_s: Math.round(r.perSecond),
      p50_ms: Number(r.p50Ms.toFixed(2)),
      p99_ms: Number(r.p99Ms.toFixed(2)),
      mean_batch: Number((transfersPerScenario / batches).toFixed(1)),
      node_cpu_us: Math.round((nodeCpuS * 1e6) / transfersPerScenario),
      pg_cpu_us: pgCpuS === null ? "" : Math.round((pgCpuS * 1e6) / transfersPerScenario),
    });
  }

  progress("auditing");
  const audit = await store.audit();
  await db.close();

  let pgbench: { tps: number } | null = null;
  const hasPgbench = spawnSync("pgbench", ["--version"]).status === 0;
  if (hasPgbench) {
    const pgbenchUrl = await freshDatabase("bench_pgbench");
    progress(`pgbench -N -c ${clients} for ${pgbenchSeconds}s on the same server`);
    execFileSync("pgbench", ["-i", "-q", "-s", "10", pgbenchUrl], { stdio: "ignore" });
    const out = execFileSync("pgbench", ["-N", "-c", String(clients), "-j", "2", "-T", String(pgbenchSeconds), pgbenchUrl], { encoding: "utf8" });
    const m = /tps = ([\d.]+)/.exec(out);
    if (m) pgbench = { tps: Math.round(Number(m[1])) };
  }
  const first = results[0] as { transfers_per_s: number };
  const summary = {
    benchmark: "ledger",
    accounts: accountsCount,
    clients,
    warmup_transfers: warmupTransfers,
    scenarios: results,
    pgbench_n_tps: pgbench?.tps ?? null,
    ratio_a_to_pgbench: pgbench ? Number((first.transfers_per_s / pgbench.tps).toFixed(2)) : null,
    audit_ok: audit.ok,
  };
  console.log(JSON.stringify(summary, null, 2));
  printTable(results as Record<string, string | number>[]);
  if (pgbench) console.log(`pgbench -N: ${pgbench.tps} tps; ratio (a)/pgbench = ${summary.ratio_a_to_pgbench}`);
  console.log(`audit: ${audit.ok ? "ok" : "FAILED"}`);
  if (!audit.ok) process.exitCode = 1;
}

await main();
