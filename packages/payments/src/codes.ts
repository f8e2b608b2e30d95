// Every result code this package returns, with an English title (the apps translate by code). Codes are stable
// strings and part of the public API; each function documents the order in which it checks them.

export type PaymentsResultCode =
  | "invalid_amount"
  | "limit_exceeded"
  | "insufficient_funds"
  | "too_many_legs"
  | "refund_window_passed"
  | "refund_exceeds_payment"
  | "lot_not_found"
  | "daily_limit"
  | "proxy_limit"
  | "proxy_daily_limit"
  | "p2p_same_person"
  | "p2p_unverified"
  | "p2p_daily_limit";

export const paymentsResultTitles: Record<PaymentsResultCode, string> = {
  invalid_amount: "The amount must be a positive whole number of yen",
  limit_exceeded: "The amount is above the limit for one transaction",
  insufficient_funds: "Not enough points usable at this shop and coins to pay this amount",
  too_many_legs: "This payment would use more point lots than one transfer can carry",
  refund_window_passed: "The refund period for this payment has ended",
  refund_exceeds_payment: "The refund is larger than what remains of the payment",
  lot_not_found: "A point lot of the payment could not be found",
  daily_limit: "This would go over today's limit",
  proxy_limit: "The amount is above what the resident allowed this proxy per payment",
  proxy_daily_limit: "This would go over what the resident allowed this proxy per day",
  p2p_same_person: "Coins cannot be sent to oneself",
  p2p_unverified: "Both residents must be verified to send coins",
  p2p_daily_limit: "This would go over today's limit for sending coins",
};

/** The failure shape shared by every function here; some add a field (usableYen, limitYen, ...). */
export interface Failure<C extends PaymentsResultCode> {
  ok: false;
  code: C;
  detail: string;
}
