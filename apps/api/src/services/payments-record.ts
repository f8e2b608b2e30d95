// The end of every payment: one posted ledger transfer becomes a payments row (with its receipt), the idempotency
// key is finished in the same statement, and the shop's live streams are told. The row normally rides with its
// transfer (paymentAttachment): the ledger's write statement records it, so the transfer, the payment and the key
// commit together. Also the way back for a request that took over from one that died after posting: the payment
// is rebuilt from the transfer's legs.
import { paymentAttachmentKind, type KeyCompletion, type PaymentInsert, type PaymentKind, type PaymentRecordRow, type Shop, type WalletState } from "@tsubaki/db";
import { assert, type Attachment, type Transfer, type TransferResult } from "@tsubaki/ledger";
import { buildReceipt, jsonYen, type AllocationPart } from "@tsubaki/payments";
import { toJsonText } from "../http/json";
import { merchantOf, ok, type Outcome, type PaymentsContext } from "./payments-context";
import type { FlowResponse, IdempotencyScope } from "./payments-idempotency";
import { allocationToStored, balancesAfterTransfer, receiptToJson, splitYen } from "./payments-receipt";

export interface RecordItem {
  payment: PaymentInsert;
  completion: KeyCompletion | null;
}

/** What is being paid, by whom, where (resolved and checked by the flow). */
export interface PaymentOrder {
  scope: IdempotencyScope;
  /** The payment's id before attempts; transfer ids are `{ref}-{n}`. */
  ref: string;
  payerResidentId: string;
  shop: Shop;
  amountYen: bigint;
  kind: PaymentKind;
  requestId: string | null;
  proxyUserId: string | null;
}

/** The payment as the API answers it (POST /v1/payments, POST /v1/merchant/charges, replays). */
export function paymentBody(p: Pick<PaymentRecordRow, "id" | "kind" | "amountYen" | "createdAt" | "payerResidentId" | "requestId" | "allocation">, receiptText: string): string {
  const { pointsYen, coinsYen } = splitYen(p.allocation);
  const head = toJsonText({
    payment_id: p.id,
    kind: p.kind,
    amount_yen: jsonYen(p.amountYen),
    points_yen: pointsYen,
    coins_yen: coinsYen,
    paid_at: p.createdAt.toISOString(),
    resident_id: p.payerResidentId,
    request_id: p.requestId,
  });
  // The receipt is spliced in as stored, so the answer and GET /v1/receipts/{id} show the very same text.
  return `${head.slice(0, -1)},"receipt":${receiptText}}`;
}

/** A payment's row and key completion, and the body it answers with. */
interface PaymentRecord {
  item: RecordItem;
  body: string;
}

/** A payment whose transfer is posted (or being posted): what its record is made from. */
export interface PostedPayment {
  order: PaymentOrder;
  transferId: string;
  allocation: readonly AllocationPart[];
  /** The wallet the plan started from: with the transfer's entries, the receipt's balances after. */
  wallet: WalletState;
  at: Date;
}

/** The record of a posted payment transfer: its row (with the receipt), its key's completion, its answer. */
function paymentRecordOf({ order, transferId, allocation, wallet, at }: PostedPayment, result: Extract<TransferResult, { ok: true }>): PaymentRecord {
  const receipt = buildReceipt({ transferId, at, merchant: merchantOf(order.shop), allocation, balancesAfter: balancesAfterTransfer(wallet, result.entries) });
  const receiptText = toJsonText(receiptToJson(receipt, order.shop));
  const payment: PaymentInsert = {
    id: transferId,
    ref: order.ref,
    payerResidentId: order.payerResidentId,
    shopId: order.shop.id,
    amountYen: order.amountYen,
    allocation: allocationToStored(allocation),
    kind: order.kind,
    requestId: order.requestId,
    proxyUserId: order.proxyUserId,
    receipt: receiptText,
    createdAt: at,
  };
  // The key stores its response by reference: a replay rebuilds it from this row (storedPaymentBody).
  const completion = { principal: order.scope.principal, key: order.scope.key, responseStatus: 201, responseBody: null };
  return { item: { payment, completion }, body: paymentBody(payment, receiptText) };
}

