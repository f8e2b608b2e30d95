// Sales: today's payments (GET /v1/merchant/sales), a refund of all or part of what is left of one (POST
// /v1/merchant/refunds; one returned item of a larger purchase is a partial refund), cancelling the newest payment
// within 10 minutes (POST /v1/merchant/payments/cancel-last), and the CSV. A refund is two steps: the amount
// (what is left, unless changed), then the confirmation naming it. Each refund keeps its Idempotency-Key, per
// payment and amount, until it succeeds, so pressing again after a lost answer is safe.
import { Button, ErrorMessage, formatYen, Layout, kitMessages, newIdempotencyKey, TextField, useApiGet, useMessages, type ApiProblem } from "@tsubaki/ui";
import { useRef, useState } from "preact/hooks";
import { api } from "../api";
import { useNav } from "../app";
import { fetchText, saveBlob } from "../download";
import { merchantMessages } from "../messages";
import { useShop, type MyShop } from "../shop";

interface Sale {
  payment_id: string;
  kind: "pay" | "cpm" | "card";
  amount_yen: number;
  refunded_yen: number;
  paid_at: string;
}

interface Refund {
  amount_yen: number;
}

/** The refund being prepared: which payment, and the amount as typed. */
interface RefundDraft {
  paymentId: string;
  amountText: string;
}

/** A whole number of yen from 1 to `left`, from what was typed (full-width digits and separators allowed). */
function refundAmountOf(text: string, left: number): number | null {
  const digits = text.normalize("NFKC").replace(/[,¥\s円]/g, "");
  if (!/^\d{1,9}$/.test(digits)) return null;
  const amount = Number(digits);
  return amount >= 1 && amount <= left ? amount : null;
}

function ShopSales({ shop }: { shop: MyShop }) {
  const t = useMessages(merchantMessages);
  const k = useMessages(kitMessages);
  const [sales, reload] = useApiGet<{ payments: Sale[] }>(api, `/v1/merchant/sales?shop_id=${encodeURIComponent(shop.id)}&limit=50`);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [draft, setDraft] = useState<RefundDraft | null>(null);
  const keys = useRef(new Map<string, string>());
  const keyFor = (op: string) => {
    let key = keys.current.get(op);
    if (!key) keys.current.set(op, (key = newIdempotencyKey()));
    return key;
  };

  const money = async (op: string, path: string, body: unknown, done: (r: Refund) => string) => {
    setBusy(op);
    const r = await api.post<Refund>(path, body, { idempotencyKey: keyFor(op) });
    setBusy(null);
    if (!r.ok) {
      setNotice(null);
      return setProblem(r.problem);
    }
    keys.current.delete(op);
    setProblem(null);
    setDraft(null);
    setNotice(done(r.data));
    reload();
  };

  const csv = async () => {
    const r = await fetchText(`/v1/merchant/sales.csv?shop_id=${encodeURIComponent(shop.id)}`);
    if (!r.ok) return setProblem(r.problem);
    saveBlob(r.text, "text/csv", `sales-${shop.code}.csv`);
  };

  return (
    <div class="ts-stack">
      <div aria-live="polite">{notice ? <p class="ts-arrived" data-testid="sales-notice">{notice}</p> : null}</div>
      {problem ? <ErrorMessage problem={problem} /> : null}
      {sales.state === "ok" && sales.data.payments.some((p) => p.amount_yen > p.refunded_yen) ? (
        <Button
          variant="danger"
          block
          busy={busy === "cancel-last"}
          disabled={busy !== null}
          onClick={() => void money("cancel-last", "/v1/merchant/payments/cancel-last", { shop_id: shop.id }, (r) => t("sales.cancelDone", { amount: formatYen(r.amount_yen) }))}
        >
          {t("sales.cancelLast")}
        </Button>
      ) : null}
      {sales.state === "loading" ? <p role="status">{k("loading")}</p> : null}
      {sales.state === "error" ? <ErrorMessage problem={sales.problem} /> : null}
      {sales.state === "ok" && sales.data.payments.length === 0 ? <p class="ts-muted">{t("sales.empty")}</p> : null}
      {sales.state === "ok" && sales.data.payments.length > 0 ? (
        <ul class="ts-list" data-testid="sales">
          {sales.data.payments.map((sale) => {
            const left = sale.amount_yen - sale.refunded_yen;
            return (
              <li key={sale.payment_id} data-payment-id={sale.payment_id}>
                <span>
                  <strong>{formatYen(sale.amount_yen)}</strong> <span class="ts-muted">{t(`sales.kind.${sale.kind}`)} {new Date(sale.paid_at).toLocaleTimeString("ja-JP", { timeZone: "Asia/Tokyo" })}</span>
                </span>
                {sale.refunded_yen > 0 ? <span>{t("sales.refunded", { amount: formatYen(sale.refunded_yen) })}</span> : null}
                {left > 0 && draft?.paymentId !== sale.payment_id ? (
                  <Button
                    variant="secondary"
                    disabled={busy !== null}
                    aria-label={`${t("sales.refund")} ${formatYen(left)}`}
                    onClick={() => {
                      setNotice(null);
                      setDraft({ paymentId: sale.payment_id, amountText: String(left) });
                    }}
                  >
                    {t("sales.refund")} {formatYen(left)}
                  </Button>
                ) : null}
                {left > 0 && draft?.paymentId === sale.payment_id ? <RefundForm sale={sale} left={left} draft={draft} setDraft={setDraft} busy={busy} refund={(amount) => {
                  const op = `refund-${sale.payment_id}:${amount}`;
                  void money(op, "/v1/merchant/refunds", { shop_id: shop.id, payment_id: sale.payment_id, amount_yen: amount }, (r) => t("sales.refundDone", { amount: formatYen(r.amount_yen) }));
                }} /> : null}
              </li>
            );
          })}
        </ul>
      ) : null}
      <Button variant="secondary" block onClick={() => void csv()}>
        {t("sales.csv")}
      </Button>
    </div>
  );
}

