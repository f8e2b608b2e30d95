// The size budget: after a build, print every JS and CSS file with its gzipped size and fail the build when the
// JS passes the app's budget (the wallet's is 100 kB gzipped: residents on old phones and slow networks).
import { gzipSync } from "node:zlib";

export interface SizeLine {
  file: string;
  bytes: number;
  gzipBytes: number;
}

export interface SizeReport {
  lines: SizeLine[];
  jsGzipBytes: number;
  cssGzipBytes: number;
}

export function gzipSize(content: string | Uint8Array): number {
  return gzipSync(content, { level: 9 }).length;
}

export function sizeReport(files: ReadonlyMap<string, string | Uint8Array>): SizeReport {
  const lines: SizeLine[] = [];
  for (const [file, content] of files) {
    if (!/\.(js|css)$/.test(file)) continue;
    lines.push({ file, bytes: typeof content === "string" ? Buffer.byteLength(content) : content.length, gzipBytes: gzipSize(content) });
  }
  lines.sort((a, b) => a.file.localeCompare(b.file));
  const sum = (ext: string) => lines.filter((l) => l.file.endsWith(ext)).reduce((s, l) => s + l.gzipBytes, 0);
  return { lines, jsGzipBytes: sum(".js"), cssGzipBytes: sum(".css") };
}

const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

export function formatSizeReport(app: string, report: SizeReport, jsBudgetBytes: number | null): string {
  const rows = report.lines.map((l) => `  ${l.file.padEnd(44)} ${kB(l.bytes).padStart(10)}  gzip ${kB(l.gzipBytes).padStart(9)}`);
  const budget = jsBudgetBytes === null ? "" : ` (budget ${kB(jsBudgetBytes)})`;
  return [`[${app}] size:`, ...rows, `  JS total gzip ${kB(report.jsGzipBytes)}${budget}; CSS total gzip ${kB(report.cssGzipBytes)}`].join("\n");
}
