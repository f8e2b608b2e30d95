// The postgres.js adapter: used on Node with DATABASE_URL and inside Workers with Hyperdrive's connection string.
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import type { Db, Drizzle, SqlClient } from "./client";
import * as schema from "./schema";

export interface PostgresOptions {
  /** Pool size; Workers should use 1 per request. */
  connectionsMax?: number;
}

function wrap(sql: postgres.Sql | postgres.TransactionSql): SqlClient {
  return {
    async query<T>(text: string, params: readonly unknown[] = []) {
      // A copy: forgetParameters empties the array the query keeps, not the caller's.
      const query = sql.unsafe(text, [...params] as postgres.ParameterOrJSON<never>[], { prepare: true });
      const rows = await query;
      forgetParameters(query);
      return rows as unknown as T[];
    },
  };
}

/**
 * Empties a finished query's parameter lists. postgres.js keeps them on the query object (`args`, as passed, and
 * `parameters`, as serialised) for as long as that object is reachable, and a finished query can stay reachable
 * past a scavenge: a heap snapshot finds only the queries in flight, yet V8 was promoting their parameters to the
 * old generation, where they wait for the next full collection (an old object that is itself garbage still
 * holds whatever young object it points to, until then). The parameters of a ledger batch are tens of kB of text
 * (its payments' receipts alone about 30 kB). In bench:pay, emptying them cut what each scavenge promoted from
 * about 3.1 MB to 0.9 MB and its pause from 8.5 to 5.1–5.6 ms. Only after success: an error keeps them for its report.
 */
export function forgetParameters(query: object): void {
  const lists = query as { args?: unknown; parameters?: unknown };
  if (Array.isArray(lists.args)) lists.args.length = 0;
  if (Array.isArray(lists.parameters)) lists.parameters.length = 0;
}

/** `ordered`: a one-connection client whose statements the server runs in the order sent (see Db.ordered). */
export function fromPostgresJs(sql: postgres.Sql, ordered?: postgres.Sql): Db {
  const client = wrap(sql);
  return {
    kind: "postgres",
    query: client.query,
    ...(ordered ? { ordered: wrap(ordered) } : {}),
    // sql.begin, not a reserved connection with BEGIN pipelined: postgres.js 3.4.9's reserve() never sends a
    // query on a connection the pool has not opened yet (a Worker's per-request client always starts so).
    transaction: <T>(fn: (tx: SqlClient) => Promise<T>) => sql.begin((tx) => fn(wrap(tx))) as Promise<T>,
    drizzle: drizzle(sql, { schema }) as unknown as Drizzle,
    close: async () => {
      await Promise.all([sql.end({ timeout: 5 }), ordered?.end({ timeout: 5 })]);
    },
  };
}

/**
 * Sent with each connection. Tsubaki's working set (accounts, recent journal pages, indexes) is in memory, where
 * a random page costs about what a sequential one does. With the default of 4 the planner locked a batch's 64
 * accounts by scanning all 10,000 rows of the table (1.8 ms) instead of 64 primary-key probes (0.3 ms).
 */
const plannerSettings = { random_page_cost: "1.1" };

/**
 * The ledger writer's connection runs only the ledger's write statement, whose account UPDATE must take its row
 * locks in id order (the locking path takes them in that order too, so the two cannot deadlock). It walks the
 * planned rows sorted by id in a nested loop; with hash and merge joins and sequential scans off, any plan the
 * planner can still choose is a nested loop whose outer side is in id order (the sorted rows, or the primary key).
 * A test reads the plan.
 */
const writerPlannerSettings = { enable_hashjoin: "off", enable_mergejoin: "off", enable_seqscan: "off" };

/**
 * Where postgres.js should connect for a URL. libpq's convention for a Unix-domain socket is the `host` query
 * parameter naming the socket's directory (`postgres://user:pw@localhost:5432/db?host=/run/postgresql`, as psql and
 * pgbench read it); postgres.js would instead send an unknown query parameter to the server as a setting, so it
 * is taken off the URL here and becomes the socket's path. On one machine the socket skips the TCP/IP stack: a
 * write of a ledger batch (tens of kB of array literals) then costs the kernel a copy, not segmenting, checksums
 * and the loopback's receive path, on both sides.
 */
export function postgresTarget(url: string): { url: string; path?: string } {
  const parsed = new URL(url);
  const host = parsed.searchParams.get("host");
  if (host === null || !host.startsWith("/")) return { url };
  parsed.searchParams.delete("host");
  const port = parsed.port === "" ? "5432" : parsed.port;
  return { url: parsed.toString(), path: `${host.replace(/\/+$/, "")}/.s.PGSQL.${port}` };
}

export function openPostgres(url: string, options: PostgresOptions = {}): Db {
  const target = postgresTarget(url);
  const socket = target.path === undefined ? {} : { path: target.path };
  const sql = postgres(target.url, {
    ...socket,
    max: options.connectionsMax ?? 20,
    onnotice: () => {},
    connection: { application_name: "tsubaki", ...plannerSettings },
  });
  // One more connection for the ledger's pipelined writes: postgres.js sends queries on one connection without
  // waiting for the answers (up to max_pipeline), and the server runs them in order. Opened on first use.
  const ordered = postgres(target.url, { ...socket, max: 1, onnotice: () => {}, connection: { application_name: "tsubaki-ledger-writer", ...plannerSettings, ...writerPlannerSettings } });
  return fromPostgresJs(sql, ordered);
}
