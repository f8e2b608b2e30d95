import { defineConfig } from "vitest/config";
import { reporters } from "@tsubaki/testkit/vitest";

export default defineConfig({
  test: {
    reporters: reporters("db"),
    include: ["test/**/*.test.ts"],
    globalSetup: ["@tsubaki/testkit/pg-global-setup"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
