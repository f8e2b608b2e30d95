// The shop's side of payments, for its owner and staff (every request names the shop: a person may work at
// several): charge a customer's code or card + PIN, make a dynamic QR, the static QR and its poster, refunds and
// cancelling the last payment, sales (JSON and CSV), today's summary, and live payment events (SSE, long poll).
import { z } from "zod";
import type { RouteOwnership } from "./registry";
import { ProblemError, type ProblemCode } from "../http/problem";
import { pollShopEvents, pollWaitSecondsMax, shopEventStream } from "../events/sse";
import { createPaymentRequest, salesPageSizeMax, shopPoster, shopSales, shopSalesCsv, shopSummary, staticQr } from "../services/payments-merchant";
import { chargePresented } from "../services/payments-pay";
import { cancelLastPayment, refundPayment } from "../services/payments-refund";
import { amountFieldCodes, paymentJson, paymentsOf, storedReply, unwrap, yenAmount } from "./payments";
import { defineRoute } from "./registry";

const tags = ["merchant"];
const staff = ["merchant_owner", "merchant_staff"] as const;
const shopInQuery: RouteOwnership = { kind: "shop", staff: "any", target: { query: "shop_id" } };
const shopInBody: RouteOwnership = { kind: "shop", staff: "any", target: { body: "shop_id" } };
const shopQuery = z.object({ shop_id: z.string().min(1).max(128) });
const shopId = z.string().min(1).max(128);
const idempotencyErrors: ProblemCode[] = ["idempotency_key_required", "idempotency_key_reused", "idempotency_in_progress"];

const refundJson = z.object({
  refund_id: z.string(),
  payment_id: z.string(),
  reason: z.enum(["refund", "cancel"]),
  amount_yen: z.number().int(),
  lapsed_yen: z.number().int(),
  refunded_at: z.string(),
  payment_refunded_yen: z.number().int(),
  payment_refundable_yen: z.number().int(),
  receipt: z.unknown(),
});

const saleJson = z.object({
  payment_id: z.string(),
  seq: z.number().int(),
  kind: z.enum(["pay", "cpm", "card"]),
  amount_yen: z.number().int(),
  points_yen: z.number().int(),
  coins_yen: z.number().int(),
  refunded_yen: z.number().int(),
  request_id: z.string().nullable(),
  paid_at: z.string(),
});

/** The event id a stream resumes after: Last-Event-ID (EventSource sends it) or ?last_event_id=. */
function lastEventIdOf(request: Request, query: string | undefined): number | null {
  const text = request.headers.get("last-event-id") ?? query ?? null;
  if (text === null || text === "") return null;
  if (!/^[0-9]{1,15}$/.test(text)) throw new ProblemError("invalid_request", "Last-Event-ID is an event id this API sent");
  return Number(text);
}

