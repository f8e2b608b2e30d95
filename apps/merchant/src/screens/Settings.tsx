import { Layout, SettingsForm, useMessages } from "@tsubaki/ui";
import { useNav } from "../app";
import { merchantMessages } from "../messages";

export function SettingsScreen() {
  const t = useMessages(merchantMessages);
  return (
    <Layout appName={t("appName")} title={t("settings.title")} nav={useNav()}>
      <SettingsForm />
    </Layout>
  );
}
