// testkit's own tests prove the infrastructure works (embedded PostgreSQL, Chromium's fake camera, axe).
import { defineConfig } from "vitest/config";
import { reporters } from "./src/vitest.js";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    reporters: reporters("testkit"),
    globalSetup: ["./src/pg-global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
