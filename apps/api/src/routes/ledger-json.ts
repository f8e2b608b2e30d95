// Ledger values → their snake_case JSON (schemas/ledger.ts describes the result). Amounts stay bigint here and
// are written as JSON integers by http/json.ts; metadata keys are sorted so a replay reads byte for byte the same.
import type { Account, Entry, Hold, Transfer } from "@tsubaki/ledger";
import { sortKeysDeep } from "../http/json";

type Metadata = Record<string, unknown> | null;
const metadataOut = (m: Metadata): Metadata => (m === null ? null : (sortKeysDeep(m) as Record<string, unknown>));

export function accountToJson(a: Account) {
  return {
    id: a.id,
    kind: a.kind,
    owner: a.owner,
    asset: a.asset,
    flags: {
      debits_must_not_exceed_credits: a.flags.debitsMustNotExceedCredits,
      credits_must_not_exceed_debits: a.flags.creditsMustNotExceedDebits,
    },
    debits_posted: a.debitsPosted,
    credits_posted: a.creditsPosted,
    debits_pending: a.debitsPending,
    credits_pending: a.creditsPending,
    available: a.creditsPosted - a.debitsPosted - a.debitsPending,
    metadata: metadataOut(a.metadata),
    created_at: a.createdAt.toISOString(),
  };
}

export function holdToJson(h: Hold) {
  return {
    amount: h.amount,
    captured: h.captured,
    remaining: h.status === "pending" ? h.amount - h.captured : 0n,
    status: h.status,
    timeout_at: h.timeoutAt.toISOString(),
  };
}

export function transferToJson(t: Transfer, hold?: Hold | null) {
  return {
    id: t.id,
    op: t.op,
    status: t.status,
    legs: t.legs.map((l) => ({ from: l.from, to: l.to, amount: l.amount })),
    code: t.code,
    metadata: metadataOut(t.metadata),
    hold_id: t.holdId,
    reversal_of: t.reversalOf,
    timeout_at: t.timeoutAt?.toISOString() ?? null,
    timestamp: t.timestamp.toISOString(),
    ...(hold ? { hold: holdToJson(hold) } : {}),
  };
}

export function entryToJson(e: Entry) {
  return {
    account_id: e.accountId,
    seq: e.seq,
    transfer_id: e.transferId,
    side: e.side,
    phase: e.phase,
    amount: e.amount,
    balance_after: e.balanceAfter,
    debits_pending_after: e.debitsPendingAfter,
    credits_pending_after: e.creditsPendingAfter,
    timestamp: e.timestamp.toISOString(),
  };
}
