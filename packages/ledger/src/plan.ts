// The heart of the ledger: given the locked state of the accounts and holds a batch touches, decide every
// request of the batch in order and say exactly what to write. Pure: the store does the reading and writing.
import { assert, assertUnreachable, bug } from "./assert";
import { requestHash } from "./canonical";
import type {
  Account,
  Entry,
  EntryPhase,
  Hold,
  Leg,
  Rejection,
  StateResultCode,
  Transfer,
  TransferRequest,
  TransferResult,
  TransferStatus,
} from "./types";
import { validateRequest, type ValidateOptions } from "./validate";

/** What a stored id already stands for. */
export type StoredOutcome = { kind: "transfer"; transfer: Transfer } | { kind: "rejection"; rejection: Rejection };

/**
 * The state a batch is planned against. The store fills it with the rows the batch touches (accounts locked in
 * id order); the planner updates it in place as it goes, so later requests in the batch see earlier ones.
 */
export interface PlanState {
  accounts: Map<string, Account>;
  holds: Map<string, Hold>;
  /** Outcomes of ids already used (the requests' own ids). */
  outcomes: Map<string, StoredOutcome>;
  /** Transfers that reversals in the batch refer to. */
  originals: Map<string, Transfer>;
  /** Ids of transfers that already have a reversal. */
  reversed: Set<string>;
}

export interface BatchPlan {
  /** One result per request, in request order. */
  results: TransferResult[];
  transfers: Transfer[];
  entries: Entry[];
  rejections: Rejection[];
  /** Final state of every account the batch changed. */
  accounts: Account[];
  /** Final state of every hold the batch created or changed. */
  holds: Hold[];
}

export function emptyPlanState(): PlanState {
  return { accounts: new Map(), holds: new Map(), outcomes: new Map(), originals: new Map(), reversed: new Set() };
}

/** The id of the transfer that records a hold's expiry. `~` is outside the caller id alphabet: no collision. */
export function expiryTransferId(holdId: string): string {
  return `${holdId}~expired`;
}

/** Accounts a request needs loaded (holds and originals add theirs once known). */
export function accountsOfRequest(r: TransferRequest): string[] {
  return r.op === "transfer" ? r.legs.flatMap((l) => [l.from, l.to]) : [];
}

type Failure = { code: StateResultCode; detail: string };

class BatchPlanner {
  readonly results: TransferResult[] = [];
  readonly transfers: Transfer[] = [];
  readonly entries: Entry[] = [];
  readonly rejections: Rejection[] = [];
  private readonly changedAccounts = new Set<string>();
  private readonly changedHolds = new Set<string>();

  constructor(
    private readonly state: PlanState,
    private readonly now: Date,
    private readonly options: ValidateOptions,
  ) {}

  plan(request: TransferRequest): TransferResult {
    const validation = validateRequest(request, this.options);
    if (!validation.ok) return { ok: false, code: validation.code, detail: validation.detail, replayed: false };

    const hash = requestHash(request);
    const previous = this.state.outcomes.get(request.id);
    if (previous) return this.replay(previous, hash, request.id);

    const outcome = this.decide(request, hash);
    if (!("ok" in outcome)) {
      if (request.op === "expire") return { ok: false, ...outcome, replayed: false };
      const rejection: Rejection = { id: request.id, op: request.op, code: outcome.code, detail: outcome.detail, requestHash: hash, timestamp: this.now };
      this.rejections.push(rejection);
      this.state.outcomes.set(request.id, { kind: "rejection", rejection });
      return { ok: false, code: outcome.code, detail: outcome.detail, replayed: false };
    }
    return outcome;
  }

  private replay(previous: StoredOutcome, hash: string, id: string): TransferResult {
    const storedHash = previous.kind === "transfer" ? previous.transfer.requestHash : previous.rejection.requestHash;
    if (storedHash !== hash) {
      return { ok: false, code: "id_reused", detail: `id ${id} was already used with a different request`, replayed: false };
    }
    if (previous.kind === "transfer") return { ok: true, transfer: previous.transfer, entries: [], replayed: true };
    return { ok: false, code: previous.rejection.code, detail: previous.rejection.detail, replayed: true };
  }

  private decide(r: TransferRequest, hash: string): TransferResult | Failure {
    switch (r.op) {
      case "transfer":
        return this.post(r.id, r.legs, r.pending ? "pending" : "posted", hash, {
          op: "transfer",
          code: r.code ?? null,
          metadata: r.metadata ?? null,
          timeoutAt: r.pending ? new Date(this.now.getTime() + r.pending.timeoutSeconds * 1000) : null,
        });
      case "reversal":
        return this.reverse(r, hash);
      case "capture":
      case "void":
      case "expire":
        return this.settleHold(r, hash);
      default:
        return assertUnreachable(r);
    }
  }

