import { defineConfig } from "vitest/config";
import { reporters } from "@tsubaki/testkit/vitest";

export default defineConfig({ test: { reporters: reporters("auth"), testTimeout: 60_000, include: ["test/**/*.test.ts"] } });