/** A recorded payment (seq) is told to the shop's streams and answered; null: recorded before, answer that one. */
async function answerRecorded(ctx: PaymentsContext, order: PaymentOrder, record: PaymentRecord, seq: number | null): Promise<Outcome<FlowResponse>> {
  if (seq === null) return answerStored(ctx, order.ref);
  publishPayment(ctx, { ...record.item.payment, seq });
  return ok({ status: 201, body: record.body, keyCompleted: true });
}

/** Records a posted payment transfer; answers with the stored payment if an earlier attempt recorded it first. */
export async function recordPayment(ctx: PaymentsContext, posted: PostedPayment, result: Extract<TransferResult, { ok: true }>): Promise<Outcome<FlowResponse>> {
  const record = paymentRecordOf(posted, result);
  return answerRecorded(ctx, posted.order, record, await ctx.records.submit(record.item));
}

/**
 * The payment's record as an attachment of its transfer (see Attachment): the ledger's write statement records it
 * from the transfer's planned result. `settle` answers once the transfer is back: from the row written with it,
 * or, when the store did not write it (a store without payment attachments), by recording it now.
 */
export function paymentAttachment(ctx: PaymentsContext, posted: PostedPayment) {
  let record: PaymentRecord | null = null;
  const attachment: Attachment = {
    kind: paymentAttachmentKind,
    make(result) {
      if (!result.ok) return null;
      record = paymentRecordOf(posted, result);
      return record.item;
    },
  };
  return {
    attachment,
    async settle(result: Extract<TransferResult, { ok: true }>): Promise<Outcome<FlowResponse>> {
      if (attachment.outcome === undefined || record === null) return recordPayment(ctx, posted, result);
      return answerRecorded(ctx, posted.order, record, attachment.outcome as number | null);
    },
  };
}

/** A payment already recorded under this ref: its stored answer (the key is finished by the caller). */
async function answerStored(ctx: PaymentsContext, ref: string): Promise<Outcome<FlowResponse>> {
  return ok({ status: 201, body: await storedPaymentBody(ctx, ref), keyCompleted: false });
}

/** The answer of the payment recorded under `ref`, byte for byte as it was first given. */
export async function storedPaymentBody(ctx: PaymentsContext, ref: string): Promise<string> {
  const stored = await ctx.store.getPaymentByRef(ref);
  assert(stored, `BUG: payment ${ref} was recorded but cannot be read`);
  return paymentBody(stored, stored.receipt);
}

/**
 * An earlier attempt of this request posted `transfer` and died before (or while) recording it. Rebuilds the
 * allocation from the legs (lot accounts → lots, the coin account → coins) and records it now.
 */
export async function recoverPayment(ctx: PaymentsContext, order: PaymentOrder, transfer: Transfer): Promise<Outcome<FlowResponse>> {
  const existing = await ctx.store.getPaymentByRef(order.ref);
  if (existing) return ok({ status: 201, body: paymentBody(existing, existing.receipt), keyCompleted: false });
  const lots = await ctx.store.lotsByAccount(transfer.legs.map((l) => l.from));
  const allocation = transfer.legs.map((leg): AllocationPart => {
    const lot = lots.get(leg.from);
    if (!lot) return { source: "coins", accountId: leg.from, amountYen: leg.amount };
    return { source: "lot", accountId: lot.accountId, lotId: lot.lotId, campaignId: lot.campaignId, amountYen: leg.amount, expiresAt: lot.expiresAt };
  });
  const [wallet] = (await ctx.store.loadWallets([order.payerResidentId], ctx.now())).values();
  assert(wallet, "a wallet is read for the payer");
  return recordPayment(ctx, { order, transferId: transfer.id, allocation, wallet, at: transfer.timestamp }, { ok: true, transfer, entries: [], replayed: true });
}

export function publishPayment(ctx: PaymentsContext, p: PaymentInsert & { seq: number }): void {
  const { pointsYen, coinsYen } = splitYen(p.allocation);
  ctx.bus.publish({
    id: p.seq,
    type: "payment",
    shopId: p.shopId,
    paymentId: p.id,
    amountYen: jsonYen(p.amountYen),
    pointsYen,
    coinsYen,
    kind: p.kind,
    at: p.createdAt.toISOString(),
  });
}
