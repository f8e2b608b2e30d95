// A grant by the campaign's eligibility rule: first a preview (how many residents match, the total, who is left out
// and why), then the request — which goes the CSV grant's way, so ¥1,000,000 or more waits for a second approver.
import { Button, ErrorMessage, formatYen, newIdempotencyKey, TextField, useMessages, type ApiProblem } from "@tsubaki/ui";
import { useState } from "preact/hooks";
import { api } from "../api";
import { adminMessages } from "../messages";

export interface RulePreview {
  grant_date: string;
  amount_yen: number;
  matched_count: number;
  grant_count: number;
  total_yen: number;
  needs_approval: boolean;
  skipped: Record<string, number>;
}

export interface RuleOutcome {
  status: "executed" | "pending_approval";
  approval?: { id: string };
  granted_count?: number;
  granted_yen?: number;
}

/** Reasons in the order the console lists them; unknown ones (a newer server) follow by their code. */
const reasonOrder = ["not_verified", "below_age_min", "above_age_max", "district_not_eligible", "born_after_grant_day", "already_granted", "cap_reached", "budget_exhausted", "duplicate"] as const;
type Reason = (typeof reasonOrder)[number];
const isReason = (code: string): code is Reason => (reasonOrder as readonly string[]).includes(code);

export function RuleGrant({ id, defaultYen, onOutcome }: { id: string; defaultYen: number | null; onOutcome: (r: { ok: true; data: RuleOutcome } | { ok: false; problem: ApiProblem }) => void }) {
  const t = useMessages(adminMessages);
  const [amount, setAmount] = useState(defaultYen === null ? "" : String(defaultYen));
  const [preview, setPreview] = useState<RulePreview | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const amountQuery = /^\d+$/.test(amount) && Number(amount) > 0 ? `?amount=${Number(amount)}` : "";

  async function runPreview(e: Event) {
    e.preventDefault();
    setBusy(true);
    const r = await api.get<RulePreview>(`/v1/admin/campaigns/${encodeURIComponent(id)}/rule-grant/preview${amountQuery}`);
    setBusy(false);
    setProblem(r.ok ? null : r.problem);
    setPreview(r.ok ? r.data : null);
  }
  async function request() {
    if (!preview) return;
    setBusy(true);
    const r = await api.post<RuleOutcome>(`/v1/admin/campaigns/${encodeURIComponent(id)}/rule-grants`, { amount: preview.amount_yen }, { idempotencyKey: newIdempotencyKey() });
    setBusy(false);
    setPreview(null);
    onOutcome(r);
  }
  const reasons = preview ? Object.entries(preview.skipped).filter(([, n]) => n > 0) : [];
  return (
    <div class="ts-stack" data-testid="rule-grant">
      <form class="ts-stack" onSubmit={runPreview}>
        <TextField label={t("campaign.grantAmount")} value={amount} onValue={(v) => (setAmount(v), setPreview(null))} inputMode="numeric" name="rule_amount" />
        <Button type="submit" variant="secondary" busy={busy}>
          {t("rule.preview")}
        </Button>
      </form>
      {problem && <ErrorMessage problem={problem} />}
      {preview && (
        <section class="ts-stack" data-testid="rule-preview" aria-live="polite">
          <h3>{t("rule.previewTitle", { date: preview.grant_date })}</h3>
          <dl class="ts-stack">
            <div>
              <dt>{t("rule.matched")}</dt>
              <dd data-figure="matched">{t("rule.people", { n: preview.matched_count.toLocaleString("ja-JP") })}</dd>
            </div>
            <div>
              <dt>{t("rule.grantCount")}</dt>
              <dd data-figure="grant-count">{t("rule.people", { n: preview.grant_count.toLocaleString("ja-JP") })}</dd>
            </div>
            <div>
              <dt>{t("rule.total")}</dt>
              <dd data-figure="total">{formatYen(preview.total_yen)}</dd>
            </div>
          </dl>
          {reasons.length > 0 && (
            <table class="ts-table" data-testid="rule-skipped">
              <caption>{t("rule.skipped")}</caption>
              <tbody>
                {reasons
                  .sort(([a], [b]) => (isReason(a) ? reasonOrder.indexOf(a) : 99) - (isReason(b) ? reasonOrder.indexOf(b) : 99))
                  .map(([code, n]) => (
                    <tr key={code} data-reason={code}>
                      <th scope="row">{isReason(code) ? t(`reason.${code}`) : code}</th>
                      <td>{t("rule.people", { n: n.toLocaleString("ja-JP") })}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
          )}
          {preview.needs_approval && <p>{t("rule.needsApproval")}</p>}
          {preview.grant_count === 0 ? (
            <p>{t("rule.nobody")}</p>
          ) : (
            <Button busy={busy} onClick={() => void request()}>
              {t("rule.request", { n: preview.grant_count.toLocaleString("ja-JP"), yen: formatYen(preview.total_yen) })}
            </Button>
          )}
        </section>
      )}
    </div>
  );
}
