// A payment's record: its payments row and the completion of its idempotency key. Written by the payments store's
// own statement, or, when the payment rides with its ledger transfer as an attachment, by the ledger's write
// statement: the same two CTEs either way, so the transfer, the payment and the key commit together.
import type { KeyCompletion, PaymentInsert } from "./payments-store";
import { jsonColumn, numberColumn, textArray, textColumn } from "./sql-arrays";

/** The Attachment kind of a payment's record: the ledger store writes it with the payment's transfer. */
export const paymentAttachmentKind = "payment";

/** One payment to record, and its key to finish (null: the caller finishes it). */
export interface PaymentRecordItem {
  payment: PaymentInsert;
  completion: KeyCompletion | null;
}

/** Parameters the CTEs take, numbered from `first` (see paymentRecordParams). */
export const paymentRecordParamCount = 18;

/**
 * `p`: the payments inserted (id, seq); a payment already recorded (a retry that took over) is left as it is, and
 * so is its key, whose caller answers with the stored payment. `k`: the keys finished, only for payments `p` wrote.
 */
export function paymentRecordCtes(first: number): string {
  const $ = (n: number) => `$${first + n - 1}`;
  return `
  p AS (
    INSERT INTO payments (id, ref, payer_resident_id, shop_id, amount_yen, allocation, kind, request_id, proxy_user_id, receipt, created_at)
    SELECT x.id, x.ref, x.payer_resident_id, x.shop_id, x.amount_yen, x.allocation::jsonb, x.kind, x.request_id, x.proxy_user_id, x.receipt, x.created_at
    FROM unnest(${$(1)}::text::text[], ${$(2)}::text::text[], ${$(3)}::text::text[], ${$(4)}::text::text[], ${$(5)}::text::bigint[],
      string_to_array(${$(6)}::text, chr(31), chr(30)), ${$(7)}::text::text[], ${$(8)}::text::text[], ${$(9)}::text::text[],
      string_to_array(${$(10)}::text, chr(31), chr(30)), ${$(11)}::text::timestamptz[])
      AS x(id, ref, payer_resident_id, shop_id, amount_yen, allocation, kind, request_id, proxy_user_id, receipt, created_at)
    ON CONFLICT DO NOTHING
    RETURNING id, seq),
  k AS (
    UPDATE idempotency_keys AS k SET status = 'done', response_status = x.response_status, response_body = x.response_body, updated_at = ${$(17)}::timestamptz
    FROM unnest(${$(12)}::text::text[], ${$(13)}::text::text[], ${$(14)}::text::text[], ${$(15)}::text::int[], string_to_array(${$(16)}::text, chr(31), chr(30)))
      AS x(payment_id, principal, key, response_status, response_body)
    WHERE k.principal = ANY(${$(18)}::text::text[]) AND k.principal = x.principal AND k.key = x.key AND k.status = 'in_progress'
      AND x.payment_id IN (SELECT id FROM p)
    RETURNING 1)`;
}

/**
 * The CTEs' parameters, column by column (receipts and stored responses are long; as JSON they cost more to parse),
 * the JSON texts joined (jsonColumn), so the quotes in a receipt need no escaping.
 */
export function paymentRecordParams(items: readonly PaymentRecordItem[], now: Date): unknown[] {
  const payments = items.map((item) => item.payment);
  const completions = items.flatMap(({ payment: p, completion: c }) => (c ? [{ paymentId: p.id, ...c }] : []));
  return [
    textColumn(payments.map((p) => p.id)),
    textColumn(payments.map((p) => p.ref)),
    textColumn(payments.map((p) => p.payerResidentId)),
    textColumn(payments.map((p) => p.shopId)),
    numberColumn(payments.map((p) => p.amountYen)),
    jsonColumn(payments.map((p) => JSON.stringify(p.allocation))),
    textColumn(payments.map((p) => p.kind)),
    textColumn(payments.map((p) => p.requestId)),
    textColumn(payments.map((p) => p.proxyUserId)),
    jsonColumn(payments.map((p) => p.receipt)),
    textColumn(payments.map((p) => p.createdAt.toISOString())),
    textColumn(completions.map((c) => c.paymentId)),
    textColumn(completions.map((c) => c.principal)),
    textColumn(completions.map((c) => c.key)),
    numberColumn(completions.map((c) => c.responseStatus)),
    jsonColumn(completions.map((c) => c.responseBody)),
    now.toISOString(),
    // Keeps the key update on the primary key.
    textArray(completions.map((c) => c.principal)),
  ];
}
