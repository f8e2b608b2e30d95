// One campaign: its burn-down, funding its budget, and a bulk grant from a CSV file or by the campaign's eligibility
// rule; an event shows its check-in QR. Large amounts go to a second approver; the screen says so and shows the
// request id.
import { Button, ChoiceGroup, ErrorMessage, formatYen, Layout, newIdempotencyKey, TextField, useApiGet, useMessages, type ApiProblem, type Translate } from "@tsubaki/ui";
import { useState } from "preact/hooks";
import { api } from "../api";
import { useNav } from "../app";
import { adminMessages } from "../messages";

type AdminMessageKey = keyof typeof adminMessages.ja & string;
import { BurnDownChart, type BurnDown } from "./BurnDownChart";
import { CheckInQr } from "./CheckInQr";
import { RuleGrant } from "./RuleGrant";

interface Eligibility {
  age_min: number | null;
  age_max: number | null;
  districts: string[] | null;
  verified_required: boolean;
}

interface Outcome {
  status: "executed" | "pending_approval";
  approval?: { id: string };
  granted_count?: number;
  granted_yen?: number;
}

export function CampaignScreen({ id }: { id: string }) {
  const t = useMessages(adminMessages);
  const [campaign, reload] = useApiGet<{ id: string; name_ja: string; kind: "grant" | "premium" | "event"; grant_yen: number | null; eligibility: Eligibility | null; burn_down: BurnDown }>(
    api,
    `/v1/admin/campaigns/${encodeURIComponent(id)}`,
  );
  const [grantHow, setGrantHow] = useState<"csv" | "rule">("csv");
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
          <p data-testid="eligibility">{t("campaign.rule", { rule: ruleText(t, campaign.data.eligibility) })}</p>
        </section>
      )}
      {campaign.state === "ok" && campaign.data.kind === "event" && <CheckInQr id={id} />}
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
      {campaign.state === "ok" && campaign.data.kind === "grant" && (
        <section class="ts-card ts-stack">
          <h2>{t("campaign.grantTitle")}</h2>
          <ChoiceGroup
            name="grant_how"
            legend={t("campaign.grantHow")}
            value={grantHow}
            options={[
              { value: "csv", label: t("campaign.grantCsv") },
              { value: "rule", label: t("campaign.grantRule") },
            ]}
            onChange={setGrantHow}
          />
          {grantHow === "rule" && (
            <RuleGrant id={id} defaultYen={campaign.data.grant_yen} onOutcome={(r) => show(r, (o) => t("campaign.done", { count: String(o.granted_count ?? 0), yen: formatYen(o.granted_yen ?? 0) }))} />
          )}
        </section>
      )}
      <form class="ts-card ts-stack" onSubmit={grant} data-testid="grant" hidden={grantHow !== "csv" || (campaign.state === "ok" && campaign.data.kind !== "grant")}>
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

function ruleText(t: Translate<AdminMessageKey>, rule: Eligibility | null): string {
  const parts: string[] = [];
  if (rule?.age_min !== null && rule?.age_min !== undefined) parts.push(t("rule.ageMin", { n: String(rule.age_min) }));
  if (rule?.age_max !== null && rule?.age_max !== undefined) parts.push(t("rule.ageMax", { n: String(rule.age_max) }));
  if (rule?.districts) parts.push(t("rule.districts", { list: rule.districts.join("、") }));
  parts.push(rule?.verified_required === false ? t("rule.anyone") : t("rule.verified"));
  return parts.join(" / ");
}
