// 加盟店: the shops, a page at a time, searched on the server (a part of the code or a name, or the whole id),
// each linking to its page; and the form that onboards a shop with its owner. The owner is named by login: the
// console looks the login up first, so a mistyped login stops the onboarding before a shop is made.
import { Button, ChoiceGroup, ErrorMessage, Layout, Link, TextField, useMessages, useRouter, type ApiProblem } from "@tsubaki/ui";
import { useState } from "preact/hooks";
import { api } from "../api";
import { useNav } from "../app";
import { useCanOperate } from "../me";
import { adminMessages } from "../messages";
import { Pager, usePaged } from "./Paged";
import { basisPointsOf, fieldErrors, percentOf, type Shop, type ShopField } from "./shop-fields";

/**
 * GET /v1/admin/shops, searched on the server when something was typed: at most the 64 UTF-16 units the route
 * takes, never half of a surrogate pair (encodeURIComponent throws on one).
 */
export function shopsPath(typed: string): string {
  const needle = typed.trim().slice(0, 64).replace(/[\uD800-\uDBFF]$/, "");
  return `/v1/admin/shops${needle ? `?q=${encodeURIComponent(needle)}` : ""}`;
}

export function ShopsScreen() {
  const t = useMessages(adminMessages);
  const canOperate = useCanOperate();
  const [q, setQ] = useState("");
  const list = usePaged<Shop>(shopsPath(q), (b) => ({ items: b.shops, next: b.next_cursor }));
  return (
    <Layout appName={t("appName")} title={t("shops.title")} nav={useNav()}>
      <section class="ts-card ts-stack">
        <TextField label={t("shops.search")} value={q} onValue={setQ} hint={t("shops.searchHint")} name="shop_q" type="search" />
        {list.page.state === "loading" && <p>{t("loading")}</p>}
        {list.page.state === "error" && <ErrorMessage problem={list.page.problem} />}
        {list.page.state === "ok" && (
          <>
            {list.page.data.items.length === 0 && <p>{t("shops.empty")}</p>}
            <div style={{ overflowX: "auto" }}>
              <table class="ts-table" data-testid="shop-list" style={{ minWidth: "30em" }}>
                <thead>
                  <tr>
                    <th>{t("shops.code")}</th>
                    <th>{t("shops.name")}</th>
                    <th>{t("shops.fee")}</th>
                    <th>{t("shops.status")}</th>
                    <th>{t("shops.bank")}</th>
                  </tr>
                </thead>
                <tbody>
                  {list.page.data.items.map((s) => (
                    <tr key={s.id} data-shop={s.id}>
                      <td>
                        <Link to={`/shops/${encodeURIComponent(s.id)}`}>{s.code}</Link>
                      </td>
                      <td>
                        {s.name_ja}
                        <br />
                        <small>{t(`shops.tier.${s.tier}`)}</small>
                      </td>
                      <td style={nowrap}>{percentOf(s.fee_rate_bp)}</td>
                      <td style={nowrap} data-status={s.status}>{t(`shops.status.${s.status}`)}</td>
                      <td>{s.bank ? t("shops.bankSet") : t("shops.bankMissing")}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager testId="shop-list-pager" pageNo={list.pageNo} next={list.next} prev={list.prev} />
          </>
        )}
      </section>
      {canOperate && <NewShop />}
    </Layout>
  );
}

/** Short cells (a rate, a status) stay on one line; the name column takes the wrapping. */
const nowrap = { whiteSpace: "nowrap" } as const;

interface Draft {
  code: string;
  nameJa: string;
  nameLatin: string;
  category: string;
  tier: "small" | "large";
  mcc: string;
  feePercent: string;
  owner: string;
}

const emptyDraft: Draft = { code: "", nameJa: "", nameLatin: "", category: "", tier: "small", mcc: "", feePercent: "1.00", owner: "" };

function NewShop() {
  const t = useMessages(adminMessages);
  const router = useRouter();
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [local, setLocal] = useState<Partial<Record<ShopField, string>>>({});
  const set = (key: keyof Draft) => (value: string) => setDraft({ ...draft, [key]: value });
  const errors = { ...fieldErrors(problem, t), ...local };

  async function submit(e: Event) {
    e.preventDefault();
    setProblem(null);
    const feeRateBp = basisPointsOf(draft.feePercent);
    if (feeRateBp === null) {
      setLocal({ fee_rate_bp: t("field.fee_rate_bp") });
      return;
    }
    setLocal({});
    setBusy(true);
    const ownerId = await ownerIdOf(draft.owner.trim());
    if (ownerId === "not_found") {
      setBusy(false);
      setLocal({ login: t("shop.userNotFound") });
      return;
    }
    if (typeof ownerId !== "string") {
      setBusy(false);
      setProblem(ownerId);
      return;
    }
    const body = { code: draft.code.trim(), name_ja: draft.nameJa, name_latin: draft.nameLatin, category: draft.category.trim(), tier: draft.tier, mcc: draft.mcc.trim(), fee_rate_bp: feeRateBp };
    const made = await api.post<Shop>("/v1/admin/shops", body);
    if (!made.ok) {
      setBusy(false);
      setProblem(made.problem);
      return;
    }
    const owner = await api.request(`PUT`, `/v1/admin/shops/${encodeURIComponent(made.data.id)}/staff/${encodeURIComponent(ownerId)}`, { body: { role: "owner" } });
    setBusy(false);
    router.navigate(`/shops/${encodeURIComponent(made.data.id)}${owner.ok ? "" : "?owner=failed"}`);
  }

  return (
    <section class="ts-card ts-stack" aria-labelledby="new-shop-title">
      <h2 id="new-shop-title">{t("shops.new")}</h2>
      <p class="ts-field__hint">{t("shops.newLead")}</p>
      <form class="ts-stack" onSubmit={submit} data-testid="new-shop" noValidate>
        <TextField label={t("shops.form.code")} value={draft.code} onValue={set("code")} error={errors.code} name="code" autoComplete="off" required />
        <TextField label={t("shops.form.nameJa")} value={draft.nameJa} onValue={set("nameJa")} error={errors.name_ja} name="name_ja" required />
        <TextField label={t("shops.form.nameLatin")} value={draft.nameLatin} onValue={set("nameLatin")} error={errors.name_latin} name="name_latin" lang="en" required />
        <TextField label={t("shops.form.category")} value={draft.category} onValue={set("category")} error={errors.category} name="category" autoComplete="off" required />
        <ChoiceGroup
          name="tier"
          legend={t("shops.tier")}
          value={draft.tier}
          onChange={(tier) => setDraft({ ...draft, tier })}
          options={[
            { value: "small", label: t("shops.tier.small") },
            { value: "large", label: t("shops.tier.large") },
          ]}
        />
        <TextField label={t("shops.form.mcc")} value={draft.mcc} onValue={set("mcc")} error={errors.mcc} name="mcc" inputMode="numeric" required />
        <TextField label={t("shops.form.fee")} value={draft.feePercent} onValue={set("feePercent")} error={errors.fee_rate_bp} name="fee_percent" inputMode="decimal" required />
        <TextField
          label={t("shops.form.owner")}
          hint={t("shops.form.ownerHint")}
          value={draft.owner}
          onValue={set("owner")}
          error={errors.login}
          name="owner_login"
          autoComplete="off"
          required
        />
        {problem && <ErrorMessage problem={problem} />}
        <Button type="submit" busy={busy}>
          {t("shops.form.create")}
        </Button>
      </form>
    </section>
  );
}

/** The user id of a login, "not_found", or the problem that stopped the look-up. */
export async function ownerIdOf(login: string): Promise<string | "not_found" | ApiProblem> {
  if (login === "") return "not_found";
  const r = await api.get<{ users: { id: string }[] }>(`/v1/admin/users?login=${encodeURIComponent(login)}`);
  if (!r.ok) return r.problem;
  return r.data.users[0]?.id ?? "not_found";
}
