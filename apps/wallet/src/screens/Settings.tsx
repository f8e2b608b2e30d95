import { Layout, SettingsForm, useMessages } from "@tsubaki/ui";
import { useNav } from "../app";
import { walletMessages } from "../messages";

export function SettingsScreen() {
  const t = useMessages(walletMessages);
  return (
    <Layout appName={t("appName")} title={t("settings.title")} nav={useNav()}>
      <SettingsForm />
    </Layout>
  );
}
