// API tests: Hono's app.request against the real ledger store, on PGlite and on a real PostgreSQL server.
import { defineConfig } from "vitest/config";
import { reporters } from "@tsubaki/testkit/vitest";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    reporters: reporters("api"),
    globalSetup: ["@tsubaki/testkit/pg-global-setup"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
