// pnpm bench:pay — payments end to end over HTTP against a real PostgreSQL: the API as `npm start` runs it
// (apps/api startNode, in a child process so the load generator does not share its event loop), 10,000 residents
// each with a JWT, 200 shops with signed static QRs, 20% of payments to one shop. Every payment is
// POST /v1/payments with an Idempotency-Key, is split over two point lots and coins, and its receipt is checked.
// 64 concurrent clients (closed loop). Target on a 2-core machine: ≥ 3,000 payments/s, p99 ≤ 50 ms.
//
// How every payment gets exactly two lots and coins: resident g's r-th payment (payment i = r × residents + g) goes
// to a shop of category `cat{r}`, and g holds two ¥100 lots per round r restricted to category cat{r} (the other
// rounds' lots are refused there: the restriction filter does real work; the two lots lapse a minute apart: the
// spend order does). A ¥250 payment then takes both lots and ¥50 of coins. Rounds follow each other in time, and
// in each round one shop of cat{r} (the round's hot shop) takes 20% of the payments, so at any moment one shop
// takes a fifth of all payments.
//
//   BENCH_PAYMENTS (30000)  BENCH_WARMUP (3000)  BENCH_CLIENTS (64)  BENCH_RESIDENTS (10000)  BENCH_SHOPS (200)
//   BENCH_SEED (random, printed)  BENCH_PROFILE=1 (the server writes a .cpuprofile into the temp directory)
//   BENCH_TABLE_STATS=1 (also print the rows each payment inserted, updated (HOT or not) and deleted, by table)
//
// Besides payments/s and latency it prints each party's CPU per payment and, as api_thread, what the server's
// main thread saw while the payments were measured (its event loop's utilisation and delay, its GC pauses),
// which the server reports over its stdin and stdout (serverStats, measureServer).
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer, type AddressInfo } from "node:net";
import { readdirSync, readFileSync } from "node:fs";
import { monitorEventLoopDelay, performance, PerformanceObserver, type EventLoopUtilization } from "node:perf_hooks";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { createLedgerStore, createPaymentsStore, type Db } from "@tsubaki/db";
import { migrate, openDatabase } from "@tsubaki/db/node";
import { createIdentity } from "../apps/api/src/auth/service";
import { loadConfig } from "../apps/api/src/env";
import { startNode } from "../apps/api/src/node";
import { createLedgerService } from "../apps/api/src/services/ledger";
import { createPaymentsService, decodeKey } from "../apps/api/src/services/payments";
import { staticQr } from "../apps/api/src/services/payments-merchant";
import { HttpConnection } from "./lib/http-client";
import { percentile, printTable, progress } from "./lib/report";
import { createTestDatabase } from "@tsubaki/testkit/pg";

const paymentsCount = Number(process.env.BENCH_PAYMENTS ?? 30_000);
const warmupCount = Number(process.env.BENCH_WARMUP ?? 3000);
const clients = Number(process.env.BENCH_CLIENTS ?? 64);
const residentsCount = Number(process.env.BENCH_RESIDENTS ?? 10_000);
const shopsCount = Number(process.env.BENCH_SHOPS ?? 200);
const seed = Number(process.env.BENCH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const hotShopShare = 0.2;
/** Each payment: ¥100 from each of two lots, ¥50 of coins. */
const lotYen = 100n;
const coinsPerPaymentYen = 50n;
const paymentYen = 2n * lotYen + coinsPerPaymentYen;
const targets = { paymentsPerSecond: 3000, p99Ms: 50 };
/** Transfers per ledger batch while setting up (each grants a resident's lots and coins in one transfer). */
const setupBatchSizeMax = 64;

const profileDir = join(tmpdir(), "tsubaki-bench-pay-profiles");
const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) throw new Error("DATABASE_URL is not set (run through `pnpm bench:pay`, which starts a server)");

