// Refunds: the shop gives back all or part of a payment within 90 days, to the same lots and coins it came from
// (planRefund decides which, coins first, then lots latest-expiring first); a lot that has lapsed meanwhile gets
// nothing back and its share goes to its campaign's expired account, and the receipt says so. The refund is
// planned and written as pending under the payment's row lock, so two refunds of one payment at once cannot both
// spend what is left of it; the shop's no-overdraft rule decides whether the shop can pay it back.
import { accountIdOf } from "@tsubaki/auth";
import type { LotRecord, PaymentRecordRow, RefundRecordRow } from "@tsubaki/db";
import { buildReceipt, jsonYen, planRefund, type LapsedPart, type RefundPlan } from "@tsubaki/payments";
import type { Principal } from "../auth/principal";
import { toJsonText } from "../http/json";
import { checkShopOpen } from "./payments-pay";
import { merchantOf, ok, refuse, type Outcome, type PaymentsContext, type Refusal } from "./payments-context";
import { idempotencyScope, refOf, runIdempotent, transferIdOf, type FlowResponse, type StoredResponse } from "./payments-idempotency";
import { allocationFromStored, allocationToStored, receiptToJson } from "./payments-receipt";

/** cancel-last undoes the shop's newest payment if it is at most this old (a mistake at the register). */
export const cancelWindowMs = 10 * 60_000;
/** Refund ids tried per request (a takeover may find an earlier attempt's refund refused). */
const refundAttemptsMax = 4;

export interface RefundInput {
  principal: Principal;
  shopId: string;
  request: Request;
  body: unknown;
}

/** POST /v1/merchant/refunds. */
export async function refundPayment(ctx: PaymentsContext, input: RefundInput & { paymentId: string; amountYen: number }): Promise<Outcome<StoredResponse>> {
  const scope = idempotencyScope(input.principal.subject, input.request, input.body);
  if (!scope.ok) return scope;
  if (input.amountYen <= 0) return refuse("invalid_amount", "the refund must be a positive whole number of yen");
  return runIdempotent(ctx, scope.value, undefined, async (control) =>
    refund(ctx, { ref: refOf("rfd", scope.value), shopId: input.shopId, paymentId: input.paymentId, amountYen: BigInt(input.amountYen), reason: "refund", committing: control.committing }),
  );
}

/** POST /v1/merchant/payments/cancel-last: refunds what is left of the shop's newest payment, if recent. */
export async function cancelLastPayment(ctx: PaymentsContext, input: RefundInput): Promise<Outcome<StoredResponse>> {
  const scope = idempotencyScope(input.principal.subject, input.request, input.body);
  if (!scope.ok) return scope;
  return runIdempotent(ctx, scope.value, undefined, async (control) => {
    const ref = refOf("rfd", scope.value);
    const last = await ctx.store.lastPaymentOfShop(input.shopId, new Date(0));
    if (!last) return refuse("payment_not_found", "this shop has no payment to cancel");
    if (ctx.now().getTime() - last.createdAt.getTime() > cancelWindowMs) {
      return refuse("cancel_window_passed", `the last payment was at ${last.createdAt.toISOString()}, more than ${cancelWindowMs / 60_000} minutes ago`);
    }
    const leftYen = last.amountYen - last.refundedYen;
    if (leftYen === 0n) return refuse("refund_exceeds_payment", `payment ${last.id} is already refunded in full`, { refundable_yen: 0 });
    return refund(ctx, { ref, shopId: input.shopId, paymentId: last.id, amountYen: leftYen, reason: "cancel", committing: control.committing });
  });
}

interface RefundOrder {
  ref: string;
  shopId: string;
  paymentId: string;
  amountYen: bigint;
  reason: "refund" | "cancel";
  committing: () => void;
}

async function refund(ctx: PaymentsContext, order: RefundOrder): Promise<Outcome<FlowResponse>> {
  const shop = checkShopOpen(await ctx.shops.byShopId(order.shopId), order.shopId);
  if (!shop.ok && shop.code === "shop_not_found") return shop;
  for (let attempt = 0; attempt < refundAttemptsMax; attempt++) {
    const id = transferIdOf(order.ref, attempt);
    const existing = await ctx.store.getRefund(id);
    if (existing) {
      // An earlier attempt of this request: finish it if its transfer was posted, else clear it and go on.
      if (existing.status === "done" && existing.receipt) {
        return ok({ status: 201, body: refundBody(existing, existing.receipt, await ctx.store.getPayment(existing.paymentId)), keyCompleted: false });
      }
      const transfer = await ctx.ledger.getTransfer(id);
      if (transfer?.status === "posted") return finish(ctx, existing, null);
      await ctx.store.abortRefund(id);
      continue;
    }
    let plan: RefundPlan | null = null;
    const began = await ctx.store.beginRefund<Refusal>(order.paymentId, (payment, earlier, lots) => {
      const planned = planFor(ctx, order, payment, earlier, lots);
      if (!planned.ok) return { ok: false, failure: planned };
      plan = planned.value;
      const refundRow: Omit<RefundRecordRow, "status" | "receipt"> = {
        id,
        paymentId: payment.id,
        shopId: payment.shopId,
        amountYen: order.amountYen,
        allocation: allocationToStored(planned.value.allocation),
        lapsed: planned.value.lapsed.map(lapsedToJson),
        reason: order.reason,
        createdAt: ctx.now(),
      };
      return { ok: true, refund: refundRow };
    });
    if (!began.ok) return began.failure === "payment_not_found" ? refuse("payment_not_found", `no payment ${order.paymentId} at this shop`) : began.failure;
    const legs = (plan as RefundPlan | null)?.legs;
    if (!legs) throw new Error("BUG: a refund began without a plan");
    order.committing();
    const result = await ctx.ledger.submit({
      op: "transfer",
      id,
      legs,
      code: "refund",
      metadata: { payment: order.paymentId, shop: order.shopId, resident: began.payment.payerResidentId, reason: order.reason },
    });
    if (result.ok) return finish(ctx, began.refund, began.payment);
    if (result.code === "id_reused") {
      const earlier = await ctx.ledger.getTransfer(id);
      if (earlier?.status === "posted") return finish(ctx, began.refund, began.payment);
    }
    await ctx.store.abortRefund(id);
    if (result.code === "id_reused") continue;
    if (result.code === "exceeds_balance") return refuse("insufficient_funds", "the shop's balance is lower than this refund (paid out already?)");
    return refuse(result.code, result.detail);
  }
  return refuse("busy", "this refund could not be settled; retry in a moment", {}, { "Retry-After": "1" });
}

