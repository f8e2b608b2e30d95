// The shop's side: its static QR (sticker and A5 poster), dynamic QRs for one payment each, what a scanned QR
// resolves to (the shop's registered name from the database — the names in a QR are not signed), sales with CSV,
// today's summary, and the events a live stream or a poll reads.
import { base32, jsonYen, tokyoDate, tokyoDayStart, dayMs } from "@tsubaki/payments";
import { encodeShopQr, renderQrSvg, renderShopPoster, SHOP_NAME_JA_CHARS_MAX, SHOP_NAME_LATIN_CHARS_MAX } from "@tsubaki/qr";
import type { PaymentRecordRow, Shop } from "@tsubaki/db";
import type { ShopEvent } from "../events/bus";
import { ok, refuse, type Outcome, type PaymentsContext } from "./payments-context";
import { checkShopOpen, parseQr, qrRefusal } from "./payments-pay";
import { shopToJson, splitYen } from "./payments-receipt";

/** A dynamic QR is payable this long after the shop makes it. */
export const paymentRequestTtlSeconds = 600;
export const salesPageSizeMax = 100;
export const salesPageSizeDefault = 50;
/** Rows in one CSV download (a busy shop's day is far below). */
export const salesCsvRowsMax = 10_000;
export const eventsPageSizeMax = 100;

function truncate(text: string, charsMax: number): string {
  return Array.from(text).slice(0, charsMax).join("");
}

async function encodeFor(ctx: PaymentsContext, shop: Shop, dynamic?: { amountYen: number; requestId: string }): Promise<string> {
  const [key] = await ctx.qrKeys();
  if (!key) throw new Error("BUG: no shop QR key");
  const encoded = encodeShopQr({
    merchantCode: shop.code,
    mcc: shop.mcc,
    nameLatin: truncate(shop.nameLatin, SHOP_NAME_LATIN_CHARS_MAX),
    nameJa: truncate(shop.nameJa, SHOP_NAME_JA_CHARS_MAX),
    city: ctx.city,
    key,
    ...(dynamic ?? {}),
  });
  if (!encoded.ok) throw new Error(`BUG: shop ${shop.id} cannot be put in a QR: ${encoded.code} ${encoded.detail}`);
  return encoded.payload;
}

/** GET /v1/merchant/qr: the shop's static QR (the sticker): payload and SVG. */
export async function staticQr(ctx: PaymentsContext, shopId: string): Promise<Outcome<{ shop: ReturnType<typeof shopToJson>; payload: string; svg: string }>> {
  const shop = await ctx.shops.byShopId(shopId);
  if (!shop) return refuse("shop_not_found", `no shop ${shopId}`);
  const payload = await encodeFor(ctx, shop);
  return ok({ shop: shopToJson(shop), payload, svg: renderQrSvg(payload, { title: `${shop.nameJa} QR` }) });
}

/** GET /v1/merchant/poster: the A5 poster with the static QR, as HTML. */
export async function shopPoster(ctx: PaymentsContext, shopId: string): Promise<Outcome<string>> {
  const shop = await ctx.shops.byShopId(shopId);
  if (!shop) return refuse("shop_not_found", `no shop ${shopId}`);
  const payload = await encodeFor(ctx, shop);
  return ok(renderShopPoster({ shop: { merchantCode: shop.code, nameJa: shop.nameJa, nameLatin: shop.nameLatin }, payload }));
}

function newRequestId(): string {
  return `rq${base32(crypto.getRandomValues(new Uint8Array(13))).slice(0, 20)}`;
}

