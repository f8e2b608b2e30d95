// Pay a shop (MPM): the camera reads the shop's QR → the server names the shop from its register (the names in a
// QR are not signed) and refuses a forged sticker → the amount (typed for a static QR, from the QR for a dynamic
// one) → confirm → POST /v1/payments → the receipt. The Idempotency-Key is made when the resident confirms and
// kept for every retry of that payment, so a lost answer never charges twice.
// The same camera also reads an event's check-in QR (shown on a screen at the venue): that goes straight to
// POST /v1/wallet/checkins, which gives the event's points once however often it is scanned.
import { AmountKeypad, Button, ErrorMessage, formatYen, Layout, Link, newIdempotencyKey, Scanner, useMessages, useSettings, type ApiProblem } from "@tsubaki/ui";
import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import { useNav } from "../app";
import { walletMessages } from "../messages";
import type { CheckIn, Payment, Resolved } from "../types";
import { ReceiptView } from "./Receipt";

type Step =
  | { kind: "scan" }
  | { kind: "resolving"; qr: string }
  | { kind: "refused"; problem: ApiProblem; checkIn?: true }
  | { kind: "amount"; qr: string; resolved: Resolved; amountYen: number }
  | { kind: "confirm"; qr: string; resolved: Resolved; amountYen: number; key: string; paying: boolean; problem: ApiProblem | null }
  | { kind: "paid"; payment: Payment }
  | { kind: "checking-in"; code: string }
  | { kind: "checked-in"; checkIn: CheckIn };

/** The prefix of an event check-in code (packages/qr checkin-code.ts CHECKIN_PREFIX; the wallet does not bundle @tsubaki/qr). */
const checkInPrefix = "tsubaki-checkin:";

