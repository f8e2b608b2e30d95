// One campaign: its burn-down, funding its budget, and a bulk grant from a CSV file. Large amounts go to a second
// approver; the screen says so and shows the request id.
import { Button, ErrorMessage, formatYen, Layout, newIdempotencyKey, TextField, useApiGet, useMessages, type ApiProblem } from "@tsubaki/ui";
import { useState } from "preact/hooks";
import { api } from "../api";
import { useNav } from "../app";
import { adminMessages } from "../messages";
import { BurnDownChart, type BurnDown } from "./BurnDownChart";

interface Outcome {
  status: "executed" | "pending_approval";
  approval?: { id: string };
  granted_count?: number;
  granted_yen?: number;
}

export function CampaignScreen({ id }: { id: string }) {
  const t = useMessages(adminMessages);
  const [campaign, reload] = useApiGet<{ id: string; name_ja: string; burn_down: BurnDown }>(api, `/v1/admin/campaigns/${encodeURIComponent(id)}`);
  const [fundYen, setFundYen] = useState("");
  const [grantYen, setGrantYen] = useState("1000");
  const [csv, setCsv] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);

  function show(r: { ok: true; data: Outcome } | { ok: false; problem: ApiProblem }, doneText: (o: Outcome) => string) {
    setProblem(r.ok ? null : r.problem);
    if (r.ok) setMessage(r.data.status === "pending_approval" ? t("campaign.pending", { id: r.data.approval?.id ?? "" }) : doneText(r.data));
    reload();
  }
  async function fund(e: Event) {
    e.preventDefault();
    setBusy(true);
    show(await api.post<Outcome>(`/v1/admin/campaigns/${encodeURIComponent(id)}/fund`, { amount: Number(fundYen) }, { idempotencyKey: newIdempotencyKey() }), () => t("campaign.funded"));
    setBusy(false);
  }
  async function grant(e: Event) {
    e.preventDefault();
    if (csv === null) return;
    setBusy(true);
    const r = await api.post<Outcome>(`/v1/admin/campaigns/${encodeURIComponent(id)}/grants`, { amount: Number(grantYen), csv }, { idempotencyKey: newIdempotencyKey() });
    show(r, (o) => t("campaign.done", { count: String(o.granted_count ?? 0), yen: formatYen(o.granted_yen ?? 0) }));
    setBusy(false);
  }
  const labels = { used: t("col.used"), expired: t("col.expired"), remaining: t("col.remaining"), budget: t("col.budget") };
  return (
    <Layout appName={t("appName")} title={t("campaign.title", { id })} nav={useNav()}>
      {campaign.state === "loading" && <p>{t("loading")}</p>}
      {campaign.state === "error" && <ErrorMessage problem={campaign.problem} />}
      {campaign.state === "ok" && (
        <section class="ts-card ts-stack">
          <h2>{t("campaign.burnDown")}</h2>
          <p>{campaign.data.name_ja}</p>
          <p>
            {t("col.issued")} <strong data-figure="issued">{formatYen(campaign.data.burn_down.issued_yen)}</strong>
          </p>
          <BurnDownChart figures={campaign.data.burn_down} labels={labels} />
        </section>
      )}
      {message && (
        <p role="status" class="ts-card" data-testid="outcome">
          {message}
        </p>
      )}
      {problem && <ErrorMessage problem={problem} />}
      <form class="ts-card ts-stack" onSubmit={fund} data-testid="fund">
        <h2>{t("campaign.fund")}</h2>
        <TextField label={t("campaign.fundAmount")} value={fundYen} onValue={setFundYen} inputMode="numeric" name="fund_amount" />
        <Button type="submit" busy={busy}>
          {t("campaign.fund")}
        </Button>
      </form>
      <form class="ts-card ts-stack" onSubmit={grant} data-testid="grant">
        <h2>{t("campaign.grant")}</h2>
        <TextField label={t("campaign.grantAmount")} value={grantYen} onValue={setGrantYen} inputMode="numeric" name="grant_amount" />
        <label class="ts-stack">
          {t("campaign.csv")}
          <input
            type="file"
            accept=".csv,text/csv"
            name="csv"
            onChange={async (e) => {
              const file = (e.target as HTMLInputElement).files?.[0];
              setCsv(file ? await file.text() : null);
            }}
          />
        </label>
        <Button type="submit" busy={busy} disabled={csv === null}>
          {t("campaign.send")}
        </Button>
      </form>
    </Layout>
  );
}