/** POST /v1/merchant/payment-requests: a dynamic QR for one payment of amountYen, payable once. */
export async function createPaymentRequest(ctx: PaymentsContext, input: { shopId: string; amountYen: number; createdBy: string }) {
  const shop = checkShopOpen(await ctx.shops.byShopId(input.shopId), input.shopId);
  if (!shop.ok) return shop;
  if (input.amountYen <= 0) return refuse("invalid_amount", "the amount must be a positive whole number of yen");
  if (BigInt(input.amountYen) > ctx.limits.paymentYenMax) {
    return refuse("limit_exceeded", `¥${input.amountYen} is above the paymentYenMax of ¥${ctx.limits.paymentYenMax}`, { limit: "paymentYenMax", limit_yen: Number(ctx.limits.paymentYenMax) });
  }
  const createdAt = ctx.now();
  const id = newRequestId();
  const expiresAt = new Date(createdAt.getTime() + paymentRequestTtlSeconds * 1000);
  await ctx.store.insertRequest({ id, shopId: shop.value.id, amountYen: BigInt(input.amountYen), createdBy: input.createdBy, createdAt, expiresAt, paidAt: null, paidBy: null, paidRef: null });
  const payload = await encodeFor(ctx, shop.value, { amountYen: input.amountYen, requestId: id });
  return ok({
    request_id: id,
    shop: shopToJson(shop.value),
    amount_yen: input.amountYen,
    created_at: createdAt.toISOString(),
    expires_at: expiresAt.toISOString(),
    qr: payload,
    qr_svg: renderQrSvg(payload, { title: `${shop.value.nameJa} ¥${input.amountYen}` }),
  });
}

export interface ResolvedQr {
  shop: ReturnType<typeof shopToJson>;
  accepts_payments: boolean;
  dynamic: boolean;
  amount_yen: number | null;
  request: { id: string; amount_yen: number; status: "open" | "paid" | "expired"; expires_at: string } | null;
}

/** GET /v1/merchants/resolve: what a scanned QR pays, as the server knows it. */
export async function resolveQr(ctx: PaymentsContext, qr: string): Promise<Outcome<ResolvedQr>> {
  const parsed = await parseQr(ctx, qr);
  if (!parsed.ok) return qrRefusal(parsed);
  const shop = await ctx.shops.byShopCode(parsed.shop.merchantCode);
  if (!shop) return refuse("shop_not_found", `no shop ${parsed.shop.merchantCode}`);
  const base = {
    shop: shopToJson(shop),
    accepts_payments: shop.status === "active",
    dynamic: parsed.shop.dynamic,
    amount_yen: parsed.shop.amountYen ?? null,
  };
  if (!parsed.shop.dynamic || parsed.shop.requestId === undefined) return ok({ ...base, request: null });
  const request = await ctx.store.getRequest(parsed.shop.requestId);
  if (!request || request.shopId !== shop.id) return refuse("payment_request_not_found", `no payment request ${parsed.shop.requestId} at this shop`);
  if (BigInt(parsed.shop.amountYen ?? 0) !== request.amountYen) return refuse("amount_mismatch", `the shop asked for ¥${request.amountYen}; this QR says ¥${parsed.shop.amountYen}`);
  const status: "open" | "paid" | "expired" = request.paidAt !== null ? "paid" : request.expiresAt.getTime() <= ctx.now().getTime() ? "expired" : "open";
  return ok({ ...base, request: { id: request.id, amount_yen: jsonYen(request.amountYen), status, expires_at: request.expiresAt.toISOString() } });
}

export function paymentRowJson(p: PaymentRecordRow) {
  const { pointsYen, coinsYen } = splitYen(p.allocation);
  return {
    payment_id: p.id,
    seq: p.seq,
    kind: p.kind,
    amount_yen: jsonYen(p.amountYen),
    points_yen: pointsYen,
    coins_yen: coinsYen,
    refunded_yen: jsonYen(p.refundedYen),
    request_id: p.requestId,
    paid_at: p.createdAt.toISOString(),
  };
}

/** The Tokyo day of `date` (YYYY-MM-DD) as [from, to). */
function dayRange(date: string): { from: Date; to: Date } | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return null;
  const from = new Date(`${date}T00:00:00+09:00`);
  if (Number.isNaN(from.getTime()) || tokyoDate(from) !== date) return null;
  return { from, to: new Date(from.getTime() + dayMs) };
}

