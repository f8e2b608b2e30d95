// The console's one API client: same origin, the refresh token under the console's own key. Files (CSV reports, the
// Zengin transfer file) need the bearer token too, so a plain <a href> cannot fetch them: downloadFile fetches with
// the token, keeps the bytes as they came (the Zengin file is Shift_JIS and must not be decoded) and hands the
// browser a Blob through an object URL.
import { browserStorage, createApiClient, type ApiResult } from "@tsubaki/ui";

export const api = createApiClient({ storage: browserStorage(), refreshTokenKey: "tsubaki.admin.refresh" });

/** An object URL is kept this long after the click (the browser has started the download by then). */
const objectUrlLifetimeMs = 60_000;

/** Downloads `path` (a GET the console may read) as `fileName`. Resolves to the byte count, or the problem. */
export async function downloadFile(path: string, fileName: string): Promise<ApiResult<number>> {
  const controller = new AbortController();
  const r = await api.stream(path, { signal: controller.signal, headers: { Accept: "text/csv, text/plain, application/octet-stream, application/problem+json" } });
  if (!r.ok) return r;
  const bytes = await new Response(r.data).arrayBuffer();
  const blob = new Blob([bytes], { type: r.headers.get("Content-Type") ?? "application/octet-stream" });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), objectUrlLifetimeMs);
  return { ok: true, status: r.status, data: bytes.byteLength, headers: r.headers };
}

/** A file name with the report and its days: "tsubaki-payments-2026-04-01_2026-04-30.csv". */
export function reportFileName(report: string, from: string, to: string, ext = "csv"): string {
  return `tsubaki-${report}-${from}_${to}.${ext}`;
}
