// Requests waiting for a second administrator. The server refuses the requester's own approval (self_approval);
// the error says so.
import { Button, ErrorMessage, formatYen, Layout, useApiGet, useMessages, type ApiProblem } from "@tsubaki/ui";
import { useState } from "preact/hooks";
import { api } from "../api";
import { useNav } from "../app";
import { adminMessages } from "../messages";

interface Approval {
  id: string;
  kind: "fund" | "grant";
  campaign_id: string;
  amount_yen: number;
  requested_by: string;
}

export function ApprovalsScreen() {
  const t = useMessages(adminMessages);
  const [list, reload] = useApiGet<{ items: Approval[] }>(api, "/v1/admin/approvals?status=pending");
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  async function approve(id: string) {
    setBusy(id);
    const r = await api.post(`/v1/admin/approvals/${encodeURIComponent(id)}/approve`, {});
    setBusy(null);
    setProblem(r.ok ? null : r.problem);
    setDone(r.ok);
    reload();
  }
  return (
    <Layout appName={t("appName")} title={t("approvals.title")} nav={useNav()}>
      {done && (
        <p role="status" data-testid="approved">
          {t("approvals.done")}
        </p>
      )}
      {problem && <ErrorMessage problem={problem} />}
      {list.state === "loading" && <p>{t("loading")}</p>}
      {list.state === "error" && <ErrorMessage problem={list.problem} />}
      {list.state === "ok" && list.data.items.length === 0 && <p>{t("approvals.empty")}</p>}
      {list.state === "ok" && (
        <ul class="ts-stack" data-testid="approvals">
          {list.data.items.map((a) => (
            <li key={a.id} class="ts-card ts-stack" data-approval={a.id}>
              <strong>
                {t(a.kind === "fund" ? "approvals.kind.fund" : "approvals.kind.grant")} {a.campaign_id} {formatYen(a.amount_yen)}
              </strong>
              <span>{t("approvals.by", { user: a.requested_by })}</span>
              <Button busy={busy === a.id} onClick={() => void approve(a.id)}>
                {t("approvals.approve")}
              </Button>
            </li>
          ))}
        </ul>
      )}
    </Layout>
  );
}
