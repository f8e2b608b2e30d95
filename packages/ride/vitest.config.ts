import { defineConfig } from "vitest/config";
import { reporters } from "@tsubaki/testkit/vitest";

export default defineConfig({ test: { reporters: reporters("ride"), testTimeout: 120000, include: ["test/**/*.test.ts"] } });
