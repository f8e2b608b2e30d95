// Staff sign-in, with the display settings below it.
import { Layout, LoginForm, SettingsForm, useMessages } from "@tsubaki/ui";
import { api } from "../api";
import { adminMessages } from "../messages";

export function LoginScreen() {
  const t = useMessages(adminMessages);
  return (
    <Layout appName={t("appName")} title={t("login.title")}>
      <p class="ts-lead">{t("login.lead")}</p>
      <LoginForm client={api} />
      <section class="ts-card ts-stack">
        <SettingsForm />
      </section>
    </Layout>
  );
}
