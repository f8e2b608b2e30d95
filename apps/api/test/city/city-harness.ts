// The city service over a real database (PGlite or a PostgreSQL database of its own), with a clock the test moves.
import { createIdentityStore, createLedgerStore, type Db, type IdentityStore } from "@tsubaki/db";
import { migrate, openDatabase } from "@tsubaki/db/node";
import { createTestDatabase, dropTestDatabase } from "@tsubaki/testkit/pg";
import { testDatabaseUrl } from "@tsubaki/testkit/pg-global-setup";
import { createCityService, type Actor, type CityService } from "../../src/services/city";
import { createLedgerService, type LedgerService } from "../../src/services/ledger";

export interface CityHarness {
  db: Db;
  ledger: LedgerService;
  identity: IdentityStore;
  city: CityService;
  clock: { now: Date };
  close(): Promise<void>;
}

export async function openCityHarness(backend: "pglite" | "postgres", start: Date): Promise<CityHarness> {
  let url: string | undefined;
  let db: Db;
  if (backend === "pglite") {
    db = await openDatabase({ dataDir: "memory" });
  } else {
    url = await createTestDatabase(testDatabaseUrl(), "city");
    db = await openDatabase({ url });
  }
  await migrate(db);
  const clock = { now: start };
  const now = () => clock.now;
  const ledger = createLedgerService(createLedgerStore(db, { amountMax: 10_000_000_000n, now }), { amountMaxYen: 10_000_000_000n });
  const identity = createIdentityStore(db, { now });
  const city = createCityService({ db, ledger, identity, now });
  return {
    db,
    ledger,
    identity,
    city,
    clock,
    async close() {
      await db.close();
      if (url) await dropTestDatabase(url);
    },
  };
}

export const operator: Actor = { userId: "u_operator", roles: ["admin_operator"] };
export const approverA: Actor = { userId: "u_approver_a", roles: ["admin_operator", "admin_approver"] };
export const approverB: Actor = { userId: "u_approver_b", roles: ["admin_approver"] };
