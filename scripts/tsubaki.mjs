#!/usr/bin/env node
// One entry point for `npm start`, `npm test` and `npm run bench:*` on a fresh clone: it installs, provides
// PostgreSQL and Chromium, and runs the real work. Plain Node with no dependencies, because it runs before install.
import { spawn, spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { constants as osConstants } from "node:os";
import { basename, delimiter, dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const pnpmSpec = "pnpm@10.34.9";
const testResultsDir = join(repoRoot, ".test-results");
const pgStartTimeoutMs = 60_000;
const pgStopTimeoutMs = 15_000;
const chromiumResolveTimeoutMs = 180_000;
const { signals } = osConstants;
const usage = "usage: node scripts/tsubaki.mjs <start | test | bench <name> [args...]> [--no-install]";

const argv = process.argv.slice(2);
const skipInstall = argv.includes("--no-install");
const [command, ...rest] = argv.filter((a) => a !== "--no-install");

const bin = (name) => join(repoRoot, "node_modules", ".bin", name);
const log = (line) => console.log(`[tsubaki] ${line}`);

// --- child processes and signals -------------------------------------------------------------------------------

const children = new Map(); // running foreground children -> whether each leads its own process group
const cleanups = []; // run once on the way out, newest first
const childStopGraceMs = 15_000;
let interrupted = null;

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    if (interrupted) {
      // Second signal: leave now. Process groups we started would outlive us, so kill them; pg-server stops by
      // itself when our pipe to it closes.
      for (const [child, group] of children) if (group) signalChild(child, group, "SIGKILL");
      process.exit(128 + signals[signal]);
    }
    interrupted = signal;
    log(`${signal}: stopping`);
    for (const [child, group] of children) {
      // A terminal's Ctrl-C already reached children in our own process group; don't deliver it twice.
      if (!group && signal === "SIGINT" && process.stdin.isTTY) continue;
      signalChild(child, group, signal);
      setTimeout(() => signalChild(child, group, "SIGKILL"), childStopGraceMs).unref();
    }
  });
}

function signalChild(child, group, signal) {
  try {
    if (group) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    // already gone
  }
}

/**
 * Runs a command with inherited output and resolves to its exit code (128+n when killed by signal n). With
 * `group`, the command leads its own process group, so a stop reaches all of it at once (turbo, pnpm, vitest,
 * Chromium); it then gets no stdin, as a background group reading the terminal would be stopped.
 */
function run(file, args, { group = false } = {}) {
  return new Promise((resolvePromise) => {
    const stdio = group ? ["ignore", "inherit", "inherit"] : "inherit";
    const child = spawn(file, args, { cwd: repoRoot, stdio, detached: group });
    children.set(child, group);
    child.once("error", (error) => {
      children.delete(child);
      console.error(`[tsubaki] cannot run ${file}: ${error.message}`);
      resolvePromise(127);
    });
    child.once("exit", (code, signal) => {
      children.delete(child);
      resolvePromise(code ?? 128 + (signals[signal] ?? 0));
    });
  });
}

class Failure extends Error {}
const fail = (message) => {
  throw new Failure(message);
};
const checkInterrupted = () => interrupted && fail(`interrupted by ${interrupted}`);

// --- install, pnpm, Chromium, PostgreSQL -----------------------------------------------------------------------

async function install() {
  if (!skipInstall) {
    log(`installing: npx -y ${pnpmSpec} install --frozen-lockfile`);
    const code = await run("npx", ["-y", pnpmSpec, "install", "--frozen-lockfile"]);
    checkInterrupted();
    if (code !== 0) fail(`install failed (npx ${pnpmSpec} install exited with ${code}); see the output above`);
  }
  if (!existsSync(bin("turbo"))) fail("node_modules is missing: run without --no-install first");
}