/** mulberry32: a tiny seeded PRNG, so a run can be replayed with BENCH_SEED. */
function prng(s: number): () => number {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A new, empty database on the benchmark server (testkit names and guards it). */
const freshDatabase = (prefix: string) => createTestDatabase(serverUrl!, prefix);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const rid = (i: number) => `r_bench${i}`;
const uid = (i: number) => `u_bench${i}`;
const sid = (i: number) => `s_bench${i}`;

/** Residents, users, shops and every account, in bulk (setup only: the measured path is the API). */
async function populate(db: Db, rounds: number): Promise<void> {
  const lotsPerResident = 2 * rounds;
  const now = new Date().toISOString();
  await db.query(
    `INSERT INTO users (id, login, roles, display_name, kind, created_at, updated_at)
     SELECT 'u_bench' || g, 'bench' || g, '[]'::jsonb, 'ベンチ住民', 'resident', $2::timestamptz, $2::timestamptz FROM generate_series(0, $1::int - 1) g`,
    [residentsCount, now],
  );
  await db.query(
    `INSERT INTO residents (id, user_id, name, name_kana, birth_date, district, verified_at, created_at)
     SELECT 'r_bench' || g, 'u_bench' || g, 'ベンチ', 'ベンチ', '1960-01-01', '本町', $2::timestamptz, $2::timestamptz FROM generate_series(0, $1::int - 1) g`,
    [residentsCount, now],
  );
  await db.query(
    `INSERT INTO shops (id, code, name_ja, name_latin, category, tier, mcc, fee_rate_bp, status, created_at, updated_at)
     SELECT 's_bench' || g, 'BENCH' || g, 'ベンチ商店' || g, 'Bench Shop ' || g, CASE WHEN g < $3::int THEN 'cat' || g ELSE 'cat' || ((g - $3::int) % $3::int) END,
       CASE WHEN g % 3 = 0 THEN 'large' ELSE 'small' END, '5411', 100, 'active', $2::timestamptz, $2::timestamptz FROM generate_series(0, $1::int - 1) g`,
    [shopsCount, now, rounds],
  );
  await db.query(
    `INSERT INTO ledger_accounts (id, kind, owner, debits_must_not_exceed_credits)
     SELECT 'res:r_bench' || g || ':coins', 'resident_coins', 'resident:r_bench' || g, true FROM generate_series(0, $1::int - 1) g
     UNION ALL SELECT 'mer:s_bench' || g, 'merchant', 'shop:s_bench' || g, true FROM generate_series(0, $2::int - 1) g
     UNION ALL SELECT 'res:r_bench' || g || ':pts:l' || k, 'points', 'resident:r_bench' || g, true
       FROM generate_series(0, $1::int - 1) g, generate_series(0, $3::int - 1) k
     UNION ALL VALUES ('cashin:bench', 'cash_in', 'user:bench', false), ('fund:city', 'funding', 'city', false),
       ('cmp:bench:budget', 'campaign_budget', 'campaign:bench', true), ('cmp:bench:expired', 'campaign_expired', 'campaign:bench', false)`,
    [residentsCount, shopsCount, lotsPerResident],
  );
  // Lots 2r and 2r + 1 belong to round r: usable at cat{r} shops only, lapsing (10 + r) days from now.
  await db.query(
    `INSERT INTO point_lots (id, resident_id, campaign_id, account_id, granted_yen, granted_at, expires_at, restriction)
     SELECT 'l' || k || '_' || g, 'r_bench' || g, 'bench', 'res:r_bench' || g || ':pts:l' || k, $3::text::bigint, $4::timestamptz - interval '1 day',
       $4::timestamptz + (k / 2 + 10) * interval '1 day' + (k % 2) * interval '1 minute', jsonb_build_object('categories', jsonb_build_array('cat' || (k / 2)))
     FROM generate_series(0, $1::int - 1) g, generate_series(0, $2::int - 1) k`,
    [residentsCount, lotsPerResident, lotYen.toString(), now],
  );
}

async function setUp(url: string, qrKey: string) {
  const db = await openDatabase({ url, connectionsMax: 8 });
  await migrate(db);
  // First, while the database is empty: the buffers go back to the free list touched, and the data written next
  // takes them (afterwards, the scratch tables would evict it).
  await warmSharedBuffers(db);
  const config = loadConfig({ DATABASE_URL: url, TSUBAKI_QR_KEY: qrKey, TSUBAKI_LOG_LEVEL: "warn" });
  // Setup transfers carry 17 legs each: small group commits keep each setup batch's write statement short (a
  // batch of a thousand such transfers runs for tens of seconds). Setup only; the measured path is the API's.
  const ledger = createLedgerService(createLedgerStore(db), { amountMaxYen: config.amountMaxYen, queueLengthMax: 50_000, batchSizeMax: setupBatchSizeMax });
  const { identity, auth } = createIdentity(db, config);
  const payments = createPaymentsService({ db, ledger, identity, qrKey: decodeKey(qrKey) });
  const store = createPaymentsStore(db);
  const now = new Date();
  const paymentsPerResident = Math.ceil((warmupCount + paymentsCount) / residentsCount);
  const rounds = paymentsPerResident;
  const lotsPerResident = 2 * rounds;
  progress(`creating ${residentsCount} residents (${lotsPerResident} lots each), ${shopsCount} shops`);
  await store.insertCampaign({
    id: "bench",
    nameJa: "ベンチ",
    nameEn: "Bench",
    kind: "grant",
    restriction: null,
    expiryDate: null,
    expiryDays: 180,
    capPerPersonYen: 1_000_000n,
    rateBps: null,
    budgetAccountId: "cmp:bench:budget",
    expiredAccountId: "cmp:bench:expired",
    startsAt: new Date(now.getTime() - 86_400_000),
    endsAt: new Date(now.getTime() + 86_400_000 * 30),
    status: "active",
    createdAt: now,
  });
  await populate(db, rounds);
  const budgetYen = lotYen * BigInt(lotsPerResident * residentsCount);
  const funded = await ledger.submit({ op: "transfer", id: "bench-fund", legs: [{ from: "fund:city", to: "cmp:bench:budget", amount: budgetYen }] });
  if (!funded.ok) throw new Error(`funding: ${funded.code}`);
  progress("granting the lots and charging coins (one transfer per resident)");
  const coinsYen = coinsPerPaymentYen * BigInt(paymentsPerResident) + 1000n;
  for (let start = 0; start < residentsCount; start += 2000) {
    const results = await Promise.all(
      Array.from({ length: Math.min(2000, residentsCount - start) }, (_, j) => {
        const g = start + j;
        const legs = Array.from({ length: lotsPerResident }, (_, k) => ({ from: "cmp:bench:budget", to: `res:${rid(g)}:pts:l${k}`, amount: lotYen }));
        legs.push({ from: "cashin:bench", to: `res:${rid(g)}:coins`, amount: coinsYen });
        return ledger.submit({ op: "transfer", id: `bench-setup-${g}`, legs, code: "grant" });
      }),
    );
    const failed = results.find((r) => !r.ok);
    if (failed && !failed.ok) throw new Error(`setup transfer: ${failed.code} ${failed.detail}`);
  }
  await recycleWal(db);
  progress("signing an access token per resident and a QR per shop");
  await auth.keys.reload();
  const tokens: string[] = [];
  for (let g = 0; g < residentsCount; g++) {
    tokens.push((await auth.tokenResponse(uid(g), ["resident"], { refreshToken: "-", sessionId: "bench" })).access_token);
  }
  const qrs: string[] = [];
  for (let s = 0; s < shopsCount; s++) {
    const qr = await staticQr(payments.context, sid(s));
    if (!qr.ok) throw new Error(`qr: ${qr.code}`);
    qrs.push(qr.value.payload);
  }
  return { db, ledger, tokens, qrs, lotsPerResident, rounds };
}

/**
 * Puts the benchmark server's WAL in the state of one that has been running: segments written, then recycled by a
 * checkpoint. A fresh cluster has none to recycle, so each new 16 MB segment is first filled with zeros
 * (wal_init_zero), and that was about 8% of PostgreSQL's CPU during the measured payments (perf). A server that
 * has been running renames the segments a checkpoint no longer needs into the next ones (wal_recycle), up to
 * max_wal_size. Here: WAL_SEGMENTS segments are opened (each switch zero-fills one), then a checkpoint recycles
 * them. Needs a superuser (pg_switch_wal, CHECKPOINT); without one the run goes on as it is, and says so.
 */
async function recycleWal(db: Db): Promise<void> {
  const segments = 48;
  progress(`recycling ${segments} WAL segments, as a server that has been running has them`);
  try {
    for (let i = 0; i < segments; i++) {
      await db.query(`SELECT pg_logical_emit_message(false, 'tsubaki-bench', 'wal')`);
      await db.query(`SELECT pg_switch_wal()`);
    }
    await db.query(`CHECKPOINT`);
  } catch (error) {
    progress(`  not done (${error instanceof Error ? error.message : String(error)}): new WAL segments will be zero-filled while measuring`);
  }
}

/**
 * Puts every page of PostgreSQL's shared buffers in memory, as on a server that has been running. A fresh server
 * has mapped its shared buffers but touched none of them: the first use of each 4 kB page is a page fault (and a
 * zeroed page), taken by whichever backend first needs a new buffer, which during the measured payments is mostly
 * the ledger's writer extending the journal tables. perf showed those faults at about 7% of PostgreSQL's CPU.
 * Here: a few unlogged tables, each under a quarter of shared_buffers (a scan of a larger one goes through a
 * small ring of buffers), together larger than all of them, are read once and dropped; their buffers go back to
 * the free list, touched. Done before anything else is written, so it evicts nothing. Best effort, like recycleWal.
 */
async function warmSharedBuffers(db: Db): Promise<void> {
  try {
    const [row] = await db.query<{ blocks: string }>(`SELECT setting AS blocks FROM pg_settings WHERE name = 'shared_buffers'`);
    const blocks = Number(row?.blocks ?? 0);
    const tables = 6;
    // Rows of about 1 kB (under the TOAST threshold, so stored as they are), 7 to an 8 kB page.
    const rowsPerTable = Math.ceil(blocks / 5) * 7;
    progress(`touching PostgreSQL's ${Math.round((blocks * 8) / 1024)} MB of shared buffers, as a server that has been running has`);
    for (let t = 0; t < tables; t++) {
      await db.query(`CREATE UNLOGGED TABLE bench_warm_${t} AS SELECT g, repeat('x', 1000) AS pad FROM generate_series(1, $1::int) g`, [rowsPerTable]);
      await db.query(`SELECT count(*) FROM bench_warm_${t}`);
    }
    for (let t = 0; t < tables; t++) await db.query(`DROP TABLE bench_warm_${t}`);
  } catch (error) {
    progress(`  not done (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** The API as `npm start` runs it, in a child process; resolves with the port once it listens. */
async function startServer(url: string, qrKey: string, port: number): Promise<ChildProcess> {
  const profileArgs = process.env.BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
  if (profileArgs.length > 0) progress(`the server writes its CPU profile into ${profileDir}`);
  // The same V8 flags as `npm start` gives the API: scripts/tsubaki.mjs starts every bench with them.
  const v8Flags = process.execArgv.filter((flag) => flag.startsWith("--max-semi-space-size"));
  const child = spawn(process.execPath, [...v8Flags, "--import", "tsx", ...profileArgs, fileURLToPath(import.meta.url), "--serve"], {
    env: { ...process.env, BENCH_PAY_SERVE: "1", DATABASE_URL: url, PORT: String(port), TSUBAKI_QR_KEY: qrKey, TSUBAKI_LOG_LEVEL: "warn", TSUBAKI_SEED: "off", TSUBAKI_SERVICE_TOKEN: randomBytes(24).toString("hex") },
    stdio: ["pipe", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (line.trim() === "bench-pay-server-ready") resolve();
    });
    child.once("exit", (code) => reject(new Error(`the server exited during start (${code})`)));
  });
  return child;
}

/** What the server's own thread saw during the measured payments (see ServerStats). */
interface ServerStats {
  /** Share of the time the event loop was running JavaScript or native callbacks, not waiting. */
  event_loop_utilization: number;
  /** How late a 1 ms timer ran: the wait of anything queued behind the work ahead of it. */
  event_loop_delay_ms: { mean: number; p99: number; max: number };
  /** Young-generation collections (scavenges) and full ones, with their pauses of the main thread. */
  gc: { scavenges: number; scavenge_pause_ms_mean: number; full: number; full_pause_ms_total: number };
}

/**
 * The server's side of the stats: measures from `bench-measure-start` to `bench-measure-end` on its stdin and
 * answers the second with one `bench-pay-server-stats {json}` line.
 */
function serverStats(): void {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  let gc = { scavenges: 0, scavengeMs: 0, full: 0, fullMs: 0 };
  let from: EventLoopUtilization | null = null;
  const observer = new PerformanceObserver((list) => {
    if (from === null) return;
    for (const entry of list.getEntries()) {
      const kind = ((entry as { detail?: { kind?: number } }).detail)?.kind;
      if (kind === 1) (gc.scavenges += 1), (gc.scavengeMs += entry.duration);
      else if (kind === 4) (gc.full += 1), (gc.fullMs += entry.duration);
    }
  });
  observer.observe({ entryTypes: ["gc"] });
  createInterface({ input: process.stdin }).on("line", (line) => {
    if (line === "bench-measure-start") {
      delay.reset();
      delay.enable();
      gc = { scavenges: 0, scavengeMs: 0, full: 0, fullMs: 0 };
      from = performance.eventLoopUtilization();
    } else if (line === "bench-measure-end" && from !== null) {
      delay.disable();
      const stats: ServerStats = {
        event_loop_utilization: Number(performance.eventLoopUtilization(from).utilization.toFixed(3)),
        event_loop_delay_ms: { mean: round2(delay.mean / 1e6), p99: round2(delay.percentile(99) / 1e6), max: round2(delay.max / 1e6) },
        gc: { scavenges: gc.scavenges, scavenge_pause_ms_mean: round2(gc.scavengeMs / Math.max(1, gc.scavenges)), full: gc.full, full_pause_ms_total: round2(gc.fullMs) },
      };
      from = null;
      console.log(`bench-pay-server-stats ${JSON.stringify(stats)}`);
    }
  });
}

function round2(x: number): number {
  return Number(x.toFixed(2));
}

async function serve(): Promise<void> {
  const config = loadConfig({ ...process.env });
  const running = await startNode(config);
  serverStats();
  console.log("bench-pay-server-ready");
  process.stdin.resume();
  process.stdin.once("end", () => {
    void running.close().then(() => process.exit(0));
  });
}

/** The parent's side: the server's stats over the measured payments, or null if it does not answer in time. */
function measureServer(server: ChildProcess): { end(): Promise<ServerStats | null> } {
  const lines = createInterface({ input: server.stdout! });
  const stats = new Promise<ServerStats | null>((resolve) => {
    lines.on("line", (line) => {
      if (line.startsWith("bench-pay-server-stats ")) resolve(JSON.parse(line.slice("bench-pay-server-stats ".length)) as ServerStats);
    });
  });
  server.stdin!.write("bench-measure-start\n");
  return {
    end() {
      server.stdin!.write("bench-measure-end\n");
      // Not lines.close(): that would pause the server's stdout, which the other reader still drains.
      return Promise.race([stats, new Promise<null>((resolve) => setTimeout(() => resolve(null), 5000).unref())]);
    },
  };
}

interface PayResult {
  ok: boolean;
  ms: number;
  detail?: string;
}

function pay(connection: HttpConnection, token: string, qr: string, key: string): Promise<PayResult> {
  const body = JSON.stringify({ qr, amount_yen: Number(paymentYen) });
  const head = `POST /v1/payments HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nIdempotency-Key: ${key}\r\n`;
  const t0 = performance.now();
  return connection.request(head, body).then(
    ({ status, body: text }) => {
      const ms = performance.now() - t0;
      if (status !== 201) return { ok: false, ms, detail: `${status} ${text.slice(0, 200)}` };
      const paid = JSON.parse(text) as { amount_yen: number; points_yen: number; coins_yen: number; receipt: { lines: { source: string }[] } };
      const sources = paid.receipt.lines.map((l) => l.source).join(",");
      const split = paid.amount_yen === Number(paymentYen) && paid.points_yen === Number(2n * lotYen) && sources === "lot,lot,coins";
      return split ? { ok: true, ms } : { ok: false, ms, detail: `not split over two lots and coins: ${sources} ${paid.amount_yen}/${paid.points_yen}/${paid.coins_yen}` };
    },
    (error: Error) => ({ ok: false, ms: performance.now() - t0, detail: error.message }),
  );
}

/** The other shops of category cat{r}: shop r is round r's hot shop; shop s ≥ rounds has cat{(s − rounds) mod rounds}. */
function shopsOfRound(round: number, rounds: number, shops: number): number[] {
  const list: number[] = [];
  for (let s = rounds; s < shops; s++) if ((s - rounds) % rounds === round) list.push(s);
  return list;
}

/**
 * CPU seconds (user + system) of the API server, the database server (postmaster and its children) and this load
 * generator, from /proc: other processes on the machine do not count, so the cost per payment holds on a busy host.
 */
function cpuSeconds(serverPid: number, postmasterPid: number | null): { api: number; postgres: number; client: number } | null {
  try {
    const tick = 100; // USER_HZ on Linux
    const stat = (pid: number) => readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
    const cpu = (fields: string[]) => (Number(fields[11]) + Number(fields[12])) / tick;
    let postgresCpu = 0;
    if (postmasterPid !== null) {
      postgresCpu += cpu(stat(postmasterPid));
      for (const entry of readdirSync("/proc")) {
        if (!/^[0-9]+$/.test(entry)) continue;
        try {
          const fields = stat(Number(entry));
          if (Number(fields[1]) === postmasterPid) postgresCpu += cpu(fields);
        } catch {
          // gone meanwhile
        }
      }
    }
    const usage = process.cpuUsage();
    return { api: cpu(stat(serverPid)), postgres: postgresCpu, client: (usage.user + usage.system) / 1e6 };
  } catch {
    return null;
  }
}

type TableWrites = Map<string, { ins: number; upd: number; hot: number; del: number }>;

/** Rows written so far by table (the statistics lag by up to a second, hence the pause). */
async function tableWrites(db: Db): Promise<TableWrites> {
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const rows = await db.query<{ relname: string; ins: string; upd: string; hot: string; del: string }>(
    `SELECT relname, n_tup_ins::text AS ins, n_tup_upd::text AS upd, n_tup_hot_upd::text AS hot, n_tup_del::text AS del FROM pg_stat_user_tables`,
  );
  return new Map(rows.map((r) => [r.relname, { ins: Number(r.ins), upd: Number(r.upd), hot: Number(r.hot), del: Number(r.del) }]));
}

/** Rows each payment wrote, by table, between two snapshots (the warm-up and the measured payments). */
function printTableWrites(before: TableWrites, after: TableWrites, payments: number): void {
  const per = (n: number) => Number((n / payments).toFixed(2));
  const rows = [...after].flatMap(([table, a]) => {
    const b = before.get(table) ?? { ins: 0, upd: 0, hot: 0, del: 0 };
    const d = { ins: a.ins - b.ins, upd: a.upd - b.upd, hot: a.hot - b.hot, del: a.del - b.del };
    return d.ins + d.upd + d.del === 0 ? [] : [{ table, "inserted/payment": per(d.ins), "updated/payment": per(d.upd), "HOT updated/payment": per(d.hot), "deleted/payment": per(d.del) }];
  });
  printTable(rows.sort((x, y) => x.table.localeCompare(y.table)));
}

async function postmasterPid(db: Db): Promise<number | null> {
  const [row] = await db.query<{ pid: number }>(`SELECT pg_backend_pid() AS pid`);
  if (!row) return null;
  try {
    return Number(readFileSync(`/proc/${row.pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ")[1]);
  } catch {
    return null;
  }
}

async function runLoad(connections: HttpConnection[], tokens: string[], qrs: string[], rounds: number, from: number, count: number, label: string) {
  const random = prng(seed + from);
  const byRound = Array.from({ length: rounds }, (_, r) => shopsOfRound(r, rounds, qrs.length));
  const latencies: number[] = [];
  const failures = new Map<string, number>();
  let next = from;
  const end = from + count;
  const started = performance.now();
  await Promise.all(
    connections.map(async (connection) => {
      while (next < end) {
        const i = next++;
        const round = Math.floor(i / tokens.length);
        const ofRound = byRound[round]!;
        const shop = random() < hotShopShare ? round : ofRound[Math.floor(random() * ofRound.length)]!;
        const r = await pay(connection, tokens[i % tokens.length]!, qrs[shop]!, `bench-${i}`);
        latencies.push(r.ms);
        if (!r.ok) failures.set(r.detail ?? "?", (failures.get(r.detail ?? "?") ?? 0) + 1);
        if ((i - from + 1) % 10_000 === 0) progress(`  ${label}: ${i - from + 1}/${count}`);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { seconds, perSecond: count / seconds, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), maxMs: latencies[latencies.length - 1] ?? 0, failures };
}

async function main(): Promise<void> {
  const url = await freshDatabase("bench_pay");
  const qrKey = randomBytes(32).toString("hex");
  const { db, tokens, qrs, lotsPerResident, rounds } = await setUp(url, qrKey);
  const port = await freePort();
  progress(`starting the API (seed ${seed})`);
  const server = await startServer(url, qrKey, port);
  try {
    const writesBefore = process.env.BENCH_TABLE_STATS ? await tableWrites(db) : null;
    progress(`warm-up: ${warmupCount} payments`);
    // One connection per client for both phases: the measured payments go over the warm-up's open connections, not
    // 64 new ones at once (which made the measured run's first payments its slowest, 200 ms and more).
    const connections = Array.from({ length: clients }, () => new HttpConnection("127.0.0.1", port));
    const warm = await runLoad(connections, tokens, qrs, rounds, 0, warmupCount, "warm-up");
    const warmFailed = [...warm.failures.values()].reduce((a, b) => a + b, 0);
    if (warmFailed > 0) progress(`warm-up failures: ${JSON.stringify(Object.fromEntries(warm.failures))}`);
    progress(`measuring: ${paymentsCount} payments from ${clients} clients`);
    const postmaster = await postmasterPid(db);
    const measuredFrom = new Date();
    const cpuBefore = cpuSeconds(server.pid!, postmaster);
    const measuring = measureServer(server);
    const r = await runLoad(connections, tokens, qrs, rounds, warmupCount, paymentsCount, "payments");
    const serverSeen = await measuring.end();
    for (const connection of connections) connection.close();
    const cpuAfter = cpuSeconds(server.pid!, postmaster);
    const cpuMsPerPayment =
      cpuBefore && cpuAfter
        ? {
            api: Number(((1000 * (cpuAfter.api - cpuBefore.api)) / paymentsCount).toFixed(3)),
            postgres: Number(((1000 * (cpuAfter.postgres - cpuBefore.postgres)) / paymentsCount).toFixed(3)),
            client: Number(((1000 * (cpuAfter.client - cpuBefore.client)) / paymentsCount).toFixed(3)),
          }
        : null;
    progress("checking the ledger");
    const [audit, seals, figures] = await Promise.all([
      createLedgerStore(db).audit(),
      db.query<{ seals: number; transfers: number }>(`SELECT count(*)::int AS seals, coalesce(sum(transfer_count), 0)::int AS transfers FROM ledger_seals WHERE created_at >= $1::timestamptz`, [
        measuredFrom.toISOString(),
      ]),
      db.query<{ paid: string; n: string }>(
        `SELECT (SELECT coalesce(sum(credits_posted - debits_posted), 0) FROM ledger_accounts WHERE kind = 'merchant' AND id LIKE 'mer:s_bench%')::text AS paid,
           (SELECT count(*) FROM payments)::text AS n`,
      ),
    ]);
    const failedCount = [...r.failures.values()].reduce((a, b) => a + b, 0);
    const succeeded = warmupCount + paymentsCount - failedCount - warmFailed;
    const ledgerConsistent = figures[0]?.paid === String(BigInt(succeeded) * paymentYen) && figures[0]?.n === String(succeeded);
    const summary = {
      benchmark: "pay",
      seed,
      residents: residentsCount,
      shops: shopsCount,
      hot_shop_share: hotShopShare,
      lots_per_resident: lotsPerResident,
      clients,
      payments: paymentsCount,
      failed: failedCount,
      failures: Object.fromEntries(r.failures),
      payments_per_s: Math.round(r.perSecond),
      p50_ms: Number(r.p50Ms.toFixed(2)),
      p99_ms: Number(r.p99Ms.toFixed(2)),
      max_ms: Number(r.maxMs.toFixed(1)),
      seconds: Number(r.seconds.toFixed(2)),
      targets: { payments_per_s: targets.paymentsPerSecond, p99_ms: targets.p99Ms },
      target_met: r.perSecond >= targets.paymentsPerSecond && r.p99Ms <= targets.p99Ms,
      mean_ledger_batch: seals[0] && seals[0].seals > 0 ? Number((seals[0].transfers / seals[0].seals).toFixed(1)) : null,
      cpu_ms_per_payment: cpuMsPerPayment,
      /** The API's main thread during the measured payments: how busy, how late its callbacks ran, its GC pauses. */
      api_thread: serverSeen,
      /** What two otherwise idle cores could do at this CPU cost (the API, PostgreSQL and the load generator share them). */
      payments_per_s_on_two_idle_cores: cpuMsPerPayment ? Math.round(2000 / (cpuMsPerPayment.api + cpuMsPerPayment.postgres + cpuMsPerPayment.client)) : null,
      load_average_1m: Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]),
      ledger_matches_payments: ledgerConsistent,
      audit_ok: audit.ok,
    };
    console.log(JSON.stringify(summary, null, 2));
    if (writesBefore) printTableWrites(writesBefore, await tableWrites(db), warmupCount + paymentsCount);
    printTable([
      {
        payments: paymentsCount,
        clients,
        "payments/s": summary.payments_per_s,
        "p50 ms": summary.p50_ms,
        "p99 ms": summary.p99_ms,
        "max ms": summary.max_ms,
        failed: failedCount,
        audit: audit.ok ? "ok" : "FAILED",
      },
    ]);
    if (!audit.ok || failedCount > 0 || !ledgerConsistent) process.exitCode = 1;
  } finally {
    server.stdin!.end();
    await new Promise((resolve) => server.once("exit", resolve));
    await db.close();
  }
}

if (process.env.BENCH_PAY_SERVE) await serve();
else await main();
