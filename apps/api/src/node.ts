// Node entry: configuration from process.env, the embedded PGlite (in TSUBAKI_DATA_DIR) or DATABASE_URL,
// migrations, the demo town (when asked or the database is new), the HTTP server, the hold-expiry sweeper, the
// signing-key reload and identity sweep timers, and a graceful shutdown. Everything Node-only stays here.
import { hostname } from "node:os";
import { pathToFileURL } from "node:url";
import { serve } from "@hono/node-server";
import type { Context } from "hono";
import { createLedgerStore, systemActor, type Db, type IdentityStore } from "@tsubaki/db";
import { migrate, openDatabase } from "@tsubaki/db/node";
import { createApp, type TsubakiApp } from "./app";
import { keyCacheMaxAgeMs } from "./auth/keys";
import { generateServiceToken } from "./auth/principal";
import { createIdentity, type AuthService } from "./auth/service";
import { ConfigError, loadConfig, type Config } from "./env";
import { createLogger, describeError, type Logger } from "./log";
import { formatDemoTown, seedDemoTown, type DemoTown, type SeedStep } from "./seed";
import { busServiceOn, busSweepIntervalMs } from "./services/bus";
import { createPaymentsService, decodeKey } from "./services/payments";
import { paymentsDemoStep } from "./services/payments-demo";
import { createCityService } from "./services/city";
import { createPayoutScheduler, payoutSchedulerIntervalMs } from "./services/payout-scheduler";
import { createLedgerService, type LedgerService } from "./services/ledger";
import { repoDistDirs, serveApps } from "./static";
import { startHoldSweeper } from "./sweeper";

/** How often the sweeper looks for lapsed holds. */
export const holdSweepIntervalMs = 5000;
/** A shutdown that takes longer than this exits anyway. */
const shutdownTimeoutMs = 10_000;
/** Old idempotency keys and one-time codes are deleted this often. */
export const paymentsSweepIntervalMs = 10 * 60_000;
/** How often lapsed point lots are moved to their campaigns' expired accounts (lots lapse at 00:00 JST). */
export const pointsExpirySweepIntervalMs = 15 * 60_000;
/** Signing keys are reloaded (and rotated when due) this often; other instances' rotations arrive this way. */
export const keyReloadIntervalMs = keyCacheMaxAgeMs;
/** Old device nonces, quiet guessing-limit counters and long-dead refresh tokens are deleted this often. */
export const identitySweepIntervalMs = 10 * 60_000;

/** Extra steps of the demo town (payments: a campaign, charged coins…). Add one line here. */
export const demoSeedSteps: readonly SeedStep[] = [paymentsDemoStep];

export interface RunningServer {
  url: string;
  app: TsubakiApp;
  ledger: LedgerService;
  identity: IdentityStore;
  auth: AuthService;
  serviceToken: string;
  /** The demo town when it was seeded (or found) at start. */
  demo: DemoTown | null;
  close(): Promise<void>;
}

function printDemoToken(token: string): void {
  const line = "=".repeat(72);
  console.log(
    [
      line,
      "  TSUBAKI_SERVICE_TOKEN was not set: generated a service token for this run (demo credential).",
      "  サービストークンを生成しました（デモ用・この起動の間だけ有効）:",
      "",
      `  ${token}`,
      "",
      "  curl -H 'Authorization: Bearer <token>' http://localhost:<port>/v1/ledger/audit",
      "  Set TSUBAKI_SERVICE_TOKEN (≥ 32 characters) to choose your own.",
      line,
    ].join("\n"),
  );
}

