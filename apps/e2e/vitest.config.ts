// End-to-end tests: the real API (startNode on a fresh database of the shared test PostgreSQL) serving the built
// apps, driven by a real Chromium. One file at a time: each starts a browser, and the machine has two cores.
import { reporters } from "@tsubaki/testkit/vitest";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    reporters: reporters("e2e"),
    globalSetup: ["@tsubaki/testkit/pg-global-setup"],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // expect.poll waits 1 s by default; a sign-in runs scrypt on purpose (even for an unknown user), and with the
    // API, PostgreSQL and Chromium sharing two cores that alone can take longer. Waiting is not a pass: the
    // assertion still has to become true.
    expect: { poll: { timeout: 10_000 } },
  },
});
