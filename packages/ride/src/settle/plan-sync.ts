// Server-side settlement of synced taps, pure: for one allowance (its hold locked by the caller), decide what
// each tap does — capture its fare from the hold into mer:bus, become rider debt beyond the hold, repeat an
// earlier answer, or reveal a double spend — and say exactly what to write. The caller runs the captures as
// ledger captures (their ids make them idempotent there too), stores the new state, and adds a denied
// allowance to the deny list, all in one transaction.
//
// Idempotency: each tap id — (allowance, counter) for a phone, (allowance, terminal, localSeq) for a card — is
// settled once. The same id with the same tap hash returns the original outcome ("duplicate", nothing moves);
// the same id with another hash is a double spend: nothing moves, the first outcome stands, and the allowance
// is deny-listed. A card used more often in a service day than its certificate allows (copies) is deny-listed
// too, but its taps still settle: the terminals carried those rides.
//
// Fare: what the green screen showed, never more than the server's own fare for the class:
// min(record.fareYen, baseFare(class)). So an out-of-date terminal never overcharges a rider.
import { assert } from "../assert";
import { baseFareYen, type FareTable } from "../fares/fares";
import { serviceDay } from "../terminal/record";
import type { VerifiedTap } from "./verify";

export type SettledResult = "captured" | "debt";

export interface SeenTap {
  tapHash: string;
  result: SettledResult;
  captureYen: number;
  debtYen: number;
  terminalId: string;
}

export interface AllowanceState {
  allowanceId: string;
  holdId: string;
  /** What is left of the hold; 0 once it is voided (expiry, renewal) or used up. */
  remainingYen: number;
  /** Rider debt recorded so far. */
  debtYen: number;
  /** Settled taps by tap id. */
  seen: ReadonlyMap<string, SeenTap>;
  denied: boolean;
  /** Cards: use across all terminals per service day. */
  cardUseByServiceDay: ReadonlyMap<number, { taps: number; yen: number }>;
}

export interface TapSettlement {
  tapId: string;
  result: SettledResult | "duplicate" | "double_spend";
  /** What this request moved (0 for duplicate and double_spend). */
  captureYen: number;
  debtYen: number;
  /** For duplicate and double_spend: the outcome that stands. */
  original: SeenTap | null;
}

export interface SyncPlan {
  results: TapSettlement[];
  /** Ledger captures of the hold into mer:bus, in tap order. */
  captures: { id: string; holdId: string; amountYen: number; tapId: string }[];
  debts: { id: string; allowanceId: string; amountYen: number; tapId: string }[];
  /** Set when this batch is the reason to deny-list the allowance. */
  deny: { allowanceId: string; reason: "double_spend" | "card_overuse" } | null;
  allowance: AllowanceState;
}

export const LEDGER_ID_CHARS_MAX = 64;

export function captureIdOf(tapId: string): string {
  return `bustap:${tapId}`;
}

export function debtIdOf(tapId: string): string {
  return `busdebt:${tapId}`;
}

export function newAllowanceState(allowanceId: string, holdId: string, holdYen: number): AllowanceState {
  return { allowanceId, holdId, remainingYen: holdYen, debtYen: 0, seen: new Map(), denied: false, cardUseByServiceDay: new Map() };
}

/** Expiry or renewal: the rest of the hold is voided; later taps of this allowance become debt. */
export function voidRemaining(state: AllowanceState): { allowance: AllowanceState; voidYen: number } {
  return { allowance: { ...state, remainingYen: 0 }, voidYen: state.remainingYen };
}

export function planSync(input: { taps: readonly VerifiedTap[]; allowance: AllowanceState; fareTable: FareTable }): SyncPlan {
  const seen = new Map(input.allowance.seen);
  const cardUse = new Map(input.allowance.cardUseByServiceDay);
  let { remainingYen, debtYen } = input.allowance;
  let deny: SyncPlan["deny"] = null;
  const plan: Omit<SyncPlan, "allowance" | "deny"> = { results: [], captures: [], debts: [] };

  for (const { record, cert, tapHash } of input.taps) {
    assert(record.allowanceId === input.allowance.allowanceId && cert.allowanceId === record.allowanceId, "planSync takes one allowance's taps");
    const previous = seen.get(record.tapId);
    if (previous) {
      const same = previous.tapHash === tapHash;
      if (!same) deny ??= { allowanceId: record.allowanceId, reason: "double_spend" };
      plan.results.push({ tapId: record.tapId, result: same ? "duplicate" : "double_spend", captureYen: 0, debtYen: 0, original: previous });
      continue;
    }
    const fareYen = Math.min(record.fareYen, baseFareYen(cert.fareClass, input.fareTable));
    const captureYen = Math.min(fareYen, remainingYen);
    const owedYen = fareYen - captureYen;
    remainingYen -= captureYen;
    debtYen += owedYen;
    const outcome: SeenTap = { tapHash, result: owedYen > 0 ? "debt" : "captured", captureYen, debtYen: owedYen, terminalId: record.terminalId };
    seen.set(record.tapId, outcome);
    plan.results.push({ tapId: record.tapId, result: outcome.result, captureYen, debtYen: owedYen, original: null });
    if (captureYen > 0) plan.captures.push({ id: captureIdOf(record.tapId), holdId: input.allowance.holdId, amountYen: captureYen, tapId: record.tapId });
    if (owedYen > 0) plan.debts.push({ id: debtIdOf(record.tapId), allowanceId: record.allowanceId, amountYen: owedYen, tapId: record.tapId });
    if (cert.card) {
      const day = serviceDay(record.time);
      const use = cardUse.get(day) ?? { taps: 0, yen: 0 };
      const next = { taps: use.taps + 1, yen: use.yen + fareYen };
      cardUse.set(day, next);
      if (next.taps > cert.maxTaps || next.yen > cert.maxTotalYen) deny ??= { allowanceId: record.allowanceId, reason: "card_overuse" };
    }
  }

  for (const c of plan.captures) assert(c.id.length <= LEDGER_ID_CHARS_MAX, `ledger id too long: ${c.id}`);
  assert(remainingYen >= 0 && remainingYen <= input.allowance.remainingYen, "the hold only shrinks");
  const allowance: AllowanceState = {
    ...input.allowance,
    remainingYen,
    debtYen,
    seen,
    cardUseByServiceDay: cardUse,
    denied: input.allowance.denied || deny !== null,
  };
  return { ...plan, deny: input.allowance.denied ? null : deny, allowance };
}

/** A terminal batch split by allowance, in allowance-id order: lock holds in this order so batches cannot deadlock. */
export function groupByAllowance(taps: readonly VerifiedTap[]): [string, VerifiedTap[]][] {
  const groups = new Map<string, VerifiedTap[]>();
  for (const t of taps) {
    const group = groups.get(t.record.allowanceId);
    if (group) group.push(t);
    else groups.set(t.record.allowanceId, [t]);
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
