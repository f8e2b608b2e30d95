// Show a one-time payment code (POST /v1/wallet/codes: single use, valid ≤ 60 s) as a QR and as text, with a
// countdown; a new code is fetched by itself when one lapses, and on request.
import { Button, ErrorMessage, Layout, QrDisplay, kitMessages, useMessages, type ApiProblem } from "@tsubaki/ui";
import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import { useNav } from "../app";
import { walletMessages } from "../messages";

interface Code {
  code: string;
  expires_at: string;
}

/** The code is renewed this long before the server would refuse it, so a scan in the last second still works. */
const renewEarlyMs = 5_000;

/** The code as people read it aloud: groups of four after the prefix. */
function grouped(code: string): string {
  const dot = code.indexOf(".");
  const body = code.slice(dot + 1);
  return `${code.slice(0, dot + 1)} ${body.replace(/(.{4})(?=.)/g, "$1 ")}`;
}

export function CodeScreen() {
  const t = useMessages(walletMessages);
  const k = useMessages(kitMessages);
  const [code, setCode] = useState<Code | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [round, setRound] = useState(0);
  const [now, setNow] = useState(Date.now());

  useEffect(() => {
    const controller = new AbortController();
    void api.post<Code>("/v1/wallet/codes", { purpose: "pay" }, { signal: controller.signal }).then((r) => {
      if (controller.signal.aborted) return;
      if (r.ok) {
        setCode(r.data);
        setProblem(null);
      } else setProblem(r.problem);
    });
    return () => controller.abort();
  }, [round]);

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);

  const leftMs = code ? new Date(code.expires_at).getTime() - renewEarlyMs - now : 0;
  useEffect(() => {
    if (code && leftMs <= 0) setRound((n) => n + 1);
  }, [code, leftMs <= 0]);

  return (
    <Layout appName={t("appName")} title={t("code.title")} nav={useNav()}>
      <div class="ts-stack">
        <p>{t("code.lead")}</p>
        {problem ? <ErrorMessage problem={problem} /> : null}
        {code === null && problem === null ? <p role="status">{k("loading")}</p> : null}
        {code ? (
          <>
            <div data-testid="pay-code" data-code={code.code}>
              <QrDisplay payload={code.code} label={t("code.qr")} />
            </div>
            <p class="ts-result__label">{t("code.digits")}</p>
            <p class="ts-result__value" data-testid="pay-code-text">
              {grouped(code.code)}
            </p>
            <p class="ts-muted" data-testid="pay-code-left">
              {t("code.left", { seconds: Math.max(0, Math.ceil(leftMs / 1000)) })}
            </p>
          </>
        ) : null}
        <Button variant="secondary" block onClick={() => setRound((n) => n + 1)}>
          {t("code.renew")}
        </Button>
      </div>
    </Layout>
  );
}
