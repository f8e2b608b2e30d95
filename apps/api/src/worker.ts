// Cloudflare Workers entry. Workers cannot share I/O objects between requests, so each request (and each cron
// run) gets its own postgres.js client over Hyperdrive. It is not closed explicitly: the runtime closes the
// socket when the request ends, and postgres.js's sql.end() on Workers leaves an unhandled "Stream was
// cancelled" rejection behind (porsager/postgres#1202), as Cloudflare's own Hyperdrive examples note. Everything
// Workers-specific (bindings, Hyperdrive, scheduled events) stays in this file.
import postgres from "postgres";
import { createLedgerStore, fromPostgresJs } from "@tsubaki/db";
import { createApp } from "./app";
import { createPaymentsService, decodeKey } from "./services/payments";
import { VerifiedTokenCache } from "./auth/jwt";
import { KeyCache } from "./auth/keys";
import { createIdentity } from "./auth/service";
import { loadConfig, type Config } from "./env";
import { problemResponse } from "./http/problem";
import { createLogger, describeError } from "./log";
import { createLedgerService } from "./services/ledger";
import { sweepExpiredHolds } from "./sweeper";

export interface Env {
  HYPERDRIVE: { connectionString: string };
  [binding: string]: unknown;
}

interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
}

interface ScheduledController {
  scheduledTime: number;
  cron: string;
}

// Configuration depends only on the bindings, which are fixed for an isolate: validate once per env object.
const configs = new WeakMap<Env, Config>();
function configOf(env: Env): Config {
  let config = configs.get(env);
  if (!config) {
    config = loadConfig(env);
    configs.set(env, config);
  }
  return config;
}

// The signing keys outlive a request: one cache per isolate, reloaded from the database at most every 5 minutes
// (keys.ts), each time through the database client of the request that finds them stale.
const keyCache = new KeyCache();
// Verified access tokens too (auth/jwt.ts): a remembered token is still checked against these keys on every use.
const verifiedTokens = new VerifiedTokenCache();

function open(env: Env, config: Config) {
  // One connection per request: Hyperdrive pools the real ones. No prepared-statement cache across requests.
  const sql = postgres(env.HYPERDRIVE.connectionString, { max: 1, fetch_types: false, onnotice: () => {} });
  const db = fromPostgresJs(sql);
  const ledger = createLedgerService(createLedgerStore(db, { amountMax: config.amountMaxYen }), { amountMaxYen: config.amountMaxYen });
  return { db, ledger, ...createIdentity(db, config, { keyCache }) };
}

export default {
  async fetch(request: Request, env: Env, _ctx: ExecutionContext): Promise<Response> {
    let config: Config;
    try {
      config = configOf(env);
    } catch (error) {
      // A misconfigured deployment says so in its log; callers get a plain 500 problem, never the details.
      console.error(describeError(error));
      return problemResponse("internal_error", "the server is misconfigured; see its log", crypto.randomUUID());
    }
    const { db, ledger, identity, auth } = open(env, config);
    const app = createApp({
      ledger,
      identity,
      auth,
      // Per request like the database client; live shop events need the Node entry (a Worker holds no stream).
      payments: createPaymentsService({ db, ledger, identity, qrKey: config.qrKey === null ? null : decodeKey(config.qrKey) }),
      config,
      verifiedTokens,
      logger: createLogger(config.logLevel),
      checkDatabase: async () => void (await db.query("SELECT 1")),
      // Set by Cloudflare's edge; a client cannot forge it.
      clientAddress: (c) => c.req.header("cf-connecting-ip") ?? null,
    });
    return app.fetch(request);
  },

  async scheduled(_controller: ScheduledController, env: Env, _ctx: ExecutionContext): Promise<void> {
    const config = configOf(env);
    const logger = createLogger(config.logLevel);
    const { ledger, identity } = open(env, config);
    try {
      const count = await sweepExpiredHolds(ledger);
      if (count > 0) logger.info("expired holds", { count });
      const swept = await identity.sweep();
      logger.debug("identity sweep", { device_nonces: swept.deviceNonces, throttles: swept.throttles, refresh_tokens: swept.refreshTokens });
    } catch (error) {
      logger.error("hold sweep failed", { error: describeError(error) });
      throw error;
    }
  },
};
