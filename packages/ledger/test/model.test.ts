// A seeded random test of the planner against a reference model written from DESIGN.md §3 and codes.ts alone:
// plain bigints per account and per hold, one request at a time, no code shared with plan.ts. Requests go to the
// planner in random batches through MemoryLedger (which loads only what a batch touches, like the store), and
// after every batch each result, each write and every invariant the audit checks is compared with the model.
//
//   FUZZ_OPS=1000000 pnpm vitest run test/model.test.ts     a million operations
//   FUZZ_SEED=123 ...                                        replays the run that printed seed 123
import { expect, test } from "vitest";
import {
  amountMaxDefault,
  holdTimeoutSecondsMax,
  legsMax,
  planBatch,
  type BatchPlan,
  type Entry,
  type Leg,
  type Transfer,
  type TransferRequest,
} from "../src/index";
import { MemoryLedger, type Limit, type Totals } from "./memory-ledger";

const opsTotal = Number(process.env.FUZZ_OPS ?? 10_000);
const seed = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
const batchSizeMaxFuzz = 64;
/**
 * The whole journal is recomputed from scratch every this many batches (and at the end); in between, running sums
 * are checked. Once the journal is long the interval grows with it (a quarter of the batches so far), so a
 * million-operation run spends linear, not quadratic, time recomputing.
 */
const fullCheckEveryBatches = 50;
/** Earlier requests kept for replays and reused ids (a reservoir, so a long run does not keep them all). */
const historyLengthMax = 20_000;
const startMs = Date.parse("2025-04-01T00:00:00.000Z");

// ---------------------------------------------------------------------------------------------------------------
// Random numbers: sfc32, seeded, so a failing run replays exactly.

