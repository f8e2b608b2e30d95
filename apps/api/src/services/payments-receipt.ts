// Receipts and allocations as they leave the API (snake_case JSON, yen as JSON integers) and as they are stored
// (the allocation of a payment is kept so a refund can go back to the same lots and coins).
import type { Shop, StoredAllocationPart } from "@tsubaki/db";
import type { Entry } from "@tsubaki/ledger";
import { jsonYen, type AllocationPart, type CoinAccount, type PointLot, type Receipt } from "@tsubaki/payments";

export interface ShopJson {
  id: string;
  code: string;
  name_ja: string;
  name_latin: string;
  category: string;
  tier: string;
}

export function shopToJson(shop: Shop): ShopJson {
  return { id: shop.id, code: shop.code, name_ja: shop.nameJa, name_latin: shop.nameLatin, category: shop.category, tier: shop.tier };
}

export function receiptToJson(r: Receipt, shop: Shop) {
  return {
    transfer_id: r.transferId,
    kind: r.kind,
    at: r.at,
    shop: shopToJson(shop),
    total_yen: r.totalYen,
    points_yen: r.pointsYen,
    coins_yen: r.coinsYen,
    lapsed_yen: r.lapsedYen,
    lines: r.lines.map((l) =>
      l.source === "coins"
        ? { source: l.source, account_id: l.accountId, amount_yen: l.amountYen }
        : { source: l.source, lot_id: l.lotId, campaign_id: l.campaignId, account_id: l.accountId, amount_yen: l.amountYen, expires_at: l.expiresAt, lapsed: l.lapsed },
    ),
    balances_after: r.balancesAfter.map((b) =>
      b.source === "coins"
        ? { source: b.source, account_id: b.accountId, balance_yen: b.balanceYen }
        : { source: b.source, lot_id: b.lotId, campaign_id: b.campaignId, account_id: b.accountId, balance_yen: b.balanceYen, expires_at: b.expiresAt },
    ),
    points_balance_yen: r.pointsBalanceYen,
    coins_balance_yen: r.coinsBalanceYen,
  };
}

export type ReceiptJson = ReturnType<typeof receiptToJson>;

export function allocationToStored(parts: readonly AllocationPart[]): StoredAllocationPart[] {
  return parts.map((p) =>
    p.source === "coins"
      ? { source: "coins", account_id: p.accountId, amount_yen: p.amountYen.toString() }
      : { source: "lot", account_id: p.accountId, lot_id: p.lotId, campaign_id: p.campaignId, amount_yen: p.amountYen.toString(), expires_at: p.expiresAt.toISOString() },
  );
}

export function allocationFromStored(parts: readonly StoredAllocationPart[]): AllocationPart[] {
  return parts.map((p): AllocationPart => {
    if (p.source === "coins") return { source: "coins", accountId: p.account_id, amountYen: BigInt(p.amount_yen) };
    return {
      source: "lot",
      accountId: p.account_id,
      lotId: p.lot_id ?? "",
      campaignId: p.campaign_id ?? "",
      amountYen: BigInt(p.amount_yen),
      expiresAt: new Date(p.expires_at ?? 0),
    };
  });
}

/**
 * The wallet after a transfer: the accounts the transfer touched take their balance from its entries (exact, as
 * committed); the others keep the balance read just before it.
 */
export function balancesAfterTransfer(before: { coins: CoinAccount; lots: readonly PointLot[] }, entries: readonly Entry[]): { coins: CoinAccount; lots: PointLot[] } {
  const after = new Map<string, bigint>();
  for (const e of entries) after.set(e.accountId, e.balanceAfter - e.debitsPendingAfter);
  const coinsAfter = after.get(before.coins.accountId);
  return {
    coins: coinsAfter === undefined ? before.coins : { accountId: before.coins.accountId, availableYen: coinsAfter },
    lots: before.lots.map((lot) => {
      const balance = after.get(lot.accountId);
      return balance === undefined ? lot : { ...lot, balanceYen: balance };
    }),
  };
}

/** Sum of a stored allocation's parts by source. */
export function splitYen(parts: readonly StoredAllocationPart[]): { pointsYen: number; coinsYen: number } {
  let points = 0n;
  let coins = 0n;
  for (const p of parts) {
    if (p.source === "coins") coins += BigInt(p.amount_yen);
    else points += BigInt(p.amount_yen);
  }
  return { pointsYen: jsonYen(points), coinsYen: jsonYen(coins) };
}
