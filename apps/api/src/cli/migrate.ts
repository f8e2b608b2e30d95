// `npm run db:migrate`: applies the SQL migrations in drizzle/ to DATABASE_URL (or the PGlite in ./data). The
// Node entry migrates at start; a Workers deployment runs this from a machine that can reach its PostgreSQL.
import { migrate, openDatabase } from "@tsubaki/db/node";
import { ConfigError, loadConfig } from "../env";
import { describeError } from "../log";

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const db = await openDatabase(config.databaseUrl ? { url: config.databaseUrl } : { dataDir: config.dataDir });
  try {
    await migrate(db);
    console.log(`migrations applied (${config.databaseUrl ? "DATABASE_URL" : config.dataDir})`);
  } finally {
    await db.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : `migration failed: ${describeError(error)}`);
    process.exit(1);
  },
);