export function ScanScreen() {
  const t = useMessages(walletMessages);
  const { lang } = useSettings();
  const [step, setStep] = useState<Step>({ kind: "scan" });

  useEffect(() => {
    if (step.kind !== "checking-in") return;
    // Not aborted when the screen changes: a check-in that reached the server is answered the same way again.
    void api.post<CheckIn>("/v1/wallet/checkins", { code: step.code }).then((r) => setStep(r.ok ? { kind: "checked-in", checkIn: r.data } : { kind: "refused", problem: r.problem, checkIn: true }));
  }, [step]);

  useEffect(() => {
    if (step.kind !== "resolving") return;
    const controller = new AbortController();
    void api.get<Resolved>(`/v1/merchants/resolve?qr=${encodeURIComponent(step.qr)}`, { signal: controller.signal }).then((r) => {
      if (controller.signal.aborted) return;
      if (!r.ok) return setStep({ kind: "refused", problem: r.problem });
      // A dynamic QR already paid (or lapsed) is refused here, before the resident confirms anything.
      const closed = r.data.request !== null && r.data.request.status !== "open" ? `payment_request_${r.data.request.status}` : null;
      if (closed !== null) return setStep({ kind: "refused", problem: { status: 409, code: closed, title: closed, detail: "", requestId: null, body: {} } });
      const fixed = r.data.dynamic ? (r.data.request?.amount_yen ?? r.data.amount_yen) : null;
      if (fixed !== null) setStep({ kind: "confirm", qr: step.qr, resolved: r.data, amountYen: fixed, key: newIdempotencyKey(), paying: false, problem: null });
      else setStep({ kind: "amount", qr: step.qr, resolved: r.data, amountYen: 0 });
    });
    return () => controller.abort();
  }, [step]);

  const pay = async (s: Extract<Step, { kind: "confirm" }>) => {
    setStep({ ...s, paying: true, problem: null });
    const body = s.resolved.dynamic ? { qr: s.qr } : { qr: s.qr, amount_yen: s.amountYen };
    const r = await api.post<Payment>("/v1/payments", body, { idempotencyKey: s.key });
    setStep(r.ok ? { kind: "paid", payment: r.data } : { ...s, paying: false, problem: r.problem });
  };

  const shopName = (resolved: Resolved) => (lang === "ja" ? resolved.shop.name_ja : resolved.shop.name_latin);
  const again = () => setStep({ kind: "scan" });

  return (
    <Layout appName={t("appName")} title={t("scan.title")} nav={useNav()}>
      {step.kind === "scan" ? (
        <>
          <p>{t("scan.lead")}</p>
          <Scanner onResult={(qr) => setStep(qr.startsWith(checkInPrefix) ? { kind: "checking-in", code: qr } : { kind: "resolving", qr })} />
        </>
      ) : null}
      {step.kind === "resolving" ? <p role="status">{t("scan.resolving")}</p> : null}
      {step.kind === "checking-in" ? <p role="status">{t("checkin.sending")}</p> : null}
      {step.kind === "checked-in" ? (
        <div class="ts-stack" data-testid="checked-in">
          <p class="ts-lead" role="status">
            {step.checkIn.already_checked_in ? t("checkin.already") : t("checkin.done")}
          </p>
          <div class="ts-card">
            <p class="ts-result__label">{t("checkin.event")}</p>
            <p class="ts-lead" data-testid="checkin-event">
              {lang === "ja" ? step.checkIn.campaign_name_ja : step.checkIn.campaign_name_en}
            </p>
            <p class="ts-result__label">{t("checkin.points")}</p>
            <p class="ts-amount-big" data-testid="checkin-points">
              {formatYen(step.checkIn.amount_yen)}
            </p>
          </div>
          <Link to="/" class="ts-button ts-button--primary ts-button--block">
            {t("receipt.done")}
          </Link>
        </div>
      ) : null}
      {step.kind === "refused" ? (
        <div class="ts-stack" data-testid="scan-refused">
          <h2>{step.checkIn ? t("checkin.refused") : t("scan.forged")}</h2>
          <ErrorMessage problem={step.problem} />
          <Button onClick={again} block>
            {t("scan.again")}
          </Button>
        </div>
      ) : null}
      {step.kind === "amount" ? (
        <form
          class="ts-stack"
          onSubmit={(e) => {
            e.preventDefault();
            if (step.amountYen > 0) setStep({ kind: "confirm", qr: step.qr, resolved: step.resolved, amountYen: step.amountYen, key: newIdempotencyKey(), paying: false, problem: null });
          }}
        >
          <p class="ts-lead">
            {t("scan.shop")}: <strong data-testid="shop-name">{shopName(step.resolved)}</strong>
          </p>
          <AmountKeypad label={t("scan.amountLabel")} amountYen={step.amountYen} onChange={(amountYen) => setStep({ ...step, amountYen })} captureKeyboard />
          <Button type="submit" block disabled={step.amountYen <= 0}>
            {t("scan.next")}
          </Button>
          <Button variant="secondary" onClick={again} block>
            {t("scan.cancel")}
          </Button>
        </form>
      ) : null}
      {step.kind === "confirm" ? (
        <div class="ts-stack">
          <h2>{t("scan.confirmTitle")}</h2>
          <div class="ts-card">
            <p class="ts-result__label">{t("scan.shop")}</p>
            <p class="ts-lead" data-testid="shop-name">
              {shopName(step.resolved)}
            </p>
            <p class="ts-result__label">{step.resolved.dynamic ? t("scan.fixedAmount") : t("scan.amountLabel")}</p>
            <p class="ts-amount-big" data-testid="pay-amount">
              {formatYen(step.amountYen)}
            </p>
          </div>
          {step.problem ? <ErrorMessage problem={step.problem} /> : null}
          <Button block busy={step.paying} disabled={step.paying} onClick={() => void pay(step)}>
            {step.paying ? t("scan.paying") : step.problem ? t("scan.retryPay") : t("scan.pay", { amount: formatYen(step.amountYen) })}
          </Button>
          <Button variant="secondary" block disabled={step.paying} onClick={again}>
            {t("scan.cancel")}
          </Button>
        </div>
      ) : null}
      {step.kind === "paid" ? (
        <div class="ts-stack">
          <p class="ts-lead" role="status" data-testid="paid">
            {t("scan.paid")}: {formatYen(step.payment.amount_yen)}
          </p>
          <ReceiptView receipt={step.payment.receipt} />
          <Link to="/" class="ts-button ts-button--primary ts-button--block">
            {t("receipt.done")}
          </Link>
        </div>
      ) : null}
    </Layout>
  );
}
