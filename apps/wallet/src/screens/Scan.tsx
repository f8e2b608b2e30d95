// Scan: the camera reads a QR and the decoded text is shown. Phase 2 turns this into scan shop QR → resolve the
// shop (its registered name) → amount → confirm → pay.
import { Button, Layout, Scanner, useMessages } from "@tsubaki/ui";
import { useState } from "preact/hooks";
import { useNav } from "../app";
import { walletMessages } from "../messages";

export function ScanScreen() {
  const t = useMessages(walletMessages);
  const [text, setText] = useState<string | null>(null);
  return (
    <Layout appName={t("appName")} title={t("scan.title")} nav={useNav()}>
      {text === null ? (
        <>
          <p>{t("scan.lead")}</p>
          <Scanner onResult={setText} />
        </>
      ) : (
        <div class="ts-stack">
          <div class="ts-result" role="status">
            <p class="ts-result__label">{t("scan.result")}</p>
            <p class="ts-result__value" data-testid="scan-result">
              {text}
            </p>
          </div>
          <Button onClick={() => setText(null)} block>
            {t("scan.again")}
          </Button>
        </div>
      )}
    </Layout>
  );
}
