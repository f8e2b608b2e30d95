// Where and how to charge: a static screen (charging itself happens at a counter, DESIGN §4).
import { Layout, useMessages } from "@tsubaki/ui";
import { useNav } from "../app";
import { walletMessages } from "../messages";

export function ChargeScreen() {
  const t = useMessages(walletMessages);
  return (
    <Layout appName={t("appName")} title={t("charge.title")} nav={useNav()}>
      <div class="ts-stack">
        <p class="ts-lead">{t("charge.counter")}</p>
        <p>{t("charge.card")}</p>
        <p>{t("charge.premium")}</p>
      </div>
    </Layout>
  );
}
