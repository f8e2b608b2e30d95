// Settings: language, large text and contrast (the kit's form), and the proxies the resident has granted.
import { formatYen, Layout, SettingsForm, useApiGet, useMessages, useSettings, ErrorMessage } from "@tsubaki/ui";
import { api } from "../api";
import { useNav } from "../app";
import { formatDate } from "../format";
import { walletMessages } from "../messages";

interface Proxy {
  id: string;
  daily_limit_yen: number;
  can_view_history: boolean;
  created_at: string;
  revoked_at: string | null;
}

function Proxies() {
  const t = useMessages(walletMessages);
  const { lang } = useSettings();
  const [page] = useApiGet<{ proxies: Proxy[] }>(api, "/v1/wallet/proxies");
  const active = page.state === "ok" ? page.data.proxies.filter((p) => p.revoked_at === null) : [];
  return (
    <section class="ts-stack" aria-labelledby="proxies">
      <h2 id="proxies">{t("settings.proxies")}</h2>
      {page.state === "error" && page.problem.code !== "forbidden" ? <ErrorMessage problem={page.problem} /> : null}
      {page.state === "ok" && active.length === 0 ? <p class="ts-muted">{t("settings.proxiesNone")}</p> : null}
      {active.length > 0 ? (
        <ul class="ts-list" data-testid="proxies">
          {active.map((p) => (
            <li key={p.id}>
              <span>{t("settings.proxy", { limit: formatYen(p.daily_limit_yen), history: p.can_view_history ? t("settings.yes") : t("settings.no") })}</span>
              <span class="ts-muted">{t("settings.proxySince", { date: formatDate(p.created_at, lang) })}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

export function SettingsScreen() {
  const t = useMessages(walletMessages);
  return (
    <Layout appName={t("appName")} title={t("settings.title")} nav={useNav()}>
      <div class="ts-stack">
        <SettingsForm />
        <Proxies />
      </div>
    </Layout>
  );
}