export const merchantRoutes = [
  defineRoute({
    method: "post",
    path: "/v1/merchant/charges",
    roles: staff,
    ownership: shopInBody,
    bodyFieldCodes: amountFieldCodes,
    tags,
    summary: "コード・カードで請求 Charge a customer's one-time code or card + PIN",
    description:
      "The code is used once (409 code_used, also at another shop), within 60 s (410 code_expired). A card needs its PIN; five wrong PINs in a row lock it (423 card_locked). Requires Idempotency-Key.",
    request: {
      body: z
        .strictObject({
          shop_id: shopId,
          code: z.string().min(1).max(64).optional(),
          card_number: z.string().min(1).max(32).optional(),
          pin: z.string().min(1).max(16).optional(),
          amount_yen: yenAmount,
        })
        .refine((b) => (b.code !== undefined) !== (b.card_number !== undefined && b.pin !== undefined), "send a code, or a card_number with its pin"),
    },
    responses: { 201: { description: "Paid", schema: paymentJson } },
    errors: [
      ...idempotencyErrors,
      "invalid_amount",
      "limit_exceeded",
      "daily_limit",
      "insufficient_funds",
      "code_not_found",
      "code_used",
      "code_expired",
      "card_not_found",
      "card_revoked",
      "card_locked",
      "pin_incorrect",
      "shop_inactive",
    ],
    async handler({ body, principal, request, deps, requestId }) {
      if (principal === null) throw new ProblemError("unauthorized", "send Authorization: Bearer <token>");
      const means = body.code !== undefined ? { code: body.code } : { cardNumber: body.card_number ?? "", pin: body.pin ?? "" };
      return storedReply(await chargePresented(paymentsOf(deps), { principal, shopId: body.shop_id, means, amountYen: body.amount_yen, request, body, requestId }));
    },
  }),

  defineRoute({
    method: "post",
    path: "/v1/merchant/payment-requests",
    roles: staff,
    ownership: shopInBody,
    bodyFieldCodes: amountFieldCodes,
    tags,
    summary: "金額入りQR A dynamic QR for one payment",
    description: "Payable once, for 10 minutes. The QR carries the amount and the request id; the server checks both against what it stored.",
    request: { body: z.strictObject({ shop_id: shopId, amount_yen: yenAmount }) },
    responses: {
      201: {
        description: "The request and its QR",
        schema: z.object({ request_id: z.string(), shop: z.unknown(), amount_yen: z.number().int(), created_at: z.string(), expires_at: z.string(), qr: z.string(), qr_svg: z.string() }),
      },
    },
    errors: ["invalid_amount", "limit_exceeded", "shop_inactive"],
    async handler({ body, principal, deps }) {
      const created = unwrap(await createPaymentRequest(paymentsOf(deps), { shopId: body.shop_id, amountYen: body.amount_yen, createdBy: principal?.subject ?? "" }));
      return { status: 201, json: created };
    },
  }),

  defineRoute({
    method: "get",
    path: "/v1/merchant/qr",
    roles: staff,
    ownership: shopInQuery,
    tags,
    summary: "店舗QR The shop's static QR (payload and SVG)",
    request: { query: shopQuery },
    responses: { 200: { description: "The sticker's QR", schema: z.object({ shop: z.unknown(), payload: z.string(), svg: z.string() }) } },
    async handler({ query, deps }) {
      return { status: 200, json: unwrap(await staticQr(paymentsOf(deps), query.shop_id)) };
    },
  }),

  defineRoute({
    method: "get",
    path: "/v1/merchant/poster",
    roles: staff,
    ownership: shopInQuery,
    tags,
    summary: "掲示用ポスター The A5 poster with the shop's QR (HTML, print it)",
    request: { query: shopQuery },
    responses: { 200: { description: "Self-contained HTML", contentType: "text/html" } },
    async handler({ query, deps }) {
      return { status: 200, html: unwrap(await shopPoster(paymentsOf(deps), query.shop_id)) };
    },
  }),

  defineRoute({
    method: "post",
    path: "/v1/merchant/refunds",
    roles: staff,
    ownership: shopInBody,
    bodyFieldCodes: amountFieldCodes,
    tags,
    summary: "返金 Refund all or part of a payment",
    description:
      "Within 90 days, up to what is left of the payment; back to the same lots and coins (coins first, then lots latest-expiring first). A lot that has lapsed gets nothing back: its share goes to its campaign, and the receipt says so (lapsed). Requires Idempotency-Key.",
    request: { body: z.strictObject({ shop_id: shopId, payment_id: z.string().min(1).max(64), amount_yen: yenAmount }) },
    responses: { 201: { description: "Refunded", schema: refundJson } },
    errors: [...idempotencyErrors, "invalid_amount", "payment_not_found", "refund_window_passed", "refund_exceeds_payment", "insufficient_funds"],
    async handler({ body, principal, request, deps }) {
      if (principal === null) throw new ProblemError("unauthorized", "send Authorization: Bearer <token>");
      return storedReply(await refundPayment(paymentsOf(deps), { principal, shopId: body.shop_id, paymentId: body.payment_id, amountYen: body.amount_yen, request, body }));
    },
  }),

  defineRoute({
    method: "post",
    path: "/v1/merchant/payments/cancel-last",
    roles: staff,
    ownership: shopInBody,
    tags,
    summary: "直前の支払いを取消 Cancel the shop's last payment",
    description: "Refunds what is left of the shop's newest payment if it is at most 10 minutes old. Requires Idempotency-Key.",
    request: { body: z.strictObject({ shop_id: shopId }) },
    responses: { 201: { description: "Cancelled (a full refund)", schema: refundJson } },
    errors: [...idempotencyErrors, "payment_not_found", "cancel_window_passed", "refund_exceeds_payment", "insufficient_funds"],
    async handler({ body, principal, request, deps }) {
      if (principal === null) throw new ProblemError("unauthorized", "send Authorization: Bearer <token>");
      return storedReply(await cancelLastPayment(paymentsOf(deps), { principal, shopId: body.shop_id, request, body }));
    },
  }),

  defineRoute({
    method: "get",
    path: "/v1/merchant/sales",
    roles: staff,
    ownership: shopInQuery,
    tags,
    summary: "売上 The shop's payments, newest first",
    request: {
      query: shopQuery.extend({
        cursor: z.string().max(32).optional(),
        limit: z.coerce.number().int().min(1).max(salesPageSizeMax).optional(),
        date: z.string().max(10).optional(),
      }),
    },
    responses: { 200: { description: "A page of payments", schema: z.object({ payments: z.array(saleJson), next_cursor: z.string().nullable() }) } },
    async handler({ query, deps }) {
      const page = unwrap(
        await shopSales(paymentsOf(deps), query.shop_id, {
          ...(query.cursor ? { cursor: query.cursor } : {}),
          ...(query.limit ? { limit: query.limit } : {}),
          ...(query.date ? { date: query.date } : {}),
        }),
      );
      return { status: 200, json: page };
    },
  }),

  defineRoute({
    method: "get",
    path: "/v1/merchant/sales.csv",
    roles: staff,
    ownership: shopInQuery,
    tags,
    summary: "売上CSV One day's payments as CSV (default today)",
    request: { query: shopQuery.extend({ date: z.string().max(10).optional() }) },
    responses: { 200: { description: "UTF-8 CSV with a byte order mark", contentType: "text/csv" } },
    async handler({ query, deps }) {
      const file = unwrap(await shopSalesCsv(paymentsOf(deps), query.shop_id, query.date));
      return { status: 200, text: file.csv, contentType: "text/csv; charset=utf-8", headers: { "Content-Disposition": `attachment; filename="${file.filename}"` } };
    },
  }),

  defineRoute({
    method: "get",
    path: "/v1/merchant/summary",
    roles: staff,
    ownership: shopInQuery,
    tags,
    summary: "本日の集計 Today's payments and refunds",
    request: { query: shopQuery },
    responses: {
      200: {
        description: "Today (Japan time)",
        schema: z.object({
          shop_id: z.string(),
          date: z.string(),
          payments_count: z.number().int(),
          gross_yen: z.number().int(),
          refunds_count: z.number().int(),
          refunded_yen: z.number().int(),
          net_yen: z.number().int(),
        }),
      },
    },
    async handler({ query, deps }) {
      return { status: 200, json: await shopSummary(paymentsOf(deps), query.shop_id) };
    },
  }),

  defineRoute({
    method: "get",
    path: "/v1/merchant/events",
    roles: staff,
    ownership: shopInQuery,
    tags,
    summary: "入金通知 Live payments (server-sent events)",
    description:
      "text/event-stream: `ready`, then one `payment` event per payment (id = the event id), and a comment every 15 s. Reconnect with Last-Event-ID (EventSource does) to receive what was missed.",
    request: { query: shopQuery.extend({ last_event_id: z.string().max(16).optional() }) },
    responses: { 200: { description: "An event stream", contentType: "text/event-stream" } },
    errors: ["busy"],
    async handler({ query, request, deps }) {
      const response = shopEventStream(paymentsOf(deps), query.shop_id, lastEventIdOf(request, query.last_event_id), request.signal);
      if (!response) throw new ProblemError("busy", "too many live streams are open for this shop", { "Retry-After": "5" });
      return { response };
    },
  }),

  defineRoute({
    method: "get",
    path: "/v1/merchant/events/poll",
    roles: staff,
    ownership: shopInQuery,
    tags,
    summary: "入金通知（ポーリング） Payments after an event id",
    description: `Without \`after\`: no events, and the id to poll after from now on. With wait_s (≤ ${pollWaitSecondsMax}) the answer waits for the next payment.`,
    request: {
      query: shopQuery.extend({ after: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(), wait_s: z.coerce.number().int().min(0).max(pollWaitSecondsMax).optional() }),
    },
    responses: { 200: { description: "Events, oldest first", schema: z.object({ events: z.array(z.unknown()), last_event_id: z.number().int() }) } },
    async handler({ query, request, deps }) {
      return { status: 200, json: await pollShopEvents(paymentsOf(deps), query.shop_id, query.after ?? null, query.wait_s ?? 0, request.signal) };
    },
  }),
];
