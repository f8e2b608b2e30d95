// The figures the city watches (DESIGN §8) for a period the administrator picks: payments per day and per shop
// category, recirculation and leakage, active residents, bus rides, coins and points outstanding (points by
// campaign), the 資金決済法 reference-date figure and its deposit, and the cash-refund register. Each with a CSV.
import { ErrorMessage, formatYen, Layout, TextField, useApiGet, useMessages } from "@tsubaki/ui";
import { useState } from "preact/hooks";
import { api, reportFileName } from "../api";
import { useNav } from "../app";
import { adminMessages } from "../messages";
import { BarChart, BarTable, formatBps, LineChart, ShareChart } from "./Charts";
import { DownloadButton } from "./Download";
import { Pager, usePaged } from "./Paged";

const tokyoToday = () => new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);
const daysBefore = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);

/** The last reference date (3/31 or 9/30) on or before today, JST. */
function lastReferenceDate(): string {
  const today = tokyoToday();
  const year = Number(today.slice(0, 4));
  const candidates = [`${year}-09-30`, `${year}-03-31`, `${year - 1}-09-30`];
  return candidates.find((d) => d <= today) ?? `${year - 1}-09-30`;
}

interface Payments {
  active_residents: number;
  total_yen: number;
  leakage_bps: number | null;
  days: { day: string; count: number; yen: number; payers: number }[];
  categories: { category: string; tier: string; count: number; yen: number }[];
}
interface Recirculation {
  received_yen: number;
  paid_out_yen: number;
  retained_yen: number;
  recirculation_bps: number | null;
  leakage_bps: number | null;
  days: { day: string; recirculation_bps: number | null }[];
}
interface Active {
  active_residents: number;
  periods: { period: string; residents: number }[];
}
interface Rides {
  rides: number;
  fare_yen: number;
  days: { day: string; rides: number }[];
}

/** Every day from `from` to `to`, with the value of the day or 0 (the API fills the days; this is for payments). */
function daily(from: string, to: string, rows: readonly { day: string; yen: number }[]) {
  const byDay = new Map(rows.map((r) => [r.day, r.yen]));
  const out: { label: string; value: number }[] = [];
  for (let d = from; d <= to && out.length < 400; d = daysBefore(d, -1)) out.push({ label: d, value: byDay.get(d) ?? 0 });
  return out;
}

