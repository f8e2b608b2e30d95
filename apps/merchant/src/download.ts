// Files the API sends behind the bearer token (the poster, the sales CSV): fetched as text, then handed to the
// browser as a blob, because a plain link cannot carry the Authorization header.
import type { ApiProblem } from "@tsubaki/ui";
import { api } from "./api";

export async function fetchText(path: string): Promise<{ ok: true; text: string } | { ok: false; problem: ApiProblem }> {
  const r = await api.get<string>(path, { responseType: "text", headers: { Accept: "text/html, text/csv, application/problem+json" } });
  return r.ok ? { ok: true, text: r.data } : { ok: false, problem: r.problem };
}

export function saveBlob(text: string, type: string, filename: string | null): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  if (filename) a.download = filename;
  else a.target = "_blank";
  a.rel = "noopener";
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
