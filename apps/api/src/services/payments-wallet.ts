// The resident's side: the wallet (coins, lots in spend order, what lapses soon — never silently), the history of
// every yen, receipts, one-time codes to show at a shop or to receive coins, and coins sent to another resident
// (P2P: coins only, both residents verified, within the day's limit).
import { accountIdOf, ownerOf, type Role } from "@tsubaki/auth";
import type { CampaignRecord, CodePurpose } from "@tsubaki/db";
import {
  checkP2p,
  compareSpendOrder,
  jsonYen,
  lapsingWithinDaysDefault,
  lotsLapsingWithin,
  newOneTimeCode,
  oneTimeCodeExpiresAt,
  tokyoDate,
  type PointLot,
} from "@tsubaki/payments";
import { renderQrSvg } from "@tsubaki/qr";
import type { Principal } from "../auth/principal";
import { toJsonText } from "../http/json";
import { ok, refuse, type Outcome, type PaymentsContext } from "./payments-context";
import { idempotencyScope, refOf, runIdempotent, transferIdOf, type StoredResponse } from "./payments-idempotency";
import { codeHash } from "./payments-pay";

/** Lots listed on the wallet page (a resident gets one per grant; far below this in practice). */
export const walletLotsListedMax = 200;
export const historyPageSizeMax = 100;
export const historyPageSizeDefault = 20;

function lotJson(lot: PointLot & { grantedYen?: bigint }, campaigns: Map<string, CampaignRecord>) {
  const campaign = campaigns.get(lot.campaignId);
  return {
    lot_id: lot.lotId,
    campaign_id: lot.campaignId,
    campaign_name_ja: campaign?.nameJa ?? null,
    campaign_name_en: campaign?.nameEn ?? null,
    account_id: lot.accountId,
    balance_yen: jsonYen(lot.balanceYen),
    granted_yen: lot.grantedYen === undefined ? null : jsonYen(lot.grantedYen),
    granted_at: lot.grantedAt.toISOString(),
    expires_at: lot.expiresAt.toISOString(),
    restriction: lot.restriction === null ? null : { categories: lot.restriction.categories ?? null, tiers: lot.restriction.tiers ?? null },
  };
}

async function campaignsOf(ctx: PaymentsContext, ids: Iterable<string>): Promise<Map<string, CampaignRecord>> {
  const found = await Promise.all([...new Set(ids)].map((id) => ctx.store.getCampaign(id)));
  return new Map(found.flatMap((c) => (c ? [[c.id, c] as const] : [])));
}

/** GET /v1/wallet. */
export async function walletView(ctx: PaymentsContext, residentId: string) {
  const now = ctx.now();
  const [wallet] = (await ctx.store.loadWallets([residentId], now)).values();
  if (!wallet) throw new Error("BUG: a wallet read returns the resident asked for");
  const lots = wallet.lots.slice().sort(compareSpendOrder).slice(0, walletLotsListedMax);
  const campaigns = await campaignsOf(ctx, lots.map((l) => l.campaignId));
  const lapsing = lotsLapsingWithin(lots, now, lapsingWithinDaysDefault);
  const pointsYen = lots.reduce((sum, l) => sum + l.balanceYen, 0n);
  return {
    resident_id: residentId,
    as_of: now.toISOString(),
    total_yen: jsonYen(pointsYen + wallet.coins.availableYen),
    coins_yen: jsonYen(wallet.coins.availableYen),
    points_yen: jsonYen(pointsYen),
    lots: lots.map((l) => lotJson(l, campaigns)),
    lapsing: {
      within_days: lapsingWithinDaysDefault,
      total_yen: jsonYen(lapsing.reduce((sum, l) => sum + l.balanceYen, 0n)),
      lots: lapsing.map((l) => ({ lot_id: l.lotId, balance_yen: jsonYen(l.balanceYen), expires_at: l.expiresAt.toISOString() })),
    },
  };
}