/** GET /v1/merchant/sales: the shop's payments, newest first; `date` keeps one Tokyo day. */
export async function shopSales(ctx: PaymentsContext, shopId: string, query: { cursor?: string; limit?: number; date?: string }) {
  const range = query.date === undefined ? null : dayRange(query.date);
  if (query.date !== undefined && range === null) return refuse("invalid_request", "date is a calendar date YYYY-MM-DD");
  if (query.cursor !== undefined && !/^[0-9]{1,15}$/.test(query.cursor)) return refuse("invalid_request", "cursor is not one this API gave out");
  const limit = Math.min(query.limit ?? salesPageSizeDefault, salesPageSizeMax);
  const rows = await ctx.store.listShopPayments(shopId, { beforeSeq: query.cursor ? Number(query.cursor) : null, from: range?.from ?? null, to: range?.to ?? null, limit: limit + 1 });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return ok({ payments: page.map(paymentRowJson), next_cursor: rows.length > limit && last ? String(last.seq) : null });
}

function csvCell(value: string | number | null): string {
  const text = value === null ? "" : String(value);
  // Quote everything that could break a row, and neutralise spreadsheet formulas.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** GET /v1/merchant/sales.csv: one Tokyo day (default today), oldest first, UTF-8 with BOM for spreadsheets. */
export async function shopSalesCsv(ctx: PaymentsContext, shopId: string, date: string | undefined): Promise<Outcome<{ filename: string; csv: string }>> {
  const day = date ?? tokyoDate(ctx.now());
  const range = dayRange(day);
  if (!range) return refuse("invalid_request", "date is a calendar date YYYY-MM-DD");
  const rows = await ctx.store.listShopPayments(shopId, { beforeSeq: null, from: range.from, to: range.to, limit: salesCsvRowsMax });
  const header = ["payment_id", "paid_at", "kind", "amount_yen", "points_yen", "coins_yen", "refunded_yen", "request_id"];
  const lines = rows
    .slice()
    .reverse()
    .map((p) => {
      const j = paymentRowJson(p);
      return [j.payment_id, j.paid_at, j.kind, j.amount_yen, j.points_yen, j.coins_yen, j.refunded_yen, j.request_id].map(csvCell).join(",");
    });
  return ok({ filename: `sales-${day}.csv`, csv: `\uFEFF${[header.join(","), ...lines].join("\r\n")}\r\n` });
}

/** GET /v1/merchant/summary: today's (Tokyo) payments and refunds. */
export async function shopSummary(ctx: PaymentsContext, shopId: string) {
  const now = ctx.now();
  const from = tokyoDayStart(now);
  const s = await ctx.store.shopSummary(shopId, from, new Date(from.getTime() + dayMs));
  return {
    shop_id: shopId,
    date: tokyoDate(now),
    payments_count: s.paymentsCount,
    gross_yen: jsonYen(s.grossYen),
    refunds_count: s.refundsCount,
    refunded_yen: jsonYen(s.refundedYen),
    net_yen: jsonYen(s.grossYen - s.refundedYen),
  };
}

export function eventOf(p: PaymentRecordRow): ShopEvent {
  const { pointsYen, coinsYen } = splitYen(p.allocation);
  return { id: p.seq, type: "payment", shopId: p.shopId, paymentId: p.id, amountYen: jsonYen(p.amountYen), pointsYen, coinsYen, kind: p.kind, at: p.createdAt.toISOString() };
}

/** The shop's payments after an event id, oldest first (SSE resume, polling). */
export async function shopEventsAfter(ctx: PaymentsContext, shopId: string, afterId: number, limit = eventsPageSizeMax): Promise<ShopEvent[]> {
  const rows = await ctx.store.shopPaymentsAfter(shopId, afterId, Math.min(limit, eventsPageSizeMax));
  return rows.map(eventOf);
}

export function eventJson(e: ShopEvent) {
  return { id: e.id, type: e.type, shop_id: e.shopId, payment_id: e.paymentId, amount_yen: e.amountYen, points_yen: e.pointsYen, coins_yen: e.coinsYen, kind: e.kind, at: e.at };
}
