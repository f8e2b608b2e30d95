// Paying: resolve a scanned shop QR, pay it (POST /v1/payments), send coins to another resident, read a receipt.
// Every money-moving POST needs an Idempotency-Key (a replay answers the stored response with
// Idempotency-Replayed: true). Amounts are JSON integers; limits are the named ones of @tsubaki/payments.
import { z } from "zod";
import { ProblemError, type ProblemCode } from "../http/problem";
import type { AppDeps } from "../app";
import type { Outcome, PaymentsContext } from "../services/payments-context";
import type { StoredResponse } from "../services/payments-idempotency";
import { resolveQr } from "../services/payments-merchant";
import { payByQr } from "../services/payments-pay";
import { receiptFor, sendCoins } from "../services/payments-wallet";
import { defineRoute, type Reply } from "./registry";

const tags = ["payments"];

/** Body fields whose problems keep a domain code. */
export const amountFieldCodes: Readonly<Record<string, ProblemCode>> = { amount_yen: "invalid_amount" };

/** A yen amount as JSON: a positive safe integer (named limits are checked by the service). */
export const yenAmount = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

/** The payments context, or a 500 if the entry did not build one (a wiring bug). */
export function paymentsOf(deps: AppDeps): PaymentsContext {
  if (!deps.payments) throw new Error("BUG: the app was created without payments");
  return deps.payments.context;
}

/** A refusal becomes its problem; a value is returned. */
export function unwrap<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw new ProblemError(outcome.code, outcome.detail, outcome.headers ?? {}, outcome.extensions ?? {});
  return outcome.value;
}

/** A stored (or just stored) response of a money-moving POST. */
export function storedReply(outcome: Outcome<StoredResponse>): Reply {
  const stored = unwrap(outcome);
  return {
    status: stored.status,
    text: stored.body,
    contentType: "application/json; charset=utf-8",
    headers: stored.replayed ? { "Idempotency-Replayed": "true" } : {},
  };
}

const idempotencyErrors: ProblemCode[] = ["idempotency_key_required", "idempotency_key_reused", "idempotency_in_progress"];
const paymentErrors: ProblemCode[] = [...idempotencyErrors, "invalid_amount", "limit_exceeded", "daily_limit", "insufficient_funds", "too_many_legs", "shop_not_found", "shop_inactive", "busy"];

const shopJson = z.object({ id: z.string(), code: z.string(), name_ja: z.string(), name_latin: z.string(), category: z.string(), tier: z.string() });
const receiptLine = z.object({
  source: z.enum(["lot", "coins"]),
  account_id: z.string(),
  lot_id: z.string().optional(),
  campaign_id: z.string().optional(),
  amount_yen: z.number().int(),
  expires_at: z.string().optional(),
  lapsed: z.boolean().optional(),
});
const receiptJson = z.object({
  transfer_id: z.string(),
  kind: z.enum(["payment", "refund"]),
  at: z.string(),
  shop: shopJson,
  total_yen: z.number().int(),
  points_yen: z.number().int(),
  coins_yen: z.number().int(),
  lapsed_yen: z.number().int(),
  lines: z.array(receiptLine),
  balances_after: z.array(
    z.object({ source: z.enum(["lot", "coins"]), account_id: z.string(), lot_id: z.string().optional(), campaign_id: z.string().optional(), balance_yen: z.number().int(), expires_at: z.string().optional() }),
  ),
  points_balance_yen: z.number().int(),
  coins_balance_yen: z.number().int(),
});
export const paymentJson = z.object({
  payment_id: z.string(),
  kind: z.enum(["pay", "cpm", "card"]),
  amount_yen: z.number().int(),
  points_yen: z.number().int(),
  coins_yen: z.number().int(),
  paid_at: z.string(),
  resident_id: z.string(),
  request_id: z.string().nullable(),
  receipt: receiptJson,
});