/** Cursor of the history: `{epoch ms}_{transfer id}` of the last item shown. */
function parseHistoryCursor(cursor: string | undefined): Outcome<{ at: Date; transferId: string } | null> {
  if (cursor === undefined || cursor === "") return ok(null);
  const match = /^([0-9]{1,15})_([A-Za-z0-9_:.~-]{1,80})$/.exec(cursor);
  if (!match) return refuse("invalid_request", "cursor is not one this API gave out");
  return ok({ at: new Date(Number(match[1])), transferId: match[2]! });
}

/** GET /v1/wallet/history: one item per transfer that touched the resident's accounts, newest first. */
export async function walletHistory(ctx: PaymentsContext, residentId: string, query: { cursor?: string; limit?: number }) {
  const cursor = parseHistoryCursor(query.cursor);
  if (!cursor.ok) return cursor;
  const limit = Math.min(query.limit ?? historyPageSizeDefault, historyPageSizeMax);
  const rows = await ctx.store.residentHistory(ownerOf.resident(residentId), cursor.value, limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return ok({
    items: page.map((r) => ({
      transfer_id: r.transferId,
      kind: r.code,
      at: r.at.toISOString(),
      net_yen: jsonYen(r.netYen),
      coins_yen: jsonYen(r.coinsYen),
      points_yen: jsonYen(r.pointsYen),
      shop_id: typeof r.metadata?.shop === "string" ? r.metadata.shop : null,
      payment_id: r.code === "payment" ? r.transferId : typeof r.metadata?.payment === "string" ? r.metadata.payment : null,
      campaign_id: typeof r.metadata?.campaign === "string" ? r.metadata.campaign : null,
    })),
    next_cursor: rows.length > limit && last ? `${last.at.getTime()}_${last.transferId}` : null,
  });
}

/**
 * GET /v1/receipts/{id}: a payment's or a refund's receipt, for the payer (or a proxy allowed to see history) and
 * for the shop's people. Anyone else is told it does not exist.
 */
export async function receiptFor(ctx: PaymentsContext, id: string, principal: Principal): Promise<Outcome<string>> {
  const payment = await ctx.store.getPayment(id);
  const refund = payment ? null : await ctx.store.getRefund(id);
  const owner = payment ?? (refund ? await ctx.store.getPayment(refund.paymentId) : null);
  const text = payment?.receipt ?? refund?.receipt ?? null;
  const notFound = refuse("payment_not_found", `no receipt ${id}`);
  if (!owner || text === null) return notFound;
  const facts = await ctx.identity.ownershipFacts(principal.subject, { residentId: owner.payerResidentId, shopId: owner.shopId });
  const has = (role: Role) => principal.roles.includes(role);
  const allowed =
    (has("resident") && facts.callerResidentId === owner.payerResidentId) ||
    (has("proxy") && facts.proxyGrant !== null && facts.proxyGrant !== undefined && facts.proxyGrant.revokedAt === null && facts.proxyGrant.canViewHistory) ||
    ((has("merchant_owner") || has("merchant_staff")) && facts.shopRole !== null && facts.shopRole !== undefined);
  return allowed ? ok(text) : notFound;
}

/** POST /v1/wallet/codes: a one-time code (≤ 60 s, single use) to show at a shop, or to give a sender. */
export async function issueCode(ctx: PaymentsContext, residentId: string, purpose: CodePurpose) {
  const code = newOneTimeCode();
  const createdAt = ctx.now();
  const expiresAt = oneTimeCodeExpiresAt(createdAt);
  await ctx.store.insertCode({ codeHash: codeHash(code), residentId, purpose, createdAt, expiresAt });
  return { code, purpose, expires_at: expiresAt.toISOString(), qr: code, qr_svg: renderQrSvg(code, { title: purpose === "pay" ? "お支払いコード Payment code" : "受け取りコード Receive code" }) };
}

export interface P2pInput {
  principal: Principal;
  senderResidentId: string;
  to: { residentId: string } | { code: string };
  amountYen: number;
  request: Request;
  body: unknown;
}

/** POST /v1/p2p: coins from the caller to another resident. */
export async function sendCoins(ctx: PaymentsContext, input: P2pInput): Promise<Outcome<StoredResponse>> {
  const scope = idempotencyScope(input.principal.subject, input.request, input.body);
  if (!scope.ok) return scope;
  const amountYen = BigInt(input.amountYen);
  // The checks that need no state, in checkP2p's order, before anything is claimed.
  const early = checkP2p({
    sender: { residentId: input.senderResidentId, verified: true },
    receiver: { residentId: "to" in input && "residentId" in input.to ? input.to.residentId : `code:${input.senderResidentId}`, verified: true },
    amountYen,
    sentTodayYen: 0n,
    limits: ctx.limits,
  });
  if (!early.ok) return p2pRefusal(early);
  const reservation = { residentId: input.senderResidentId, day: tokyoDate(ctx.now()), kind: "p2p" as const, amountYen, limitYen: ctx.limits.p2pDailyYenMax };

  return runIdempotent(ctx, scope.value, reservation, async (control) => {
    const ref = refOf("p2p", scope.value);
    let receiverId: string;
    const releases: (() => Promise<void>)[] = [];
    if ("code" in input.to) {
      const hash = codeHash(input.to.code);
      const claimed = await ctx.store.claimCode(hash, "receive", ref, null, ctx.now());
      if (!claimed.ok) return refuse(claimed.code, claimed.code === "code_expired" ? "the receive code has expired" : claimed.code === "code_used" ? "this receive code was already used" : "no such receive code");
      if (!claimed.replayed) releases.push(() => ctx.store.releaseCode(hash, ref));
      receiverId = claimed.residentId;
    } else {
      receiverId = input.to.residentId;
    }
    const undo = async <T>(outcome: Outcome<T>): Promise<Outcome<T>> => {
      if (!outcome.ok) for (const release of releases) await release();
      return outcome;
    };
    const [sender, receiver] = await Promise.all([ctx.identity.getResident(input.senderResidentId), ctx.identity.getResident(receiverId)]);
    if (!sender) return undo(refuse("resident_not_found", "the sender has no resident record"));
    if (!receiver) return undo(refuse("resident_not_found", `no resident ${receiverId}`));
    const check = checkP2p({ sender: { residentId: sender.id, verified: sender.verified }, receiver: { residentId: receiver.id, verified: receiver.verified }, amountYen, sentTodayYen: 0n, limits: ctx.limits });
    if (!check.ok) return undo(p2pRefusal(check));
    await ctx.accounts.coins(receiver.id);
    const from = accountIdOf.residentCoins(sender.id);
    const to = accountIdOf.residentCoins(receiver.id);
    const id = transferIdOf(ref, 0);
    control.committing();
    const result = await ctx.ledger.submit({ op: "transfer", id, legs: [{ from, to, amount: amountYen }], code: "p2p", metadata: { from: sender.id, to: receiver.id } });
    const posted = result.ok || (result.code === "id_reused" && (await ctx.ledger.getTransfer(id))?.status === "posted");
    if (!posted) {
      if (!result.ok && (result.code === "exceeds_balance" || result.code === "account_not_found")) return undo(refuse("insufficient_funds", "not enough coins (points cannot be sent)"));
      return undo(refuse(result.ok ? "internal_error" : result.code, result.ok ? "" : result.detail));
    }
    const coins = await ctx.ledger.getAccount(from);
    const at = ctx.now();
    return ok({
      status: 201,
      body: toJsonText({
        transfer_id: id,
        from_resident_id: sender.id,
        to_resident_id: receiver.id,
        amount_yen: jsonYen(amountYen),
        coins_balance_yen: coins ? jsonYen(coins.creditsPosted - coins.debitsPosted - coins.debitsPending) : 0,
        sent_at: at.toISOString(),
      }),
      keyCompleted: false,
    });
  });
}

function p2pRefusal(check: Exclude<ReturnType<typeof checkP2p>, { ok: true }>) {
  switch (check.code) {
    case "limit_exceeded":
      return refuse("limit_exceeded", check.detail, { limit: check.limit, limit_yen: Number(check.limitYen) });
    case "p2p_daily_limit":
      return refuse("p2p_daily_limit", check.detail, { limit_yen: Number(check.limitYen), remaining_yen: Number(check.remainingYen) });
    case "p2p_unverified":
      return refuse("p2p_unverified", check.detail, { party: check.party });
    default:
      return refuse(check.code, check.detail);
  }
}
