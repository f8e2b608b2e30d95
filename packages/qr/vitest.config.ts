// Test settings for @tsubaki/qr: the shared reporters (console + JSON for the repo-wide summary) and a long
// timeout for the exhaustive corruption and PNG round-trip tests.
import { reporters } from "@tsubaki/testkit/vitest";
import { defineConfig } from "vitest/config";

export default defineConfig({ test: { reporters: reporters("qr"), testTimeout: 60000 } });
