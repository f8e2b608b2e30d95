// A receipt: which lots and coins paid (or were refunded), what lapsed meanwhile, and the balances after.
import { formatYen, useMessages, useSettings } from "@tsubaki/ui";
import { formatDate, formatTime } from "../format";
import { walletMessages } from "../messages";
import type { Receipt } from "../types";

export function ReceiptView({ receipt }: { receipt: Receipt }) {
  const t = useMessages(walletMessages);
  const { lang } = useSettings();
  const refund = receipt.kind === "refund";
  const shopName = lang === "ja" ? receipt.shop.name_ja : receipt.shop.name_latin;
  return (
    <section class="ts-card ts-stack" aria-labelledby="receipt-title" data-testid="receipt">
      <h2 id="receipt-title">
        {receipt.kind === "refund" ? t("receipt.refund") : t("receipt.title")}: {shopName}
      </h2>
      <p class="ts-muted">{formatTime(receipt.at, lang)}</p>
      <dl class="ts-pairs">
        <dt>{t("receipt.total")}</dt>
        <dd data-testid="receipt-total">{formatYen(receipt.total_yen)}</dd>
        <dt>{refund ? t("receipt.toPoints") : t("receipt.points")}</dt>
        <dd data-testid="receipt-points">{formatYen(receipt.points_yen)}</dd>
        <dt>{refund ? t("receipt.toCoins") : t("receipt.coins")}</dt>
        <dd data-testid="receipt-coins">{formatYen(receipt.coins_yen)}</dd>
      </dl>
      <ul class="ts-list" data-testid="receipt-lines">
        {receipt.lines.map((line, i) => (
          <li key={`${line.lot_id ?? "coins"}-${i}`}>
            <span>
              {line.source === "lot"
                ? t("receipt.lot", { date: line.expires_at ? formatDate(line.expires_at, lang) : "" })
                : t("receipt.lineCoins")}
              {line.lapsed ? ` (${t("receipt.lapsed")})` : ""}
            </span>
            <strong>{formatYen(line.amount_yen)}</strong>
          </li>
        ))}
      </ul>
      <p>{t(refund ? "receipt.afterRefund" : "receipt.after", { points: formatYen(receipt.points_balance_yen), coins: formatYen(receipt.coins_balance_yen) })}</p>
    </section>
  );
}