  private reverse(r: Extract<TransferRequest, { op: "reversal" }>, hash: string): TransferResult | Failure {
    const original = this.state.originals.get(r.reversalOf);
    if (!original) return { code: "transfer_not_found", detail: `no transfer ${r.reversalOf}` };
    const reversible = (original.op === "transfer" && original.status === "posted") || original.op === "capture";
    if (!reversible) return { code: "not_reversible", detail: `${r.reversalOf} is a ${original.op} (${original.status})` };
    if (this.state.reversed.has(r.reversalOf)) return { code: "already_reversed", detail: `${r.reversalOf} is already reversed` };
    const legs = [...original.legs].reverse().map((l) => ({ from: l.to, to: l.from, amount: l.amount }));
    const result = this.post(r.id, legs, "posted", hash, {
      op: "reversal",
      code: r.code ?? null,
      metadata: r.metadata ?? null,
      reversalOf: r.reversalOf,
    });
    if ("ok" in result) this.state.reversed.add(r.reversalOf);
    return result;
  }

  /** Applies legs atomically with the given phase: all accounts must exist and stay within their limits. */
  private post(
    id: string,
    legs: readonly Leg[],
    status: "posted" | "pending",
    hash: string,
    extra: { op: Transfer["op"]; code: string | null; metadata: Record<string, unknown> | null; timeoutAt?: Date | null; reversalOf?: string },
  ): TransferResult | Failure {
    for (const leg of legs) {
      for (const accountId of [leg.from, leg.to]) {
        if (!this.state.accounts.has(accountId)) return { code: "account_not_found", detail: `no account ${accountId}` };
      }
    }
    const staged = new Map<string, Account>();
    const entries: Entry[] = [];
    for (const leg of legs) this.stageLeg(staged, entries, id, leg, status === "pending" ? "pending" : "posted");
    const violation = limitViolation(staged);
    if (violation) return violation;

    const transfer: Transfer = {
      id,
      op: extra.op,
      status,
      legs: legs.map((l) => ({ ...l })),
      code: extra.code,
      metadata: extra.metadata,
      holdId: null,
      reversalOf: extra.reversalOf ?? null,
      timeoutAt: extra.timeoutAt ?? null,
      requestHash: hash,
      timestamp: this.now,
    };
    if (status === "pending") {
      const leg = legs[0];
      assert(leg && legs.length === 1 && transfer.timeoutAt, "a hold has one leg and a timeout");
      this.setHold({ id, from: leg.from, to: leg.to, amount: leg.amount, captured: 0n, status: "pending", timeoutAt: transfer.timeoutAt });
    }
    return this.commit(transfer, staged, entries);
  }

  private settleHold(r: Extract<TransferRequest, { op: "capture" | "void" | "expire" }>, hash: string): TransferResult | Failure {
    const hold = this.state.holds.get(r.holdId);
    if (!hold) return { code: "hold_not_found", detail: `no hold ${r.holdId}` };
    if (hold.status === "expired") return { code: "hold_expired", detail: `hold ${hold.id} expired at ${hold.timeoutAt.toISOString()}` };
    if (hold.status !== "pending") return { code: "hold_closed", detail: `hold ${hold.id} is ${hold.status}` };
    const due = this.now.getTime() >= hold.timeoutAt.getTime();
    if (r.op === "expire") {
      if (!due) return { code: "hold_closed", detail: `hold ${hold.id} is not due until ${hold.timeoutAt.toISOString()}` };
      return this.release(hold, "expire", r.id, hash, "expired", null);
    }
    if (due) {
      // Lazy expiry: the hold is released now, in the same batch, and the late request is told so.
      const expiryId = expiryTransferId(hold.id);
      const expiryHash = requestHash({ op: "expire", id: expiryId, holdId: hold.id });
      this.release(hold, "expire", expiryId, expiryHash, "expired", null);
      this.state.outcomes.set(expiryId, { kind: "transfer", transfer: this.transfers[this.transfers.length - 1]! });
      return { code: "hold_expired", detail: `hold ${hold.id} expired at ${hold.timeoutAt.toISOString()}` };
    }
    if (r.op === "void") return this.release(hold, "void", r.id, hash, "voided", r.metadata ?? null);

    const remaining = hold.amount - hold.captured;
    if (r.amount > remaining) return { code: "hold_exceeded", detail: `capture of ${r.amount} exceeds the ${remaining} left on hold ${hold.id}` };
    const staged = new Map<string, Account>();
    const entries: Entry[] = [];
    const leg = { from: hold.from, to: hold.to, amount: r.amount };
    this.stageLeg(staged, entries, r.id, leg, "release");
    this.stageLeg(staged, entries, r.id, leg, "posted");
    const violation = limitViolation(staged);
    assert(violation === null, "a capture moves reserved money and cannot break a limit");
    const captured = hold.captured + r.amount;
    this.setHold({ ...hold, captured, status: captured === hold.amount ? "posted" : "pending" });
    const transfer: Transfer = {
      id: r.id,
      op: "capture",
      status: "posted",
      legs: [leg],
      code: null,
      metadata: r.metadata ?? null,
      holdId: hold.id,
      reversalOf: null,
      timeoutAt: null,
      requestHash: hash,
      timestamp: this.now,
    };
    return this.commit(transfer, staged, entries);
  }

