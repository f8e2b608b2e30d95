// Named limits on how much money may move, and the pure checks that apply them. The API reads today's totals
// from the store (the day is the Tokyo calendar day, see tokyo-day.ts) and calls these before planning a transfer.
import { assert } from "@tsubaki/ledger";
import type { Failure } from "./codes";

/**
 * Default limits for one resident, integer yen. Chosen for a town of ~53,000 where the wallet is used at local
 * shops, on a ¥100 bus and between neighbours; a deployment may lower or raise them.
 *   paymentYenMax 500,000        one payment: room for a large purchase at a local shop (an appliance, a repair)
 *   dailyPaymentYenMax 500,000   all payments in a Tokyo day: bounds what a lost card + PIN or phone can cost
 *   chargeYenMax 100,000         one charge at a counter: the cash a counter clerk reasonably handles at once
 *   dailyChargeYenMax 200,000    charges in a Tokyo day
 *   p2pPerTransferYenMax 30,000  one coin transfer between residents (splitting a bill, a gift)
 *   p2pDailyYenMax 50,000        coin transfers sent in a Tokyo day: low, because P2P is where scams cash out
 *   proxyPaymentYenMaxDefault 10,000 / proxyDailyYenMaxDefault 30,000
 *                                what a proxy (家族・支援者) may spend when the resident's grant names no limit
 *                                (everyday shopping for someone); a grant may set its own, up to the resident's
 * Guarantees: every value > 0; per-transaction ≤ daily for each pair.
 */
export const limitsDefault = Object.freeze({
  paymentYenMax: 500_000n,
  dailyPaymentYenMax: 500_000n,
  chargeYenMax: 100_000n,
  dailyChargeYenMax: 200_000n,
  p2pPerTransferYenMax: 30_000n,
  p2pDailyYenMax: 50_000n,
  proxyPaymentYenMaxDefault: 10_000n,
  proxyDailyYenMaxDefault: 30_000n,
});

export type Limits = { readonly [K in keyof typeof limitsDefault]: bigint };

export type LimitName = keyof Limits;

export type AmountCheck =
  | { ok: true }
  | Failure<"invalid_amount">
  | (Failure<"limit_exceeded"> & { limit: LimitName; limitYen: bigint });

/** invalid_amount (≤ 0) → limit_exceeded (> maxYen). The leaf every plan and check starts with. */
export function checkAmount(amountYen: bigint, maxYen: bigint, limit: LimitName): AmountCheck {
  if (typeof amountYen !== "bigint" || amountYen <= 0n) {
    return { ok: false, code: "invalid_amount", detail: "the amount must be a positive whole number of yen" };
  }
  if (amountYen > maxYen) {
    return { ok: false, code: "limit_exceeded", detail: `¥${amountYen} is above the ${limit} of ¥${maxYen}`, limit, limitYen: maxYen };
  }
  return { ok: true };
}

export type DailyLimitCheck =
  | { ok: true; remainingYen: bigint }
  | Failure<"invalid_amount">
  | (Failure<"daily_limit"> & { limitYen: bigint; remainingYen: bigint });

/**
 * Allowed ⇔ spentTodayYen + amountYen ≤ limitYen (reaching the limit exactly is allowed).
 * On success remainingYen is what is left after this amount; on failure, what was left before it.
 * Order: invalid_amount → daily_limit.
 */
export function checkDailyLimit(spentTodayYen: bigint, amountYen: bigint, limitYen: bigint): DailyLimitCheck {
  if (typeof amountYen !== "bigint" || amountYen <= 0n) {
    return { ok: false, code: "invalid_amount", detail: "the amount must be a positive whole number of yen" };
  }
  const remainingYen = nonNegative(limitYen - spentTodayYen);
  if (amountYen > remainingYen) {
    return {
      ok: false,
      code: "daily_limit",
      detail: `¥${amountYen} is more than the ¥${remainingYen} left of today's ¥${limitYen}`,
      limitYen,
      remainingYen,
    };
  }
  return { ok: true, remainingYen: remainingYen - amountYen };
}

/** What a resident allowed one proxy. Both values > 0. */
export interface ProxyGrant {
  paymentYenMax: bigint;
  dailyYenMax: bigint;
}

/**
 * The grant to store when a resident allows a proxy: an absent value takes the default for proxies, a present
 * one is kept but never above the resident's own limit (paymentYenMax, dailyPaymentYenMax).
 */
