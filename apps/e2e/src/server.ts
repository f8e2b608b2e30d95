// The system under test, as a user meets it: the Node entry (startNode: migrations, the API, the hold sweeper)
// on a fresh database, with the built apps served from the same origin by serveApps. Builds nothing itself:
// turbo builds @tsubaki/wallet and @tsubaki/merchant first (they are devDependencies of this package).
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { loadConfig } from "@tsubaki/api";
import { createTestDatabase, dropTestDatabase } from "@tsubaki/testkit/pg";
import { testDatabaseUrl } from "@tsubaki/testkit/pg-global-setup";
// The Node entry and the static handler are not in @tsubaki/api's exports (they are Node-only entries), so the
// tests reach them by path.
import { startNode, type RunningServer } from "../../api/src/node";
import { repoDistDirs, serveApps } from "../../api/src/static";

export const serviceToken = "e2e-service-token-0123456789abcdef0123";
export const distDirs = repoDistDirs();

export interface E2eServer {
  /** http://127.0.0.1:PORT — an IP literal on loopback: a secure context, so the camera may be used. */
  origin: string;
  running: RunningServer;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolvePort(port));
    });
  });
}

export interface E2eServerOptions {
  /** Seed the demo town (its logins: apps/api/src/seed.ts), as `npm start` does on a new database. */
  demo?: boolean;
}

export async function startE2eServer(options: E2eServerOptions = {}): Promise<E2eServer> {
  for (const app of ["wallet", "merchant"] as const) {
    if (!existsSync(join(distDirs[app], "index.html"))) {
      throw new Error(`apps/${app}/dist is missing: build first (turbo does, or: npx -y pnpm@10.34.9 --filter @tsubaki/${app} build)`);
    }
  }
  const databaseUrl = await createTestDatabase(testDatabaseUrl(), "e2e");
  const port = await freePort();
  const config = loadConfig({ PORT: String(port), DATABASE_URL: databaseUrl, TSUBAKI_SERVICE_TOKEN: serviceToken, TSUBAKI_LOG_LEVEL: "silent", ...(options.demo ? { TSUBAKI_SEED: "demo" } : {}) });
  const running = await startNode(config);
  // Until node.ts mounts the apps itself; routes may be added until the first request builds the router.
  serveApps(running.app, { distDirs });
  return {
    origin: `http://127.0.0.1:${port}`,
    running,
    async close() {
      await running.close();
      await dropTestDatabase(databaseUrl);
    },
  };
}