/** The demo town is wanted: always with TSUBAKI_SEED=demo; with "empty", in a new database or one already seeded. */
async function wantsDemoTown(config: Config, db: Db, identity: IdentityStore): Promise<boolean> {
  if (config.seed === "off") return false;
  if (config.seed === "demo") return true;
  const [row] = await db.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM users) AS any`);
  return !row?.any || (await identity.findUserByLogin("admin-ops")) !== null;
}

async function seedAndPrint(config: Config, db: Db, identity: IdentityStore, ledger: LedgerService, logger: Logger): Promise<DemoTown | null> {
  if (!(await wantsDemoTown(config, db, identity))) return null;
  const town = await seedDemoTown({ identity, ledger }, { steps: demoSeedSteps });
  if (town.device.status === "pending" && town.device.pairingCode === null) {
    // Seeded before and not paired yet: the old code has lapsed or was never shown to this run; show a fresh one.
    const issued = await identity.issuePairingCode(town.device.id, systemActor);
    if (issued.ok) town.device = { ...town.device, pairingCode: issued.pairingCode, pairingExpiresAt: issued.expiresAt };
  }
  // The console, not the log: these are demo credentials for the person who started the server.
  console.log(formatDemoTown(town));
  logger.info("demo town ready", { residents: Object.keys(town.residents).length, shops: Object.keys(town.shops).length });
  return town;
}

/** The client's address: a trusted proxy's header when configured (its last value: what that proxy saw), else the socket. */
function nodeClientAddress(header: string | null): (c: Context) => string | null {
  return (c) => {
    if (header !== null) {
      const value = c.req.header(header);
      const last = value?.split(",").pop()?.trim();
      if (last) return last;
    }
    const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
    return incoming?.socket?.remoteAddress ?? null;
  };
}

/** Runs `task` every `intervalMs` until stopped; a tick while the last run is still going is skipped. Failures are logged. */
function every(intervalMs: number, name: string, logger: Logger, task: () => Promise<void>): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    running ??= task()
      .catch((error: unknown) => logger.error(`${name} failed`, { error: describeError(error) }))
      .finally(() => {
        running = null;
      });
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

/** Opens the database, migrates, and serves the API. The root `npm start` composes this with the apps. */
export async function startNode(config: Config, logger: Logger = createLogger(config.logLevel)): Promise<RunningServer> {
  const db = await openDatabase(config.databaseUrl ? { url: config.databaseUrl } : { dataDir: config.dataDir });
  await migrate(db);
  const ledger = createLedgerService(createLedgerStore(db, { amountMax: config.amountMaxYen }), { amountMaxYen: config.amountMaxYen });
  const { identity, auth } = createIdentity(db, config);
  // The signing keys exist before the first request (the first start creates them).
  await auth.keys.reload();
  const serviceToken = config.serviceToken ?? generateServiceToken();
  if (config.serviceToken === null) printDemoToken(serviceToken);
  const demo = await seedAndPrint(config, db, identity, ledger, logger);

  const bus = await busServiceOn(db, ledger, config.rideIssuerKeys);
  const payments = createPaymentsService({ db, ledger, identity, qrKey: config.qrKey === null ? null : decodeKey(config.qrKey) });
  const city = createCityService({ db, ledger, identity });
  const app = createApp({
    ledger,
    identity,
    auth,
    bus,
    payments,
    city,
    config: { ...config, serviceToken },
    logger,
    checkDatabase: async () => void (await db.query("SELECT 1")),
    clientAddress: nodeClientAddress(config.clientAddressHeader),
  });
  // The four apps are static files served from this same origin: /wallet/, /merchant/, /bus/, /admin/.
  serveApps(app, { distDirs: repoDistDirs() });
  const server = serve({ fetch: app.fetch, port: config.port });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const sweeper = startHoldSweeper(ledger, { intervalMs: holdSweepIntervalMs, logger });
  const keyReload = every(keyReloadIntervalMs, "signing key reload", logger, async () => void (await auth.keys.reload()));
  const identitySweep = every(identitySweepIntervalMs, "identity sweep", logger, async () => void (await identity.sweep()));
  const busSweep = every(busSweepIntervalMs, "bus sweep", logger, async () => void (await bus.sweep()));
  const paymentsSweep = every(paymentsSweepIntervalMs, "payments sweep", logger, async () => void (await payments.sweep()));
  const pointsExpirySweep = every(pointsExpirySweepIntervalMs, "points expiry sweep", logger, async () => void (await city.sweepExpired()));
  // The monthly payout: every process looks, one runs it (a lease row), the month's run id makes a retry a replay.
  const payoutScheduler = createPayoutScheduler({ city, now: () => new Date(), processId: `${hostname()}:${process.pid}` });
  const monthlyPayout = every(payoutSchedulerIntervalMs, "monthly payout", logger, async () => {
    const r = await payoutScheduler.tick();
    if (r.status === "done") logger.info("monthly payout", { month: r.month, run_id: r.runId, outcome: r.outcome });
    if (r.status === "failed") logger.error("monthly payout failed", { month: r.month, code: r.code, attempt: r.attempt });
  });
  const url = `http://localhost:${config.port}`;
  logger.info("listening", { url, database: config.databaseUrl ? "postgres" : `pglite:${config.dataDir}` });

  let closing: Promise<void> | undefined;
  return {
    url,
    app,
    ledger,
    identity,
    auth,
    serviceToken,
    demo,
    close() {
      closing ??= (async () => {
        await sweeper.stop();
        await keyReload.stop();
        await identitySweep.stop();
        await busSweep.stop();
        await paymentsSweep.stop();
        await pointsExpirySweep.stop();
        await monthlyPayout.stop();
        // Stop accepting, let requests in flight finish (their group commits included), then close the database.
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await db.close();
      })();
      return closing;
    },
  };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    // Started by hand or by `npm start`: the embedded database gets the demo town when it is new. A server database
    // (DATABASE_URL) is never seeded unless TSUBAKI_SEED says so: it may be a real town's.
    config = loadConfig({ TSUBAKI_SEED: process.env.DATABASE_URL ? "off" : "empty", ...process.env });
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const running = await startNode(config, logger);
  const shutdown = (signal: string) => {
    logger.info("shutting down", { signal });
    setTimeout(() => {
      logger.error("shutdown timed out; exiting");
      process.exit(1);
    }, shutdownTimeoutMs).unref();
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error("shutdown failed", { error: describeError(error) });
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(`tsubaki api failed to start: ${describeError(error)}`);
    process.exit(1);
  });
}
