// The postgres.js adapter empties a finished query's parameter lists (forgetParameters in src/postgres.ts): a
// finished query object can stay reachable past a scavenge, and with its parameters (a ledger batch's are tens of
// kB) it made V8 promote them. These tests hold postgres.js to the field names that relies on, and show that the
// caller's own parameter array is left as it was.
import { connectTest, createTestDatabase, dropTestDatabase } from "@tsubaki/testkit/pg";
import { testDatabaseUrl } from "@tsubaki/testkit/pg-global-setup";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { forgetParameters, fromPostgresJs } from "../src/postgres";

describe("a finished query's parameters", () => {
  let url: string;
  let sql: postgres.Sql;
  beforeAll(async () => {
    url = await createTestDatabase(testDatabaseUrl(), "params");
    sql = connectTest(url, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await sql?.end({ timeout: 5 });
    if (url) await dropTestDatabase(url);
  });

  it("are kept by postgres.js on the query object, and forgetParameters empties both lists", async () => {
    const receipts = `{"kind":"payment","shop":"野々市"}`.repeat(500);
    const query = sql.unsafe("SELECT length($1::text) AS n", [receipts], { prepare: true });
    const [row] = await query;
    expect(Number(row!.n)).toBe(receipts.length);
    // What forgetParameters relies on: if postgres.js renames these, this fails instead of the fix going quiet.
    const lists = query as unknown as { args: unknown[]; parameters: unknown[] };
    expect(lists.args).toEqual([receipts]);
    expect(lists.parameters).toEqual([receipts]);
    forgetParameters(query);
    expect(lists.args).toEqual([]);
    expect(lists.parameters).toEqual([]);
  });

  it("are forgotten by the adapter once it has the rows, from its own copy: the caller's array is unchanged", async () => {
    // The adapter's queries, seen through a proxy of the client.
    const sent: { args: unknown[]; parameters: unknown[] }[] = [];
    const watched = new Proxy(sql, {
      get(target, property, receiver) {
        if (property !== "unsafe") return Reflect.get(target, property, receiver);
        return (...call: Parameters<postgres.Sql["unsafe"]>) => {
          const query = target.unsafe(...call);
          sent.push(query as unknown as { args: unknown[]; parameters: unknown[] });
          return query;
        };
      },
    });
    const db = fromPostgresJs(watched);
    const params = ["a", "b"];
    const [first] = await db.query<{ v: string }>("SELECT $1::text || $2::text AS v", params);
    expect(first!.v).toBe("ab");
    expect(sent).toHaveLength(1);
    expect(sent[0]!.args).toEqual([]);
    expect(sent[0]!.parameters).toEqual([]);
    expect(params).toEqual(["a", "b"]);
    const [second] = await db.query<{ v: string }>("SELECT $2::text || $1::text AS v", params);
    expect(second!.v).toBe("ba");
  });

  it("leave a failing query to reject as before, and the connection goes on", async () => {
    const db = fromPostgresJs(sql);
    await expect(db.query("SELECT 1 / $1::int AS v", [0])).rejects.toThrow(/division by zero/);
    const [ok] = await db.query<{ v: number }>("SELECT 1 / $1::int AS v", [1]);
    expect(ok!.v).toBe(1);
  });
});
