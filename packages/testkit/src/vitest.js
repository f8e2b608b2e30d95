// Shared vitest settings: every package writes a JSON report to one folder so `npm test` can print a single
// "N passed, N failed" line for CI, whatever ran. Plain JS (types in vitest.d.ts) because vitest.config.ts files
// are loaded by plain Node, which cannot import a .ts file from a linked workspace package.
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export function testResultsDir() {
  const dir = process.env.TEST_RESULTS_DIR ?? join(repoRoot, ".test-results");
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Reporters for a package's vitest config: the default console output plus a JSON file named after the suite. */
export function reporters(suite) {
  return ["default", ["json", { outputFile: join(testResultsDir(), `${suite}.json`) }]];
}
