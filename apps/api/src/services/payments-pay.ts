// Paying a shop: by scanning its QR (MPM, static or dynamic) or by the shop charging a code or a card the resident
// presents (CPM). Checks that need no state come first (the key, the QR and its signature, the amount and its named
// limit); then the key is claimed together with the daily limit; then state: the shop, the dynamic request or the
// code (each used at most once), the proxy's allowance. The money moves in one ledger transfer planned from a read
// of the wallet; the ledger's no-overdraft rule is the arbiter, so when a concurrent payment got there first the
// transfer is refused (exceeds_balance), the wallet is read again and the payment re-planned, a bounded number of
// times. Anything refused releases what was claimed, so a refusal leaves no trace.
import { sha256 } from "@noble/hashes/sha2.js";
import { utf8ToBytes } from "@noble/hashes/utils.js";
import type { AuditActor, PaymentKind, Proxy, Shop } from "@tsubaki/db";
import { checkAmount, compareSpendOrder, planPayment, tokyoDate, walletLotsMax, type PaymentFailure } from "@tsubaki/payments";
import { parseShopQr, type ShopQr, type ShopQrError } from "@tsubaki/qr";
import type { Principal } from "../auth/principal";
import { merchantOf, ok, refuse, type Outcome, type PaymentsContext, type Refusal } from "./payments-context";
import { idempotencyScope, refOf, runIdempotent, transferIdOf, type FlowControl, type FlowResponse, type StoredResponse } from "./payments-idempotency";
import { paymentAttachment, recoverPayment, storedPaymentBody, type PaymentOrder } from "./payments-record";

/** Transfer ids tried per payment (`{ref}-0` … ): re-plans after a concurrent spend, across takeovers too. */
export const transferAttemptsMax = 8;

/**
 * Plans, submits (re-planning after a concurrent spend), records and publishes one payment. The first attempt
 * plans from the wallet read together with the key's claim (control.wallet) when there is one; later attempts,
 * and flows that learn the payer only after the claim, read it again.
 */
export async function settlePayment(ctx: PaymentsContext, order: PaymentOrder, control: FlowControl): Promise<Outcome<FlowResponse>> {
  const merchant = merchantOf(order.shop);
  await ctx.accounts.shop(order.shop.id);
  for (let attempt = 0; attempt < transferAttemptsMax; attempt++) {
    const prefetched = attempt === 0 && control.wallet?.residentId === order.payerResidentId ? control.wallet : null;
    const wallet = prefetched ?? (await ctx.wallets.submit(order.payerResidentId));
    const at = ctx.now();
    // The planner takes at most walletLotsMax lots: the ones a payment would reach first.
    const lots = wallet.lots.length <= walletLotsMax ? wallet.lots : [...wallet.lots].sort(compareSpendOrder).slice(0, walletLotsMax);
    const plan = planPayment({ amountYen: order.amountYen, merchant, lots, coins: wallet.coins, now: at, limits: ctx.limits });
    if (!plan.ok) return planRefusal(plan);
    const id = transferIdOf(order.ref, attempt);
    control.committing();
    // The accounts this transfer takes from, as the claim read them: the ledger's writer need not read them again.
    const claimed = wallet.ledgerAccount;
    if (claimed) ctx.ledger.prime(plan.legs.flatMap((leg) => claimed(leg.from) ?? []));
    // The payment's row and its key ride with the transfer: one transaction for all three.
    const record = paymentAttachment(ctx, { order, transferId: id, allocation: plan.allocation, wallet, at });
    const result = await ctx.ledger.submit(
      {
        op: "transfer",
        id,
        legs: plan.legs,
        code: "payment",
        metadata: { kind: order.kind, resident: order.payerResidentId, shop: order.shop.id, ...(order.requestId ? { request: order.requestId } : {}) },
      },
      record.attachment,
    );
    if (result.ok) return record.settle(result);
    if (result.code === "id_reused") {
      // This id was used by an earlier attempt of the same request: posted → that is the payment.
      const earlier = await ctx.ledger.getTransfer(id);
      if (earlier?.status === "posted") return recoverPayment(ctx, order, earlier);
      continue;
    }
    if (result.code === "exceeds_balance") continue;
    return refuse(result.code, result.detail);
  }
  return refuse("busy", "the wallet kept changing while this payment was planned; retry in a moment", {}, { "Retry-After": "1" });
}

export function planRefusal(failure: PaymentFailure): Refusal {
  switch (failure.code) {
    case "insufficient_funds":
      return refuse("insufficient_funds", failure.detail, { usable_yen: Number(failure.usableYen) });
    case "limit_exceeded":
      return refuse("limit_exceeded", failure.detail, { limit: failure.limit, limit_yen: Number(failure.limitYen) });
    case "too_many_legs":
      return refuse("too_many_legs", failure.detail);
    case "invalid_amount":
      return refuse("invalid_amount", failure.detail);
  }
}

