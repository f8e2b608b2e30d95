// The Workers entry (src/worker.ts, from the root wrangler.toml) run inside workerd by
// @cloudflare/vitest-pool-workers, against the real PostgreSQL through the Hyperdrive binding's local connection
// string: test-workers/global-setup.ts makes a migrated database and provides its URL, which becomes
// miniflare's `hyperdrives.HYPERDRIVE` (overriding wrangler.toml's localConnectionString).
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { reporters } from "@tsubaki/testkit/vitest";
import type {} from "./test-workers/global-setup"; // its `hyperdriveUrl` in vitest's ProvidedContext

/** A test value only: Workers get the real one from `wrangler secret put TSUBAKI_SERVICE_TOKEN`. */
const serviceToken = "workers-test-service-token-0123456789abcdef";

export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: "../../wrangler.toml" },
      // Nothing in wrangler.toml is `remote`; never start a remote proxy session (it would need a login).
      remoteBindings: false,
      miniflare: {
        hyperdrives: { HYPERDRIVE: inject("hyperdriveUrl") },
        bindings: { TSUBAKI_SERVICE_TOKEN: serviceToken, TSUBAKI_LOG_LEVEL: "error" },
      },
    })),
  ],
  test: {
    include: ["test-workers/**/*.test.ts"],
    reporters: reporters("api-workers"),
    globalSetup: ["./test-workers/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
