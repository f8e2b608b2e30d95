// Unit tests of the kit's pure parts (catalogs, keypad, yen, API client, camera errors, build plugins) run in
// Node; the components themselves are tested in a real Chromium by apps/e2e.
import { reporters } from "@tsubaki/testkit/vitest";
import { defineConfig } from "vitest/config";

export default defineConfig({ test: { include: ["src/**/*.test.ts", "vite/**/*.test.ts"], reporters: reporters("ui"), testTimeout: 60_000 } });
