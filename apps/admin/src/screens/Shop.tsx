// One shop (加盟店): its fields; its status with the changes the city makes (approve an application, suspend —
// after a confirmation — and resume); the bank account payouts go to, with the API's word on each field next to
// it; and the people who work there. Auditors see all of it and none of the buttons.
import { Button, ChoiceGroup, ErrorMessage, Layout, Link, TextField, useApiGet, useMessages, type ApiProblem, type Loadable } from "@tsubaki/ui";
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api";
import { useNav } from "../app";
import { useCanOperate } from "../me";
import { adminMessages } from "../messages";
import { ownerIdOf } from "./Shops";
import { fieldErrors, japanTime, percentOf, type AccountType, type Bank, type Shop, type ShopField, type ShopStatus } from "./shop-fields";

export function ShopScreen({ id }: { id: string }) {
  const t = useMessages(adminMessages);
  const canOperate = useCanOperate();
  const [loaded, reload] = useApiGet<Shop>(api, `/v1/admin/shops/${encodeURIComponent(id)}`);
  // A reload after a change keeps the shop on screen (and the forms with their messages) until the new one comes.
  const [last, setLast] = useState<Shop | null>(null);
  useEffect(() => {
    if (loaded.state === "ok") setLast(loaded.data);
  }, [loaded]);
  const shop: Loadable<Shop> = loaded.state === "loading" && last !== null && last.id === id ? { state: "ok", data: last } : loaded;
  const ownerFailed = typeof location !== "undefined" && new URLSearchParams(location.search).get("owner") === "failed";
  const title = shop.state === "ok" ? t("shop.title", { name: shop.data.name_ja }) : t("shops.title");
  return (
    <Layout appName={t("appName")} title={title} nav={useNav()}>
      <p>
        <Link to="/shops">{t("shop.back")}</Link>
      </p>
      {shop.state === "loading" && <p>{t("loading")}</p>}
      {shop.state === "error" && <ErrorMessage problem={shop.problem} />}
      {shop.state === "ok" && (
        <>
          {ownerFailed && (
            <p class="ts-error" role="alert">
              {t("shops.ownerFailed")}
            </p>
          )}
          {!canOperate && <p class="ts-field__hint">{t("shop.readOnly")}</p>}
          <Details shop={shop.data} />
          <Status shop={shop.data} canOperate={canOperate} onChanged={reload} />
          <BankAccount shop={shop.data} canOperate={canOperate} onSaved={reload} />
          <Staff shopId={shop.data.id} canOperate={canOperate} />
        </>
      )}
    </Layout>
  );
}