/** turbo runs each task through the package manager, so `pnpm` must be on PATH; npx knows where it unpacked it. */
function ensurePnpmOnPath() {
  const onPath = (process.env.PATH ?? "").split(delimiter).some((dir) => isExecutable(join(dir, "pnpm")));
  if (onPath) return;
  const found = spawnSync("npx", ["-y", "-p", pnpmSpec, "-c", "command -v pnpm"], {
    cwd: repoRoot,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pnpmPath = found.stdout.trim().split("\n").pop() ?? "";
  if (found.status !== 0 || !isExecutable(pnpmPath)) fail(`cannot locate ${pnpmSpec} via npx: ${found.stderr}`);
  process.env.PATH = `${dirname(pnpmPath)}${delimiter}${process.env.PATH}`;
}

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Unpacks Chromium once for the whole run, so parallel test files don't race to unpack it. */
function ensureChromiumPath() {
  if (process.env.CHROMIUM_PATH) return log(`Chromium: ${process.env.CHROMIUM_PATH} (CHROMIUM_PATH)`);
  const script = "const { default: c } = await import('@sparticuz/chromium'); console.log(await c.executablePath());";
  const found = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd: join(repoRoot, "packages", "testkit"),
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    timeout: chromiumResolveTimeoutMs,
  });
  const path = found.stdout?.trim().split("\n").pop();
  if (found.status !== 0 || !path) return log("WARNING: could not unpack Chromium; browser tests will fail");
  process.env.CHROMIUM_PATH = path;
  log(`Chromium: ${path}`);
}

/**
 * Starts packages/testkit/src/pg-server.ts (an embedded PostgreSQL) in its own process group, so a Ctrl-C stops
 * the tests first and the database last; it also stops by itself if we die, because its stdin closes.
 */
async function startPostgres() {
  const child = spawn(process.execPath, ["--import", "tsx", "packages/testkit/src/pg-server.ts"], {
    cwd: repoRoot,
    stdio: ["pipe", "pipe", "inherit"],
    detached: true,
  });
  const exited = new Promise((resolveExit) => child.once("exit", resolveExit));
  const stop = async () => {
    child.stdin.end();
    const timer = new Promise((r) => setTimeout(r, pgStopTimeoutMs).unref());
    await Promise.race([exited, timer]);
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
  cleanups.push(stop);
  const url = await new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Failure(`PostgreSQL did not start in ${pgStartTimeoutMs} ms`)), pgStartTimeoutMs);
    createInterface({ input: child.stdout }).on("line", (line) => {
      const url = parseUrlLine(line);
      if (url) resolveUrl(url);
      else console.log(line);
    });
    exited.then((code) => reject(new Failure(`PostgreSQL server exited during start (code ${code})`)));
    child.once("error", reject);
  });
  log(`PostgreSQL: ${url.replace(/:[^:@/]+@/, ":***@")}`);
  return { url, stop };
}

function parseUrlLine(line) {
  try {
    return JSON.parse(line).url;
  } catch {
    return undefined;
  }
}

// --- commands ----------------------------------------------------------------------------------------------------

async function test() {
  await install();
  ensurePnpmOnPath();
  ensureChromiumPath();
  checkInterrupted();
  process.env.TURBO_TELEMETRY_DISABLED ??= "1";
  process.env.TURBO_NO_UPDATE_NOTIFIER ??= "1";
  const postgres = process.env.TEST_DATABASE_URL ? null : await startPostgres();
  if (postgres) process.env.TEST_DATABASE_URL = postgres.url;
  else log("PostgreSQL: TEST_DATABASE_URL");
  rmSync(testResultsDir, { recursive: true, force: true });
  let turboCode = 1;
  // --continue: one broken package must not hide the results of the others.
  try {
    if (!interrupted) turboCode = await run(bin("turbo"), ["run", "test", "--concurrency=2", "--continue"], { group: true });
  } finally {
    await postgres?.stop();
  }
  return report(turboCode);
}

/** Prints per-suite counts, then exactly `N passed, N failed[, N skipped]` as the last line; returns the exit code. */
function report(turboCode) {
  const suites = readSuiteResults();
  const total = { passed: 0, failed: 0, skipped: 0 };
  console.log("\nTest results by suite:");
  for (const s of suites) {
    for (const key of Object.keys(total)) total[key] += s[key];
    console.log(`  ${s.suite.padEnd(16)} ${countLine(s)}${s.note ? ` (${s.note})` : ""}`);
  }
  if (suites.length === 0) console.log("  (no suite wrote a report)");
  const ran = total.passed + total.failed;
  if (turboCode !== 0) console.log(`turbo run test exited with ${turboCode}`);
  if (ran === 0) console.log("no tests ran");
  console.log(countLine(total));
  return turboCode !== 0 || total.failed > 0 || ran === 0 ? 1 : 0;
}

