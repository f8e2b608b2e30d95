// Node-only entry: opens the embedded PGlite (a directory or memory) or a real server, and runs migrations.
// Kept apart from the main entry so a Worker bundle never pulls in PGlite or node:fs.
import { existsSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import type { PgliteDatabase } from "drizzle-orm/pglite";
import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import type { Db, Drizzle, SqlClient } from "./client";
import { openPostgres } from "./postgres";
import * as schema from "./schema";

export const migrationsFolder = resolve(dirname(fileURLToPath(import.meta.url)), "../../../drizzle");

export interface OpenOptions {
  /** A PostgreSQL URL; when absent the embedded PGlite is used. */
  url?: string | undefined;
  /** PGlite data directory, or "memory". Default "./data". */
  dataDir?: string | undefined;
  connectionsMax?: number;
}

function wrapPglite(pg: Pick<PGlite, "query">): SqlClient {
  return {
    async query<T>(text: string, params: readonly unknown[] = []) {
      const result = await pg.query<T>(text, params as unknown[]);
      return result.rows;
    },
  };
}

export async function openPglite(dataDir: string): Promise<Db> {
  if (dataDir !== "memory" && !existsSync(dataDir)) mkdirSync(dataDir, { recursive: true });
  const pg = dataDir === "memory" ? new PGlite() : new PGlite(dataDir);
  await pg.waitReady;
  const client = wrapPglite(pg);
  return {
    kind: "pglite",
    query: client.query,
    // PGlite runs one statement at a time, in the order asked.
    ordered: client,
    transaction: <T>(fn: (tx: SqlClient) => Promise<T>) => pg.transaction((tx) => fn(wrapPglite(tx))),
    drizzle: drizzlePglite(pg, { schema }) as unknown as Drizzle,
    close: () => pg.close(),
  };
}

export async function openDatabase(options: OpenOptions = {}): Promise<Db> {
  if (options.url) return openPostgres(options.url, { connectionsMax: options.connectionsMax ?? 20 });
  return openPglite(options.dataDir ?? "./data");
}

/** Applies every migration in drizzle/ that has not run yet. Safe to call at each start. */
export async function migrate(db: Db): Promise<void> {
  if (db.kind === "pglite") {
    await migratePglite(db.drizzle as unknown as PgliteDatabase<typeof schema>, { migrationsFolder });
  } else {
    await migratePostgres(db.drizzle as unknown as PostgresJsDatabase<typeof schema>, { migrationsFolder });
  }
}
