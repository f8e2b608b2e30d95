// pnpm bench:bus — the two numbers the bus issue promises:
//  1. At the door, in Chromium with 4× CPU throttling: verify a ride code (decideTap: certificate + rider
//     signature) and record the tap durably (IndexedDB, strict durability) — p95 ≤ 50 ms per tap.
//  2. On the server, against a real PostgreSQL: settle 10,000 synced taps (1,000 riders × 10, three terminals
//     uploading batches of 100 at once: verify again, plan, capture from each hold into mer:bus) — ≤ 10 s.
//
//   BENCH_DOOR_TAPS (300)  BENCH_DOOR_WARMUP (30)  BENCH_RIDERS (1000)  BENCH_SKIP_DOOR=1  BENCH_SKIP_SERVER=1
import { ed25519 } from "@noble/curves/ed25519.js";
import { createLedgerStore } from "@tsubaki/db";
import { migrate, openDatabase } from "@tsubaki/db/node";
import {
  encodeRideCode,
  issueWithKeySet,
  newAllowanceId,
  newIssuerKeySet,
  phoneTapId,
  signTap,
  type TapRecord,
} from "@tsubaki/ride";
import { launchBrowser } from "@tsubaki/testkit/chromium";
import { build } from "vite";
import { busServiceOn } from "../apps/api/src/services/bus";
import { createLedgerService } from "../apps/api/src/services/ledger";
import { percentile, printTable, progress } from "./lib/report";

const doorTaps = Number(process.env.BENCH_DOOR_TAPS ?? 300);
const doorWarmup = Number(process.env.BENCH_DOOR_WARMUP ?? 30);
const riders = Number(process.env.BENCH_RIDERS ?? 1000);
const tapsPerRider = 10;
const terminals = 3;
const syncBatch = 100;
const targets = { doorP95Ms: 50, serverSeconds: 10 };

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The door: one allowance per tap (a rider taps once per bus), codes fresh at the time they are scanned. */
async function benchDoor(): Promise<{ p50: number; p95: number; max: number; n: number }> {
  progress("bundling the door for Chromium");
  const bundle = await build({
    configFile: false,
    logLevel: "silent",
    build: { write: false, lib: { entry: new URL("./lib/bus-door.ts", import.meta.url).pathname, formats: ["iife"], name: "busDoor" }, minify: true },
  });
  const output = (Array.isArray(bundle) ? bundle[0] : bundle) as { output: { code?: string }[] };
  const script = output.output[0]!.code!;
  const issuer = newIssuerKeySet(3);
  const now = Math.floor(Date.now() / 1000);
  const codes: string[] = [];
  for (let i = 0; i < doorTaps + doorWarmup; i += 1) {
    const secretKey = ed25519.utils.randomSecretKey();
    const allowanceId = newAllowanceId();
    const cert = issueWithKeySet(issuer, {
      v: 1, allowanceId, riderPublicKey: ed25519.getPublicKey(secretKey), fareClass: "adult", maxTotalYen: 1000, maxTaps: 10, notBefore: now - 60, notAfter: now + 3600, card: false,
    });
    const tap = { counter: 1, time: now + 30 };
    codes.push(encodeRideCode({ kind: "phone", cert, tap, sig: signTap(allowanceId, tap, secretKey) }));
  }
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.route("http://bench.tsubaki.test/**", (route) =>
      route.request().url().endsWith("/door.js")
        ? route.fulfill({ contentType: "text/javascript", body: script })
        : route.fulfill({ contentType: "text/html", body: '<!doctype html><meta charset="utf-8"><script src="/door.js"></script>' }),
    );
    await page.goto("http://bench.tsubaki.test/");
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
    progress(`door: ${doorTaps} taps (+${doorWarmup} warm-up) at 4× CPU throttling`);
    const durations = await page.evaluate(
      ([c, keys]) => (globalThis as unknown as { busDoorBench: (codes: string[], keys: [number, string][], terminalId: string) => Promise<number[]> }).busDoorBench(c, keys, "bench1"),
      [codes, [[issuer.current.kid, hex(issuer.current.publicKey)]]] as [string[], [number, string][]],
    );
    const measured = durations.slice(doorWarmup).sort((a, b) => a - b);
    return { p50: percentile(measured, 50), p95: percentile(measured, 95), max: measured[measured.length - 1]!, n: measured.length };
  } finally {
    await browser.close();
  }
}

