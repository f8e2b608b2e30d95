// Shared benchmark plumbing: latency percentiles, progress on stderr, JSON + a human table on stdout.
import { readFileSync } from "node:fs";

export function percentile(sortedMs: readonly number[], p: number): number {
  if (sortedMs.length === 0) return 0;
  const i = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1));
  return sortedMs[i]!;
}

export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

export function printTable(rows: Record<string, string | number>[]): void {
  if (rows.length === 0) return;
  const headers = Object.keys(rows[0]!);
  const widths = headers.map((h) => Math.max(h.length, ...rows.map((r) => String(r[h] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  console.log(line(headers));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const r of rows) console.log(line(headers.map((h) => String(r[h] ?? ""))));
}

/** Runs `clients` loops that each call `one(i)` until `total` calls are done; returns per-call latencies (ms). */
export async function runClosedLoop(clients: number, total: number, one: (i: number) => Promise<void>, onProgress?: (done: number) => void) {
  const latencies: number[] = [];
  let next = 0;
  let done = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < total) {
        const i = next++;
        const t0 = performance.now();
        await one(i);
        latencies.push(performance.now() - t0);
        done++;
        if (onProgress && done % 10_000 === 0) onProgress(done);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { seconds, perSecond: total / seconds, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); null elsewhere. */
export function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after "pid (comm) ".
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/**
 * CPU used by this process and by the given PostgreSQL backends while `run` runs: on a shared machine the wall
 * clock says more about the neighbours than about us, CPU per operation does not.
 */
export async function measureCpu<T>(backendPids: readonly number[], run: () => Promise<T>): Promise<{ result: T; nodeCpuS: number; pgCpuS: number | null }> {
  /** Total CPU seconds of the backends; null when one cannot be read (a remote server, another OS). */
  const sum = (pids: readonly number[]): number | null => {
    let total = 0;
    for (const pid of pids) {
      const seconds = processCpuSeconds(pid);
      if (seconds === null) return null;
      total += seconds;
    }
    return total;
  };
  const node0 = process.cpuUsage();
  const pg0 = sum(backendPids);
  const result = await run();
  const node = process.cpuUsage(node0);
  const pg1 = sum(backendPids);
  return { result, nodeCpuS: (node.user + node.system) / 1e6, pgCpuS: pg0 === null || pg1 === null ? null : pg1 - pg0 };
}