class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 16; i++) this.next();
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.a >>>= 0;
    this.b >>>= 0;
    this.c >>>= 0;
    this.d >>>= 0;
    let t = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    t = (t + this.d) | 0;
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** bigint in [lo, hi]; ranges stay below 2^53 here. */
  bigint(lo: bigint, hi: bigint): bigint {
    return lo + BigInt(Math.floor(this.next() * Number(hi - lo + 1n)));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(xs: readonly T[]): T {
    const x = xs[Math.floor(this.next() * xs.length)];
    if (x === undefined) throw new Error("pick from an empty list");
    return x;
  }

  /** Index into `weights`, chosen with probability proportional to each weight. */
  weighted(weights: readonly number[]): number {
    let r = this.next() * weights.reduce((s, w) => s + w, 0);
    for (const [i, w] of weights.entries()) {
      r -= w;
      if (r < 0) return i;
    }
    return weights.length - 1;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The reference model.

type HoldState = "open" | "captured" | "voided" | "expired";
interface ModelAccount {
  id: string;
  limit: Limit;
  exists: boolean;
  dp: bigint;
  cp: bigint;
  dpend: bigint;
  cpend: bigint;
}
interface ModelHold {
  id: string;
  from: string;
  to: string;
  amount: bigint;
  captured: bigint;
  state: HoldState;
  dueMs: number;
}
interface ModelTransfer {
  op: TransferRequest["op"];
  isHold: boolean;
  legs: Leg[];
  reversed: boolean;
}
interface ModelOutcome {
  body: string;
  ok: boolean;
  code: string;
}
/** A transfer the model expects the planner to write. */
interface ExpectedWrite {
  id: string;
  op: TransferRequest["op"];
  status: Transfer["status"];
  legs: Leg[];
  holdId: string | null;
  reversalOf: string | null;
}
interface Expected {
  ok: boolean;
  code: string | null;
  replayed: boolean;
  writes: ExpectedWrite[];
  /** A rejection row is written, so the id stays failed. */
  remembered: boolean;
}

const idRule = /^[A-Za-z0-9_:.-]{1,64}$/;
const codeRule = /^[a-z0-9_.:-]{1,32}$/;
const validId = (x: unknown): boolean => typeof x === "string" && idRule.test(x);
const validAmount = (a: unknown): boolean => typeof a === "bigint" && a > 0n && a <= amountMaxDefault;

/** The input checks in the order codes.ts documents. */
function inputCode(r: TransferRequest): string | null {
  // The ledger names an expiry after its hold, with a character no caller id may contain.
  if (r.op === "expire") return validId(r.holdId) && r.id === `${r.holdId}~expired` ? null : "invalid_id";
  if (!validId(r.id)) return "invalid_id";
  switch (r.op) {
    case "transfer": {
      if (r.code !== undefined && !codeRule.test(r.code)) return "invalid_code";
      if (r.legs.length === 0) return "invalid_legs";
      if (r.legs.length > legsMax) return "too_many_legs";
      if (r.pending) {
        if (r.legs.length !== 1) return "hold_multi_leg";
        const t = r.pending.timeoutSeconds;
        if (!Number.isInteger(t) || t < 1 || t > holdTimeoutSecondsMax) return "invalid_timeout";
      }
      if (r.legs.some((l) => !validId(l.from) || !validId(l.to))) return "invalid_id";
      if (r.legs.some((l) => !validAmount(l.amount))) return "invalid_amount";
      if (r.legs.some((l) => l.from === l.to)) return "same_account";
      return null;
    }
    case "reversal":
      if (r.code !== undefined && !codeRule.test(r.code)) return "invalid_code";
      return validId(r.reversalOf) ? null : "invalid_id";
    case "capture":
      if (!validId(r.holdId)) return "invalid_id";
      return validAmount(r.amount) ? null : "invalid_amount";
    case "void":
      return validId(r.holdId) ? null : "invalid_id";
  }
}

/** The body of a request as a string, key order ignored: two requests are "the same" iff these are equal. */
function bodyKey(value: unknown): string {
  if (typeof value === "bigint") return `${value}n`;
  if (Array.isArray(value)) return `[${value.map(bodyKey).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${bodyKey(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "undefined";
}

type Decision = { ok: true; writes: ExpectedWrite[] } | { ok: false; code: string; writes: ExpectedWrite[] };

class Model {
  readonly accounts = new Map<string, ModelAccount>();
  readonly holds = new Map<string, ModelHold>();
  readonly transfers = new Map<string, ModelTransfer>();
  readonly outcomes = new Map<string, ModelOutcome>();
  failuresRemembered = 0;
  /** What the current batch changed, for the per-batch comparison. */
  readonly touchedAccounts = new Set<string>();
  readonly touchedHolds = new Set<string>();

  addAccount(id: string, limit: Limit, exists: boolean): void {
    this.accounts.set(id, { id, limit, exists, dp: 0n, cp: 0n, dpend: 0n, cpend: 0n });
  }

  apply(r: TransferRequest, nowMs: number): Expected {
    const bad = inputCode(r);
    if (bad) return { ok: false, code: bad, replayed: false, writes: [], remembered: false };
    const body = bodyKey(r);
    const previous = this.outcomes.get(r.id);
    if (previous) {
      if (previous.body !== body) return { ok: false, code: "id_reused", replayed: false, writes: [], remembered: false };
      return { ok: previous.ok, code: previous.ok ? null : previous.code, replayed: true, writes: [], remembered: false };
    }
    const d = this.decide(r, nowMs);
    // The ledger's own expiry requests are retried by the sweeper; their failures are not kept.
    const remembered = !d.ok && r.op !== "expire";
    if (d.ok || remembered) this.outcomes.set(r.id, { body, ok: d.ok, code: d.ok ? "" : d.code });
    if (remembered) this.failuresRemembered += 1;
    return { ok: d.ok, code: d.ok ? null : d.code, replayed: false, writes: d.writes, remembered };
  }

  private decide(r: TransferRequest, nowMs: number): Decision {
    switch (r.op) {
      case "transfer": {
        const code = this.move(r.legs, r.pending ? "pending" : "posted");
        if (code) return { ok: false, code, writes: [] };
        this.transfers.set(r.id, { op: "transfer", isHold: !!r.pending, legs: r.legs, reversed: false });
        if (r.pending) {
          const leg = r.legs[0]!;
          this.holds.set(r.id, { id: r.id, from: leg.from, to: leg.to, amount: leg.amount, captured: 0n, state: "open", dueMs: nowMs + r.pending.timeoutSeconds * 1000 });
          this.touchedHolds.add(r.id);
        }
        return { ok: true, writes: [{ id: r.id, op: "transfer", status: r.pending ? "pending" : "posted", legs: r.legs, holdId: null, reversalOf: null }] };
      }
      case "reversal": {
        const original = this.transfers.get(r.reversalOf);
        if (!original) return { ok: false, code: "transfer_not_found", writes: [] };
        const reversible = (original.op === "transfer" && !original.isHold) || original.op === "capture";
        if (!reversible) return { ok: false, code: "not_reversible", writes: [] };
        if (original.reversed) return { ok: false, code: "already_reversed", writes: [] };
        // Undo the last leg first: the mirror image of the original.
        const legs = [...original.legs].reverse().map((l) => ({ from: l.to, to: l.from, amount: l.amount }));
        const code = this.move(legs, "posted");
        if (code) return { ok: false, code, writes: [] };
        original.reversed = true;
        this.transfers.set(r.id, { op: "reversal", isHold: false, legs, reversed: false });
        return { ok: true, writes: [{ id: r.id, op: "reversal", status: "posted", legs, holdId: null, reversalOf: r.reversalOf }] };
      }
      case "capture":
      case "void":
      case "expire":
        return this.settle(r, nowMs);
    }
  }

  private settle(r: Extract<TransferRequest, { op: "capture" | "void" | "expire" }>, nowMs: number): Decision {
    const hold = this.holds.get(r.holdId);
    if (!hold) return { ok: false, code: "hold_not_found", writes: [] };
    if (hold.state === "expired") return { ok: false, code: "hold_expired", writes: [] };
    if (hold.state !== "open") return { ok: false, code: "hold_closed", writes: [] };
    const due = nowMs >= hold.dueMs;
    if (r.op === "expire") {
      if (!due) return { ok: false, code: "hold_closed", writes: [] };
      return { ok: true, writes: [this.release(hold, r.id, "expired")] };
    }
    if (due) {
      // The late request fails, and the hold expires now, under the id the sweeper would have used.
      const expiry = { op: "expire" as const, id: `${hold.id}~expired`, holdId: hold.id };
      this.outcomes.set(expiry.id, { body: bodyKey(expiry), ok: true, code: "" });
      return { ok: false, code: "hold_expired", writes: [this.release(hold, expiry.id, "expired")] };
    }
    if (r.op === "void") return { ok: true, writes: [this.release(hold, r.id, "voided")] };
    if (r.amount > hold.amount - hold.captured) return { ok: false, code: "hold_exceeded", writes: [] };
    const from = this.account(hold.from);
    const to = this.account(hold.to);
    from.dpend -= r.amount;
    from.dp += r.amount;
    to.cpend -= r.amount;
    to.cp += r.amount;
    hold.captured += r.amount;
    if (hold.captured === hold.amount) hold.state = "captured";
    this.touchedHolds.add(hold.id);
    const legs = [{ from: hold.from, to: hold.to, amount: r.amount }];
    this.transfers.set(r.id, { op: "capture", isHold: false, legs, reversed: false });
    return { ok: true, writes: [{ id: r.id, op: "capture", status: "posted", legs, holdId: hold.id, reversalOf: null }] };
  }

  /** Gives back what is left of a hold. */
  private release(hold: ModelHold, id: string, state: "voided" | "expired"): ExpectedWrite {
    const rest = hold.amount - hold.captured;
    this.account(hold.from).dpend -= rest;
    this.account(hold.to).cpend -= rest;
    hold.state = state;
    this.touchedHolds.add(hold.id);
    const op = state === "voided" ? "void" : "expire";
    const legs = [{ from: hold.from, to: hold.to, amount: rest }];
    this.transfers.set(id, { op, isHold: false, legs, reversed: false });
    return { id, op, status: state, legs, holdId: hold.id, reversalOf: null };
  }

  /** Applies legs all or nothing; returns the failure code, or null when applied. */
  private move(legs: readonly Leg[], phase: "posted" | "pending"): string | null {
    for (const l of legs) for (const id of [l.from, l.to]) if (!this.accounts.get(id)?.exists) return "account_not_found";
    const next = new Map<string, ModelAccount>();
    const staged = (id: string): ModelAccount => next.get(id) ?? { ...this.account(id) };
    for (const l of legs) {
      const from = staged(l.from);
      if (phase === "posted") from.dp += l.amount;
      else from.dpend += l.amount;
      next.set(from.id, from);
      const to = staged(l.to);
      if (phase === "posted") to.cp += l.amount;
      else to.cpend += l.amount;
      next.set(to.id, to);
    }
    const accounts = [...next.values()];
    if (accounts.some((a) => a.limit === "debits" && a.dp + a.dpend > a.cp)) return "exceeds_balance";
    if (accounts.some((a) => a.limit === "credits" && a.cp + a.cpend > a.dp)) return "exceeds_debits";
    for (const a of accounts) {
      this.accounts.set(a.id, a);
      this.touchedAccounts.add(a.id);
    }
    return null;
  }

  account(id: string): ModelAccount {
    const a = this.accounts.get(id);
    if (!a) throw new Error(`model: no account ${id}`);
    this.touchedAccounts.add(id);
    return a;
  }

  /** How much more `from` may send and `to` may receive; null when neither is limited. */
  headroom(fromId: string, toId: string): bigint | null {
    const from = this.accounts.get(fromId);
    const to = this.accounts.get(toId);
    const rooms: bigint[] = [];
    if (from?.limit === "debits") rooms.push(from.cp - from.dp - from.dpend);
    if (to?.limit === "credits") rooms.push(to.dp - to.cp - to.cpend);
    if (rooms.length === 0) return null;
    return rooms.reduce((m, x) => (x < m ? x : m));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The town the operations run in.

const accountPlan: Array<{ id: string; limit: Limit; late?: true }> = [
  { id: "fund:city", limit: null },
  { id: "cashin:counter1", limit: null },
  ...[1, 2, 3, 4, 5].map((n) => ({ id: `res:${n}:coins`, limit: "debits" as const })),
  { id: "res:1:pts:spring", limit: "debits" },
  { id: "res:2:pts:spring", limit: "debits" },
  { id: "cmp:spring:budget", limit: "debits" },
  { id: "mer:1", limit: "debits" },
  { id: "mer:2", limit: "debits" },
  { id: "mer:bus", limit: "debits" },
  { id: "payout:pending", limit: "credits" },
  { id: "refund:payable", limit: "credits" },
  { id: "fee:operator", limit: null },
  // Opened part-way through the run: unknown before, usable after.
  { id: "res:6:coins", limit: "debits", late: true },
  { id: "mer:3", limit: "debits", late: true },
  { id: "payout:bank2", limit: "credits", late: true },
];
const neverOpened = ["res:999:coins", "ghost:1"];
const badIds = ["", "has space", "tilde~x", "x".repeat(65), "日本"];

/** A copy with object keys in reverse order: the same body, spelled differently. */
function respell<T>(value: T): T {
  if (Array.isArray(value)) return value.map(respell) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, respell(v)])) as T;
  }
  return value;
}

class Generator {
  private idSeq = 0;
  private readonly history: TransferRequest[] = [];
  private readonly recent: TransferRequest[] = [];
  private readonly transferIds: string[] = [];
  private readonly recentTransferIds: string[] = [];
  private readonly holdIds: string[] = [];
  private readonly failedIds: string[] = [];

  constructor(
    private readonly rng: Random,
    private readonly model: Model,
  ) {}

  /** Remembers what a request turned into, so later requests can refer to it. */
  observe(r: TransferRequest, e: Expected): void {
    this.keep(this.history, r, historyLengthMax);
    this.recent.push(r);
    if (this.recent.length > batchSizeMaxFuzz) this.recent.shift();
    for (const w of e.writes) {
      this.keep(this.transferIds, w.id, historyLengthMax);
      this.recentTransferIds.push(w.id);
      if (this.recentTransferIds.length > 16) this.recentTransferIds.shift();
      if (w.status === "pending") this.keep(this.holdIds, w.id, historyLengthMax);
    }
    if (e.remembered) this.keep(this.failedIds, r.id, 1000);
  }

  private keep<T>(list: T[], x: T, max: number): void {
    if (list.length < max) list.push(x);
    else list[this.rng.int(0, max - 1)] = x;
  }

  next(nowMs: number): TransferRequest {
    const kinds = [
      () => this.transfer(),
      () => this.multiLeg(),
      () => this.hold(),
      () => this.capture(),
      () => this.voidHold(),
      () => this.sweep(nowMs),
      () => this.reversal(),
      () => this.replay(),
      () => this.reuse(),
      () => this.invalid(),
    ];
    const kind = kinds[this.rng.weighted([27, 10, 10, 13, 5, 5, 8, 8, 4, 6])]!;
    return kind();
  }

  private newId(): string {
    this.idSeq += 1;
    return `${this.rng.pick(["pay", "chg", "bus.tap", "rf:x", "P2P_"])}-${this.idSeq}`;
  }

  private accountId(): string {
    if (this.rng.chance(0.03)) return this.rng.pick(neverOpened);
    return this.rng.pick(accountPlan).id;
  }

  private amount(from: string, to: string): bigint {
    if (this.rng.chance(0.01)) return amountMaxDefault;
    const room = this.model.headroom(from, to);
    if (room === null) return this.rng.bigint(1n, 5000n);
    if (room >= 1n && this.rng.chance(0.75)) return this.rng.bigint(1n, room < 20_000n ? room : 20_000n);
    return (room > 0n ? room : 0n) + this.rng.bigint(1n, 1000n);
  }

  private leg(): Leg {
    const from = this.accountId();
    let to = this.accountId();
    while (to === from) to = this.accountId();
    return { from, to, amount: this.amount(from, to) };
  }

  private transfer(): TransferRequest {
    const r: TransferRequest = { op: "transfer", id: this.newId(), legs: [this.leg()] };
    if (this.rng.chance(0.3)) r.code = this.rng.pick(["payment", "charge", "grant", "p2p"]);
    if (this.rng.chance(0.1)) r.metadata = { note: `n${this.rng.int(0, 9)}`, nested: { a: 1, b: [1, 2] } };
    return r;
  }

  private multiLeg(): TransferRequest {
    const count = this.rng.chance(0.05) ? legsMax + 1 : this.rng.int(2, legsMax);
    const shape = this.rng.next();
    if (shape < 0.35) {
      // A payment: a point lot then coins, to one merchant (the spend order's shape).
      const rid = this.rng.int(1, 2);
      const merchant = this.rng.pick(["mer:1", "mer:2", "mer:bus"]);
      const legs = [`res:${rid}:pts:spring`, `res:${rid}:coins`].map((from) => ({ from, to: merchant, amount: this.amount(from, merchant) / 2n + 1n }));
      return { op: "transfer", id: this.newId(), legs, code: "payment" };
    }
    if (shape < 0.6) {
      // A grant or a settlement run: many legs that each fit, though together they may not.
      const from = this.rng.pick(["fund:city", "cmp:spring:budget", "mer:1", "payout:pending"]);
      const legs = Array.from({ length: count }, () => {
        let to = this.accountId();
        while (to === from) to = this.accountId();
        return { from, to, amount: this.amount(from, to) / BigInt(count) + 1n };
      });
      return { op: "transfer", id: this.newId(), legs, code: "grant" };
    }
    return { op: "transfer", id: this.newId(), legs: Array.from({ length: count }, () => this.leg()) };
  }

  private hold(): TransferRequest {
    const from = this.rng.chance(0.8) ? `res:${this.rng.int(1, 6)}:coins` : this.accountId();
    let to = this.rng.chance(0.6) ? "mer:bus" : this.accountId();
    while (to === from) to = this.accountId();
    const timeoutSeconds = this.rng.chance(0.8) ? this.rng.int(1, 300) : this.rng.chance(0.75) ? this.rng.int(300, 3600) : this.rng.int(1, holdTimeoutSecondsMax);
    return { op: "transfer", id: this.newId(), legs: [{ from, to, amount: this.amount(from, to) }], pending: { timeoutSeconds } };
  }

  /** The soonest timeout after `nowMs` among recent open holds, if any. */
  nextTimeoutMs(nowMs: number): number | null {
    let next: number | null = null;
    for (const id of this.holdIds.slice(-64)) {
      const h = this.model.holds.get(id);
      if (h?.state === "open" && h.dueMs > nowMs && (next === null || h.dueMs < next)) next = h.dueMs;
    }
    return next;
  }

  /** Mostly an open hold, sometimes a closed one, a plain transfer or nothing at all. */
  private holdTarget(): string {
    const open = [...this.recentTransferIds, ...this.holdIds.slice(-64)].filter((id) => this.model.holds.get(id)?.state === "open");
    const r = this.rng.next();
    if (r < 0.75 && open.length > 0) return this.rng.pick(open);
    if (r < 0.85 && this.holdIds.length > 0) return this.rng.pick(this.holdIds);
    if (r < 0.95 && this.transferIds.length > 0) return this.rng.pick(this.transferIds);
    return "hold-never-made";
  }

  private capture(): TransferRequest {
    const holdId = this.holdTarget();
    const hold = this.model.holds.get(holdId);
    const left = hold ? hold.amount - hold.captured : 0n;
    const r = this.rng.next();
    const amount =
      left < 1n
        ? this.rng.bigint(1n, 100n)
        : r < 0.45
          ? this.rng.bigint(1n, left)
          : r < 0.7
            ? left
            : r < 0.85
              ? left + this.rng.bigint(1n, 100n)
              : this.rng.bigint(1n, 5n);
    return { op: "capture", id: this.newId(), holdId, amount };
  }

  private voidHold(): TransferRequest {
    return { op: "void", id: this.newId(), holdId: this.holdTarget(), ...(this.rng.chance(0.2) ? { metadata: { reason: "renewal" } } : {}) };
  }

  /** What the sweeper sends: mostly holds that are due, sometimes one that is not (yet). */
  private sweep(nowMs: number): TransferRequest {
    const due = this.holdIds.slice(-256).filter((id) => {
      const h = this.model.holds.get(id);
      return h?.state === "open" && nowMs >= h.dueMs;
    });
    const holdId = due.length > 0 && this.rng.chance(0.7) ? this.rng.pick(due) : this.holdTarget();
    return { op: "expire", id: `${holdId}~expired`, holdId };
  }

  private reversal(): TransferRequest {
    const r = this.rng.next();
    const reversalOf =
      r < 0.35 && this.recentTransferIds.length > 0
        ? this.rng.pick(this.recentTransferIds)
        : r < 0.8 && this.transferIds.length > 0
          ? this.rng.pick(this.transferIds)
          : r < 0.9 && this.failedIds.length > 0
            ? this.rng.pick(this.failedIds)
            : "never-happened";
    return { op: "reversal", id: this.newId(), reversalOf, ...(this.rng.chance(0.3) ? { code: "refund" } : {}) };
  }

  /** The same request again (a client retry), keys possibly in another order. */
  private replay(): TransferRequest {
    if (this.history.length === 0) return this.transfer();
    const original = this.rng.chance(0.4) && this.recent.length > 0 ? this.rng.pick(this.recent) : this.rng.pick(this.history);
    return this.rng.chance(0.5) ? respell(original) : original;
  }

  /** An earlier id with another body. */
  private reuse(): TransferRequest {
    if (this.history.length === 0) return this.transfer();
    const id = (this.rng.chance(0.4) && this.recent.length > 0 ? this.rng.pick(this.recent) : this.rng.pick(this.history)).id;
    const fresh = this.rng.pick([() => this.transfer(), () => this.hold(), () => this.capture(), () => this.voidHold(), () => this.reversal()])();
    return { ...fresh, id };
  }

  /** A request wrong on its own, in one to three ways at once (so precedence is exercised). */
  private invalid(): TransferRequest {
    const base = this.rng.pick([() => this.transfer(), () => this.multiLeg(), () => this.hold(), () => this.capture(), () => this.reversal(), () => this.voidHold(), () => this.sweep(0)])();
    const r = structuredClone(base);
    const defects = this.rng.int(1, 3);
    for (let i = 0; i < defects; i++) this.spoil(r);
    return r;
  }

  private spoil(r: TransferRequest): void {
    const pick = this.rng.int(0, 9);
    if (pick === 0) return void (r.id = this.rng.pick(badIds));
    switch (r.op) {
      case "transfer": {
        const leg = this.rng.pick(r.legs.length > 0 ? r.legs : [{ from: "fund:city", to: "mer:1", amount: 1n }]);
        if (pick === 1) r.code = this.rng.pick(["Payment", "", "x".repeat(33), "a b"]);
        else if (pick === 2) r.legs = [];
        else if (pick === 3) r.legs = Array.from({ length: legsMax + 1 + this.rng.int(0, 3) }, () => this.leg());
        else if (pick === 4) r.pending = { timeoutSeconds: 60 };
        else if (pick === 5) r.pending = { timeoutSeconds: this.rng.pick([0, -1, 1.5, holdTimeoutSecondsMax + 1, Number.NaN]) };
        else if (pick === 6) leg[this.rng.chance(0.5) ? "from" : "to"] = this.rng.pick(badIds);
        else if (pick === 7) leg.amount = this.rng.pick([0n, -1n, -500n, amountMaxDefault + 1n]);
        else if (pick === 8) leg.to = leg.from;
        else r.legs.push({ from: "fund:city", to: "fund:city", amount: 0n });
        return;
      }
      case "reversal":
        if (pick < 5) r.code = this.rng.pick(["REFUND", ""]);
        else r.reversalOf = this.rng.pick(badIds);
        return;
      case "capture":
        if (pick < 5) r.amount = this.rng.pick([0n, -3n, amountMaxDefault + 1n]);
        else r.holdId = this.rng.pick(badIds);
        return;
      case "void":
        r.holdId = this.rng.pick(badIds);
        return;
      case "expire":
        if (pick < 5) r.holdId = this.rng.pick(badIds);
        else r.id = `${this.holdTarget()}~expired`;
        return;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Checks.

function show(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));
}

function legsKey(legs: readonly Leg[]): string {
  return legs.map((l) => `${l.from}>${l.to}:${l.amount}`).join(",");
}

/** The entries a transfer must produce, as sorted (account, side, phase, amount) lines. */
function expectedEntryLines(w: ExpectedWrite): string[] {
  const phasesByOp: Array<Entry["phase"]> =
    w.status === "pending" ? ["pending"] : w.op === "capture" ? ["release", "posted"] : w.op === "void" || w.op === "expire" ? ["release"] : ["posted"];
  const lines: string[] = [];
  for (const phase of phasesByOp) {
    for (const l of w.legs) lines.push(`${l.from}|debit|${phase}|${l.amount}`, `${l.to}|credit|${phase}|${l.amount}`);
  }
  return lines.sort();
}

function totalsOf(a: { debitsPosted: bigint; creditsPosted: bigint; debitsPending: bigint; creditsPending: bigint }): string {
  return `dp=${a.debitsPosted} cp=${a.creditsPosted} dpend=${a.debitsPending} cpend=${a.creditsPending}`;
}

function modelTotals(a: ModelAccount): string {
  return `dp=${a.dp} cp=${a.cp} dpend=${a.dpend} cpend=${a.cpend}`;
}

const holdStatusOf: Record<HoldState, string> = { open: "pending", captured: "posted", voided: "voided", expired: "expired" };

class Run {
  readonly rng = new Random(seed);
  readonly model = new Model();
  readonly ledger = new MemoryLedger();
  readonly generator = new Generator(this.rng, this.model);
  readonly codeCounts = new Map<string, number>();
  nowMs = startMs;
  batch = 0;
  ops = 0;
  fullChecks = 0;
  private nextFullCheckBatch = fullCheckEveryBatches;
  private readonly late: string[] = [];

  constructor() {
    for (const a of accountPlan) {
      this.model.addAccount(a.id, a.limit, !a.late);
      if (a.late) this.late.push(a.id);
      else this.ledger.createAccount(a.id, a.limit, new Date(startMs));
    }
  }

  fail(message: string): never {
    throw new Error(`[FUZZ_SEED=${seed} batch ${this.batch}, after ${this.ops} ops] ${message}`);
  }

  check(condition: boolean, message: () => string): void {
    if (!condition) this.fail(message());
  }

  step(): void {
    this.advanceTime();
    if (this.late.length > 0 && this.rng.chance(0.01)) {
      const id = this.late.shift()!;
      this.model.accounts.get(id)!.exists = true;
      this.ledger.createAccount(id, this.model.accounts.get(id)!.limit, new Date(this.nowMs));
    }
    const size = Math.min(this.rng.int(1, batchSizeMaxFuzz), opsTotal - this.ops);
    this.model.touchedAccounts.clear();
    this.model.touchedHolds.clear();
    const requests: TransferRequest[] = [];
    const expected: Expected[] = [];
    for (let i = 0; i < size; i++) {
      const r = this.generator.next(this.nowMs);
      const e = this.model.apply(r, this.nowMs);
      this.generator.observe(r, e);
      requests.push(r);
      expected.push(e);
      const label = e.ok ? (e.replayed ? "ok (replayed)" : "ok") : e.replayed ? `${e.code} (replayed)` : e.code!;
      this.codeCounts.set(label, (this.codeCounts.get(label) ?? 0) + 1);
      if (e.writes.some((w) => w.id.endsWith("~expired"))) this.codeCounts.set("lazy expiry", (this.codeCounts.get("lazy expiry") ?? 0) + 1);
      if (e.ok && !e.replayed && r.op === "expire") this.codeCounts.set("swept", (this.codeCounts.get("swept") ?? 0) + 1);
      if ((r.op === "capture" || r.op === "void" || r.op === "expire") && this.model.holds.get(r.holdId)?.dueMs === this.nowMs) {
        this.codeCounts.set("at the timeout", (this.codeCounts.get("at the timeout") ?? 0) + 1);
      }
      if (e.ok && !e.replayed && r.op === "transfer" && r.legs.length >= 3) this.codeCounts.set("ok ≥3 legs", (this.codeCounts.get("ok ≥3 legs") ?? 0) + 1);
    }
    let plan: BatchPlan;
    try {
      plan = planBatch(this.ledger.load(requests), requests, new Date(this.nowMs));
    } catch (error) {
      this.fail(`the planner crashed on ${show(requests)}: ${(error as Error).stack ?? String(error)}`);
    }
    this.compareResults(requests, expected, plan);
    this.compareWrites(expected, plan);
    try {
      this.ledger.apply(plan);
    } catch (error) {
      this.fail(`writing the plan: ${(error as Error).message}`);
    }
    this.compareState(plan);
    this.ops += size;
    this.batch += 1;
    if (this.batch >= this.nextFullCheckBatch || this.ops >= opsTotal) {
      this.fullCheck();
      this.nextFullCheckBatch = this.batch + Math.max(fullCheckEveryBatches, Math.floor(this.batch / 4));
    }
  }

  /** Mostly whole seconds, so a batch often lands exactly on a hold's timeout; sometimes a stray millisecond. */
  private advanceTime(): void {
    if (this.rng.chance(0.15)) {
      // Land exactly on the next timeout of a recent hold: the boundary is where off-by-one bugs live.
      const next = this.generator.nextTimeoutMs(this.nowMs);
      if (next !== null && next - this.nowMs <= 600_000) return void (this.nowMs = next);
    }
    const r = this.rng.next();
    const seconds = r < 0.3 ? 0 : r < 0.75 ? this.rng.int(1, 5) : r < 0.97 ? this.rng.int(5, 120) : this.rng.int(100, 4000);
    this.nowMs += seconds * 1000 + (this.rng.chance(0.05) ? this.rng.int(1, 999) : 0);
  }

  private compareResults(requests: TransferRequest[], expected: Expected[], plan: BatchPlan): void {
    this.check(plan.results.length === requests.length, () => `${plan.results.length} results for ${requests.length} requests`);
    requests.forEach((r, i) => {
      const got = plan.results[i]!;
      const want = expected[i]!;
      const where = () => `request #${i} ${show(r)}`;
      const gotCode = got.ok ? "ok" : got.code;
      const wantCode = want.ok ? "ok" : want.code;
      this.check(gotCode === wantCode, () => `${where()}: planner says ${gotCode}${got.ok ? "" : ` (${got.detail})`}, model says ${wantCode}`);
      this.check(got.replayed === want.replayed, () => `${where()}: replayed ${got.replayed}, model says ${want.replayed}`);
      if (got.ok) {
        this.check(got.transfer.id === r.id, () => `${where()}: result is transfer ${got.transfer.id}`);
        if (got.replayed) this.check(got.entries.length === 0, () => `${where()}: a replay returned entries`);
      }
    });
  }

  /** Exactly the model's transfers are written, with the model's legs; rejected requests write nothing else. */
  private compareWrites(expected: Expected[], plan: BatchPlan): void {
    const writes = expected.flatMap((e) => e.writes);
    this.check(
      plan.transfers.length === writes.length && plan.transfers.every((t, i) => t.id === writes[i]!.id),
      () => `transfers written ${show(plan.transfers.map((t) => t.id))}, model expects ${show(writes.map((w) => w.id))}`,
    );
    const remembered = expected.flatMap((e, i) => (e.remembered ? [i] : []));
    this.check(plan.rejections.length === remembered.length, () => `${plan.rejections.length} rejections written, model expects ${remembered.length}`);
    const linesByTransfer = new Map<string, string[]>();
    for (const e of plan.entries) {
      const lines = linesByTransfer.get(e.transferId);
      this.check(lines !== undefined || plan.transfers.some((t) => t.id === e.transferId), () => `entry for ${e.transferId}, which this batch did not write`);
      if (lines) lines.push(`${e.accountId}|${e.side}|${e.phase}|${e.amount}`);
      else linesByTransfer.set(e.transferId, [`${e.accountId}|${e.side}|${e.phase}|${e.amount}`]);
    }
    plan.transfers.forEach((t, i) => {
      const w = writes[i]!;
      this.check(t.op === w.op && t.status === w.status, () => `transfer ${t.id} is ${t.op}/${t.status}, model expects ${w.op}/${w.status}`);
      this.check(legsKey(t.legs) === legsKey(w.legs), () => `transfer ${t.id} legs ${legsKey(t.legs)}, model expects ${legsKey(w.legs)}`);
      this.check(t.holdId === w.holdId && t.reversalOf === w.reversalOf, () => `transfer ${t.id} refers to hold ${t.holdId} / original ${t.reversalOf}, model expects ${w.holdId} / ${w.reversalOf}`);
      const got = (linesByTransfer.get(t.id) ?? []).sort().join("\n");
      const want = expectedEntryLines(w).join("\n");
      this.check(got === want, () => `entries of ${t.id}:\n${got}\nmodel expects:\n${want}`);
    });
  }

  /** After the batch: what changed agrees with the model, with the entries, and with the limits. */
  private compareState(plan: BatchPlan): void {
    const sums = this.ledger.journal.sums;
    this.check(sums.debitsPosted === sums.creditsPosted, () => `Σ posted debits ${sums.debitsPosted} ≠ Σ posted credits ${sums.creditsPosted}`);
    this.check(sums.debitsPending === sums.creditsPending, () => `Σ pending debits ${sums.debitsPending} ≠ Σ pending credits ${sums.creditsPending}`);
    const accountIds = new Set([...plan.accounts.map((a) => a.id), ...this.model.touchedAccounts]);
    for (const id of accountIds) this.compareAccount(id, this.ledger.journal.running.get(id));
    const holdIds = new Set([...plan.holds.map((h) => h.id), ...this.model.touchedHolds]);
    for (const id of holdIds) this.compareHold(id);
  }

  private compareAccount(id: string, derived: Totals | undefined): void {
    const stored = this.ledger.accounts.get(id);
    const model = this.model.accounts.get(id);
    if (!stored || !model) return this.fail(`account ${id}: stored ${!!stored}, in model ${!!model}`);
    const fromEntries = derived ?? { debitsPosted: 0n, creditsPosted: 0n, debitsPending: 0n, creditsPending: 0n, seq: 0 };
    this.check(totalsOf(stored) === modelTotals(model), () => `account ${id}: stored ${totalsOf(stored)}, model ${modelTotals(model)}`);
    this.check(totalsOf(stored) === totalsOf(fromEntries), () => `account ${id}: stored ${totalsOf(stored)}, entries sum to ${totalsOf(fromEntries)}`);
    this.check(stored.entrySeq === fromEntries.seq, () => `account ${id}: entry_seq ${stored.entrySeq}, ${fromEntries.seq} entries`);
    if (stored.flags.debitsMustNotExceedCredits) {
      this.check(stored.debitsPosted + stored.debitsPending <= stored.creditsPosted, () => `account ${id} over its debit limit: ${totalsOf(stored)}`);
    }
    if (stored.flags.creditsMustNotExceedDebits) {
      this.check(stored.creditsPosted + stored.creditsPending <= stored.debitsPosted, () => `account ${id} over its credit limit: ${totalsOf(stored)}`);
    }
  }

  private compareHold(id: string): void {
    const stored = this.ledger.holds.get(id);
    const model = this.model.holds.get(id);
    if (!stored || !model) return this.fail(`hold ${id}: stored ${!!stored}, in model ${!!model}`);
    const got = `${stored.from}>${stored.to} ${stored.amount} captured ${stored.captured} ${stored.status} until ${stored.timeoutAt.getTime()}`;
    const want = `${model.from}>${model.to} ${model.amount} captured ${model.captured} ${holdStatusOf[model.state]} until ${model.dueMs}`;
    this.check(got === want, () => `hold ${id}: stored ${got}, model ${want}`);
  }

  /** What the audit does: recompute everything from the journal and compare with every row and the model. */
  fullCheck(): void {
    this.fullChecks += 1;
    const { perAccount, sums } = this.ledger.journal.recompute();
    const running = this.ledger.journal.sums;
    this.check(totalsOf(sums) === totalsOf(running), () => `journal sums ${totalsOf(sums)}, running sums ${totalsOf(running)}`);
    this.check(sums.debitsPosted === sums.creditsPosted && sums.debitsPending === sums.creditsPending, () => `journal unbalanced: ${totalsOf(sums)}`);
    for (const [id, model] of this.model.accounts) {
      if (model.exists) this.compareAccount(id, perAccount.get(id));
      else this.check(!this.ledger.accounts.has(id), () => `account ${id} exists in the store only`);
    }
    this.check(this.ledger.accounts.size === [...this.model.accounts.values()].filter((a) => a.exists).length, () => "account count differs");
    for (const id of this.model.holds.keys()) this.compareHold(id);
    this.check(this.ledger.holds.size === this.model.holds.size, () => `${this.ledger.holds.size} holds stored, model has ${this.model.holds.size}`);
    this.check(this.ledger.transfers.size === this.model.transfers.size, () => `${this.ledger.transfers.size} transfers stored, model has ${this.model.transfers.size}`);
    this.check(this.ledger.rejections.size === this.model.failuresRemembered, () => `${this.ledger.rejections.size} rejections stored, model has ${this.model.failuresRemembered}`);
  }
}

