// The shop's QR codes: the static sticker (GET /v1/merchant/qr) with its printable poster, and a QR with an amount
// for one payment (POST /v1/merchant/payment-requests: payable once, for 10 minutes).
import { AmountKeypad, Button, ErrorMessage, formatYen, Layout, kitMessages, QrDisplay, useApiGet, useMessages, type ApiProblem } from "@tsubaki/ui";
import { useState } from "preact/hooks";
import { api } from "../api";
import { useNav } from "../app";
import { fetchText, saveBlob } from "../download";
import { merchantMessages } from "../messages";
import { useShop, type MyShop } from "../shop";

interface PaymentRequest {
  request_id: string;
  amount_yen: number;
  expires_at: string;
  qr: string;
}

function StaticQr({ shop }: { shop: MyShop }) {
  const t = useMessages(merchantMessages);
  const k = useMessages(kitMessages);
  const [qr] = useApiGet<{ payload: string }>(api, `/v1/merchant/qr?shop_id=${encodeURIComponent(shop.id)}`);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const openPoster = async () => {
    const r = await fetchText(`/v1/merchant/poster?shop_id=${encodeURIComponent(shop.id)}`);
    if (!r.ok) return setProblem(r.problem);
    setProblem(null);
    saveBlob(r.text, "text/html", null);
  };
  return (
    <section class="ts-stack" aria-labelledby="static-qr">
      <h2 id="static-qr">{t("qr.static")}</h2>
      {qr.state === "loading" ? <p role="status">{k("loading")}</p> : null}
      {qr.state === "error" ? <ErrorMessage problem={qr.problem} /> : null}
      {qr.state === "ok" ? (
        <div data-testid="static-qr" data-payload={qr.data.payload}>
          <QrDisplay payload={qr.data.payload} label={t("qr.static")} caption={shop.name_ja} />
        </div>
      ) : null}
      {problem ? <ErrorMessage problem={problem} /> : null}
      <Button variant="secondary" block onClick={() => void openPoster()}>
        {t("qr.poster")}
      </Button>
    </section>
  );
}

function DynamicQr({ shop }: { shop: MyShop }) {
  const t = useMessages(merchantMessages);
  const [amountYen, setAmountYen] = useState(0);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [request, setRequest] = useState<PaymentRequest | null>(null);
  const create = async () => {
    setBusy(true);
    const r = await api.post<PaymentRequest>("/v1/merchant/payment-requests", { shop_id: shop.id, amount_yen: amountYen });
    setBusy(false);
    if (!r.ok) return setProblem(r.problem);
    setProblem(null);
    setRequest(r.data);
  };
  return (
    <section class="ts-stack" aria-labelledby="dynamic-qr">
      <h2 id="dynamic-qr">{t("qr.dynamicTitle")}</h2>
      {request ? (
        <>
          <div data-testid="dynamic-qr" data-payload={request.qr}>
            <QrDisplay payload={request.qr} label={t("qr.dynamicTitle")} caption={t("qr.dynamicCaption", { amount: formatYen(request.amount_yen) })} />
          </div>
          <Button
            variant="secondary"
            block
            onClick={() => {
              setRequest(null);
              setAmountYen(0);
            }}
          >
            {t("qr.new")}
          </Button>
        </>
      ) : (
        <>
          <AmountKeypad label={t("qr.amount")} amountYen={amountYen} onChange={setAmountYen} />
          {problem ? <ErrorMessage problem={problem} /> : null}
          <Button block busy={busy} disabled={busy || amountYen <= 0} onClick={() => void create()}>
            {t("qr.create")}
          </Button>
        </>
      )}
    </section>
  );
}

export function QrScreen() {
  const t = useMessages(merchantMessages);
  const k = useMessages(kitMessages);
  const shop = useShop();
  return (
    <Layout appName={t("appName")} title={t("qr.title")} nav={useNav()}>
      {shop.state === "loading" ? <p role="status">{k("loading")}</p> : null}
      {shop.state === "error" ? <ErrorMessage problem={shop.problem} /> : null}
      {shop.state === "ok" && shop.data === null ? <p>{t("home.noShop")}</p> : null}
      {shop.state === "ok" && shop.data !== null ? (
        <div class="ts-stack">
          <DynamicQr shop={shop.data} />
          <StaticQr shop={shop.data} />
        </div>
      ) : null}
    </Layout>
  );
}