/** Step two of a refund: the amount (what is left, unless changed) and a button that names what it will do. */
function RefundForm(props: {
  sale: Sale;
  left: number;
  draft: RefundDraft;
  setDraft: (d: RefundDraft | null) => void;
  busy: string | null;
  refund: (amountYen: number) => void;
}) {
  const t = useMessages(merchantMessages);
  const { sale, left, draft, setDraft, busy, refund } = props;
  const amount = refundAmountOf(draft.amountText, left);
  const [touched, setTouched] = useState(false);
  const opBusy = busy !== null && busy.startsWith(`refund-${sale.payment_id}:`);
  return (
    <form
      class="ts-stack"
      data-testid="refund-form"
      onSubmit={(event) => {
        event.preventDefault();
        setTouched(true);
        if (amount !== null) refund(amount);
      }}
    >
      <TextField
        label={t("sales.refundAmount", { left: formatYen(left) })}
        hint={t("sales.refundAmountHint")}
        inputMode="numeric"
        autoComplete="off"
        value={draft.amountText}
        onValue={(amountText) => setDraft({ ...draft, amountText })}
        error={touched && amount === null ? t("sales.refundAmountInvalid", { left: formatYen(left) }) : null}
        autoFocus
      />
      <Button type="submit" variant="danger" block busy={opBusy} disabled={busy !== null}>
        {amount === null ? t("sales.refund") : t("sales.refundConfirm", { amount: formatYen(amount) })}
      </Button>
      <Button type="button" variant="secondary" block disabled={busy !== null} onClick={() => setDraft(null)}>
        {t("sales.refundCancel")}
      </Button>
    </form>
  );
}

export function SalesScreen() {
  const t = useMessages(merchantMessages);
  const k = useMessages(kitMessages);
  const shop = useShop();
  return (
    <Layout appName={t("appName")} title={t("sales.title")} nav={useNav()}>
      {shop.state === "loading" ? <p role="status">{k("loading")}</p> : null}
      {shop.state === "error" ? <ErrorMessage problem={shop.problem} /> : null}
      {shop.state === "ok" && shop.data !== null ? <ShopSales shop={shop.data} /> : null}
    </Layout>
  );
}
