// Home, for now: who is signed in (GET /v1/me). The register (amount keypad → QR), live payments, refunds and
// sales come with the payment endpoints.
import { Button, ErrorMessage, Layout, kitMessages, useApiGet, useMessages } from "@tsubaki/ui";
import { api } from "../api";
import { useNav } from "../app";
import { merchantMessages } from "../messages";

interface Me {
  id: string;
  roles: string[];
  display_name: string;
}

export function HomeScreen() {
  const t = useMessages(merchantMessages);
  const k = useMessages(kitMessages);
  const [me, reload] = useApiGet<Me>(api, "/v1/me");
  return (
    <Layout appName={t("appName")} title={t("home.title")} nav={useNav()}>
      {me.state === "loading" ? <p role="status">{k("loading")}</p> : null}
      {me.state === "ok" ? (
        <p class="ts-lead" data-testid="greeting">
          {t("home.greeting", { name: me.data.display_name })}
        </p>
      ) : null}
      {me.state === "error" ? (
        <div class="ts-stack">
          <ErrorMessage problem={me.problem} />
          <Button variant="secondary" onClick={reload}>
            {k("retry")}
          </Button>
        </div>
      ) : null}
      <p class="ts-muted">{t("home.soon")}</p>
      <Button variant="quiet" onClick={() => void api.logout()}>
        {k("logout")}
      </Button>
    </Layout>
  );
}
