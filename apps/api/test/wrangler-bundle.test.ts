// `wrangler deploy --dry-run` bundles the Workers entry exactly as a deploy would (root wrangler.toml, esbuild,
// nodejs_compat) without uploading anything. The bundle must not pull in the embedded PGlite (Node only).
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const apiDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repoRoot = resolve(apiDir, "../..");
const wrangler = join(apiDir, "node_modules", ".bin", "wrangler");

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "tsubaki-wrangler-"));
});
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

function dryRun(outdir: string): Promise<{ code: number; output: string }> {
  return new Promise((resolvePromise) => {
    execFile(
      wrangler,
      ["deploy", "--dry-run", "--outdir", outdir],
      {
        cwd: repoRoot,
        timeout: 30_000,
        maxBuffer: 16 * 1024 * 1024,
        env: {
          ...process.env,
          CI: "true",
          // No network: no metrics, no banner (the banner's npm update check is the only request a dry run makes).
          WRANGLER_SEND_METRICS: "false",
          WRANGLER_SEND_ERROR_REPORTS: "false",
          WRANGLER_HIDE_BANNER: "true",
          WRANGLER_LOG_PATH: join(outdir, "..", "logs"),
          NO_COLOR: "1",
        },
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolvePromise({ code, output: `${stdout}\n${stderr}${error && typeof error.code !== "number" ? `\n${error.message}` : ""}` });
      },
    );
  });
}

describe("wrangler deploy --dry-run", () => {
  it("bundles the API without PGlite", async () => {
    const outdir = join(tmp, "dist");
    const { code, output } = await dryRun(outdir);
    expect(code, output).toBe(0);
    expect(output).toContain("--dry-run: exiting now.");
    expect(output).toContain("env.HYPERDRIVE");

    const bundle = join(outdir, "worker.js");
    expect(existsSync(bundle), output).toBe(true);
    const text = readFileSync(bundle, "utf8");
    expect(text.length).toBeGreaterThan(10_000);
    expect(text).not.toContain("@electric-sql/pglite");
    expect(text).not.toContain("PGlite");
    // postgres.js resolved to its Workers build, which connects through cloudflare:sockets (i.e. Hyperdrive).
    expect(text).toContain("cloudflare:sockets");
  }, 60_000);
});
