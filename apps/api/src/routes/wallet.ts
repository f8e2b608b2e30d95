// The resident's wallet: balances (coins, lots in spend order, what lapses within 30 days), the history of every
// yen, and one-time codes to show at a shop (pay) or to give someone sending coins (receive). A proxy with a grant
// that allows viewing reads a resident's wallet with ?resident=.
import { z } from "zod";
import { ProblemError } from "../http/problem";
import { issueCode, walletHistory, walletView, historyPageSizeMax } from "../services/payments-wallet";
import { paymentsOf, unwrap } from "./payments";
import { defineRoute } from "./registry";

const tags = ["wallet"];

const lotJson = z.object({
  lot_id: z.string(),
  campaign_id: z.string(),
  campaign_name_ja: z.string().nullable(),
  campaign_name_en: z.string().nullable(),
  account_id: z.string(),
  balance_yen: z.number().int(),
  granted_yen: z.number().int().nullable(),
  granted_at: z.string(),
  expires_at: z.string(),
  restriction: z.object({ categories: z.array(z.string()).nullable(), tiers: z.array(z.string()).nullable() }).nullable(),
});

const residentQuery = z.object({ resident: z.string().max(128).optional() });

function residentOf(target: string | null): string {
  if (target === null) throw new ProblemError("forbidden", "this caller has no resident record");
  return target;
}

export const walletRoutes = [
  defineRoute({
    method: "get",
    path: "/v1/wallet",
    roles: ["resident", "proxy"],
    ownership: { kind: "resident", proxy: "view", target: { query: "resident", orCaller: true } },
    tags,
    summary: "残高 Wallet: coins, point lots and what lapses soon",
    description: "Lots are listed in the order a payment spends them (soonest expiry first). `lapsing` lists lots that lapse within 30 days.",
    request: { query: residentQuery },
    responses: {
      200: {
        description: "The wallet",
        schema: z.object({
          resident_id: z.string(),
          as_of: z.string(),
          total_yen: z.number().int(),
          coins_yen: z.number().int(),
          points_yen: z.number().int(),
          lots: z.array(lotJson),
          lapsing: z.object({ within_days: z.number().int(), total_yen: z.number().int(), lots: z.array(z.object({ lot_id: z.string(), balance_yen: z.number().int(), expires_at: z.string() })) }),
        }),
      },
    },
    async handler({ access, deps }) {
      return { status: 200, json: await walletView(paymentsOf(deps), residentOf(access.target)) };
    },
  }),

  defineRoute({
    method: "get",
    path: "/v1/wallet/history",
    roles: ["resident", "proxy"],
    ownership: { kind: "resident", proxy: "view", target: { query: "resident", orCaller: true } },
    tags,
    summary: "履歴 Every transfer that touched the wallet, newest first",
    request: {
      query: residentQuery.extend({ cursor: z.string().max(128).optional(), limit: z.coerce.number().int().min(1).max(historyPageSizeMax).optional() }),
    },
    responses: {
      200: {
        description: "A page of history",
        schema: z.object({
          items: z.array(
            z.object({
              transfer_id: z.string(),
              kind: z.string().nullable(),
              at: z.string(),
              net_yen: z.number().int(),
              coins_yen: z.number().int(),
              points_yen: z.number().int(),
              shop_id: z.string().nullable(),
              payment_id: z.string().nullable(),
              campaign_id: z.string().nullable(),
            }),
          ),
          next_cursor: z.string().nullable(),
        }),
      },
    },
    async handler({ access, query, deps }) {
      const page = unwrap(await walletHistory(paymentsOf(deps), residentOf(access.target), { ...(query.cursor ? { cursor: query.cursor } : {}), ...(query.limit ? { limit: query.limit } : {}) }));
      return { status: 200, json: page };
    },
  }),

  defineRoute({
    method: "post",
    path: "/v1/wallet/codes",
    roles: ["resident"],
    ownership: { kind: "resident", proxy: "none", target: { caller: true } },
    tags,
    summary: "支払いコード A one-time code to show at a shop (or to receive coins)",
    description: "Valid for 60 seconds, used once. purpose pay (default): the shop charges it; receive: a sender names it in POST /v1/p2p.",
    request: { body: z.strictObject({ purpose: z.enum(["pay", "receive"]).optional() }).default({}) },
    responses: {
      201: { description: "The code", schema: z.object({ code: z.string(), purpose: z.enum(["pay", "receive"]), expires_at: z.string(), qr: z.string(), qr_svg: z.string() }) },
    },
    async handler({ access, body, deps }) {
      return { status: 201, json: await issueCode(paymentsOf(deps), residentOf(access.target), body.purpose ?? "pay") };
    },
  }),
];
