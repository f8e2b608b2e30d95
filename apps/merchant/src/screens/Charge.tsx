// Charge a presented code or card (CPM, POST /v1/merchant/charges): the amount first, then the camera reads the
// customer's one-time code (TSBK1.…) or the card's QR (its number); a card asks for its PIN. One
// Idempotency-Key per charge, kept across retries; a wrong PIN is a new attempt, so it gets a new key.
import { AmountKeypad, Button, ErrorMessage, formatYen, Layout, kitMessages, newIdempotencyKey, Scanner, TextField, useMessages, type ApiProblem } from "@tsubaki/ui";
import { useState } from "preact/hooks";
import { api } from "../api";
import { useNav } from "../app";
import { merchantMessages } from "../messages";
import { useShop, type MyShop } from "../shop";

interface Paid {
  amount_yen: number;
  points_yen: number;
  coins_yen: number;
}

type Step =
  | { kind: "amount"; amountYen: number }
  | { kind: "scan"; amountYen: number }
  | { kind: "pin"; amountYen: number; cardNumber: string; pin: string }
  | { kind: "paid"; paid: Paid };

const oneTimeCodePrefix = "TSBK1.";

function ShopCharge({ shop }: { shop: MyShop }) {
  const t = useMessages(merchantMessages);
  const [step, setStep] = useState<Step>({ kind: "amount", amountYen: 0 });
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const [key, setKey] = useState(newIdempotencyKey);

  const charge = async (amountYen: number, means: { code: string } | { card_number: string; pin: string }) => {
    setBusy(true);
    setProblem(null);
    const r = await api.post<Paid>("/v1/merchant/charges", { shop_id: shop.id, amount_yen: amountYen, ...means }, { idempotencyKey: key });
    setBusy(false);
    if (r.ok) {
      setProblem(null);
      setKey(newIdempotencyKey());
      return setStep({ kind: "paid", paid: r.data });
    }
    setProblem(r.problem);
    // A refused attempt (wrong PIN, used code) is final for its key: the next attempt is a new request.
    if (r.problem.status >= 400 && r.problem.status < 500) setKey(newIdempotencyKey());
  };

  const onScanned = (amountYen: number, text: string) => {
    const value = text.trim();
    if (value.startsWith(oneTimeCodePrefix)) return void charge(amountYen, { code: value });
    setProblem(null);
    setStep({ kind: "pin", amountYen, cardNumber: value, pin: "" });
  };

  const restart = () => {
    setProblem(null);
    setStep({ kind: "amount", amountYen: 0 });
  };

  return (
    <div class="ts-stack">
      {step.kind === "amount" ? (
        <>
          <AmountKeypad label={t("charge.amount")} amountYen={step.amountYen} onChange={(amountYen) => setStep({ kind: "amount", amountYen })} />
          <Button block disabled={step.amountYen <= 0} onClick={() => setStep({ kind: "scan", amountYen: step.amountYen })}>
            {t("charge.next")}
          </Button>
        </>
      ) : null}
      {step.kind === "scan" ? (
        <>
          <p class="ts-amount-big" data-testid="charge-amount">
            {formatYen(step.amountYen)}
          </p>
          <p>{t("charge.scanLead")}</p>
          {problem ? <ErrorMessage problem={problem} /> : null}
          {busy ? <p role="status">…</p> : <Scanner onResult={(text) => onScanned(step.amountYen, text)} />}
          <Button variant="secondary" block onClick={restart}>
            {t("charge.cancel")}
          </Button>
        </>
      ) : null}
      {step.kind === "pin" ? (
        <form
          class="ts-stack"
          onSubmit={(e) => {
            e.preventDefault();
            void charge(step.amountYen, { card_number: step.cardNumber, pin: step.pin });
          }}
        >
          <p class="ts-amount-big">{formatYen(step.amountYen)}</p>
          <p>
            {t("charge.cardNumber")}: <strong data-testid="card-number">{step.cardNumber}</strong>
          </p>
          <p>{t("charge.pinLead")}</p>
          <TextField
            label={t("charge.pin")}
            type="password"
            inputMode="numeric"
            autoComplete="off"
            maxLength={8}
            value={step.pin}
            onValue={(pin) => setStep({ ...step, pin: pin.replace(/\D/g, "") })}
          />
          {problem ? <ErrorMessage problem={problem} /> : null}
          <Button type="submit" block busy={busy} disabled={busy || step.pin.length < 4}>
            {t("charge.submit", { amount: formatYen(step.amountYen) })}
          </Button>
          <Button variant="secondary" block onClick={restart}>
            {t("charge.cancel")}
          </Button>
        </form>
      ) : null}
      {step.kind === "paid" ? (
        <>
          <p class="ts-arrived" role="status" data-testid="charge-done">
            {t("charge.done", { amount: formatYen(step.paid.amount_yen) })}
          </p>
          <p>{t("charge.points", { points: formatYen(step.paid.points_yen), coins: formatYen(step.paid.coins_yen) })}</p>
          <Button block onClick={restart}>
            {t("charge.again")}
          </Button>
        </>
      ) : null}
    </div>
  );
}

export function ChargeScreen() {
  const t = useMessages(merchantMessages);
  const k = useMessages(kitMessages);
  const shop = useShop();
  return (
    <Layout appName={t("appName")} title={t("charge.title")} nav={useNav()}>
      {shop.state === "loading" ? <p role="status">{k("loading")}</p> : null}
      {shop.state === "error" ? <ErrorMessage problem={shop.problem} /> : null}
      {shop.state === "ok" && shop.data !== null ? <ShopCharge shop={shop.data} /> : null}
    </Layout>
  );
}