/** Codes every default run must have produced, or the generator has stopped exercising something. */
const codesExpected = [
  "ok",
  "ok (replayed)",
  "id_reused",
  "invalid_id",
  "invalid_code",
  "invalid_legs",
  "too_many_legs",
  "hold_multi_leg",
  "invalid_timeout",
  "invalid_amount",
  "same_account",
  "account_not_found",
  "transfer_not_found",
  "not_reversible",
  "already_reversed",
  "hold_not_found",
  "hold_expired",
  "hold_closed",
  "hold_exceeded",
  "exceeds_balance",
  "exceeds_debits",
  "exceeds_balance (replayed)",
  "lazy expiry",
  "swept",
  "ok ≥3 legs",
  "at the timeout",
];

test(`${opsTotal} random operations agree with the reference model and keep every invariant`, () => {
  console.log(`ledger model test: FUZZ_SEED=${seed} FUZZ_OPS=${opsTotal}`);
  const started = performance.now();
  const run = new Run();
  while (run.ops < opsTotal) run.step();
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  const counts = [...run.codeCounts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`);
  console.log(`ledger model test: ${run.ops} ops in ${run.batch} batches, ${run.ledger.journal.length} entries, ${run.fullChecks} full recomputations, ${seconds}s\n  ${counts.join(" ")}`);
  if (opsTotal >= 10_000) {
    const missing = codesExpected.filter((c) => !run.codeCounts.has(c));
    expect(missing, `FUZZ_SEED=${seed}: outcomes never produced`).toEqual([]);
  }
});
