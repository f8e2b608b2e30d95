// Home: the balance (GET /v1/wallet) — the total, coins, the point lots in the order a payment spends them, and
// what lapses within 30 days, never silently. The last balance seen is kept, so offline the resident still sees
// it, with its time and a notice that it may be out of date.
import { Button, ErrorMessage, formatYen, Layout, Link, useApiGet, useMessages, useSettings, kitMessages, type Lang } from "@tsubaki/ui";
import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import { useNav } from "../app";
import { formatDate, formatTime } from "../format";
import { walletMessages } from "../messages";
import type { Lot, Wallet } from "../types";

const lastWalletKey = "tsubaki.wallet.last";

function readLastWallet(): Wallet | null {
  try {
    const text = localStorage.getItem(lastWalletKey);
    return text ? (JSON.parse(text) as Wallet) : null;
  } catch {
    return null;
  }
}

function lotName(lot: Lot, lang: Lang): string {
  return (lang === "ja" ? lot.campaign_name_ja : lot.campaign_name_en) ?? lot.campaign_name_ja ?? lot.campaign_id;
}

function Balance({ wallet, offline }: { wallet: Wallet; offline: boolean }) {
  const t = useMessages(walletMessages);
  const { lang } = useSettings();
  return (
    <section class="ts-stack" aria-labelledby="balance-total">
      {offline ? (
        <p class="ts-banner ts-banner--warning" role="status" data-testid="offline-balance">
          {t("home.offline")}
        </p>
      ) : null}
      <div class="ts-card">
        <p class="ts-result__label" id="balance-total">
          {t("home.total")}
        </p>
        <p class="ts-amount-big" data-testid="total">
          {formatYen(wallet.total_yen)}
        </p>
        <p class="ts-muted">{t("home.asOf", { time: formatTime(wallet.as_of, lang) })}</p>
        <dl class="ts-pairs">
          <dt>{t("home.points")}</dt>
          <dd data-testid="points">{formatYen(wallet.points_yen)}</dd>
          <dt>{t("home.coins")}</dt>
          <dd data-testid="coins">{formatYen(wallet.coins_yen)}</dd>
        </dl>
      </div>
      <p class={wallet.lapsing.total_yen > 0 ? "ts-banner ts-banner--warning" : "ts-muted"} data-testid="lapsing">
        {wallet.lapsing.total_yen > 0 ? t("home.lapsing", { amount: formatYen(wallet.lapsing.total_yen) }) : t("home.lapsingNone")}
      </p>
      <h2>{t("home.lotsTitle")}</h2>
      {wallet.lots.length === 0 ? (
        <p class="ts-muted">{t("home.noLots")}</p>
      ) : (
        <ol class="ts-list" data-testid="lots">
          {wallet.lots.map((lot) => (
            <li key={lot.lot_id}>
              <span>{lotName(lot, lang)}</span>
              <strong>{formatYen(lot.balance_yen)}</strong>
              <span class="ts-muted">{t("home.lotExpires", { date: formatDate(lot.expires_at, lang) })}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

export function HomeScreen() {
  const t = useMessages(walletMessages);
  const k = useMessages(kitMessages);
  const [wallet, reload] = useApiGet<Wallet>(api, "/v1/wallet");
  const [last] = useState(readLastWallet);
  useEffect(() => {
    if (wallet.state === "ok") localStorage.setItem(lastWalletKey, JSON.stringify(wallet.data));
  }, [wallet]);
  const offline = wallet.state === "error" && wallet.problem.code === "network_error" && last !== null;
  return (
    <Layout appName={t("appName")} title={t("home.title")} nav={useNav()}>
      {wallet.state === "loading" ? <p role="status">{k("loading")}</p> : null}
      {wallet.state === "ok" ? <Balance wallet={wallet.data} offline={false} /> : null}
      {offline && last ? <Balance wallet={last} offline /> : null}
      {wallet.state === "error" && !offline ? (
        <div class="ts-stack">
          <ErrorMessage problem={wallet.problem} />
          <Button variant="secondary" onClick={reload}>
            {k("retry")}
          </Button>
        </div>
      ) : null}
      <p>
        <Link to="/scan" class="ts-button ts-button--primary ts-button--block">
          {t("nav.scan")}
        </Link>
      </p>
      <p>
        <Link to="/charge" class="ts-button ts-button--secondary ts-button--block">
          {t("home.charge")}
        </Link>
      </p>
      <Button variant="quiet" onClick={() => void api.logout()}>
        {k("logout")}
      </Button>
    </Layout>
  );
}
