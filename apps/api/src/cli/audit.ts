// `pnpm ledger:audit`: recomputes every balance from the journal and checks every invariant, prints each check,
// and exits 1 when one fails (so it can run from cron or CI). Uses DATABASE_URL, else the PGlite in ./data
// (TSUBAKI_DATA_DIR). PGlite allows one process at a time: while the server runs on it, use GET /v1/ledger/audit.
import { existsSync } from "node:fs";
import { createLedgerStore } from "@tsubaki/db";
import { openDatabase } from "@tsubaki/db/node";
import { ConfigError, loadConfig } from "../env";
import { describeError } from "../log";

async function main(): Promise<number> {
  const config = loadConfig(process.env);
  if (!config.databaseUrl && !existsSync(config.dataDir)) {
    console.error(`no database: set DATABASE_URL, or TSUBAKI_DATA_DIR to a data directory (${config.dataDir} does not exist)`);
    return 1;
  }
  const db = await openDatabase(config.databaseUrl ? { url: config.databaseUrl } : { dataDir: config.dataDir });
  try {
    const report = await createLedgerStore(db).audit();
    console.log(`ledger audit (${config.databaseUrl ? "DATABASE_URL" : config.dataDir})`);
    for (const check of report.checks) console.log(`  ${check.ok ? "ok  " : "FAIL"}  ${check.name}: ${check.detail}`);
    console.log(report.ok ? "audit passed" : "AUDIT FAILED");
    return report.ok ? 0 : 1;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : `audit could not run: ${describeError(error)}`);
    process.exit(1);
  },
);
