// A DATABASE_URL may name a Unix-domain socket the way libpq does (`?host=/dir`); postgres.js must then connect to
// the socket, and must not send `host` to the server as a setting (which the server refuses).
import { createTestDatabase, dropTestDatabase, tcpUrl } from "@tsubaki/testkit/pg";
import { testDatabaseUrl } from "@tsubaki/testkit/pg-global-setup";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgres, postgresTarget } from "../src/postgres";

describe("postgresTarget", () => {
  it("turns libpq's socket directory into postgres.js's socket path, and leaves the rest of the URL", () => {
    expect(postgresTarget("postgres://u:p@localhost:6543/db?host=%2Fvar%2Frun%2Fpostgresql")).toEqual({
      url: "postgres://u:p@localhost:6543/db",
      path: "/var/run/postgresql/.s.PGSQL.6543",
    });
    expect(postgresTarget("postgres://u:p@localhost/db?host=/tmp/&sslmode=disable")).toEqual({
      url: "postgres://u:p@localhost/db?sslmode=disable",
      path: "/tmp/.s.PGSQL.5432",
    });
  });

  it("leaves a TCP URL alone, and a host parameter that is not a directory", () => {
    expect(postgresTarget("postgres://u:p@db.example:5432/db")).toEqual({ url: "postgres://u:p@db.example:5432/db" });
    expect(postgresTarget("postgres://u:p@db.example/db?host=other")).toEqual({ url: "postgres://u:p@db.example/db?host=other" });
  });
});

describe("openPostgres over a socket and over TCP", () => {
  let url: string;
  beforeAll(async () => {
    url = await createTestDatabase(testDatabaseUrl(), "target");
  });
  afterAll(async () => {
    if (url) await dropTestDatabase(url);
  });

  it("reaches the same database either way, the socket with no client address", async () => {
    const viaUrl = openPostgres(url, { connectionsMax: 1 });
    const viaTcp = openPostgres(tcpUrl(url), { connectionsMax: 1 });
    try {
      const sql = `SELECT current_database() AS db, inet_client_addr()::text AS client`;
      const [[a], [b]] = await Promise.all([viaUrl.query<{ db: string; client: string | null }>(sql), viaTcp.query<{ db: string; client: string | null }>(sql)]);
      expect(a!.db).toBe(b!.db);
      expect(b!.client).toBe("127.0.0.1/32");
      // The test server's URL names its socket (unless TEST_DATABASE_URL is a TCP one): no client address then.
      if (new URL(url).searchParams.get("host")?.startsWith("/")) expect(a!.client).toBeNull();
    } finally {
      await Promise.all([viaUrl.close(), viaTcp.close()]);
    }
  });
});
