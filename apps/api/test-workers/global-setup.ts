// Node-side globalSetup of the workerd tests: a fresh, migrated database on the real PostgreSQL (TEST_DATABASE_URL
// as `npm test` sets it, else an embedded server for this run), handed to the pool as the Hyperdrive binding's
// local connection string through provide/inject. The tests themselves run inside workerd and cannot migrate.
import { migrate, openDatabase } from "@tsubaki/db/node";
import { createTestDatabase, dropTestDatabase, startTestPostgres, tcpUrl } from "@tsubaki/testkit/pg";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    hyperdriveUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startTestPostgres();
  let url: string | undefined;
  try {
    url = await createTestDatabase(server.url, "workers");
    const db = await openDatabase({ url, connectionsMax: 1 });
    try {
      await migrate(db);
    } finally {
      await db.close();
    }
  } catch (error) {
    if (url) await dropTestDatabase(url).catch(() => {});
    await server.stop();
    throw error;
  }
  project.provide("hyperdriveUrl", hyperdriveConnectionString(url));
  return async () => {
    try {
      await dropTestDatabase(url);
    } finally {
      await server.stop();
    }
  };
}

/**
 * Miniflare (like Hyperdrive) insists on a password in the URL. A server without one (trust authentication)
 * ignores whatever is sent, so a placeholder is harmless there; a server that wants a password needs it in the URL.
 */
function hyperdriveConnectionString(url: string): string {
  // Hyperdrive reaches its database over TCP, not the Unix socket the test server's URL names.
  const parsed = new URL(tcpUrl(url));
  if (parsed.password === "") parsed.password = "unused-password";
  return parsed.toString();
}