function Section({ title, testId, children }: { title: string; testId: string; children: preact.ComponentChildren }) {
  return (
    <section class="ts-card ts-stack" data-testid={testId}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

export function ReportsScreen() {
  const t = useMessages(adminMessages);
  const [to, setTo] = useState(tokyoToday());
  const [from, setFrom] = useState(daysBefore(tokyoToday(), 29));
  const valid = /^\d{4}-\d{2}-\d{2}$/.test(from) && /^\d{4}-\d{2}-\d{2}$/.test(to) && from <= to;
  const range = `from=${from}&to=${to}`;
  return (
    <Layout appName={t("appName")} title={t("reports.title")} nav={useNav()}>
      <section class="ts-card ts-stack" data-testid="period">
        <h2>{t("reports.period")}</h2>
        <div style={{ display: "flex", gap: "1em", flexWrap: "wrap" }}>
          <TextField label={t("reports.from")} type="date" value={from} onValue={setFrom} name="from" />
          <TextField label={t("reports.to")} type="date" value={to} onValue={setTo} name="to" />
        </div>
        {!valid && <p role="alert">{t("reports.badPeriod")}</p>}
      </section>
      {valid && <PeriodReports from={from} to={to} range={range} />}
      {valid && <CampaignBurnDown from={from} to={to} />}
      <Outstanding />
      <ReferenceDate />
      <CashRefunds />
    </Layout>
  );
}

function PeriodReports({ from, to, range }: { from: string; to: string; range: string }) {
  const t = useMessages(adminMessages);
  const [payments] = useApiGet<Payments>(api, `/v1/admin/reports/payments?${range}`);
  const [recirculation] = useApiGet<Recirculation>(api, `/v1/admin/reports/recirculation?${range}`);
  const [active] = useApiGet<Active>(api, `/v1/admin/reports/active-residents?${range}`);
  const [rides] = useApiGet<Rides>(api, `/v1/admin/reports/bus-rides?${range}`);
  const yen = (v: number) => formatYen(v);
  return (
    <>
      <Section title={t("reports.paymentsPerDay")} testId="report-payments">
        {payments.state === "loading" && <p>{t("loading")}</p>}
        {payments.state === "error" && <ErrorMessage problem={payments.problem} />}
        {payments.state === "ok" && (
          <>
            <p>
              {t("reports.total")}: <strong data-figure="payments-total">{formatYen(payments.data.total_yen)}</strong>
            </p>
            <BarChart testId="chart-payments" label={t("reports.paymentsPerDay")} points={daily(from, to, payments.data.days)} format={yen} />
          </>
        )}
        <DownloadButton path={`/v1/admin/reports/payments?${range}&format=csv`} fileName={reportFileName("payments", from, to)} testId="csv-payments" />
      </Section>
      <Section title={t("reports.perCategory")} testId="report-categories">
        {payments.state === "ok" && (
          <BarTable
            testId="chart-categories"
            head={[t("reports.category"), t("reports.amount")]}
            rows={payments.data.categories.map((c) => ({ key: `${c.category}-${c.tier}`, label: c.category, note: c.tier === "large" ? t("reports.large") : t("reports.small"), yen: c.yen }))}
          />
        )}
        <DownloadButton path={`/v1/admin/reports/payments?${range}&format=csv_category`} fileName={reportFileName("payments-by-category", from, to)} testId="csv-categories" />
      </Section>
      <Section title={t("reports.recirculation")} testId="report-recirculation">
        {recirculation.state === "error" && <ErrorMessage problem={recirculation.problem} />}
        {recirculation.state === "ok" && (
          <>
            <dl>
              <div>
                <dt style={{ display: "inline" }}>{t("reports.recirculationShare")}</dt> <dd style={{ display: "inline" }} data-figure="recirculation">{formatBps(recirculation.data.recirculation_bps)}</dd>
              </div>
              <div>
                <dt style={{ display: "inline" }}>{t("reports.leakageShare")}</dt> <dd style={{ display: "inline" }} data-figure="leakage">{formatBps(recirculation.data.leakage_bps)}</dd>
              </div>
              <div>
                <dt style={{ display: "inline" }}>{t("reports.received")}</dt> <dd style={{ display: "inline" }}>{formatYen(recirculation.data.received_yen)}</dd>
              </div>
              <div>
                <dt style={{ display: "inline" }}>{t("reports.paidOut")}</dt> <dd style={{ display: "inline" }}>{formatYen(recirculation.data.paid_out_yen)}</dd>
              </div>
            </dl>
            <ShareChart
              testId="chart-recirculation"
              label={t("reports.recirculation")}
              labels={recirculation.data.days.map((d) => d.day)}
              series={[{ name: t("reports.recirculationShare"), values: recirculation.data.days.map((d) => d.recirculation_bps) }]}
            />
            <p class="ts-hint">{t("reports.recirculationNote")}</p>
          </>
        )}
        <DownloadButton path={`/v1/admin/reports/recirculation?${range}&format=csv`} fileName={reportFileName("recirculation", from, to)} testId="csv-recirculation" />
      </Section>
      <Section title={t("reports.active")} testId="report-active">
        {active.state === "error" && <ErrorMessage problem={active.problem} />}
        {active.state === "ok" && (
          <>
            <p>
              {t("reports.activeTotal")}: <strong data-figure="active">{active.data.active_residents}</strong>
            </p>
            <BarChart testId="chart-active" label={t("reports.active")} points={active.data.periods.map((p) => ({ label: p.period, value: p.residents }))} />
          </>
        )}
        <DownloadButton path={`/v1/admin/reports/active-residents?${range}&format=csv`} fileName={reportFileName("active-residents", from, to)} testId="csv-active" />
        <DownloadButton path={`/v1/admin/reports/active-residents?${range}&unit=month&format=csv`} fileName={reportFileName("active-residents-month", from, to)} label={t("reports.csvMonthly")} />
      </Section>
      <Section title={t("reports.bus")} testId="report-bus">
        {rides.state === "error" && <ErrorMessage problem={rides.problem} />}
        {rides.state === "ok" && (
          <>
            <p>
              {t("reports.rides", { n: rides.data.rides })} / {formatYen(rides.data.fare_yen)}
            </p>
            <BarChart testId="chart-bus" label={t("reports.bus")} points={rides.data.days.map((d) => ({ label: d.day, value: d.rides }))} />
          </>
        )}
        <DownloadButton path={`/v1/admin/reports/bus-rides?${range}&format=csv`} fileName={reportFileName("bus-rides", from, to)} testId="csv-bus" />
      </Section>
    </>
  );
}

function Outstanding() {
  const t = useMessages(adminMessages);
  const [outstanding] = useApiGet<{ coins_yen: number; points_yen: number; points: { campaign_id: string; yen: number }[] }>(api, "/v1/admin/reports/outstanding");
  const today = tokyoToday();
  return (
    <Section title={t("reports.outstanding")} testId="report-outstanding">
      {outstanding.state === "error" && <ErrorMessage problem={outstanding.problem} />}
      {outstanding.state === "ok" && (
        <BarTable
          testId="chart-outstanding"
          head={[t("reports.kind"), t("reports.amount")]}
          rows={[
            { key: "coins", label: t("reports.coins"), yen: outstanding.data.coins_yen },
            ...outstanding.data.points.map((p) => ({ key: p.campaign_id, label: `${t("reports.points")} ${p.campaign_id}`, yen: p.yen })),
          ]}
        />
      )}
      <DownloadButton path="/v1/admin/reports/outstanding?format=csv" fileName={reportFileName("outstanding", today, today)} testId="csv-outstanding" />
    </Section>
  );
}

function ReferenceDate() {
  const t = useMessages(adminMessages);
  const date = lastReferenceDate();
  const [reference] = useApiGet<{ unused_balance_yen: number; required_deposit_yen: number; threshold_exceeded: boolean; report_due_date: string }>(api, `/v1/admin/reports/reference-date?date=${date}`);
  return (
    <Section title={`${t("reports.reference")} ${date}`} testId="report-reference">
      {reference.state === "error" && <ErrorMessage problem={reference.problem} />}
      {reference.state === "ok" && (
        <table class="ts-table">
          <tbody>
            <tr>
              <th>{t("reports.unused")}</th>
              <td data-figure="unused">{formatYen(reference.data.unused_balance_yen)}</td>
            </tr>
            <tr>
              <th>{t("reports.deposit")}</th>
              <td data-figure="deposit">{formatYen(reference.data.required_deposit_yen)}</td>
            </tr>
            <tr>
              <th>{t("reports.due")}</th>
              <td>{reference.data.report_due_date}</td>
            </tr>
          </tbody>
        </table>
      )}
      <DownloadButton path={`/v1/admin/reports/reference-date?date=${date}&format=csv`} fileName={reportFileName("reference-date", date, date)} testId="csv-reference" />
    </Section>
  );
}

interface CashRefund {
  id: string;
  resident_id: string;
  amount_yen: number;
  reason: string;
  rule: string;
  created_at: string;
}

function CashRefunds() {
  const t = useMessages(adminMessages);
  const period = nextReferenceDate();
  const [q, setQ] = useState("");
  const list = usePaged<CashRefund>(`/v1/admin/cash-refunds?period=${period}`, (b) => ({ items: b.items, next: b.next_cursor }));
  return (
    <Section title={t("refunds.title", { period })} testId="report-refunds">
      <TextField label={t("refunds.search")} value={q} onValue={setQ} hint={t("paging.pageSearch")} />
      {list.page.state === "error" && <ErrorMessage problem={list.page.problem} />}
      {list.page.state === "ok" && (
        <>
          {list.page.data.items.length === 0 && <p>{t("refunds.empty")}</p>}
          <table class="ts-table" data-testid="refunds">
            <thead>
              <tr>
                <th>{t("refunds.resident")}</th>
                <th>{t("reports.amount")}</th>
                <th>{t("refunds.reason")}</th>
                <th>{t("refunds.at")}</th>
              </tr>
            </thead>
            <tbody>
              {list.page.data.items
                .filter((r) => !q || r.resident_id.includes(q) || r.reason.includes(q))
                .map((r) => (
                  <tr key={r.id}>
                    <td>{r.resident_id}</td>
                    <td>{formatYen(r.amount_yen)}</td>
                    <td>{r.reason}</td>
                    <td>{r.created_at.slice(0, 10)}</td>
                  </tr>
                ))}
            </tbody>
          </table>
          <Pager testId="refunds-pager" pageNo={list.pageNo} next={list.next} prev={list.prev} />
        </>
      )}
      <DownloadButton path={`/v1/admin/cash-refunds?period=${period}&format=csv`} fileName={`tsubaki-cash-refunds-${period}.csv`} />
    </Section>
  );
}

/** The reference date that closes the period today is in (refunds count against it). */
function nextReferenceDate(): string {
  const today = tokyoToday();
  const year = Number(today.slice(0, 4));
  return [`${year}-03-31`, `${year}-09-30`, `${year + 1}-03-31`].find((d) => d >= today)!;
}

interface BurnDownDay {
  day: string;
  issued_yen: number;
  used_yen: number;
  expired_yen: number;
  remaining_yen: number;
}

/** One campaign's burn-down over the period: issued, used, expired and remaining, cumulative per day. */
function CampaignBurnDown({ from, to }: { from: string; to: string }) {
  const t = useMessages(adminMessages);
  const [campaigns] = useApiGet<{ items: { id: string; name_ja: string }[] }>(api, "/v1/admin/campaigns?limit=100");
  const [picked, setPicked] = useState("");
  const id = picked || (campaigns.state === "ok" ? (campaigns.data.items[0]?.id ?? "") : "");
  return (
    <Section title={t("reports.burnDown")} testId="report-burn-down">
      {campaigns.state === "error" && <ErrorMessage problem={campaigns.problem} />}
      {campaigns.state === "ok" && campaigns.data.items.length === 0 && <p>{t("campaigns.empty")}</p>}
      {campaigns.state === "ok" && campaigns.data.items.length > 0 && (
        <label class="ts-stack">
          {t("reports.campaign")}
          <select value={id} onChange={(e) => setPicked((e.target as HTMLSelectElement).value)} name="campaign" style={{ minHeight: "48px", font: "inherit" }}>
            {campaigns.data.items.map((c) => (
              <option key={c.id} value={c.id}>
                {c.id} {c.name_ja}
              </option>
            ))}
          </select>
        </label>
      )}
      {id && <BurnDownSeries id={id} from={from} to={to} />}
    </Section>
  );
}

function BurnDownSeries({ id, from, to }: { id: string; from: string; to: string }) {
  const t = useMessages(adminMessages);
  const path = `/v1/admin/reports/campaigns/${encodeURIComponent(id)}/burn-down?from=${from}&to=${to}`;
  const [series] = useApiGet<{ days: BurnDownDay[] }>(api, path);
  return (
    <>
      {series.state === "error" && <ErrorMessage problem={series.problem} />}
      {series.state === "ok" && (
        <LineChart
          testId="chart-burn-down"
          label={t("reports.burnDown")}
          labels={series.data.days.map((d) => d.day)}
          format={(v) => formatYen(v)}
          series={[
            { name: t("col.issued"), values: series.data.days.map((d) => d.issued_yen) },
            { name: t("col.used"), values: series.data.days.map((d) => d.used_yen) },
            { name: t("col.expired"), values: series.data.days.map((d) => d.expired_yen) },
            { name: t("col.remaining"), values: series.data.days.map((d) => d.remaining_yen) },
          ]}
        />
      )}
      <DownloadButton path={`${path}&format=csv`} fileName={reportFileName(`burn-down-${id}`, from, to)} testId="csv-burn-down" />
    </>
  );
}
