// Charges at a counter: a clerk takes cash and turns it into coins, with a premium lot from a running premium
// campaign in the same transfer (DESIGN §4). The per-person cap is reserved under a row lock before the transfer;
// the budget's no-overdraft rule is the arbiter of the budget, so a charge that loses the race for the last yen is
// re-planned. Campaigns themselves are set up, funded and granted by the city console (services/city.ts).
import { accountIdOf } from "@tsubaki/auth";
import { lotExpiresAt as cityLotExpiresAt } from "@tsubaki/city";
import type { CampaignRecord } from "@tsubaki/db";
import { assert } from "@tsubaki/ledger";
import { checkAmount, jsonYen, planCharge, premiumFor, tokyoDate, type PremiumLimitedBy } from "@tsubaki/payments";
import type { Principal } from "../auth/principal";
import { ok, refuse, type Outcome, type PaymentsContext } from "./payments-context";
import { idempotencyScope, refOf, runIdempotent, transferIdOf, type StoredResponse } from "./payments-idempotency";
import { toJsonText } from "../http/json";

/** Attempts to plan a charge against a budget other charges are drawing on at the same time. */
export const chargeAttemptsMax = 4;

/** When a lot granted at `grantedAt` lapses (the city's rule: 00:00 JST after its last valid day). */
export function lotExpiresAt(campaign: Pick<CampaignRecord, "expiryDate" | "expiryDays">, grantedAt: Date): Date {
  if (campaign.expiryDays !== null) return cityLotExpiresAt({ kind: "days_after_grant", days: campaign.expiryDays }, grantedAt);
  assert(campaign.expiryDate !== null, "a campaign has an expiry date or days");
  return cityLotExpiresAt({ kind: "on_date", lastDate: campaign.expiryDate }, grantedAt);
}

function isRunning(campaign: CampaignRecord, at: Date): boolean {
  return campaign.status === "active" && campaign.startsAt.getTime() <= at.getTime() && at.getTime() < campaign.endsAt.getTime();
}

/** A lot id from a request's ref: stable across retries, short enough for `res:{rid}:pts:{lot}` ≤ 64. */
function lotIdOf(ref: string): string {
  return `l${ref.slice(ref.indexOf("_") + 1, ref.indexOf("_") + 21)}`;
}

/** Opens the lot (account and row) that a grant or premium will fund. */
async function openLot(ctx: PaymentsContext, campaign: CampaignRecord, residentId: string, lotId: string, amountYen: bigint, at: Date): Promise<string> {
  await ctx.accounts.lot(residentId, lotId);
  const accountId = accountIdOf.residentPoints(residentId, lotId);
  await ctx.store.insertLot({ lotId, residentId, campaignId: campaign.id, accountId, grantedYen: amountYen, grantedAt: at, expiresAt: lotExpiresAt(campaign, at), restriction: campaign.restriction });
  return accountId;
}

export interface CounterChargeInput {
  principal: Principal;
  residentId?: string;
  cardNumber?: string;
  amountYen: number;
  campaignId?: string;
  request: Request;
  body: unknown;
}

/** POST /v1/counter/charges: cash → coins, plus a premium lot when a premium campaign is named. */
export async function chargeAtCounter(ctx: PaymentsContext, input: CounterChargeInput): Promise<Outcome<StoredResponse>> {
  const scope = idempotencyScope(input.principal.subject, input.request, input.body);
  if (!scope.ok) return scope;
  const amountYen = BigInt(input.amountYen);
  const amount = checkAmount(amountYen, ctx.limits.chargeYenMax, "chargeYenMax");
  if (!amount.ok) return amount.code === "invalid_amount" ? refuse("invalid_amount", amount.detail) : refuse("limit_exceeded", amount.detail, { limit: amount.limit, limit_yen: Number(amount.limitYen) });

  return runIdempotent(ctx, scope.value, undefined, async (control) => {
    const resident = await residentOf(ctx, input);
    if (!resident.ok) return resident;
    const residentId = resident.value;
    const campaign = input.campaignId === undefined ? null : await ctx.store.getCampaign(input.campaignId);
    if (input.campaignId !== undefined) {
      if (!campaign) return refuse("campaign_not_found", `no campaign ${input.campaignId}`);
      if (campaign.kind !== "premium" || !isRunning(campaign, ctx.now())) return refuse("campaign_inactive", `campaign ${campaign.id} gives no premium on charges now`);
    }
    const reservation = { residentId, day: tokyoDate(ctx.now()), kind: "charge" as const, amountYen, limitYen: ctx.limits.dailyChargeYenMax };
    const reserved = await ctx.store.reserveSpend(reservation);
    if (!reserved.ok) {
      const remaining = reserved.limitYen > reserved.spentYen ? reserved.limitYen - reserved.spentYen : 0n;
      return refuse("daily_limit", `¥${amountYen} is more than the ¥${remaining} of charges left today`, { limit_yen: Number(reserved.limitYen), remaining_yen: Number(remaining) });
    }
    const result = await chargeTransfer(ctx, { ref: refOf("chg", scope.value), principal: input.principal, residentId, amountYen, campaign }, control.committing);
    if (!result.ok) await ctx.store.releaseSpend(reservation);
    return result;
  });
}

async function residentOf(ctx: PaymentsContext, input: CounterChargeInput): Promise<Outcome<string>> {
  if ((input.residentId === undefined) === (input.cardNumber === undefined)) return refuse("invalid_request", "give resident_id or card_number");
  if (input.cardNumber !== undefined) {
    const card = await ctx.identity.findCardByNumber(input.cardNumber);
    if (!card) return refuse("card_not_found", "no such card");
    if (card.status === "revoked") return refuse("card_revoked", "this card is no longer valid");
    return ok(card.residentId);
  }
  const resident = await ctx.identity.getResident(input.residentId ?? "");
  return resident ? ok(resident.id) : refuse("resident_not_found", `no resident ${input.residentId}`);
}

