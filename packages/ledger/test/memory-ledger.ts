// A small in-memory stand-in for the PostgreSQL store, so the pure planner can be driven batch after batch the
// way production drives it: load exactly the rows a batch touches into a fresh PlanState, plan, write the plan
// back. It also keeps a compact journal of every entry and re-derives balances from it, which is what the audit
// does; both the unit tests and the model test use it.
import {
  emptyPlanState,
  newAccount,
  planBatch,
  type Account,
  type BatchPlan,
  type Entry,
  type Hold,
  type PlanState,
  type Rejection,
  type Transfer,
  type TransferRequest,
} from "../src/index";

export type Limit = "debits" | "credits" | null;

/** The four totals of an account and its last entry seq, as derived from entries alone. */
export interface Totals {
  debitsPosted: bigint;
  creditsPosted: bigint;
  debitsPending: bigint;
  creditsPending: bigint;
  seq: number;
}

export function zeroTotals(): Totals {
  return { debitsPosted: 0n, creditsPosted: 0n, debitsPending: 0n, creditsPending: 0n, seq: 0 };
}

const phases = ["posted", "pending", "release"] as const;
const journalCapacityStart = 4096;

function addToTotals(t: Totals, side: Entry["side"], phase: Entry["phase"], amount: bigint): void {
  if (side === "debit") {
    if (phase === "posted") t.debitsPosted += amount;
    else t.debitsPending += phase === "pending" ? amount : -amount;
  } else {
    if (phase === "posted") t.creditsPosted += amount;
    else t.creditsPending += phase === "pending" ? amount : -amount;
  }
}

/**
 * Every entry ever written, in typed arrays (a million operations write millions of entries; objects would not
 * fit comfortably). Appending checks each entry against the running state derived from the entries before it:
 * seq contiguous per account, balance_after and the pending-after fields consistent.
 */
export class EntryJournal {
  private readonly accountIndex = new Map<string, number>();
  private readonly accountIds: string[] = [];
  private accountOf = new Int32Array(journalCapacityStart);
  private kindOf = new Uint8Array(journalCapacityStart);
  private amountOf = new Float64Array(journalCapacityStart);
  length = 0;
  /** Running totals per account, derived from entries only (never from account rows). */
  readonly running = new Map<string, Totals>();
  /** Σ over all entries per side (seq counts entries); pending sums are net of releases. */
  readonly sums: Totals = zeroTotals();

  /** Appends one entry; returns a description of what is wrong with it, or null. */
  append(e: Entry): string | null {
    const before = this.running.get(e.accountId) ?? zeroTotals();
    const after: Totals = { ...before, seq: before.seq + 1 };
    addToTotals(after, e.side, e.phase, e.amount);
    const problem =
      e.seq !== after.seq
        ? `entry seq ${e.seq} on ${e.accountId} after seq ${before.seq}`
        : e.amount <= 0n
          ? `entry amount ${e.amount} on ${e.accountId}`
          : e.balanceAfter !== after.creditsPosted - after.debitsPosted
            ? `balance_after ${e.balanceAfter} on ${e.accountId} seq ${e.seq}, entries say ${after.creditsPosted - after.debitsPosted}`
            : e.debitsPendingAfter !== after.debitsPending || e.creditsPendingAfter !== after.creditsPending
              ? `pending-after (${e.debitsPendingAfter}, ${e.creditsPendingAfter}) on ${e.accountId} seq ${e.seq}, entries say (${after.debitsPending}, ${after.creditsPending})`
              : after.debitsPending < 0n || after.creditsPending < 0n
                ? `pending total below zero on ${e.accountId} seq ${e.seq}`
                : null;
    if (problem) return problem;
    this.running.set(e.accountId, after);
    addToTotals(this.sums, e.side, e.phase, e.amount);
    this.push(e);
    return null;
  }

  private push(e: Entry): void {
    if (this.length === this.accountOf.length) {
      const grow = <T extends Int32Array | Uint8Array | Float64Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.accountOf = grow(this.accountOf, (n) => new Int32Array(n));
      this.kindOf = grow(this.kindOf, (n) => new Uint8Array(n));
      this.amountOf = grow(this.amountOf, (n) => new Float64Array(n));
    }
    let index = this.accountIndex.get(e.accountId);
    if (index === undefined) {
      index = this.accountIds.length;
      this.accountIds.push(e.accountId);
      this.accountIndex.set(e.accountId, index);
    }
    // Amounts are ≤ amountMaxDefault (10^12) < 2^53, so a double holds them exactly.
    this.accountOf[this.length] = index;
    this.kindOf[this.length] = (e.side === "debit" ? 0 : 3) + phases.indexOf(e.phase);
    this.amountOf[this.length] = Number(e.amount);
    this.length += 1;
  }

