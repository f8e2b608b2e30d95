// Language, text size and contrast; and signing out.
import { Button, Layout, SettingsForm, useMessages } from "@tsubaki/ui";
import { api } from "../api";
import { useNav } from "../app";
import { adminMessages } from "../messages";

export function SettingsScreen() {
  const t = useMessages(adminMessages);
  return (
    <Layout appName={t("appName")} title={t("settings.title")} nav={useNav()}>
      <SettingsForm />
      <Button variant="secondary" onClick={() => void api.logout()}>
        Sign out / ログアウト
      </Button>
    </Layout>
  );
}