/** parseShopQr with the server's keys, remembering payloads that passed (refusals are not cached). */
export async function parseQr(ctx: PaymentsContext, payload: string): Promise<{ ok: true; shop: ShopQr } | ShopQrError> {
  const known = ctx.verifiedQrs.get(payload);
  if (known) return { ok: true, shop: known };
  const parsed = parseShopQr(payload, await ctx.qrKeys());
  if (parsed.ok) ctx.verifiedQrs.set(payload, parsed.shop);
  return parsed;
}

export function qrRefusal(error: ShopQrError): Refusal {
  switch (error.code) {
    case "qr_forged":
      return refuse("qr_forged", `${error.detail}: this sticker was not issued by Tsubaki; do not pay`);
    case "qr_foreign":
      return refuse("qr_foreign", error.detail);
    case "qr_invalid":
    case "shop_field_invalid":
    case "amount_invalid":
      return refuse("qr_invalid", `${error.code}: ${error.detail}`);
  }
}

/** The amount a QR payment is for: typed for a static QR, the QR's own for a dynamic one (typing it too must agree). */
function amountOf(qr: ShopQr, typedYen: number | undefined): Outcome<bigint> {
  if (!qr.dynamic) {
    if (typedYen === undefined) return refuse("amount_required", "this shop QR has no amount: send amount_yen");
    return ok(BigInt(typedYen));
  }
  if (qr.amountYen === undefined) return refuse("qr_invalid", "a dynamic QR without an amount");
  if (typedYen !== undefined && typedYen !== qr.amountYen) return refuse("amount_mismatch", `the QR asks for ¥${qr.amountYen}, not ¥${typedYen}`);
  return ok(BigInt(qr.amountYen));
}

export function checkShopOpen(shop: Shop | null, what: string): Outcome<Shop> {
  if (!shop) return refuse("shop_not_found", `no shop ${what}`);
  if (shop.status !== "active") return refuse("shop_inactive", `shop ${shop.code} is ${shop.status} and does not accept payments`);
  return ok(shop);
}

function amountRefusal(amountYen: bigint, ctx: PaymentsContext): Refusal | null {
  const check = checkAmount(amountYen, ctx.limits.paymentYenMax, "paymentYenMax");
  if (check.ok) return null;
  if (check.code === "invalid_amount") return refuse("invalid_amount", check.detail);
  return refuse("limit_exceeded", check.detail, { limit: check.limit, limit_yen: Number(check.limitYen) });
}

export interface PayByQrInput {
  principal: Principal;
  /** Whose money: the caller's own resident, or the resident a proxy acts for (with the live grant). */
  payer: { residentId: string; proxy: Proxy | null };
  qr: string;
  amountYen: number | undefined;
  request: Request;
  body: unknown;
}

/** POST /v1/payments: the resident (or their proxy) pays the shop of a scanned QR. */
export async function payByQr(ctx: PaymentsContext, input: PayByQrInput): Promise<Outcome<StoredResponse>> {
  const scope = idempotencyScope(input.principal.subject, input.request, input.body);
  if (!scope.ok) return scope;
  const parsed = await parseQr(ctx, input.qr);
  if (!parsed.ok) return qrRefusal(parsed);
  const amount = amountOf(parsed.shop, input.amountYen);
  if (!amount.ok) return amount;
  const amountYen = amount.value;
  const bad = amountRefusal(amountYen, ctx);
  if (bad) return bad;
  const residentId = input.payer.residentId;
  const reservation = { residentId, day: tokyoDate(ctx.now()), kind: "payment" as const, amountYen, limitYen: ctx.limits.dailyPaymentYenMax };
  const ref = refOf("pay", scope.value);
  // The wallet is read in the key's claim statement (one round trip for both); the ledger decides anyway.
  return runIdempotent(ctx, scope.value, reservation, async (control) => {
    const shop = checkShopOpen(await ctx.shops.byShopCode(parsed.shop.merchantCode), parsed.shop.merchantCode);
    if (!shop.ok) return shop;
    const releases: (() => Promise<void>)[] = [];
    const release = async <T>(outcome: Outcome<T>): Promise<Outcome<T>> => {
      if (!outcome.ok) for (const undo of releases.reverse()) await undo();
      return outcome;
    };
    const requestId = parsed.shop.dynamic ? (parsed.shop.requestId ?? null) : null;
    if (requestId !== null) {
      const claimed = await ctx.store.claimRequest(requestId, ref, residentId, ctx.now());
      if (!claimed.ok || claimed.request.shopId !== shop.value.id) {
        if (claimed.ok && !claimed.replayed) await ctx.store.releaseRequest(requestId, ref);
        const code = claimed.ok ? "payment_request_not_found" : claimed.code;
        return refuse(code, `payment request ${requestId}: ${code.replace(/_/g, " ")}`);
      }
      if (!claimed.replayed) releases.push(() => ctx.store.releaseRequest(requestId, ref));
      if (claimed.request.amountYen !== amountYen) {
        return release(refuse("amount_mismatch", `the shop asked for ¥${claimed.request.amountYen}; this QR says ¥${amountYen}`));
      }
    }
    const proxy = input.payer.proxy;
    if (proxy) {
      const spend = await ctx.identity.spendAsProxy({ proxyId: proxy.id, ref, amountYen });
      if (!spend.ok) {
        const code = spend.code === "proxy_not_found" || spend.code === "proxy_revoked" ? "forbidden" : spend.code === "ref_reused" ? "idempotency_key_reused" : spend.code;
        return release(refuse(code, spend.detail, { remaining_yen: Number(spend.remainingYen) }));
      }
      if (!spend.replayed) releases.push(async () => void (await ctx.identity.releaseProxySpend(proxy.id, ref)));
    }
    const order: PaymentOrder = {
      scope: scope.value,
      ref,
      payerResidentId: residentId,
      shop: shop.value,
      amountYen,
      kind: "pay",
      requestId,
      proxyUserId: proxy ? input.principal.subject : null,
    };
    return release(await settlePayment(ctx, order, control));
  }, () => storedPaymentBody(ctx, ref), { walletOf: residentId });
}

