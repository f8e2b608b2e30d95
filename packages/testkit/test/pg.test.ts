// The shared server from pg-global-setup gives each test file its own database, with the settings benchmarks rely on.
import { describe, expect, it } from "vitest";
import { connectTest, createTestDatabase, dropTestDatabase } from "../src/pg";
import { testDatabaseUrl } from "../src/pg-global-setup";

describe("test PostgreSQL", () => {
  it("creates an isolated database, and drops it again", async () => {
    const url = await createTestDatabase(testDatabaseUrl(), "testkit");
    const name = new URL(url).pathname.slice(1);
    expect(name).toMatch(/^testkit_[0-9a-f]{12}$/);

    const sql = connectTest(url, { max: 1 });
    try {
      const [row] = await sql`select current_database() as db, current_setting('fsync') as fsync`;
      expect(row).toEqual({ db: name, fsync: "on" });
    } finally {
      await sql.end();
    }

    await dropTestDatabase(url);
    const admin = connectTest(testDatabaseUrl(), { max: 1 });
    try {
      expect(await admin`select 1 from pg_database where datname = ${name}`).toHaveLength(0);
    } finally {
      await admin.end();
    }
  });

  it("refuses to drop a database it did not create", async () => {
    await expect(dropTestDatabase(testDatabaseUrl())).rejects.toThrow(/not a test database/);
  });
});
