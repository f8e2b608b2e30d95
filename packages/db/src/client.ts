// A tiny SQL surface that PGlite and postgres.js both provide, so the ledger store runs unchanged on the embedded
// database, on a real server and inside a Worker (through Hyperdrive).
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type * as schema from "./schema";

export interface SqlClient {
  /** Runs one parameterised statement ($1, $2, ...) and returns its rows. */
  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<T[]>;
}

export type Drizzle = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Db extends SqlClient {
  readonly kind: "pglite" | "postgres";
  /** Runs fn in one database transaction (READ COMMITTED); rolls back when it throws. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  /**
   * Statements sent here run one after another in the order they were sent, each in its own implicit transaction,
   * and may be pipelined (sent before the previous one answered). Absent: `query` (a pool may reorder).
   */
  readonly ordered?: SqlClient;
  /** The drizzle query builder over the same connection, for the application's tables. */
  readonly drizzle: Drizzle;
  close(): Promise<void>;
}

/** PostgreSQL error codes worth retrying a whole transaction for. */
export const retryableSqlStates = new Set(["40001", "40P01", "23505"]);

export function sqlState(error: unknown): string | undefined {
  if (error && typeof error === "object" && "code" in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}
