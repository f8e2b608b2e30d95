// Outstanding coins and points (points by campaign) and the 資金決済法 reference-date figure, with CSV downloads.
import { ErrorMessage, formatYen, Layout, useApiGet, useMessages } from "@tsubaki/ui";
import { api } from "../api";
import { useNav } from "../app";
import { adminMessages } from "../messages";

/** The last reference date (3/31 or 9/30) on or before today, JST. */
function lastReferenceDate(): string {
  const today = new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);
  const year = Number(today.slice(0, 4));
  const candidates = [`${year}-09-30`, `${year}-03-31`, `${year - 1}-09-30`];
  return candidates.find((d) => d <= today) ?? `${year - 1}-09-30`;
}

export function ReportsScreen() {
  const t = useMessages(adminMessages);
  const date = lastReferenceDate();
  const [outstanding] = useApiGet<{ coins_yen: number; points_yen: number; points: { campaign_id: string; yen: number }[] }>(api, "/v1/admin/reports/outstanding");
  const [reference] = useApiGet<{ unused_balance_yen: number; required_deposit_yen: number; report_due_date: string }>(api, `/v1/admin/reports/reference-date?date=${date}`);
  return (
    <Layout appName={t("appName")} title={t("reports.title")} nav={useNav()}>
      <section class="ts-card ts-stack">
        <h2>{t("reports.outstanding")}</h2>
        {outstanding.state === "error" && <ErrorMessage problem={outstanding.problem} />}
        {outstanding.state === "ok" && (
          <table class="ts-table">
            <tbody>
              <tr>
                <th>{t("reports.coins")}</th>
                <td>{formatYen(outstanding.data.coins_yen)}</td>
              </tr>
              {outstanding.data.points.map((p) => (
                <tr key={p.campaign_id}>
                  <th>
                    {t("reports.points")} {p.campaign_id}
                  </th>
                  <td>{formatYen(p.yen)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section class="ts-card ts-stack">
        <h2>
          {t("reports.reference")} {date}
        </h2>
        {reference.state === "error" && <ErrorMessage problem={reference.problem} />}
        {reference.state === "ok" && (
          <p>
            {formatYen(reference.data.unused_balance_yen)} / {formatYen(reference.data.required_deposit_yen)} ({reference.data.report_due_date})
          </p>
        )}
      </section>
    </Layout>
  );
}
