// The city counter (窓口): a clerk takes cash and charges a resident's coins, named by resident id or by the number
// on their card; a running premium campaign adds a point lot in the same transfer. Requires Idempotency-Key.
import { z } from "zod";
import { ProblemError } from "../http/problem";
import { chargeAtCounter } from "../services/payments-counter";
import { amountFieldCodes, paymentsOf, storedReply, yenAmount } from "./payments";
import { defineRoute } from "./registry";

export const counterRoutes = [
  defineRoute({
    method: "post",
    path: "/v1/counter/charges",
    roles: ["counter_staff"],
    bodyFieldCodes: amountFieldCodes,
    tags: ["counter"],
    summary: "チャージ Charge coins for cash at a counter",
    description: "One ledger transfer: the clerk's cash account → the resident's coins, and with campaign_id of a running premium campaign, its budget → a new point lot (within the budget and the per-person cap). chargeYenMax per charge, dailyChargeYenMax a day.",
    request: {
      body: z
        .strictObject({
          resident_id: z.string().min(1).max(128).optional(),
          card_number: z.string().min(1).max(32).optional(),
          amount_yen: yenAmount,
          campaign_id: z.string().min(1).max(32).optional(),
        })
        .refine((b) => (b.resident_id === undefined) !== (b.card_number === undefined), "name the resident by resident_id or by card_number"),
    },
    responses: {
      201: {
        description: "Charged",
        schema: z.object({
          charge_id: z.string(),
          resident_id: z.string(),
          amount_yen: z.number().int(),
          premium_yen: z.number().int(),
          premium_limited_by: z.enum(["none", "person_cap", "budget"]),
          lot: z.object({ lot_id: z.string(), campaign_id: z.string(), amount_yen: z.number().int(), expires_at: z.string() }).nullable(),
          coins_balance_yen: z.number().int(),
          charged_at: z.string(),
        }),
      },
    },
    errors: ["idempotency_key_required", "idempotency_key_reused", "idempotency_in_progress", "invalid_amount", "limit_exceeded", "daily_limit", "resident_not_found", "card_not_found", "card_revoked", "campaign_not_found", "campaign_inactive"],
    async handler({ body, principal, request, deps }) {
      if (principal === null) throw new ProblemError("unauthorized", "send Authorization: Bearer <token>");
      const who = body.card_number !== undefined ? { cardNumber: body.card_number } : { residentId: body.resident_id ?? "" };
      return storedReply(
        await chargeAtCounter(paymentsOf(deps), { principal, ...who, amountYen: body.amount_yen, ...(body.campaign_id ? { campaignId: body.campaign_id } : {}), request, body }),
      );
    },
  }),
];
