// pnpm bench:grant — a bulk grant of one campaign to 50,000 residents on a real PostgreSQL, end to end through the
// city service (plan, cap reservations, lot accounts, one ledger transfer per resident through the group
// committer), after a second administrator approves it. Then the same grant again, which must grant nobody twice.
// Target: the grant in ≤ 5 s.
import { createIdentityStore, createLedgerStore } from "@tsubaki/db";
import { migrate, openDatabase } from "@tsubaki/db/node";
import { createCityService, budgetAccountId } from "../apps/api/src/services/city";
import { createLedgerService } from "../apps/api/src/services/ledger";
import { printTable, progress } from "./lib/report";
import { createTestDatabase } from "@tsubaki/testkit/pg";

const residentsCount = Number(process.env.BENCH_RESIDENTS ?? 50_000);
const grantYen = 1000n;
const targetMs = 5000;

const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) throw new Error("DATABASE_URL is not set (run through `pnpm bench:grant`, which starts a server)");

/** A new, empty database on the benchmark server (testkit names and guards it). */
const freshDatabase = (prefix: string) => createTestDatabase(serverUrl!, prefix);

async function main() {
  const url = await freshDatabase("bench_grant");
  const db = await openDatabase({ url, connectionsMax: 8 });
  await migrate(db);
  const ledger = createLedgerService(createLedgerStore(db), { amountMaxYen: 10_000_000_000n, queueLengthMax: 20_000 });
  const city = createCityService({ db, ledger, identity: createIdentityStore(db) });
  const operator = { userId: "u_bench_operator", roles: ["admin_operator"] };
  const approver = { userId: "u_bench_approver", roles: ["admin_approver"] };
  const now = new Date();
  const created = await city.createCampaign(
    {
      id: "bench",
      nameJa: "ベンチ給付",
      nameEn: "Bench grant",
      kind: "grant",
      grantYen,
      capPerPersonYen: grantYen,
      restriction: null,
      startsAt: new Date(now.getTime() - 3600_000),
      endsAt: new Date(now.getTime() + 30 * 86_400_000),
    },
    operator,
  );
  if (!created.ok) throw new Error(created.detail);
  const budgetYen = grantYen * BigInt(residentsCount);
  const fund = await city.fundCampaign("bench", budgetYen, "bench-fund", operator);
  if (!fund.ok || fund.status !== "pending_approval") throw new Error("funding should wait for approval");
  await city.approveRequest(fund.request.id, approver);

  const residents = Array.from({ length: residentsCount }, (_, i) => `r_bench${String(i).padStart(8, "0")}`);
  const asked = await city.requestGrant("bench", residents, grantYen, undefined, "bench-grant", operator);
  if (!asked.ok || asked.status !== "pending_approval") throw new Error("the grant should wait for approval");

  progress(`granting ¥${grantYen} to ${residentsCount} residents`);
  let started = performance.now();
  const done = await city.approveRequest(asked.request.id, approver, (p) => progress(`  ${p.doneCount}/${p.totalCount}`));
  const grantMs = performance.now() - started;
  if (!done.ok) throw new Error(done.detail);

  progress("running the same grant again (must grant nobody)");
  started = performance.now();
  const again = await city.runGrant("bench", residents, grantYen, undefined, operator, { runId: "bench-rerun", approvedBy: approver.userId });
  const rerunMs = performance.now() - started;
  if (!again.ok) throw new Error(again.detail);

  const budget = await ledger.getAccount(budgetAccountId("bench"));
  const [lots] = await db.query<{ n: number; s: string }>(`SELECT count(*)::int AS n, sum(granted_yen)::text AS s FROM point_lots WHERE campaign_id = 'bench'`);
  const auditStarted = performance.now();
  const audit = await ledger.audit();
  const auditMs = performance.now() - auditStarted;
  const result = {
    residents: residentsCount,
    grant_ms: Math.round(grantMs),
    grants_per_s: Math.round(residentsCount / (grantMs / 1000)),
    target_ms: targetMs,
    target_met: grantMs <= targetMs,
    rerun_ms: Math.round(rerunMs),
    rerun_granted: again.grantedCount,
    rerun_replayed: again.replayedCount,
    lots: lots?.n ?? 0,
    lots_yen: lots?.s ?? "0",
    budget_left_yen: budget ? (budget.creditsPosted - budget.debitsPosted).toString() : null,
    ledger_audit_ok: audit.ok,
    audit_ms: Math.round(auditMs),
  };
  console.log(JSON.stringify(result));
  printTable([
    { step: `grant ${residentsCount} (after approval)`, ms: result.grant_ms, "per s": result.grants_per_s },
    { step: "same grant again (replay)", ms: result.rerun_ms, "per s": Math.round(residentsCount / (rerunMs / 1000)) },
  ]);
  await db.close();
  if (!result.target_met || again.grantedCount !== 0 || !audit.ok || result.lots !== residentsCount) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