async function benchServer(): Promise<{ seconds: number; taps: number; captured: number }> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set (run through `pnpm bench:bus`, which starts a server)");
  const db = await openDatabase({ url });
  try {
    await migrate(db);
    const amountMaxYen = 1_000_000_000_000n;
    const ledger = createLedgerService(createLedgerStore(db, { amountMax: amountMaxYen }), { amountMaxYen });
    const bus = await busServiceOn(db, ledger, null);
    const run = Math.random().toString(36).slice(2, 8);
    const flags = { debitsMustNotExceedCredits: true, creditsMustNotExceedDebits: false };
    await ledger.createAccount({ id: `cashin:bench${run}`, kind: "cashin", owner: null, asset: "JPY", flags: { debitsMustNotExceedCredits: false, creditsMustNotExceedDebits: false }, metadata: null });
    progress(`server: ${riders} riders with an allowance each`);
    const taps: TapRecord[][] = Array.from({ length: terminals }, () => []);
    const now = Math.floor(Date.now() / 1000);
    let localSeq = 0;
    await Promise.all(
      Array.from({ length: riders }, async (_, i) => {
        const residentId = `bench${run}r${i}`;
        const coins = `res:${residentId}:coins`;
        await ledger.createAccount({ id: coins, kind: "coins", owner: `resident:${residentId}`, asset: "JPY", flags, metadata: null });
        await ledger.submit({ op: "transfer", id: `bench:${run}:fund:${i}`, legs: [{ from: `cashin:bench${run}`, to: coins, amount: 2_000n }] });
        const secretKey = ed25519.utils.randomSecretKey();
        const issued = await bus.requestAllowance({ residentId, coinsAccountId: coins, riderPublicKeyHex: hex(ed25519.getPublicKey(secretKey)) });
        if (!issued.ok) throw new Error(`allowance: ${issued.code} ${issued.detail}`);
        const a = issued.allowance;
        const cert = Uint8Array.from(a.certificate.match(/../g)!, (h) => Number.parseInt(h, 16));
        for (let counter = 1; counter <= tapsPerRider; counter += 1) {
          const tap = { counter, time: now + counter * 60 };
          const terminal = (i + counter) % terminals;
          localSeq += 1;
          taps[terminal]!.push({
            tapId: phoneTapId(a.id, counter), kind: "phone", rideCode: encodeRideCode({ kind: "phone", cert, tap, sig: signTap(a.id, tap, secretKey) }),
            allowanceId: a.id, counter, time: tap.time, scannedAt: tap.time, terminalId: `bench${terminal}`, localSeq, operatorId: "notty", fareClass: "adult", fareYen: 100, transferFrom: null,
          });
        }
      }),
    );
    const total = taps.reduce((n, t) => n + t.length, 0);
    progress(`server: syncing ${total} taps from ${terminals} terminals in batches of ${syncBatch}`);
    const started = performance.now();
    const results = await Promise.all(
      taps.map(async (mine, terminal) => {
        let captured = 0;
        for (let i = 0; i < mine.length; i += syncBatch) {
          const answer = await bus.syncTaps({ terminalId: `bench${terminal}`, routeId: "north", taps: mine.slice(i, i + syncBatch) });
          captured += answer.results.filter((r) => r.result === "captured").length;
        }
        return captured;
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    return { seconds, taps: total, captured: results.reduce((a, b) => a + b, 0) };
  } finally {
    await db.close();
  }
}

const rows: Record<string, string | number>[] = [];
let failed = false;
if (process.env.BENCH_SKIP_DOOR !== "1") {
  const door = await benchDoor();
  const ok = door.p95 <= targets.doorP95Ms;
  failed ||= !ok;
  rows.push({ measure: "door: verify + durable record (Chromium, 4× CPU)", taps: door.n, p50_ms: door.p50.toFixed(1), p95_ms: door.p95.toFixed(1), max_ms: door.max.toFixed(1), target: `p95 ≤ ${targets.doorP95Ms} ms`, ok: ok ? "yes" : "NO" });
}
if (process.env.BENCH_SKIP_SERVER !== "1") {
  const server = await benchServer();
  const ok = server.seconds <= targets.serverSeconds && server.captured === server.taps;
  failed ||= !ok;
  rows.push({ measure: "server: sync taps (PostgreSQL)", taps: server.taps, captured: server.captured, seconds: server.seconds.toFixed(2), taps_per_s: Math.round(server.taps / server.seconds), target: `≤ ${targets.serverSeconds} s`, ok: ok ? "yes" : "NO" });
}
printTable(rows);
process.exit(failed ? 1 : 0);