interface ChargeOrder {
  ref: string;
  principal: Principal;
  residentId: string;
  amountYen: bigint;
  campaign: CampaignRecord | null;
}

async function chargeTransfer(ctx: PaymentsContext, order: ChargeOrder, committing: () => void): Promise<Outcome<{ status: number; body: string; keyCompleted: boolean }>> {
  const { residentId, amountYen, campaign } = order;
  await ctx.accounts.cashIn(order.principal.subject);
  await ctx.accounts.coins(residentId);
  const cashinAccountId = accountIdOf.cashIn(order.principal.subject);
  const coinsAccountId = accountIdOf.residentCoins(residentId);
  const lotId = lotIdOf(order.ref);
  for (let attempt = 0; attempt < chargeAttemptsMax; attempt++) {
    const at = ctx.now();
    let premium: { premiumYen: bigint; premiumLimitedBy: PremiumLimitedBy; lotAccountId: string } | null = null;
    if (campaign) {
      const budget = await ctx.ledger.getAccount(campaign.budgetAccountId);
      const budgetAvailableYen = budget ? budget.creditsPosted - budget.debitsPosted - budget.debitsPending : 0n;
      const already = await ctx.store.campaignGrantedTo(campaign.id, residentId);
      const decided = premiumFor(amountYen, { rateBps: campaign.rateBps ?? 0, capYenPerPerson: campaign.capPerPersonYen, alreadyGrantedYen: already, budgetAvailableYen });
      if (decided.premiumYen > 0n) {
        const reserved = await ctx.store.reserveCampaignGrant(campaign.id, residentId, decided.premiumYen, campaign.capPerPersonYen);
        if (!reserved.ok) continue; // another charge of this resident took part of the cap meanwhile: decide again
        premium = { ...decided, lotAccountId: await openLot(ctx, campaign, residentId, lotId, decided.premiumYen, at) };
      } else {
        premium = { ...decided, lotAccountId: "" };
      }
    }
    const plan = planCharge({
      amountYen,
      cashinAccountId,
      coinsAccountId,
      limits: ctx.limits,
      ...(campaign && premium && premium.premiumYen > 0n
        ? {
            premium: {
              campaignId: campaign.id,
              budgetAccountId: campaign.budgetAccountId,
              lotAccountId: premium.lotAccountId,
              rateBps: campaign.rateBps ?? 0,
              capYenPerPerson: premium.premiumYen,
              alreadyGrantedYen: 0n,
              budgetAvailableYen: premium.premiumYen,
            },
          }
        : {}),
    });
    assert(plan.ok, "the amount was checked before the key was claimed");
    const id = transferIdOf(order.ref, attempt);
    committing();
    const result = await ctx.ledger.submit({
      op: "transfer",
      id,
      legs: plan.legs,
      code: "charge",
      metadata: { resident: residentId, counter: order.principal.subject, ...(campaign ? { campaign: campaign.id } : {}) },
    });
    const undoPremium = async () => {
      if (campaign && premium && premium.premiumYen > 0n) await ctx.store.releaseCampaignGrant(campaign.id, residentId, premium.premiumYen);
    };
    if (result.ok) return chargeAnswer(ctx, { id, residentId, amountYen, premiumYen: plan.premiumYen, limitedBy: premium?.premiumLimitedBy ?? "none", campaign, lotId, at, coinsAccountId });
    await undoPremium();
    if (result.code === "id_reused") {
      const earlier = await ctx.ledger.getTransfer(id);
      if (earlier?.status === "posted") {
        const premiumYen = earlier.legs[1]?.amount ?? 0n;
        return chargeAnswer(ctx, { id, residentId, amountYen, premiumYen, limitedBy: "none", campaign, lotId, at: earlier.timestamp, coinsAccountId });
      }
      continue;
    }
    if (result.code === "exceeds_balance") continue; // the budget was drawn on meanwhile: decide the premium again
    return refuse(result.code, result.detail);
  }
  return refuse("busy", "the campaign's budget kept changing; retry in a moment", {}, { "Retry-After": "1" });
}

async function chargeAnswer(
  ctx: PaymentsContext,
  c: { id: string; residentId: string; amountYen: bigint; premiumYen: bigint; limitedBy: PremiumLimitedBy; campaign: CampaignRecord | null; lotId: string; at: Date; coinsAccountId: string },
): Promise<Outcome<{ status: number; body: string; keyCompleted: boolean }>> {
  const coins = await ctx.ledger.getAccount(c.coinsAccountId);
  const lot = c.campaign && c.premiumYen > 0n ? { lot_id: c.lotId, campaign_id: c.campaign.id, amount_yen: jsonYen(c.premiumYen), expires_at: lotExpiresAt(c.campaign, c.at).toISOString() } : null;
  const body = toJsonText({
    charge_id: c.id,
    resident_id: c.residentId,
    amount_yen: jsonYen(c.amountYen),
    premium_yen: jsonYen(c.premiumYen),
    premium_limited_by: c.limitedBy,
    lot,
    coins_balance_yen: coins ? jsonYen(coins.creditsPosted - coins.debitsPosted - coins.debitsPending) : 0,
    charged_at: c.at.toISOString(),
  });
  return ok({ status: 201, body, keyCompleted: false });
}