export function proxyGrantWithin(requested: Partial<ProxyGrant>, limits: Limits = limitsDefault): ProxyGrant {
  const pick = (asked: bigint | undefined, fallback: bigint, ceiling: bigint): bigint => {
    const value = asked ?? fallback;
    assert(value > 0n, "a proxy grant's limits are validated as positive before they get here");
    return value < ceiling ? value : ceiling;
  };
  return {
    paymentYenMax: pick(requested.paymentYenMax, limits.proxyPaymentYenMaxDefault, limits.paymentYenMax),
    dailyYenMax: pick(requested.dailyYenMax, limits.proxyDailyYenMaxDefault, limits.dailyPaymentYenMax),
  };
}

export type ProxyLimitCheck =
  | { ok: true; remainingTodayYen: bigint }
  | Failure<"invalid_amount">
  | (Failure<"proxy_limit"> & { limitYen: bigint })
  | (Failure<"proxy_daily_limit"> & { limitYen: bigint; remainingYen: bigint });

/**
 * A proxy paying for a resident. spentTodayYen counts this proxy's payments for this resident in the Tokyo day.
 * Order: invalid_amount → proxy_limit (one payment) → proxy_daily_limit. The resident's own limits apply too;
 * the caller checks them separately.
 */
export function checkProxyLimit(input: { amountYen: bigint; spentTodayYen: bigint; grant: ProxyGrant }): ProxyLimitCheck {
  const { amountYen, spentTodayYen, grant } = input;
  if (typeof amountYen !== "bigint" || amountYen <= 0n) {
    return { ok: false, code: "invalid_amount", detail: "the amount must be a positive whole number of yen" };
  }
  if (amountYen > grant.paymentYenMax) {
    return {
      ok: false,
      code: "proxy_limit",
      detail: `¥${amountYen} is above the ¥${grant.paymentYenMax} per payment this proxy may spend`,
      limitYen: grant.paymentYenMax,
    };
  }
  const daily = checkDailyLimit(spentTodayYen, amountYen, grant.dailyYenMax);
  if (daily.ok) return { ok: true, remainingTodayYen: daily.remainingYen };
  if (daily.code === "invalid_amount") return daily;
  return { ...daily, code: "proxy_daily_limit", detail: `${daily.detail} for this proxy` };
}

export interface P2pParty {
  residentId: string;
  /** Identity checked (本人確認) — only verified residents may send or receive coins. */
  verified: boolean;
}

export type P2pCheck =
  | { ok: true; remainingTodayYen: bigint }
  | Failure<"invalid_amount">
  | Failure<"p2p_same_person">
  | (Failure<"p2p_unverified"> & { party: "sender" | "receiver" })
  | (Failure<"limit_exceeded"> & { limit: LimitName; limitYen: bigint })
  | (Failure<"p2p_daily_limit"> & { limitYen: bigint; remainingYen: bigint });

/**
 * Coins from one resident to another (points never move between residents). sentTodayYen counts the sender's
 * transfers in the Tokyo day. Order: invalid_amount → p2p_same_person → p2p_unverified (sender, then receiver)
 * → limit_exceeded (p2pPerTransferYenMax) → p2p_daily_limit (p2pDailyYenMax).
 */
export function checkP2p(input: {
  sender: P2pParty;
  receiver: P2pParty;
  amountYen: bigint;
  sentTodayYen: bigint;
  limits?: Limits;
}): P2pCheck {
  const { sender, receiver, amountYen, sentTodayYen } = input;
  const limits = input.limits ?? limitsDefault;
  if (typeof amountYen !== "bigint" || amountYen <= 0n) {
    return { ok: false, code: "invalid_amount", detail: "the amount must be a positive whole number of yen" };
  }
  if (sender.residentId === receiver.residentId) {
    return { ok: false, code: "p2p_same_person", detail: "the sender and the receiver are the same resident" };
  }
  for (const [party, who] of [["sender", sender], ["receiver", receiver]] as const) {
    if (!who.verified) return { ok: false, code: "p2p_unverified", detail: `the ${party} has not completed identity verification`, party };
  }
  const amount = checkAmount(amountYen, limits.p2pPerTransferYenMax, "p2pPerTransferYenMax");
  if (!amount.ok) return amount;
  const daily = checkDailyLimit(sentTodayYen, amountYen, limits.p2pDailyYenMax);
  if (daily.ok) return { ok: true, remainingTodayYen: daily.remainingYen };
  if (daily.code === "invalid_amount") return daily;
  return { ...daily, code: "p2p_daily_limit" };
}

function nonNegative(x: bigint): bigint {
  return x < 0n ? 0n : x;
}