function planFor(ctx: PaymentsContext, order: RefundOrder, payment: PaymentRecordRow, earlier: RefundRecordRow[], lots: Map<string, LotRecord>): Outcome<RefundPlan> {
  if (payment.shopId !== order.shopId) return refuse("payment_not_found", `no payment ${order.paymentId} at this shop`);
  const plan = planRefund({
    payment: { allocation: allocationFromStored(payment.allocation), merchantAccountId: accountIdOf.shop(payment.shopId), paidAt: payment.createdAt },
    refundedSoFar: earlier.flatMap((r) => allocationFromStored(r.allocation)),
    amountYen: order.amountYen,
    lotsNow: lots,
    now: ctx.now(),
  });
  if (plan.ok) return ok(plan);
  switch (plan.code) {
    case "invalid_amount":
      return refuse("invalid_amount", plan.detail);
    case "refund_window_passed":
      return refuse("refund_window_passed", plan.detail, { refundable_until: plan.refundableUntil.toISOString() });
    case "refund_exceeds_payment":
      return refuse("refund_exceeds_payment", plan.detail, { refundable_yen: jsonYen(plan.refundableYen) });
    case "lot_not_found":
      throw new Error(`BUG: lot ${plan.lotId} of payment ${payment.id} is missing`);
  }
}

function lapsedToJson(part: LapsedPart) {
  return {
    lot_id: part.lotId,
    campaign_id: part.campaignId,
    account_id: part.accountId,
    expired_account_id: part.expiredAccountId,
    amount_yen: part.amountYen.toString(),
    expires_at: part.expiresAt.toISOString(),
  };
}

function lapsedFromJson(parts: readonly unknown[]): LapsedPart[] {
  return parts.map((raw) => {
    const p = raw as ReturnType<typeof lapsedToJson>;
    return {
      lotId: p.lot_id,
      campaignId: p.campaign_id,
      accountId: p.account_id,
      expiredAccountId: p.expired_account_id,
      amountYen: BigInt(p.amount_yen),
      expiresAt: new Date(p.expires_at),
    };
  });
}

/** Marks the refund done with its receipt (the payer's wallet as it is after it). */
async function finish(ctx: PaymentsContext, refundRow: RefundRecordRow, payment: PaymentRecordRow | null): Promise<Outcome<FlowResponse>> {
  const paid = payment ?? (await ctx.store.getPayment(refundRow.paymentId));
  if (!paid) throw new Error(`BUG: refund ${refundRow.id} has no payment`);
  const shop = await ctx.shops.byShopId(paid.shopId);
  if (!shop) throw new Error(`BUG: payment ${paid.id} has no shop`);
  const [wallet] = (await ctx.store.loadWallets([paid.payerResidentId], ctx.now())).values();
  if (!wallet) throw new Error("BUG: no wallet read");
  const receipt = buildReceipt({
    transferId: refundRow.id,
    kind: "refund",
    at: refundRow.createdAt,
    merchant: merchantOf(shop),
    allocation: allocationFromStored(refundRow.allocation),
    lapsed: lapsedFromJson(refundRow.lapsed),
    balancesAfter: wallet,
  });
  const receiptText = toJsonText(receiptToJson(receipt, shop));
  const done: RefundRecordRow = { ...refundRow, status: "done", receipt: receiptText };
  await ctx.store.finishRefund(refundRow.id, receiptText, null);
  const after = await ctx.store.getPayment(paid.id);
  return ok({ status: 201, body: refundBody(done, receiptText, after), keyCompleted: false });
}

function refundBody(r: RefundRecordRow, receiptText: string, payment: PaymentRecordRow | null): string {
  const head = toJsonText({
    refund_id: r.id,
    payment_id: r.paymentId,
    reason: r.reason,
    amount_yen: jsonYen(r.amountYen),
    lapsed_yen: jsonYen(lapsedFromJson(r.lapsed).reduce((sum, p) => sum + p.amountYen, 0n)),
    refunded_at: r.createdAt.toISOString(),
    ...(payment ? { payment_refunded_yen: jsonYen(payment.refundedYen), payment_refundable_yen: jsonYen(payment.amountYen - payment.refundedYen) } : {}),
  });
  return `${head.slice(0, -1)},"receipt":${receiptText}}`;
}
