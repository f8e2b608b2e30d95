// Shop payouts (DESIGN §4 Payout): the runs, newest first, searchable and paged; a run made on request for some or
// all shops; and, per run, its lines (shop, gross, fee, net), the Zengin file for the bank and the import of the
// bank's confirmation, which clears payout:pending. The monthly run is made by the server on the 1st.
import { Button, ErrorMessage, formatYen, Layout, Link, newIdempotencyKey, TextField, useApiGet, useMessages, type ApiProblem } from "@tsubaki/ui";
import { useState } from "preact/hooks";
import { api } from "../api";
import { useNav } from "../app";
import { adminMessages } from "../messages";
import { DownloadButton } from "./Download";
import { Pager, usePaged } from "./Paged";
import { shopsPath } from "./Shops";

interface Run {
  id: string;
  trigger: "monthly" | "on_request";
  transfer_date: string;
  count: number;
  total_yen: number;
  status: "sent" | "confirmed";
  created_at: string;
}

interface Line {
  id: string;
  shop_id: string;
  shop_name: string | null;
  record_no: number;
  gross_yen: number;
  fee_yen: number;
  net_yen: number;
  status: "pending" | "cleared" | "returned";
}

export function PayoutsScreen() {
  const t = useMessages(adminMessages);
  const [q, setQ] = useState("");
  const [shops, setShops] = useState("");
  const list = usePaged<Run>(`/v1/admin/payout-runs${q ? `?q=${encodeURIComponent(q)}` : ""}`, (b) => ({ items: b.items, next: b.next_cursor }));
  return (
    <Layout appName={t("appName")} title={t("payouts.title")} nav={useNav()}>
      <section class="ts-card ts-stack">
        <TextField label={t("payouts.search")} value={q} onValue={setQ} name="q" />
        {list.page.state === "loading" && <p>{t("loading")}</p>}
        {list.page.state === "error" && <ErrorMessage problem={list.page.problem} />}
        {list.page.state === "ok" && (
          <>
            {list.page.data.items.length === 0 && <p>{t("payouts.empty")}</p>}
            <table class="ts-table" data-testid="payout-runs">
              <thead>
                <tr>
                  <th>{t("payouts.run")}</th>
                  <th>{t("payouts.trigger")}</th>
                  <th>{t("payouts.transferDate")}</th>
                  <th>{t("payouts.count")}</th>
                  <th>{t("payouts.total")}</th>
                  <th>{t("payouts.status")}</th>
                </tr>
              </thead>
              <tbody>
                {list.page.data.items.map((r) => (
                  <tr key={r.id} data-run={r.id}>
                    <td>
                      <Link to={`/payouts/${encodeURIComponent(r.id)}`}>{r.id}</Link>
                    </td>
                    <td>{t(`payouts.trigger.${r.trigger}`)}</td>
                    <td>{r.transfer_date}</td>
                    <td>{r.count}</td>
                    <td>{formatYen(r.total_yen)}</td>
                    <td>{t(`payouts.status.${r.status}`)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager testId="payouts-pager" pageNo={list.pageNo} next={list.next} prev={list.prev} />
          </>
        )}
      </section>
      <NewRun onCreated={list.reload} shops={shops} setShops={setShops} />
      <Shops onPick={(id) => setShops(shops.split(/[\s,]+/).filter(Boolean).concat(id).join(" "))} />
    </Layout>
  );
}

/** MMDD a few days ahead: the bank wants the file before the transfer day. */
function defaultTransferDate(): string {
  const d = new Date(Date.now() + 9 * 3600_000 + 3 * 86_400_000).toISOString();
  return d.slice(5, 7) + d.slice(8, 10);
}

function NewRun({ onCreated, shops, setShops }: { onCreated: () => void; shops: string; setShops: (v: string) => void }) {
  const t = useMessages(adminMessages);
  const [transferDate, setTransferDate] = useState(defaultTransferDate());
  const [key, setKey] = useState(newIdempotencyKey());
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [made, setMade] = useState<Run | null>(null);
  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    const shopIds = shops.split(/[\s,]+/).filter(Boolean);
    const r = await api.post<Run>("/v1/admin/payout-runs", { trigger: "on_request", transfer_date: transferDate, ...(shopIds.length ? { shop_ids: shopIds } : {}) }, { idempotencyKey: key });
    setBusy(false);
    setProblem(r.ok ? null : r.problem);
    if (r.ok) {
      setMade(r.data);
      setKey(newIdempotencyKey());
      onCreated();
    }
  }
  return (
    <section class="ts-card ts-stack">
      <h2>{t("payouts.new")}</h2>
      <p class="ts-hint">{t("payouts.newLead")}</p>
      <form class="ts-stack" onSubmit={submit} data-testid="new-payout">
        <TextField label={t("payouts.transferDateField")} value={transferDate} onValue={setTransferDate} inputMode="numeric" name="transfer_date" />
        <TextField label={t("payouts.shops")} value={shops} onValue={setShops} name="shop_ids" />
        {problem && <ErrorMessage problem={problem} />}
        <Button type="submit" busy={busy}>
          {t("payouts.create")}
        </Button>
      </form>
      {made && (
        <p role="status" data-testid="payout-made">
          {t("payouts.made", { count: made.count, yen: formatYen(made.total_yen) })} <Link to={`/payouts/${encodeURIComponent(made.id)}`}>{made.id}</Link>
        </p>
      )}
    </section>
  );
}

export function PayoutRunScreen({ id }: { id: string }) {
  const t = useMessages(adminMessages);
  const [run, reload] = useApiGet<Run & { payouts: Line[] }>(api, `/v1/admin/payout-runs/${encodeURIComponent(id)}`);
  return (
    <Layout appName={t("appName")} title={t("payouts.runTitle", { id })} nav={useNav()}>
      {run.state === "loading" && <p>{t("loading")}</p>}
      {run.state === "error" && <ErrorMessage problem={run.problem} />}
      {run.state === "ok" && (
        <>
          <section class="ts-card ts-stack">
            <p>
              {t(`payouts.trigger.${run.data.trigger}`)} · {t("payouts.transferDate")} {run.data.transfer_date} · {t(`payouts.status.${run.data.status}`)}
            </p>
            <table class="ts-table" data-testid="payout-lines">
              <thead>
                <tr>
                  <th>No.</th>
                  <th>{t("payouts.shop")}</th>
                  <th>{t("payouts.gross")}</th>
                  <th>{t("payouts.fee")}</th>
                  <th>{t("payouts.net")}</th>
                  <th>{t("payouts.status")}</th>
                </tr>
              </thead>
              <tbody>
                {run.data.payouts.map((p) => (
                  <tr key={p.id} data-line={p.record_no}>
                    <td>{p.record_no}</td>
                    <td>
                      {p.shop_name ?? p.shop_id}
                      <br />
                      <small>{p.shop_id}</small>
                    </td>
                    <td>{formatYen(p.gross_yen)}</td>
                    <td>{formatYen(p.fee_yen)}</td>
                    <td>{formatYen(p.net_yen)}</td>
                    <td data-status={p.status}>{t(`payouts.line.${p.status}`)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div style={{ display: "flex", gap: "1em", flexWrap: "wrap" }}>
              <DownloadButton path={`/v1/admin/payout-runs/${encodeURIComponent(id)}/zengin`} fileName={`zengin-${id}.txt`} label={t("payouts.zengin")} testId="zengin" />
              <DownloadButton path={`/v1/admin/payout-runs/${encodeURIComponent(id)}?format=csv`} fileName={`tsubaki-payout-${id}.csv`} testId="csv-payout" />
            </div>
          </section>
        </>
      )}
      {/* Outside the loaded run: reloading the lines after an import must not forget what the import did. */}
      {run.state !== "error" && <Confirmation id={id} onDone={reload} />}
    </Layout>
  );
}

function Confirmation({ id, onDone }: { id: string; onDone: () => void }) {
  const t = useMessages(adminMessages);
  const [csv, setCsv] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [result, setResult] = useState<{ cleared: number; returned: number; unconfirmed: number } | null>(null);
  async function pick(e: Event) {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) setCsv(await file.text());
  }
  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    const r = await api.post<{ cleared: number; returned: number; unconfirmed: number }>(`/v1/admin/payout-runs/${encodeURIComponent(id)}/confirmation`, { csv });
    setBusy(false);
    setProblem(r.ok ? null : r.problem);
    setResult(r.ok ? r.data : null);
    if (r.ok) onDone();
  }
  return (
    <section class="ts-card ts-stack">
      <h2>{t("payouts.confirm")}</h2>
      <form class="ts-stack" onSubmit={submit} data-testid="confirmation">
        <label class="ts-stack">
          {t("payouts.confirmFile")}
          <input type="file" accept=".csv,text/csv,text/plain" onChange={pick} name="confirmation" />
        </label>
        {problem && <ErrorMessage problem={problem} />}
        <Button type="submit" busy={busy} disabled={csv === ""}>
          {t("payouts.import")}
        </Button>
      </form>
      {result && (
        <p role="status" data-testid="confirmed">
          {t("payouts.confirmed", { cleared: result.cleared, returned: result.returned, unconfirmed: result.unconfirmed })}
        </p>
      )}
    </section>
  );
}

interface Shop {
  id: string;
  code: string;
  name_ja: string;
  tier: "small" | "large";
  fee_rate_bp: number;
  status: string;
  bank: unknown | null;
}

/** The shops a run can pay, a page at a time, searched on the server as on the Shops screen. */
function Shops({ onPick }: { onPick: (id: string) => void }) {
  const t = useMessages(adminMessages);
  const [q, setQ] = useState("");
  const list = usePaged<Shop>(shopsPath(q), (b) => ({ items: b.shops, next: b.next_cursor }));
  return (
    <section class="ts-card ts-stack">
      <h2>{t("shops.title")}</h2>
      <p>
        <Link to="/shops">{t("shops.allShops")}</Link>
      </p>
      <TextField label={t("shops.search")} value={q} onValue={setQ} hint={t("shops.searchHint")} name="shop_q" type="search" />
      {list.page.state === "error" && <ErrorMessage problem={list.page.problem} />}
      {list.page.state === "ok" && (
        <>
          <table class="ts-table" data-testid="shops">
            <thead>
              <tr>
                <th>{t("shops.code")}</th>
                <th>{t("shops.name")}</th>
                <th>{t("payouts.fee")}</th>
                <th>{t("shops.bank")}</th>
                <th aria-label={t("shops.pick")} />
              </tr>
            </thead>
            <tbody>
              {list.page.data.items.map((s) => (
                <tr key={s.id} data-shop={s.id}>
                  <td>{s.code}</td>
                  <td>
                    {s.name_ja} ({t(s.tier === "large" ? "reports.large" : "reports.small")})
                  </td>
                  <td>{(s.fee_rate_bp / 100).toFixed(2)} %</td>
                  <td>{s.bank ? t("shops.bankSet") : t("shops.bankMissing")}</td>
                  <td>
                    <Button variant="secondary" disabled={!s.bank || s.status !== "active"} onClick={() => onPick(s.id)}>
                      {t("shops.pick")}
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager testId="shops-pager" pageNo={list.pageNo} next={list.next} prev={list.prev} />
        </>
      )}
    </section>
  );
}
