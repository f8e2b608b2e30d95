// The receipt the API returns and the wallet and shop app show: every leg with its lot, campaign and expiry, what
// lapsed to the city, and the balances after. It is a view, so unlike the rest of the package it is JSON-ready:
// yen are numbers (asserted safe integers, DESIGN §3) and instants are ISO 8601 strings.
import { bug } from "@tsubaki/ledger";
import { compareSpendOrder, isLotExpired } from "./spend";
import type { AllocationPart, CoinAccount, LapsedPart, Merchant, PointLot } from "./types";

export type ReceiptKind = "payment" | "refund";

export type ReceiptLine =
  | {
      source: "lot";
      lotId: string;
      campaignId: string;
      accountId: string;
      amountYen: number;
      expiresAt: string;
      /** Refunds only: true ⇒ this share went back to the campaign because the lot had lapsed. */
      lapsed: boolean;
    }
  | { source: "coins"; accountId: string; amountYen: number };

export type ReceiptBalance =
  | { source: "lot"; lotId: string; campaignId: string; accountId: string; balanceYen: number; expiresAt: string }
  | { source: "coins"; accountId: string; balanceYen: number };

/**
 * Guarantees: totalYen = pointsYen + coinsYen + lapsedYen = Σ lines.amountYen (lapsedYen = 0 for a payment);
 * lines are in the order of the allocation (a payment's spend order; a refund's reverse order);
 * balancesAfter lists the coins, then every lot still valid at `at` with balance > 0 in spend order, and
 * pointsBalanceYen + coinsBalanceYen = Σ balancesAfter.balanceYen.
 */
export interface Receipt {
  transferId: string;
  kind: ReceiptKind;
  at: string;
  merchant: { merchantId: string; accountId: string; category: string; tier: Merchant["tier"] };
  totalYen: number;
  pointsYen: number;
  coinsYen: number;
  lapsedYen: number;
  lines: ReceiptLine[];
  balancesAfter: ReceiptBalance[];
  pointsBalanceYen: number;
  coinsBalanceYen: number;
}

export interface ReceiptInput {
  transferId: string;
  kind?: ReceiptKind;
  at: Date;
  merchant: Merchant;
  allocation: readonly AllocationPart[];
  /** A refund's lapsed shares (planRefund's `lapsed`). */
  lapsed?: readonly LapsedPart[];
  /** The resident's coins and lots after the transfer (as read back from the store). */
  balancesAfter: { coins: CoinAccount; lots: readonly PointLot[] };
}

export function buildReceipt(input: ReceiptInput): Receipt {
  const lapsedLots = new Set((input.lapsed ?? []).map((part) => part.lotId));
  const lines = input.allocation.map((part) => receiptLine(part, part.source === "lot" && lapsedLots.has(part.lotId)));
  const sumOf = (keep: (line: ReceiptLine) => boolean) => lines.reduce((sum, l) => (keep(l) ? sum + BigInt(l.amountYen) : sum), 0n);
  const { coins, lots } = input.balancesAfter;
  const openLots = lots.filter((lot) => lot.balanceYen > 0n && !isLotExpired(lot, input.at)).sort(compareSpendOrder);
  const balancesAfter: ReceiptBalance[] = [
    { source: "coins", accountId: coins.accountId, balanceYen: jsonYen(coins.availableYen) },
    ...openLots.map((lot): ReceiptBalance => ({
      source: "lot",
      lotId: lot.lotId,
      campaignId: lot.campaignId,
      accountId: lot.accountId,
      balanceYen: jsonYen(lot.balanceYen),
      expiresAt: lot.expiresAt.toISOString(),
    })),
  ];
  const { merchantId, accountId, category, tier } = input.merchant;
  const pointsYen = sumOf((l) => l.source === "lot" && !l.lapsed);
  const coinsYen = sumOf((l) => l.source === "coins");
  const lapsedYen = sumOf((l) => l.source === "lot" && l.lapsed);
  return {
    transferId: input.transferId,
    kind: input.kind ?? "payment",
    at: input.at.toISOString(),
    merchant: { merchantId, accountId, category, tier },
    totalYen: jsonYen(pointsYen + coinsYen + lapsedYen),
    pointsYen: jsonYen(pointsYen),
    coinsYen: jsonYen(coinsYen),
    lapsedYen: jsonYen(lapsedYen),
    lines,
    balancesAfter,
    pointsBalanceYen: jsonYen(openLots.reduce((sum, lot) => sum + lot.balanceYen, 0n)),
    coinsBalanceYen: jsonYen(coins.availableYen),
  };
}

function receiptLine(part: AllocationPart, lapsed: boolean): ReceiptLine {
  if (part.source === "coins") return { source: "coins", accountId: part.accountId, amountYen: jsonYen(part.amountYen) };
  return {
    source: "lot",
    lotId: part.lotId,
    campaignId: part.campaignId,
    accountId: part.accountId,
    amountYen: jsonYen(part.amountYen),
    expiresAt: part.expiresAt.toISOString(),
    lapsed,
  };
}

const jsonYenMin = BigInt(Number.MIN_SAFE_INTEGER);
const jsonYenMax = BigInt(Number.MAX_SAFE_INTEGER);

/** Yen as a JSON number; anything beyond 2^53 − 1 is a bug (no account holds that much). */
export function jsonYen(yen: bigint): number {
  if (yen < jsonYenMin || yen > jsonYenMax) bug(`¥${yen} is not a safe JSON integer`);
  return Number(yen);
}