function Details({ shop }: { shop: Shop }) {
  const t = useMessages(adminMessages);
  const rows: [string, string][] = [
    [t("shop.id"), shop.id],
    [t("shops.code"), shop.code],
    [t("shops.name"), shop.name_ja],
    [t("shop.nameLatin"), shop.name_latin],
    [t("shops.category"), shop.category],
    [t("shops.tier"), t(`shops.tier.${shop.tier}`)],
    [t("shop.mcc"), shop.mcc],
    [t("shops.fee"), percentOf(shop.fee_rate_bp)],
    [t("shop.account"), shop.account],
    [t("shop.createdAt"), japanTime(shop.created_at)],
  ];
  return (
    <section class="ts-card ts-stack" aria-labelledby="shop-details">
      <h2 id="shop-details">{t("shop.details")}</h2>
      <dl class="ts-stack" style={{ gap: "0.5rem", margin: 0 }} data-testid="shop-details">
        {rows.map(([label, value]) => (
          <div key={label} style={{ display: "flex", flexWrap: "wrap", columnGap: "1em" }}>
            <dt style={{ fontWeight: 700, minWidth: "10em" }}>{label}</dt>
            <dd style={{ margin: 0, overflowWrap: "anywhere" }}>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

/** The changes the console offers from each status (the API would take any; these are the ones that mean something). */
const nextStatuses: Readonly<Record<ShopStatus, readonly { to: ShopStatus; label: "shop.approve" | "shop.suspend" | "shop.resume"; confirm: boolean }[]>> = {
  applied: [{ to: "active", label: "shop.approve", confirm: false }],
  active: [{ to: "suspended", label: "shop.suspend", confirm: true }],
  suspended: [{ to: "active", label: "shop.resume", confirm: false }],
};

function Status({ shop, canOperate, onChanged }: { shop: Shop; canOperate: boolean; onChanged: () => void }) {
  const t = useMessages(adminMessages);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState<ShopStatus | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [done, setDone] = useState<ShopStatus | null>(null);
  const confirmRef = useRef<HTMLDivElement>(null);
  // The buttons are replaced as the status changes: focus goes to the status line, not to the page's start.
  const statusRef = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);

  async function change(to: ShopStatus) {
    setBusy(true);
    const r = await api.request<Shop>("PUT", `/v1/admin/shops/${encodeURIComponent(shop.id)}/status`, { body: { status: to } });
    setBusy(false);
    setConfirming(null);
    setProblem(r.ok ? null : r.problem);
    setDone(r.ok ? r.data.status : null);
    statusRef.current?.focus();
    if (r.ok) onChanged();
  }

  return (
    <section class="ts-card ts-stack" aria-labelledby="shop-status">
      <h2 id="shop-status">{t("shop.statusTitle")}</h2>
      <p data-testid="shop-status" data-status={shop.status} tabIndex={-1} ref={statusRef}>
        {t("shop.statusNow", { status: t(`shops.status.${shop.status}`) })}
      </p>
      {canOperate && confirming === null && (
        <div style={{ display: "flex", gap: "1em", flexWrap: "wrap" }}>
          {nextStatuses[shop.status].map((next) => (
            <Button key={next.to} variant={next.confirm ? "danger" : "primary"} busy={busy} onClick={() => {
                setDone(null);
                if (next.confirm) setConfirming(next.to);
                else void change(next.to);
              }}>
              {t(next.label)}
            </Button>
          ))}
        </div>
      )}
      {canOperate && confirming !== null && (
        <div class="ts-stack" role="group" aria-labelledby="suspend-question" tabIndex={-1} ref={confirmRef} data-testid="confirm-suspend">
          <p id="suspend-question">
            <strong>{t("shop.suspendConfirm", { name: shop.name_ja })}</strong>
          </p>
          <div style={{ display: "flex", gap: "1em", flexWrap: "wrap" }}>
            <Button variant="danger" busy={busy} onClick={() => void change(confirming)}>
              {t("shop.suspendYes")}
            </Button>
            <Button
              variant="secondary"
              onClick={() => {
                setConfirming(null);
                statusRef.current?.focus();
              }}
            >
              {t("shop.cancel")}
            </Button>
          </div>
        </div>
      )}
      {problem && <ErrorMessage problem={problem} />}
      {done && (
        <p role="status" data-testid="status-done">
          {t("shop.statusDone", { status: t(`shops.status.${done}`) })}
        </p>
      )}
    </section>
  );
}

const nowrap = { whiteSpace: "nowrap" } as const;

/** Read by a screen reader, not shown (the column's buttons say what they do). */
const visuallyHidden = { position: "absolute", width: "1px", height: "1px", overflow: "hidden", clip: "rect(0 0 0 0)", whiteSpace: "nowrap" } as const;

const accountTypes: readonly AccountType[] = ["ordinary", "current", "savings"];

function BankAccount({ shop, canOperate, onSaved }: { shop: Shop; canOperate: boolean; onSaved: () => void }) {
  const t = useMessages(adminMessages);
  const current = shop.bank ?? null;
  const [draft, setDraft] = useState<Bank>(current ?? { bank_code: "", branch_code: "", account_type: "ordinary", account_number: "", holder_kana: "" });
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [saved, setSaved] = useState(false);
  const errors: Partial<Record<ShopField, string>> = fieldErrors(problem, t);
  const set = (key: keyof Bank) => (value: string) => setDraft({ ...draft, [key]: value });

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setSaved(false);
    const bank = { ...draft, bank_code: draft.bank_code.trim(), branch_code: draft.branch_code.trim(), account_number: draft.account_number.trim() };
    const r = await api.request<Shop>("PUT", `/v1/admin/shops/${encodeURIComponent(shop.id)}/bank`, { body: { bank } });
    setBusy(false);
    setProblem(r.ok ? null : r.problem);
    setSaved(r.ok);
    if (r.ok) onSaved();
  }

  return (
    <section class="ts-card ts-stack" aria-labelledby="shop-bank">
      <h2 id="shop-bank">{t("shop.bankTitle")}</h2>
      <p data-testid="bank-now">
        {current
          ? t("shop.bank.summary", {
              bank: current.bank_code,
              branch: current.branch_code,
              type: t(`shop.bank.type.${current.account_type}`),
              number: current.account_number,
              holder: current.holder_kana,
            })
          : t("shop.bank.none")}
      </p>
      {canOperate && (
        <form class="ts-stack" onSubmit={submit} data-testid="bank-form" noValidate>
          <p class="ts-field__hint">{t("shop.bankLead")}</p>
          <TextField label={t("shop.bank.code")} value={draft.bank_code} onValue={set("bank_code")} error={errors.bank_code} name="bank_code" inputMode="numeric" autoComplete="off" />
          <TextField label={t("shop.bank.branch")} value={draft.branch_code} onValue={set("branch_code")} error={errors.branch_code} name="branch_code" inputMode="numeric" autoComplete="off" />
          <ChoiceGroup
            name="account_type"
            legend={t("shop.bank.type")}
            value={draft.account_type}
            onChange={(account_type) => setDraft({ ...draft, account_type })}
            options={accountTypes.map((type) => ({ value: type, label: t(`shop.bank.type.${type}`) }))}
          />
          {errors.account_type && <p class="ts-field__error">{errors.account_type}</p>}
          <TextField label={t("shop.bank.number")} value={draft.account_number} onValue={set("account_number")} error={errors.account_number} name="account_number" inputMode="numeric" autoComplete="off" />
          <TextField
            label={t("shop.bank.holder")}
            hint={t("shop.bank.holderHint")}
            value={draft.holder_kana}
            onValue={set("holder_kana")}
            error={errors.holder_kana}
            name="holder_kana"
            autoComplete="off"
          />
          {problem && <ErrorMessage problem={problem} />}
          <Button type="submit" busy={busy}>
            {t("shop.bank.save")}
          </Button>
          {saved && (
            <p role="status" data-testid="bank-saved">
              {t("shop.bank.saved")}
            </p>
          )}
        </form>
      )}
    </section>
  );
}

interface Member {
  shop_id: string;
  user_id: string;
  role: "owner" | "staff";
  added_at: string;
}

/** A shop's people (at most 100: the store's bound), each named by login. */
function Staff({ shopId, canOperate }: { shopId: string; canOperate: boolean }) {
  const t = useMessages(adminMessages);
  const [staff, reload] = useApiGet<{ staff: Member[] }>(api, `/v1/admin/shops/${encodeURIComponent(shopId)}/staff?limit=100`);
  const [login, setLogin] = useState("");
  const [role, setRole] = useState<"owner" | "staff">("staff");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [loginError, setLoginError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  async function add(e: Event) {
    e.preventDefault();
    setBusy(true);
    setDone(null);
    const userId = await ownerIdOf(login.trim());
    if (typeof userId !== "string" || userId === "not_found") {
      setBusy(false);
      setLoginError(userId === "not_found" ? t("shop.userNotFound") : null);
      setProblem(typeof userId === "string" ? null : userId);
      return;
    }
    const r = await api.request<Member>("PUT", `/v1/admin/shops/${encodeURIComponent(shopId)}/staff/${encodeURIComponent(userId)}`, { body: { role } });
    setBusy(false);
    setLoginError(null);
    setProblem(r.ok ? null : r.problem);
    if (r.ok) {
      setDone(t("shop.staff.addedDone", { user: login.trim() }));
      setLogin("");
      reload();
    }
  }

  async function remove(userId: string, name: string) {
    setDone(null);
    const r = await api.request("DELETE", `/v1/admin/shops/${encodeURIComponent(shopId)}/staff/${encodeURIComponent(userId)}`);
    setProblem(r.ok ? null : r.problem);
    if (r.ok) {
      setDone(t("shop.staff.removedDone", { user: name }));
      reload();
    }
  }

  return (
    <section class="ts-card ts-stack" aria-labelledby="shop-staff">
      <h2 id="shop-staff">{t("shop.staffTitle")}</h2>
      {staff.state === "loading" && <p>{t("loading")}</p>}
      {staff.state === "error" && <ErrorMessage problem={staff.problem} />}
      {staff.state === "ok" && staff.data.staff.length === 0 && <p>{t("shop.staff.empty")}</p>}
      {staff.state === "ok" && staff.data.staff.length > 0 && (
        <div style={{ overflowX: "auto" }}>
          <table class="ts-table" data-testid="shop-staff" style={{ minWidth: "30em" }}>
            <thead>
              <tr>
                <th>{t("shop.staff.user")}</th>
                <th style={nowrap}>{t("shop.staff.role")}</th>
                <th>{t("shop.staff.added")}</th>
                {canOperate && (
                  <th>
                    <span style={visuallyHidden}>{t("shop.staff.remove")}</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {staff.data.staff.map((m) => (
                <StaffRow key={m.user_id} member={m} canOperate={canOperate} onRemove={remove} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {problem && <ErrorMessage problem={problem} />}
      {done && (
        <p role="status" data-testid="staff-done">
          {done}
        </p>
      )}
      {canOperate && (
        <form class="ts-stack" onSubmit={add} data-testid="staff-form" noValidate>
          <TextField label={t("shop.staff.login")} value={login} onValue={setLogin} error={loginError} name="staff_login" autoComplete="off" />
          <ChoiceGroup
            name="staff_role"
            legend={t("shop.staff.role")}
            value={role}
            onChange={setRole}
            options={[
              { value: "staff", label: t("shop.staff.role.staff") },
              { value: "owner", label: t("shop.staff.role.owner") },
            ]}
          />
          <Button type="submit" busy={busy}>
            {t("shop.staff.add")}
          </Button>
        </form>
      )}
    </section>
  );
}

function StaffRow({ member, canOperate, onRemove }: { member: Member; canOperate: boolean; onRemove: (userId: string, name: string) => Promise<void> }) {
  const t = useMessages(adminMessages);
  const [user] = useApiGet<{ login: string; display_name: string }>(api, `/v1/admin/users/${encodeURIComponent(member.user_id)}`);
  const [busy, setBusy] = useState(false);
  const name = user.state === "ok" ? `${user.data.display_name}（${user.data.login}）` : member.user_id;
  return (
    <tr data-user={member.user_id} data-login={user.state === "ok" ? user.data.login : undefined}>
      <td>
        {name}
        <br />
        <small>{member.user_id}</small>
      </td>
      <td style={nowrap}>{t(`shop.staff.role.${member.role}`)}</td>
      <td>{japanTime(member.added_at)}</td>
      {canOperate && (
        <td style={nowrap}>
          <Button
            variant="secondary"
            busy={busy}
            aria-label={t("shop.staff.removeLabel", { user: name })}
            onClick={() => {
              setBusy(true);
              void onRemove(member.user_id, name).finally(() => setBusy(false));
            }}
          >
            {t("shop.staff.remove")}
          </Button>
        </td>
      )}
    </tr>
  );
}