  /** Recomputes every account's totals and the global sums from the whole journal (what the audit does). */
  recompute(): { perAccount: Map<string, Totals>; sums: Totals } {
    const perAccount = new Map<string, Totals>();
    const byIndex = this.accountIds.map(() => zeroTotals());
    const sums = zeroTotals();
    for (let i = 0; i < this.length; i++) {
      const kind = this.kindOf[i]!;
      const side = kind < 3 ? "debit" : "credit";
      const phase = phases[kind % 3]!;
      const amount = BigInt(this.amountOf[i]!);
      const t = byIndex[this.accountOf[i]!]!;
      t.seq += 1;
      addToTotals(t, side, phase, amount);
      addToTotals(sums, side, phase, amount);
    }
    this.accountIds.forEach((id, i) => perAccount.set(id, byIndex[i]!));
    return { perAccount, sums };
  }
}

export class MemoryLedger {
  readonly accounts = new Map<string, Account>();
  readonly holds = new Map<string, Hold>();
  readonly transfers = new Map<string, Transfer>();
  readonly rejections = new Map<string, Rejection>();
  /** reversal_of → the reversal's id (a transfer is reversed at most once). */
  readonly reversals = new Map<string, string>();
  readonly journal = new EntryJournal();

  createAccount(id: string, limit: Limit, now: Date): Account {
    const account = newAccount(
      {
        id,
        kind: id.split(":")[0]!.replace(/[^a-z0-9_]/g, "_") || "test",
        owner: null,
        asset: "JPY",
        flags: { debitsMustNotExceedCredits: limit === "debits", creditsMustNotExceedDebits: limit === "credits" },
        metadata: null,
      },
      now,
    );
    this.accounts.set(id, account);
    return account;
  }

  /** Reads what a batch touches, as the store does under its row locks: nothing more. */
  load(requests: readonly TransferRequest[]): PlanState {
    const state = emptyPlanState();
    const loadAccount = (id: unknown): void => {
      const account = typeof id === "string" ? this.accounts.get(id) : undefined;
      if (account) state.accounts.set(account.id, { ...account });
    };
    for (const r of requests) {
      const transfer = this.transfers.get(r.id);
      const rejection = this.rejections.get(r.id);
      if (transfer) state.outcomes.set(r.id, { kind: "transfer", transfer });
      else if (rejection) state.outcomes.set(r.id, { kind: "rejection", rejection });
      switch (r.op) {
        case "transfer":
          if (Array.isArray(r.legs)) for (const leg of r.legs) [leg.from, leg.to].forEach(loadAccount);
          break;
        case "reversal": {
          const original = this.transfers.get(r.reversalOf);
          if (original) {
            state.originals.set(original.id, original);
            for (const leg of original.legs) [leg.from, leg.to].forEach(loadAccount);
          }
          if (this.reversals.has(r.reversalOf)) state.reversed.add(r.reversalOf);
          break;
        }
        case "capture":
        case "void":
        case "expire": {
          const hold = this.holds.get(r.holdId);
          if (hold) {
            state.holds.set(hold.id, { ...hold });
            [hold.from, hold.to].forEach(loadAccount);
          }
          break;
        }
      }
    }
    return state;
  }

  /**
   * Writes a plan. Throws on anything a database constraint would refuse (an id written twice) and on an entry
   * that does not follow from the account's earlier entries.
   */
  apply(plan: BatchPlan): void {
    for (const t of plan.transfers) {
      if (this.transfers.has(t.id) || this.rejections.has(t.id)) throw new Error(`transfer id ${t.id} written twice`);
      this.transfers.set(t.id, t);
      if (t.reversalOf !== null) {
        if (this.reversals.has(t.reversalOf)) throw new Error(`${t.reversalOf} reversed twice`);
        this.reversals.set(t.reversalOf, t.id);
      }
    }
    for (const r of plan.rejections) {
      if (this.transfers.has(r.id) || this.rejections.has(r.id)) throw new Error(`rejection id ${r.id} written twice`);
      this.rejections.set(r.id, r);
    }
    for (const e of plan.entries) {
      const problem = this.journal.append(e);
      if (problem) throw new Error(problem);
    }
    for (const a of plan.accounts) this.accounts.set(a.id, a);
    for (const h of plan.holds) this.holds.set(h.id, h);
  }

  submit(requests: readonly TransferRequest[], now: Date): BatchPlan {
    const plan = planBatch(this.load(requests), requests, now);
    this.apply(plan);
    return plan;
  }

  /** Available balance of a debit-limited account: credits_posted − debits_posted − debits_pending. */
  available(id: string): bigint {
    const a = this.accounts.get(id);
    if (!a) throw new Error(`no account ${id}`);
    return a.creditsPosted - a.debitsPosted - a.debitsPending;
  }
}
