// Sign-in, with the display settings right below: someone who needs larger text or English must be able to
// get it before signing in.
import { Layout, LoginForm, SettingsForm, useMessages } from "@tsubaki/ui";
import { api } from "../api";
import { merchantMessages } from "../messages";

export function LoginScreen() {
  const t = useMessages(merchantMessages);
  return (
    <Layout appName={t("appName")} title={t("login.title")}>
      <p class="ts-lead">{t("login.lead")}</p>
      <LoginForm client={api} idHint={t("login.idHint")} />
      <section class="ts-card ts-stack" aria-labelledby="display-settings">
        <h2 id="display-settings">{t("login.display")}</h2>
        <SettingsForm />
      </section>
    </Layout>
  );
}
