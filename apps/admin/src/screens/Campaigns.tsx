// Campaigns with their burn-down, searchable and paged, and the form that creates one: a grant or an event
// check-in, with the rule of who may receive it (ages on the grant day, districts).
import { Button, ChoiceGroup, ErrorMessage, formatYen, Layout, Link, TextField, useApiGet, useMessages, type ApiProblem } from "@tsubaki/ui";
import { useState } from "preact/hooks";
import { api } from "../api";
import { useNav } from "../app";
import { adminMessages } from "../messages";
import type { BurnDown } from "./BurnDownChart";

interface CampaignRow {
  id: string;
  name_ja: string;
  name_en: string;
  burn_down: BurnDown;
}

export function CampaignsScreen() {
  const t = useMessages(adminMessages);
  const [q, setQ] = useState("");
  const [limit, setLimit] = useState(20);
  const [list, reload] = useApiGet<{ items: CampaignRow[]; next_cursor: string | null }>(api, `/v1/admin/campaigns?limit=${limit}${q ? `&q=${encodeURIComponent(q)}` : ""}`);
  return (
    <Layout appName={t("appName")} title={t("campaigns.title")} nav={useNav()}>
      <TextField label={t("campaigns.search")} value={q} onValue={setQ} />
      {list.state === "loading" && <p>{t("loading")}</p>}
      {list.state === "error" && <ErrorMessage problem={list.problem} />}
      {list.state === "ok" && (
        <>
          {list.data.items.length === 0 && <p>{t("campaigns.empty")}</p>}
          <table class="ts-table" data-testid="campaigns">
            <thead>
              <tr>
                <th>{t("col.id")}</th>
                <th>{t("col.name")}</th>
                <th>{t("col.issued")}</th>
                <th>{t("col.used")}</th>
                <th>{t("col.expired")}</th>
                <th>{t("col.remaining")}</th>
                <th>{t("col.budget")}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((c) => (
                <tr key={c.id}>
                  <td>
                    <Link to={`/campaigns/${encodeURIComponent(c.id)}`}>{c.id}</Link>
                  </td>
                  <td>{c.name_ja}</td>
                  <td>{formatYen(c.burn_down.issued_yen)}</td>
                  <td>{formatYen(c.burn_down.used_yen)}</td>
                  <td>{formatYen(c.burn_down.expired_yen)}</td>
                  <td>{formatYen(c.burn_down.remaining_yen)}</td>
                  <td>{formatYen(c.burn_down.budget_available_yen)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {list.data.next_cursor && (
            <Button variant="secondary" onClick={() => setLimit(Math.min(limit + 20, 100))}>
              {t("campaigns.more")}
            </Button>
          )}
        </>
      )}
      <NewCampaign onCreated={reload} />
    </Layout>
  );
}

function NewCampaign({ onCreated }: { onCreated: () => void }) {
  const t = useMessages(adminMessages);
  const today = new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);
  const [f, setF] = useState({ id: "", nameJa: "", nameEn: "", grantYen: "1000", cap: "1000", small: true, days: "181", starts: today, ends: "", ageMin: "", ageMax: "", districts: "" });
  const [kind, setKind] = useState<"grant" | "event">("grant");
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof f) => (v: string) => setF({ ...f, [k]: v });
  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    const ends = f.ends || new Date(Date.parse(f.starts) + 90 * 86_400_000).toISOString().slice(0, 10);
    const districts = f.districts.split(/[,、，\s]+/).filter((d) => d !== "");
    const eligibility = {
      ...(f.ageMin.trim() ? { age_min: Number(f.ageMin) } : {}),
      ...(f.ageMax.trim() ? { age_max: Number(f.ageMax) } : {}),
      ...(districts.length > 0 ? { districts } : {}),
    };
    const r = await api.post("/v1/admin/campaigns", {
      id: f.id,
      name_ja: f.nameJa,
      name_en: f.nameEn || f.id,
      kind,
      grant_yen: Number(f.grantYen),
      cap_per_person_yen: Number(f.cap),
      restriction: f.small ? { tiers: ["small"] } : null,
      expiry_days: Number(f.days),
      starts_at: `${f.starts}T00:00:00+09:00`,
      ends_at: `${ends}T00:00:00+09:00`,
      eligibility: Object.keys(eligibility).length > 0 ? eligibility : null,
    });
    setBusy(false);
    setProblem(r.ok ? null : r.problem);
    if (r.ok) onCreated();
  }
  return (
    <section class="ts-card ts-stack">
      <h2>{t("campaigns.new")}</h2>
      <form class="ts-stack" onSubmit={submit} data-testid="new-campaign">
        <TextField label={t("form.id")} value={f.id} onValue={set("id")} name="id" />
        <TextField label={t("form.nameJa")} value={f.nameJa} onValue={set("nameJa")} name="name_ja" />
        <TextField label={t("form.nameEn")} value={f.nameEn} onValue={set("nameEn")} name="name_en" />
        <ChoiceGroup
          name="kind"
          legend={t("form.kind")}
          value={kind}
          options={[
            { value: "grant", label: t("form.kind.grant") },
            { value: "event", label: t("form.kind.event") },
          ]}
          onChange={setKind}
        />
        <TextField label={t("form.grantYen")} value={f.grantYen} onValue={set("grantYen")} inputMode="numeric" name="grant_yen" />
        <TextField label={t("form.cap")} value={f.cap} onValue={set("cap")} inputMode="numeric" name="cap" />
        <TextField label={t("form.days")} value={f.days} onValue={set("days")} inputMode="numeric" name="days" />
        <TextField label={t("form.starts")} value={f.starts} onValue={set("starts")} type="date" name="starts" />
        <TextField label={t("form.ends")} value={f.ends} onValue={set("ends")} type="date" name="ends" />
        <fieldset class="ts-stack">
          <legend>{t("form.rule")}</legend>
          <TextField label={t("form.ageMin")} value={f.ageMin} onValue={set("ageMin")} inputMode="numeric" name="age_min" />
          <TextField label={t("form.ageMax")} value={f.ageMax} onValue={set("ageMax")} inputMode="numeric" name="age_max" />
          <TextField label={t("form.districts")} value={f.districts} onValue={set("districts")} name="districts" />
        </fieldset>
        <label>
          <input type="checkbox" checked={f.small} onChange={(e) => setF({ ...f, small: (e.target as HTMLInputElement).checked })} name="small_only" /> {t("form.tiersSmall")}
        </label>
        {problem && <ErrorMessage problem={problem} />}
        <Button type="submit" busy={busy}>
          {t("form.create")}
        </Button>
      </form>
    </section>
  );
}
