// The shapes the wallet reads from the API (apps/api/src/routes/wallet.ts and payments.ts), only the fields shown.

export interface Lot {
  lot_id: string;
  campaign_id: string;
  campaign_name_ja: string | null;
  campaign_name_en: string | null;
  balance_yen: number;
  expires_at: string;
}

export interface Wallet {
  as_of: string;
  total_yen: number;
  coins_yen: number;
  points_yen: number;
  lots: Lot[];
  lapsing: { within_days: number; total_yen: number; lots: { lot_id: string; balance_yen: number; expires_at: string }[] };
}

export interface Shop {
  id: string;
  code: string;
  name_ja: string;
  name_latin: string;
}

export interface Resolved {
  shop: Shop;
  accepts_payments: boolean;
  dynamic: boolean;
  amount_yen: number | null;
  request: { id: string; amount_yen: number; status: "open" | "paid" | "expired"; expires_at: string } | null;
}

export interface ReceiptLine {
  source: "lot" | "coins";
  lot_id?: string;
  campaign_id?: string;
  amount_yen: number;
  expires_at?: string;
  lapsed?: boolean;
}

export interface Receipt {
  transfer_id: string;
  kind: "payment" | "refund";
  at: string;
  shop: Shop;
  total_yen: number;
  points_yen: number;
  coins_yen: number;
  lapsed_yen: number;
  lines: ReceiptLine[];
  points_balance_yen: number;
  coins_balance_yen: number;
}

export interface Payment {
  payment_id: string;
  amount_yen: number;
  receipt: Receipt;
}

export interface HistoryItem {
  transfer_id: string;
  kind: string | null;
  at: string;
  net_yen: number;
  coins_yen: number;
  points_yen: number;
  payment_id: string | null;
}

/** POST /v1/wallet/checkins (apps/api/src/routes/campaign-rules.ts). */
export interface CheckIn {
  campaign_id: string;
  campaign_name_ja: string;
  campaign_name_en: string;
  lot_id: string;
  amount_yen: number;
  already_checked_in: boolean;
}
