// History: every transfer that touched the wallet, newest first (GET /v1/wallet/history); a payment or a refund
// opens its receipt (GET /v1/receipts/{id}), so a refund shows which lots and coins it went back to.
import { Button, ErrorMessage, formatYen, Layout, useApiGet, useMessages, useSettings, kitMessages } from "@tsubaki/ui";
import { useState } from "preact/hooks";
import { api } from "../api";
import { useNav } from "../app";
import { formatTime } from "../format";
import { walletMessages } from "../messages";
import type { HistoryItem, Receipt } from "../types";
import { ReceiptView } from "./Receipt";

const kinds = ["payment", "refund", "charge", "grant"] as const;

function ReceiptOf({ id, onBack }: { id: string; onBack: () => void }) {
  const t = useMessages(walletMessages);
  const k = useMessages(kitMessages);
  const [receipt] = useApiGet<Receipt>(api, `/v1/receipts/${encodeURIComponent(id)}`);
  return (
    <div class="ts-stack">
      {receipt.state === "loading" ? <p role="status">{k("loading")}</p> : null}
      {receipt.state === "ok" ? <ReceiptView receipt={receipt.data} /> : null}
      {receipt.state === "error" ? <ErrorMessage problem={receipt.problem} /> : null}
      <Button variant="secondary" block onClick={onBack}>
        {t("history.back")}
      </Button>
    </div>
  );
}

export function HistoryScreen() {
  const t = useMessages(walletMessages);
  const k = useMessages(kitMessages);
  const { lang } = useSettings();
  const [page, reload] = useApiGet<{ items: HistoryItem[] }>(api, "/v1/wallet/history?limit=50");
  const [open, setOpen] = useState<string | null>(null);
  const kindLabel = (kind: string | null) => t(`history.kind.${kinds.find((x) => x === kind) ?? "other"}`);
  return (
    <Layout appName={t("appName")} title={t("history.title")} nav={useNav()}>
      {open !== null ? <ReceiptOf id={open} onBack={() => setOpen(null)} /> : null}
      {open === null && page.state === "loading" ? <p role="status">{k("loading")}</p> : null}
      {open === null && page.state === "error" ? (
        <div class="ts-stack">
          <ErrorMessage problem={page.problem} />
          <Button variant="secondary" onClick={reload}>
            {k("retry")}
          </Button>
        </div>
      ) : null}
      {open === null && page.state === "ok" ? (
        page.data.items.length === 0 ? (
          <p class="ts-muted">{t("history.empty")}</p>
        ) : (
          <ul class="ts-list" data-testid="history">
            {page.data.items.map((item) => (
              <li key={item.transfer_id} data-kind={item.kind ?? ""}>
                <span>
                  <strong>{kindLabel(item.kind)}</strong> <span class="ts-muted">{formatTime(item.at, lang)}</span>
                </span>
                <strong>{(item.net_yen > 0 ? "+" : "") + formatYen(item.net_yen)}</strong>
                {item.kind === "payment" || item.kind === "refund" ? (
                  <Button variant="secondary" onClick={() => setOpen(item.transfer_id)}>
                    {t("history.receipt")}
                  </Button>
                ) : null}
              </li>
            ))}
          </ul>
        )
      ) : null}
    </Layout>
  );
}
