// Every ledger store test runs twice: on the embedded PGlite and on a real PostgreSQL server.
import { createTestDatabase, dropTestDatabase } from "@tsubaki/testkit/pg";
import { testDatabaseUrl } from "@tsubaki/testkit/pg-global-setup";
import { openDatabase, migrate } from "../src/node";
import type { Db } from "../src/client";

export const backends = ["pglite", "postgres"] as const;
export type Backend = (typeof backends)[number];

export async function openBackend(backend: Backend): Promise<{ db: Db; url?: string; close(): Promise<void> }> {
  if (backend === "pglite") {
    const db = await openDatabase({ dataDir: "memory" });
    await migrate(db);
    return { db, close: () => db.close() };
  }
  const url = await createTestDatabase(testDatabaseUrl(), "db");
  const db = await openDatabase({ url });
  await migrate(db);
  return {
    db,
    url,
    async close() {
      await db.close();
      await dropTestDatabase(url);
    },
  };
}
