// `tsx apps/api/src/cli/grant.ts`: a bulk grant from the command line, with progress, for lists too large to upload
// through a browser or for a night run. The actor is a real user (their roles are read from the database), so the
// approval rules and the audit log are the same as in the console:
//
//   grant.ts --campaign <id> --csv residents.csv --amount 1000 --key <idempotency key> --as <user id>
//   grant.ts --approve <approval id> --as <approver user id>
//
// Running the same grant again grants nobody twice. Uses DATABASE_URL, else the PGlite in ./data.
import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parseGrantCsv } from "@tsubaki/city";
import { createIdentityStore, createLedgerStore } from "@tsubaki/db";
import { openDatabase } from "@tsubaki/db/node";
import { ConfigError, loadConfig } from "../env";
import { describeError } from "../log";
import { createCityService, type GrantProgress } from "../services/city";
import { createLedgerService } from "../services/ledger";

const usage = "usage: grant.ts --campaign <id> --csv <file> --amount <yen> --key <key> --as <user id> | --approve <approval id> --as <user id>";

function printProgress(p: GrantProgress): void {
  const percent = p.totalCount === 0 ? 100 : Math.floor((p.doneCount * 100) / p.totalCount);
  console.log(`  ${p.doneCount}/${p.totalCount} (${percent}%)  granted ${p.grantedCount}  ¥${p.grantedYen}`);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { campaign: { type: "string" }, csv: { type: "string" }, amount: { type: "string" }, key: { type: "string" }, as: { type: "string" }, approve: { type: "string" } },
  });
  if (!values.as || (!values.approve && (!values.campaign || !values.csv || !values.amount || !values.key))) {
    console.error(usage);
    return 2;
  }
  const config = loadConfig(process.env);
  if (!config.databaseUrl && !existsSync(config.dataDir)) {
    console.error(`no database: set DATABASE_URL, or TSUBAKI_DATA_DIR to a data directory (${config.dataDir} does not exist)`);
    return 1;
  }
  const db = await openDatabase(config.databaseUrl ? { url: config.databaseUrl } : { dataDir: config.dataDir });
  try {
    const ledger = createLedgerService(createLedgerStore(db, { amountMax: config.amountMaxYen }), { amountMaxYen: config.amountMaxYen });
    const identity = createIdentityStore(db);
    const city = createCityService({ db, ledger, identity });
    const actor = { userId: values.as, roles: await identity.rolesOf(values.as), requestId: `cli-${Date.now()}` };
    if (values.approve) {
      const r = await city.approveRequest(values.approve, actor, printProgress);
      if (!r.ok) return failed(r);
      console.log(`approved and executed: ${JSON.stringify(r.result)}`);
      return 0;
    }
    const parsed = parseGrantCsv(readFileSync(values.csv!, "utf8"));
    if (!parsed.ok) {
      for (const e of parsed.errors) console.error(`  line ${e.line}: ${e.code} ${e.detail}`);
      console.error(`${parsed.errorCount} error(s); nothing was granted`);
      return 1;
    }
    const amounts = parsed.hasAmounts ? new Map(parsed.rows.map((r) => [r.residentId, r.amountYen ?? BigInt(values.amount!)])) : undefined;
    const r = await city.requestGrant(values.campaign!, parsed.rows.map((row) => row.residentId), BigInt(values.amount!), amounts, values.key!, actor, printProgress);
    if (!r.ok) return failed(r);
    if (r.status === "pending_approval") {
      console.log(`¥${r.plannedYen} to ${r.plannedCount} residents needs a second approver: approval ${r.request.id}`);
      return 0;
    }
    console.log(`granted ${r.grantedCount} (¥${r.grantedYen}), already granted ${r.replayedCount}, skipped ${JSON.stringify(r.skipped)}; run ${r.runId}`);
    return 0;
  } finally {
    await db.close();
  }
}

function failed(r: { code: string; detail: string }): number {
  console.error(`${r.code}: ${r.detail}`);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : `grant could not run: ${describeError(error)}`);
    process.exit(1);
  },
);