  /** Gives back what is left of a hold (void or expiry). */
  private release(hold: Hold, op: "void" | "expire", id: string, hash: string, status: "voided" | "expired", metadata: Record<string, unknown> | null): TransferResult {
    const remaining = hold.amount - hold.captured;
    assert(remaining > 0n, "an open hold has something left");
    const staged = new Map<string, Account>();
    const entries: Entry[] = [];
    const leg = { from: hold.from, to: hold.to, amount: remaining };
    this.stageLeg(staged, entries, id, leg, "release");
    this.setHold({ ...hold, status });
    const transfer: Transfer = {
      id,
      op,
      status: status satisfies TransferStatus,
      legs: [leg],
      code: null,
      metadata,
      holdId: hold.id,
      reversalOf: null,
      timeoutAt: null,
      requestHash: hash,
      timestamp: this.now,
    };
    return this.commit(transfer, staged, entries);
  }

  private stageLeg(staged: Map<string, Account>, entries: Entry[], transferId: string, leg: Leg, phase: EntryPhase): void {
    for (const side of ["debit", "credit"] as const) {
      const accountId = side === "debit" ? leg.from : leg.to;
      const current = staged.get(accountId) ?? this.state.accounts.get(accountId);
      if (!current) bug(`account ${accountId} was checked to exist`);
      const next = applyEntry(current, side, phase, leg.amount);
      staged.set(accountId, next);
      entries.push({
        accountId,
        transferId,
        seq: next.entrySeq,
        side,
        phase,
        amount: leg.amount,
        balanceAfter: next.creditsPosted - next.debitsPosted,
        debitsPendingAfter: next.debitsPending,
        creditsPendingAfter: next.creditsPending,
        timestamp: this.now,
      });
    }
  }

  private setHold(hold: Hold): void {
    assert(hold.captured <= hold.amount, "a hold is never captured beyond its amount");
    this.state.holds.set(hold.id, hold);
    this.changedHolds.add(hold.id);
  }

  private commit(transfer: Transfer, staged: Map<string, Account>, entries: Entry[]): TransferResult {
    for (const [id, account] of staged) {
      this.state.accounts.set(id, account);
      this.changedAccounts.add(id);
    }
    this.transfers.push(transfer);
    this.entries.push(...entries);
    this.state.outcomes.set(transfer.id, { kind: "transfer", transfer });
    // A reversal later in the same batch may refer to this transfer; the store could not have loaded it.
    this.state.originals.set(transfer.id, transfer);
    return { ok: true, transfer, entries, replayed: false };
  }

  finish(): BatchPlan {
    assertBalanced(this.entries);
    const accounts = [...this.changedAccounts].map((id) => this.state.accounts.get(id)!);
    for (const account of accounts) if (limitViolation(new Map([[account.id, account]])) !== null) bug(`account ${account.id} within its limits`);
    return {
      results: this.results,
      transfers: this.transfers,
      entries: this.entries,
      rejections: this.rejections,
      accounts,
      holds: [...this.changedHolds].map((id) => this.state.holds.get(id)!),
    };
  }
}

function applyEntry(a: Account, side: "debit" | "credit", phase: EntryPhase, amount: bigint): Account {
  const next = { ...a, entrySeq: a.entrySeq + 1 };
  const sign = phase === "release" ? -1n : 1n;
  if (side === "debit") {
    if (phase === "posted") next.debitsPosted += amount;
    else next.debitsPending += sign * amount;
  } else {
    if (phase === "posted") next.creditsPosted += amount;
    else next.creditsPending += sign * amount;
  }
  assert(next.debitsPending >= 0n && next.creditsPending >= 0n, "pending totals never go negative");
  return next;
}

/** exceeds_balance is checked on every touched account before exceeds_debits (documented precedence). */
function limitViolation(accounts: Map<string, Account>): Failure | null {
  for (const a of accounts.values()) {
    if (a.flags.debitsMustNotExceedCredits && a.debitsPosted + a.debitsPending > a.creditsPosted) {
      return { code: "exceeds_balance", detail: `account ${a.id} has insufficient balance` };
    }
  }
  for (const a of accounts.values()) {
    if (a.flags.creditsMustNotExceedDebits && a.creditsPosted + a.creditsPending > a.debitsPosted) {
      return { code: "exceeds_debits", detail: `account ${a.id} may not be credited beyond its debits` };
    }
  }
  return null;
}

/** Σdebits = Σcredits for every phase, over any set of whole transfers. */
export function assertBalanced(entries: readonly Entry[]): void {
  const net: Record<EntryPhase, bigint> = { posted: 0n, pending: 0n, release: 0n };
  for (const e of entries) net[e.phase] += e.side === "debit" ? e.amount : -e.amount;
  assert(net.posted === 0n && net.pending === 0n && net.release === 0n, "Σdebits = Σcredits in every phase");
}

/**
 * Plans a batch. Requests are decided strictly in order; each gets its own result. `state` is updated in place.
 */
export function planBatch(state: PlanState, requests: readonly TransferRequest[], now: Date, options: ValidateOptions = {}): BatchPlan {
  const planner = new BatchPlanner(state, now, options);
  for (const request of requests) planner.results.push(planner.plan(request));
  return planner.finish();
}