export type PresentedMeans = { code: string } | { cardNumber: string; pin: string };

export interface ChargePresentedInput {
  principal: Principal;
  shopId: string;
  means: PresentedMeans;
  amountYen: number;
  request: Request;
  body: unknown;
  requestId: string;
}

/** sha256 of a one-time code, hex: only this is stored. */
export function codeHash(code: string): string {
  let out = "";
  for (const b of sha256(utf8ToBytes(code))) out += b.toString(16).padStart(2, "0");
  return out;
}

/** POST /v1/merchant/charges: the shop charges a customer's one-time code, or card + PIN. */
export async function chargePresented(ctx: PaymentsContext, input: ChargePresentedInput): Promise<Outcome<StoredResponse>> {
  const scope = idempotencyScope(input.principal.subject, input.request, input.body);
  if (!scope.ok) return scope;
  const amountYen = BigInt(input.amountYen);
  const bad = amountRefusal(amountYen, ctx);
  if (bad) return bad;

  const ref = refOf("cpm", scope.value);
  return runIdempotent(ctx, scope.value, undefined, async (control) => {
    const shop = checkShopOpen(await ctx.shops.byShopId(input.shopId), input.shopId);
    if (!shop.ok) return shop;
    const releases: (() => Promise<void>)[] = [];
    const release = async <T>(outcome: Outcome<T>): Promise<Outcome<T>> => {
      if (!outcome.ok) for (const undo of releases.reverse()) await undo();
      return outcome;
    };
    let residentId: string;
    let kind: PaymentKind;
    const means = input.means;
    if ("code" in means) {
      const hash = codeHash(means.code);
      const claimed = await ctx.store.claimCode(hash, "pay", ref, shop.value.id, ctx.now());
      if (!claimed.ok) return refuse(claimed.code, claimed.code === "code_expired" ? "the code has expired; ask for a new one" : claimed.code === "code_used" ? "this code was already used" : "no such code");
      if (!claimed.replayed) releases.push(() => ctx.store.releaseCode(hash, ref));
      residentId = claimed.residentId;
      kind = "cpm";
    } else {
      const actor: AuditActor = { actor: input.principal.subject, actorRoles: [...input.principal.roles], requestId: input.requestId };
      const checked = await ctx.identity.checkCardPin({ number: means.cardNumber, pin: means.pin }, actor);
      if (!checked.ok) return refuse(checked.code, checked.detail, checked.code === "pin_incorrect" ? { tries_left: checked.triesLeft } : {});
      residentId = checked.residentId;
      kind = "card";
    }
    const reservation = { residentId, day: tokyoDate(ctx.now()), kind: "payment" as const, amountYen, limitYen: ctx.limits.dailyPaymentYenMax };
    const reserved = await ctx.store.reserveSpend(reservation);
    if (!reserved.ok) {
      const remaining = reserved.limitYen > reserved.spentYen ? reserved.limitYen - reserved.spentYen : 0n;
      return release(refuse("daily_limit", `¥${amountYen} is more than the ¥${remaining} left of today's ¥${reserved.limitYen}`, { limit_yen: Number(reserved.limitYen), remaining_yen: Number(remaining) }));
    }
    releases.push(() => ctx.store.releaseSpend(reservation));
    const order: PaymentOrder = { scope: scope.value, ref, payerResidentId: residentId, shop: shop.value, amountYen, kind, requestId: null, proxyUserId: null };
    return release(await settlePayment(ctx, order, control));
  }, () => storedPaymentBody(ctx, ref));
}
