// Node entry: configuration from process.env, the embedded PGlite (in TSUBAKI_DATA_DIR) or DATABASE_URL,
// migrations, the HTTP server, the hold-expiry sweeper and a graceful shutdown. Everything Node-only stays here.
import { pathToFileURL } from "node:url";
import { serve } from "@hono/node-server";
import { createLedgerStore } from "@tsubaki/db";
import { migrate, openDatabase } from "@tsubaki/db/node";
import { createApp, type TsubakiApp } from "./app";
import { generateServiceToken } from "./auth/principal";
import { ConfigError, loadConfig, type Config } from "./env";
import { createLogger, describeError, type Logger } from "./log";
import { createLedgerService, type LedgerService } from "./services/ledger";
import { repoDistDirs, serveApps } from "./static";
import { startHoldSweeper } from "./sweeper";

/** How often the sweeper looks for lapsed holds. */
export const holdSweepIntervalMs = 5000;
/** A shutdown that takes longer than this exits anyway. */
const shutdownTimeoutMs = 10_000;

export interface RunningServer {
  url: string;
  app: TsubakiApp;
  ledger: LedgerService;
  serviceToken: string;
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

/** Opens the database, migrates, and serves the API. The root `npm start` composes this with the apps. */
export async function startNode(config: Config, logger: Logger = createLogger(config.logLevel)): Promise<RunningServer> {
  const db = await openDatabase(config.databaseUrl ? { url: config.databaseUrl } : { dataDir: config.dataDir });
  await migrate(db);
  const ledger = createLedgerService(createLedgerStore(db, { amountMax: config.amountMaxYen }), { amountMaxYen: config.amountMaxYen });
  const serviceToken = config.serviceToken ?? generateServiceToken();
  if (config.serviceToken === null) printDemoToken(serviceToken);

  const app = createApp({ ledger, config: { ...config, serviceToken }, logger, checkDatabase: async () => void (await db.query("SELECT 1")) });
  // The four apps are static files served from this same origin: /wallet/, /merchant/, /bus/, /admin/.
  serveApps(app, { distDirs: repoDistDirs() });
  const server = serve({ fetch: app.fetch, port: config.port });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const sweeper = startHoldSweeper(ledger, { intervalMs: holdSweepIntervalMs, logger });
  const url = `http://localhost:${config.port}`;
  logger.info("listening", { url, database: config.databaseUrl ? "postgres" : `pglite:${config.dataDir}` });

  let closing: Promise<void> | undefined;
  return {
    url,
    app,
    ledger,
    serviceToken,
    close() {
      closing ??= (async () => {
        await sweeper.stop();
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
    config = loadConfig(process.env);
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