function countLine({ passed, failed, skipped }) {
  return `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`;
}

/** Reads the vitest JSON reports; a test file that failed to load counts as one failed test, so it is not hidden. */
function readSuiteResults() {
  if (!existsSync(testResultsDir)) return [];
  const files = readdirSync(testResultsDir).filter((f) => f.endsWith(".json")).sort();
  return files.map((file) => {
    const suite = basename(file, ".json");
    try {
      const r = JSON.parse(readFileSync(join(testResultsDir, file), "utf8"));
      const unloaded = (r.testResults ?? []).filter((f) => f.status === "failed" && !(f.assertionResults ?? []).some((a) => a.status === "failed"));
      const note = unloaded.length ? `${unloaded.length} file(s) failed outside any test` : "";
      return {
        suite,
        passed: r.numPassedTests ?? 0,
        failed: (r.numFailedTests ?? 0) + unloaded.length,
        skipped: (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0),
        note,
      };
    } catch (error) {
      return { suite, passed: 0, failed: 1, skipped: 0, note: `unreadable report: ${error.message}` };
    }
  });
}

async function start() {
  await install();
  const appsDir = join(repoRoot, "apps");
  const apps = existsSync(appsDir) ? readdirSync(appsDir) : [];
  const viteApps = apps.filter((app) => readdirSync(join(appsDir, app)).some((f) => /^vite\.config\.[cm]?[jt]s$/.test(f)));
  if (viteApps.length > 0) {
    ensurePnpmOnPath();
    log(`building ${viteApps.join(", ")}`);
    const code = await run(bin("turbo"), ["run", "build", "--filter=./apps/*"], { group: true });
    checkInterrupted();
    if (code !== 0) fail(`building the apps failed (turbo exited with ${code})`);
  }
  const entry = "apps/api/src/node.ts";
  if (!existsSync(join(repoRoot, entry))) fail(`${entry} does not exist yet`);
  return runTypeScript(entry, rest, apiNodeFlags);
}

async function bench() {
  const [name, ...args] = rest;
  if (!name || !/^[a-z0-9][a-z0-9-]*$/.test(name)) fail(usage);
  const file = `bench/${name}.ts`;
  if (!existsSync(join(repoRoot, file))) fail(`${file} does not exist`);
  await install();
  const postgres = process.env.DATABASE_URL ? null : await startPostgres();
  if (postgres) process.env.DATABASE_URL = postgres.url;
  try {
    // The API's V8 flags: bench:ledger and bench:grant run the API's write path in their own process.
    return interrupted ? 1 : await runTypeScript(file, args, apiNodeFlags);
  } finally {
    await postgres?.stop();
  }
}

/** `node --import tsx` rather than the tsx CLI: one process, so a stop signal arrives once and its exit code is ours. */
function runTypeScript(file, args, nodeFlags = []) {
  return run(process.execPath, [...nodeFlags, "--import", "tsx", file, ...args], { group: true });
}

/**
 * The API server's V8 flags. A request allocates a lot of short-lived objects; a larger young generation (64 MB
 * semi-spaces instead of V8's 16) lets more of them die in a scavenge. Measured on this 2-core machine: about 8%
 * less API CPU per payment in bench:pay at 32 MB, and at 64 MB 4–7% less Node CPU per transfer in bench:ledger
 * than at 32. The benchmarks run with the same flags (bench:pay passes them on to the server it starts).
 */
const apiNodeFlags = ["--max-semi-space-size=64"];

const commands = { test, start, bench };

async function main() {
  if (!Object.hasOwn(commands, command ?? "")) fail(usage);
  return commands[command]();
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (error) {
  console.error(error instanceof Failure ? `[tsubaki] ${error.message}` : error);
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
}
process.exit(interrupted ? 128 + signals[interrupted] : exitCode);
