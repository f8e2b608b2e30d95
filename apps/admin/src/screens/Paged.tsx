// Page-at-a-time lists (payout runs, shops, cash refunds): the server's cursor for the next page, a stack of the
// cursors seen for the previous one, and a search box. A list reached through the server's own search (q) is
// searched there; a list whose route has no search is filtered on the page shown, and the box says so.
import { Button, useApiGet, useMessages, type Loadable } from "@tsubaki/ui";
import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import { adminMessages } from "../messages";

/** Rows per page in the console's tables. */
export const pageSize = 20;

export function usePaged<T>(path: string, extract: (body: any) => { items: T[]; next: string | null }) {
  const [stack, setStack] = useState<string[]>([]);
  const cursor = stack.at(-1) ?? null;
  const sep = path.includes("?") ? "&" : "?";
  const [page, reload] = useApiGet<unknown>(api, `${path}${sep}limit=${pageSize}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
  useEffect(() => setStack([]), [path]);
  const data: Loadable<{ items: T[]; next: string | null }> = page.state === "ok" ? { state: "ok", data: extract(page.data) } : page;
  return {
    page: data,
    reload,
    pageNo: stack.length + 1,
    next: data.state === "ok" && data.data.next ? () => setStack([...stack, data.data.next!]) : null,
    prev: stack.length > 0 ? () => setStack(stack.slice(0, -1)) : null,
  };
}

export function Pager({ pageNo, next, prev, testId }: { pageNo: number; next: (() => void) | null; prev: (() => void) | null; testId: string }) {
  const t = useMessages(adminMessages);
  return (
    <nav style={{ display: "flex", gap: "1em", alignItems: "center", flexWrap: "wrap" }} aria-label={t("paging.label")} data-testid={testId}>
      <Button variant="secondary" disabled={!prev} onClick={() => prev?.()}>
        {t("paging.prev")}
      </Button>
      <span>{t("paging.page", { n: pageNo })}</span>
      <Button variant="secondary" disabled={!next} onClick={() => next?.()}>
        {t("paging.next")}
      </Button>
    </nav>
  );
}