export const paymentRoutes = [
  defineRoute({
    method: "get",
    path: "/v1/merchants/resolve",
    roles: ["resident", "proxy"],
    tags,
    summary: "QRの店舗を確認 What a scanned shop QR pays",
    description:
      "The shop's registered name from the database (the names inside a QR are not signed). qr_forged: the signature of a Tsubaki sticker is wrong; qr_invalid: not a readable payment QR; qr_foreign: another service's QR. A dynamic QR also shows its amount and whether it is open, paid or expired.",
    request: { query: z.object({ qr: z.string().min(1).max(512) }) },
    responses: {
      200: {
        description: "The shop",
        schema: z.object({
          shop: shopJson,
          accepts_payments: z.boolean(),
          dynamic: z.boolean(),
          amount_yen: z.number().int().nullable(),
          request: z.object({ id: z.string(), amount_yen: z.number().int(), status: z.enum(["open", "paid", "expired"]), expires_at: z.string() }).nullable(),
        }),
      },
    },
    errors: ["qr_invalid", "qr_forged", "qr_foreign", "shop_not_found", "payment_request_not_found", "amount_mismatch"],
    async handler({ query, deps }) {
      return { status: 200, json: unwrap(await resolveQr(paymentsOf(deps), query.qr)) };
    },
  }),

  defineRoute({
    method: "post",
    path: "/v1/payments",
    roles: ["resident", "proxy"],
    ownership: { kind: "resident", proxy: "pay", target: { query: "resident", orCaller: true } },
    bodyFieldCodes: amountFieldCodes,
    tags,
    summary: "QRで支払う Pay a shop by its QR",
    description:
      "Static QR: send amount_yen. Dynamic QR: the amount and the request come from the QR (a dynamic request is paid once: 409 payment_request_paid; 410 payment_request_expired). Points usable at the shop go first, soonest expiry first, then coins; insufficient_funds moves nothing. A proxy pays for a resident with ?resident=. Requires Idempotency-Key.",
    request: {
      query: z.object({ resident: z.string().max(128).optional() }),
      body: z.strictObject({ qr: z.string().min(1).max(512), amount_yen: yenAmount.optional() }),
    },
    responses: { 201: { description: "Paid; the receipt lists every leg and the balances after", schema: paymentJson } },
    errors: [...paymentErrors, "qr_invalid", "qr_forged", "qr_foreign", "amount_required", "amount_mismatch", "payment_request_not_found", "payment_request_paid", "payment_request_expired", "proxy_limit_exceeded"],
    async handler({ body, access, principal, request, deps }) {
      const residentId = access.target;
      if (residentId === null || principal === null) throw new ProblemError("forbidden", "this caller has no resident record");
      const outcome = await payByQr(paymentsOf(deps), {
        principal,
        payer: { residentId, proxy: access.actingAs === "proxy" ? access.proxy : null },
        qr: body.qr,
        amountYen: body.amount_yen,
        request,
        body,
      });
      return storedReply(outcome);
    },
  }),

  defineRoute({
    method: "post",
    path: "/v1/p2p",
    roles: ["resident"],
    ownership: { kind: "resident", proxy: "none", target: { caller: true } },
    bodyFieldCodes: amountFieldCodes,
    tags,
    summary: "コインを送る Send coins to another resident",
    description: "Coins only (points never move between residents); both residents verified; p2pPerTransferYenMax per transfer and p2pDailyYenMax a day. The receiver is named by resident id or by a receive code they issued. Requires Idempotency-Key.",
    request: {
      body: z
        .strictObject({ to_resident_id: z.string().min(1).max(128).optional(), to_code: z.string().min(1).max(64).optional(), amount_yen: yenAmount })
        .refine((b) => (b.to_resident_id === undefined) !== (b.to_code === undefined), "name the receiver by to_resident_id or by to_code, not both"),
    },
    responses: {
      201: {
        description: "Sent",
        schema: z.object({ transfer_id: z.string(), from_resident_id: z.string(), to_resident_id: z.string(), amount_yen: z.number().int(), coins_balance_yen: z.number().int(), sent_at: z.string() }),
      },
    },
    errors: [...idempotencyErrors, "invalid_amount", "limit_exceeded", "p2p_same_person", "p2p_unverified", "p2p_daily_limit", "insufficient_funds", "resident_not_found", "code_not_found", "code_used", "code_expired"],
    async handler({ body, access, principal, request, deps }) {
      if (access.target === null || principal === null) throw new ProblemError("forbidden", "this caller has no resident record");
      const to = body.to_code !== undefined ? { code: body.to_code } : { residentId: body.to_resident_id ?? "" };
      return storedReply(await sendCoins(paymentsOf(deps), { principal, senderResidentId: access.target, to, amountYen: body.amount_yen, request, body }));
    },
  }),

  defineRoute({
    method: "get",
    path: "/v1/receipts/{id}",
    roles: ["resident", "proxy", "merchant_owner", "merchant_staff"],
    tags,
    summary: "レシート A payment's or a refund's receipt",
    description: "For the payer (or a proxy allowed to see history) and the shop's people; anyone else gets 404.",
    request: { params: z.object({ id: z.string().min(1).max(64) }) },
    responses: { 200: { description: "The receipt", schema: receiptJson } },
    errors: ["payment_not_found"],
    async handler({ params, principal, deps }) {
      if (principal === null) throw new ProblemError("unauthorized", "send Authorization: Bearer <token>");
      const text = unwrap(await receiptFor(paymentsOf(deps), params.id, principal));
      return { status: 200, text, contentType: "application/json; charset=utf-8" };
    },
  }),
];
