// What the planner decides, told as an operator would see it: money moves between named accounts, holds reserve
// and are captured or released, retries are safe, corrections are reversals. Each batch goes through
// MemoryLedger, which loads only what the batch touches, as the store does.
import { describe, expect, test } from "vitest";
import {
  expiryTransferId,
  planBatch,
  emptyPlanState,
  stateCodePrecedence,
  type Entry,
  type Leg,
  type TransferRequest,
  type TransferResult,
} from "../src/index";
import { MemoryLedger } from "./memory-ledger";

const t0 = new Date("2025-04-01T09:00:00.000Z");
const at = (seconds: number): Date => new Date(t0.getTime() + seconds * 1000);

/** A small town: the city's fund, two residents, a shop, the bus, and a payout account that only pays out. */
function town(): MemoryLedger {
  const ledger = new MemoryLedger();
  ledger.createAccount("fund:city", null, t0);
  ledger.createAccount("fee:operator", null, t0);
  ledger.createAccount("res:1:coins", "debits", t0);
  ledger.createAccount("res:1:pts:spring", "debits", t0);
  ledger.createAccount("res:2:coins", "debits", t0);
  ledger.createAccount("mer:1", "debits", t0);
  ledger.createAccount("mer:bus", "debits", t0);
  ledger.createAccount("payout:pending", "credits", t0);
  return ledger;
}

function move(id: string, legs: Array<[string, string, bigint]>, extra: Partial<Extract<TransferRequest, { op: "transfer" }>> = {}): TransferRequest {
  return { op: "transfer", id, legs: legs.map(([from, to, amount]) => ({ from, to, amount })), ...extra };
}

function hold(id: string, from: string, to: string, amount: bigint, timeoutSeconds: number): TransferRequest {
  return { op: "transfer", id, legs: [{ from, to, amount }], pending: { timeoutSeconds } };
}

/** Submits one request in its own batch and returns its result. */
function submit(ledger: MemoryLedger, request: TransferRequest, now: Date = t0): TransferResult {
  const result = ledger.submit([request], now).results[0];
  if (!result) throw new Error("no result");
  return result;
}

function codeOf(result: TransferResult): string {
  return result.ok ? "ok" : result.code;
}

function totals(ledger: MemoryLedger, id: string): Record<string, bigint> {
  const a = ledger.accounts.get(id);
  if (!a) throw new Error(`no account ${id}`);
  return { debitsPosted: a.debitsPosted, creditsPosted: a.creditsPosted, debitsPending: a.debitsPending, creditsPending: a.creditsPending };
}

function balance(ledger: MemoryLedger, id: string): bigint {
  const a = ledger.accounts.get(id)!;
  return a.creditsPosted - a.debitsPosted;
}

function entry(accountId: string, transferId: string, seq: number, side: Entry["side"], phase: Entry["phase"], amount: bigint, after: [bigint, bigint, bigint], timestamp: Date = t0): Entry {
  const [balanceAfter, debitsPendingAfter, creditsPendingAfter] = after;
  return { accountId, transferId, seq, side, phase, amount, balanceAfter, debitsPendingAfter, creditsPendingAfter, timestamp };
}

/** Σdebits and Σcredits of some entries, per phase. */
function sides(entries: readonly Entry[]): Record<Entry["phase"], { debit: bigint; credit: bigint }> {
  const out = { posted: { debit: 0n, credit: 0n }, pending: { debit: 0n, credit: 0n }, release: { debit: 0n, credit: 0n } };
  for (const e of entries) out[e.phase][e.side] += e.amount;
  return out;
}

describe("transfers", () => {
  test("a charge moves yen from the city's fund to a resident's coins, one entry on each account", () => {
    const ledger = town();
    const result = submit(ledger, move("chg-1", [["fund:city", "res:1:coins", 1000n]], { code: "charge" }));
    expect(result.ok && result.transfer).toMatchObject({ id: "chg-1", op: "transfer", status: "posted", code: "charge", holdId: null, reversalOf: null, timeoutAt: null, timestamp: t0 });
    expect(result.ok && result.entries).toEqual([
      entry("fund:city", "chg-1", 1, "debit", "posted", 1000n, [-1000n, 0n, 0n]),
      entry("res:1:coins", "chg-1", 1, "credit", "posted", 1000n, [1000n, 0n, 0n]),
    ]);
    expect(totals(ledger, "res:1:coins")).toEqual({ debitsPosted: 0n, creditsPosted: 1000n, debitsPending: 0n, creditsPending: 0n });
    expect(totals(ledger, "fund:city")).toEqual({ debitsPosted: 1000n, creditsPosted: 0n, debitsPending: 0n, creditsPending: 0n });
    expect(ledger.accounts.get("res:1:coins")!.entrySeq).toBe(1);
  });

  test("a payment takes points then coins to one shop in one transfer; every leg gets its entries in order", () => {
    const ledger = town();
    submit(ledger, move("chg-1", [["fund:city", "res:1:coins", 1000n], ["fund:city", "res:1:pts:spring", 300n]]));
    const plan = ledger.submit([move("pay-1", [["res:1:pts:spring", "mer:1", 300n], ["res:1:coins", "mer:1", 200n]], { code: "payment" })], at(5));
    expect(plan.results.map(codeOf)).toEqual(["ok"]);
    expect(plan.entries).toEqual([
      entry("res:1:pts:spring", "pay-1", 2, "debit", "posted", 300n, [0n, 0n, 0n], at(5)),
      entry("mer:1", "pay-1", 1, "credit", "posted", 300n, [300n, 0n, 0n], at(5)),
      entry("res:1:coins", "pay-1", 2, "debit", "posted", 200n, [800n, 0n, 0n], at(5)),
      entry("mer:1", "pay-1", 2, "credit", "posted", 200n, [500n, 0n, 0n], at(5)),
    ]);
    expect(plan.accounts.map((a) => a.id).sort()).toEqual(["mer:1", "res:1:coins", "res:1:pts:spring"]);
    expect(balance(ledger, "mer:1")).toBe(500n);
    expect(sides(plan.entries).posted).toEqual({ debit: 500n, credit: 500n });
  });

  test("Σdebits = Σcredits over everything written, posted and pending", () => {
    const ledger = town();
    const requests: TransferRequest[] = [
      move("chg-1", [["fund:city", "res:1:coins", 5000n], ["fund:city", "res:2:coins", 700n]]),
      move("pay-1", [["res:1:coins", "mer:1", 1200n], ["res:2:coins", "mer:1", 300n]]),
      hold("bus-1", "res:1:coins", "mer:bus", 1000n, 3600),
      { op: "capture", id: "tap-1", holdId: "bus-1", amount: 230n },
      { op: "reversal", id: "rf-1", reversalOf: "pay-1" },
    ];
    const plan = ledger.submit(requests, t0);
    expect(plan.results.map(codeOf)).toEqual(["ok", "ok", "ok", "ok", "ok"]);
    expect(sides(plan.entries)).toEqual({
      posted: { debit: 5700n + 1500n + 230n + 1500n, credit: 5700n + 1500n + 230n + 1500n },
      pending: { debit: 1000n, credit: 1000n },
      release: { debit: 230n, credit: 230n },
    });
  });

  test("a transfer is all or nothing: when one leg cannot be paid, no leg moves", () => {
    const ledger = town();
    submit(ledger, move("chg-1", [["fund:city", "res:1:coins", 1000n]]));
    const plan = ledger.submit([move("pay-1", [["res:1:coins", "mer:1", 500n], ["res:2:coins", "mer:1", 1n]])], t0);
    expect(plan.results.map(codeOf)).toEqual(["exceeds_balance"]);
    expect(plan.transfers).toEqual([]);
    expect(plan.entries).toEqual([]);
    expect(plan.accounts).toEqual([]);
    expect(balance(ledger, "res:1:coins")).toBe(1000n);
    expect(balance(ledger, "mer:1")).toBe(0n);
  });

  test("limits apply to a transfer as a whole: money may pass through an empty account within one transfer", () => {
    const ledger = town();
    submit(ledger, move("chg-1", [["fund:city", "res:1:coins", 100n]]));
    const result = submit(ledger, move("p2p-1", [["res:1:coins", "res:2:coins", 100n], ["res:2:coins", "mer:1", 100n]]));
    expect(codeOf(result)).toBe("ok");
    expect([balance(ledger, "res:1:coins"), balance(ledger, "res:2:coins"), balance(ledger, "mer:1")]).toEqual([0n, 0n, 100n]);
  });

  test("requests in one batch are decided in order, each seeing the ones before it", () => {
    const ledger = town();
    const plan = ledger.submit(
      [
        move("pay-1", [["res:1:coins", "mer:1", 600n]]),
        move("chg-1", [["fund:city", "res:1:coins", 1000n]]),
        move("pay-2", [["res:1:coins", "mer:1", 600n]]),
        move("pay-3", [["res:1:coins", "mer:1", 600n]]),
        move("pay-4", [["res:1:coins", "mer:1", 400n]]),
      ],
      t0,
    );
    expect(plan.results.map(codeOf)).toEqual(["exceeds_balance", "ok", "ok", "exceeds_balance", "ok"]);
    expect(plan.rejections.map((r) => [r.id, r.code])).toEqual([["pay-1", "exceeds_balance"], ["pay-3", "exceeds_balance"]]);
    expect(balance(ledger, "res:1:coins")).toBe(0n);
    expect(ledger.accounts.get("res:1:coins")!.entrySeq).toBe(3);
  });
});

describe("account limits and state codes in their documented order", () => {
  test("a debit-limited account can spend exactly its balance, not one yen more", () => {
    const ledger = town();
    submit(ledger, move("chg-1", [["fund:city", "res:1:coins", 1000n]]));
    expect(codeOf(submit(ledger, move("pay-1", [["res:1:coins", "mer:1", 1001n]])))).toBe("exceeds_balance");
    expect(codeOf(submit(ledger, move("pay-2", [["res:1:coins", "mer:1", 1000n]])))).toBe("ok");
    expect(balance(ledger, "res:1:coins")).toBe(0n);
  });

  test("an account without flags may go below zero (the city's fund)", () => {
    const ledger = town();
    submit(ledger, move("chg-1", [["fund:city", "res:1:coins", 1_000_000_000_000n]]));
    expect(balance(ledger, "fund:city")).toBe(-1_000_000_000_000n);
  });

  test("a credit-limited account takes credits only up to its debits", () => {
    const ledger = town();
    expect(codeOf(submit(ledger, move("po-0", [["mer:1", "payout:pending", 1n]])))).toBe("exceeds_balance");
    submit(ledger, move("chg-1", [["fund:city", "mer:1", 1000n]]));
    expect(codeOf(submit(ledger, move("po-1", [["mer:1", "payout:pending", 1n]])))).toBe("exceeds_debits");
    submit(ledger, move("clr-1", [["payout:pending", "fund:city", 300n]]));
    expect(codeOf(submit(ledger, move("po-2", [["mer:1", "payout:pending", 301n]])))).toBe("exceeds_debits");
    expect(codeOf(submit(ledger, move("po-3", [["mer:1", "payout:pending", 300n]])))).toBe("ok");
    expect(totals(ledger, "payout:pending")).toEqual({ debitsPosted: 300n, creditsPosted: 300n, debitsPending: 0n, creditsPending: 0n });
  });

  test("account_not_found comes before exceeds_balance, whichever leg names the unknown account", () => {
    const ledger = town();
    expect(codeOf(submit(ledger, move("pay-1", [["res:1:coins", "mer:nobody", 5n]])))).toBe("account_not_found");
    expect(codeOf(submit(ledger, move("pay-2", [["res:1:coins", "mer:1", 5n], ["res:2:coins", "mer:nobody", 5n]])))).toBe("account_not_found");
    expect(codeOf(submit(ledger, move("pay-3", [["res:1:coins", "mer:1", 5n]])))).toBe("exceeds_balance");
  });

  test("exceeds_balance comes before exceeds_debits when one transfer breaks both limits", () => {
    const ledger = town();
    expect(codeOf(submit(ledger, move("po-1", [["fund:city", "payout:pending", 5n], ["res:1:coins", "mer:1", 5n]])))).toBe("exceeds_balance");
  });

  test("the state code order is the documented one", () => {
    expect(stateCodePrecedence).toEqual([
      "id_reused",
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
    ]);
  });
});

describe("holds", () => {
  function withAllowance(amount = 800n, timeoutSeconds = 3600): MemoryLedger {
    const ledger = town();
    submit(ledger, move("chg-1", [["fund:city", "res:1:coins", 1000n]]));
    expect(codeOf(submit(ledger, hold("bus-1", "res:1:coins", "mer:bus", amount, timeoutSeconds)))).toBe("ok");
    return ledger;
  }

  test("a hold reserves money: available = credits_posted − debits_posted − debits_pending", () => {
    const ledger = town();
    submit(ledger, move("chg-1", [["fund:city", "res:1:coins", 1000n]]));
    const result = submit(ledger, hold("bus-1", "res:1:coins", "mer:bus", 800n, 3600));
    expect(result.ok && result.transfer).toMatchObject({ id: "bus-1", status: "pending", timeoutAt: at(3600) });
    expect(result.ok && result.entries).toEqual([
      entry("res:1:coins", "bus-1", 2, "debit", "pending", 800n, [1000n, 800n, 0n]),
      entry("mer:bus", "bus-1", 1, "credit", "pending", 800n, [0n, 0n, 800n]),
    ]);
    expect(ledger.holds.get("bus-1")).toEqual({ id: "bus-1", from: "res:1:coins", to: "mer:bus", amount: 800n, captured: 0n, status: "pending", timeoutAt: at(3600) });
    expect(ledger.available("res:1:coins")).toBe(200n);
    expect(codeOf(submit(ledger, move("pay-1", [["res:1:coins", "mer:1", 201n]])))).toBe("exceeds_balance");
    expect(codeOf(submit(ledger, move("pay-2", [["res:1:coins", "mer:1", 200n]])))).toBe("ok");
    // Pending credits are not money the bus operator can spend.
    expect(codeOf(submit(ledger, move("po-1", [["mer:bus", "fund:city", 1n]])))).toBe("exceeds_balance");
  });

  test("a hold cannot reserve more than is available", () => {
    const ledger = town();
    submit(ledger, move("chg-1", [["fund:city", "res:1:coins", 1000n]]));
    expect(codeOf(submit(ledger, hold("bus-1", "res:1:coins", "mer:bus", 1001n, 60)))).toBe("exceeds_balance");
    expect(ledger.holds.has("bus-1")).toBe(false);
  });

  test("pending credits count against a credit-limited account", () => {
    const ledger = town();
    submit(ledger, move("clr-1", [["payout:pending", "fund:city", 100n]]));
    expect(codeOf(submit(ledger, hold("h-1", "fund:city", "payout:pending", 101n, 60)))).toBe("exceeds_debits");
    expect(codeOf(submit(ledger, hold("h-2", "fund:city", "payout:pending", 100n, 60)))).toBe("ok");
    expect(codeOf(submit(ledger, move("po-1", [["fund:city", "payout:pending", 1n]])))).toBe("exceeds_debits");
  });

  test("each tap captures part of the allowance until it is used; then the hold is closed", () => {
    const ledger = withAllowance();
    const tap1 = ledger.submit([{ op: "capture", id: "tap-1", holdId: "bus-1", amount: 300n }], at(10));
    expect(tap1.results.map(codeOf)).toEqual(["ok"]);
    expect(tap1.transfers[0]).toMatchObject({ id: "tap-1", op: "capture", status: "posted", holdId: "bus-1", legs: [{ from: "res:1:coins", to: "mer:bus", amount: 300n }] });
    expect(tap1.entries).toEqual([
      entry("res:1:coins", "tap-1", 3, "debit", "release", 300n, [1000n, 500n, 0n], at(10)),
      entry("mer:bus", "tap-1", 2, "credit", "release", 300n, [0n, 0n, 500n], at(10)),
      entry("res:1:coins", "tap-1", 4, "debit", "posted", 300n, [700n, 500n, 0n], at(10)),
      entry("mer:bus", "tap-1", 3, "credit", "posted", 300n, [300n, 0n, 500n], at(10)),
    ]);
    expect(ledger.holds.get("bus-1")).toMatchObject({ captured: 300n, status: "pending" });
    expect(ledger.available("res:1:coins")).toBe(200n);

    expect(codeOf(submit(ledger, { op: "capture", id: "tap-2", holdId: "bus-1", amount: 501n }, at(20)))).toBe("hold_exceeded");
    expect(codeOf(submit(ledger, { op: "capture", id: "tap-3", holdId: "bus-1", amount: 300n }, at(30)))).toBe("ok");
    expect(codeOf(submit(ledger, { op: "capture", id: "tap-4", holdId: "bus-1", amount: 200n }, at(40)))).toBe("ok");
    expect(ledger.holds.get("bus-1")).toMatchObject({ captured: 800n, status: "posted" });
    expect(codeOf(submit(ledger, { op: "capture", id: "tap-5", holdId: "bus-1", amount: 1n }, at(50)))).toBe("hold_closed");
    expect(codeOf(submit(ledger, { op: "void", id: "void-1", holdId: "bus-1" }, at(50)))).toBe("hold_closed");
    expect(totals(ledger, "res:1:coins")).toEqual({ debitsPosted: 800n, creditsPosted: 1000n, debitsPending: 0n, creditsPending: 0n });
    expect(totals(ledger, "mer:bus")).toEqual({ debitsPosted: 0n, creditsPosted: 800n, debitsPending: 0n, creditsPending: 0n });
  });

  test("a void releases what is left of the hold; the hold is then closed", () => {
    const ledger = withAllowance();
    submit(ledger, { op: "capture", id: "tap-1", holdId: "bus-1", amount: 300n }, at(10));
    const plan = ledger.submit([{ op: "void", id: "void-1", holdId: "bus-1", metadata: { reason: "renewal" } }], at(20));
    expect(plan.results.map(codeOf)).toEqual(["ok"]);
    expect(plan.transfers[0]).toMatchObject({ id: "void-1", op: "void", status: "voided", holdId: "bus-1", metadata: { reason: "renewal" }, legs: [{ from: "res:1:coins", to: "mer:bus", amount: 500n }] });
    expect(plan.entries.map((e) => [e.accountId, e.side, e.phase, e.amount])).toEqual([
      ["res:1:coins", "debit", "release", 500n],
      ["mer:bus", "credit", "release", 500n],
    ]);
    expect(ledger.holds.get("bus-1")).toMatchObject({ captured: 300n, status: "voided" });
    expect(ledger.available("res:1:coins")).toBe(700n);
    expect(codeOf(submit(ledger, { op: "void", id: "void-2", holdId: "bus-1" }, at(30)))).toBe("hold_closed");
    expect(codeOf(submit(ledger, { op: "capture", id: "tap-2", holdId: "bus-1", amount: 1n }, at(30)))).toBe("hold_closed");
  });

  test("a capture after the timeout gets hold_expired, and the same plan writes the expiry that releases the rest", () => {
    const ledger = withAllowance(800n, 60);
    expect(codeOf(submit(ledger, { op: "capture", id: "tap-1", holdId: "bus-1", amount: 300n }, at(59)))).toBe("ok");
    const plan = ledger.submit([{ op: "capture", id: "tap-2", holdId: "bus-1", amount: 100n }], at(60));
    expect(plan.results.map(codeOf)).toEqual(["hold_expired"]);
    expect(expiryTransferId("bus-1")).toBe("bus-1~expired");
    expect(plan.transfers).toHaveLength(1);
    expect(plan.transfers[0]).toMatchObject({ id: "bus-1~expired", op: "expire", status: "expired", holdId: "bus-1", legs: [{ from: "res:1:coins", to: "mer:bus", amount: 500n }] });
    expect(plan.entries.map((e) => [e.transferId, e.accountId, e.side, e.phase, e.amount])).toEqual([
      ["bus-1~expired", "res:1:coins", "debit", "release", 500n],
      ["bus-1~expired", "mer:bus", "credit", "release", 500n],
    ]);
    expect(plan.rejections.map((r) => [r.id, r.code])).toEqual([["tap-2", "hold_expired"]]);
    expect(ledger.holds.get("bus-1")).toMatchObject({ captured: 300n, status: "expired" });
    expect(ledger.available("res:1:coins")).toBe(700n);

    // Later requests are told the same, and nothing is written twice.
    const later = ledger.submit([{ op: "capture", id: "tap-3", holdId: "bus-1", amount: 1n }, { op: "void", id: "void-1", holdId: "bus-1" }], at(61));
    expect(later.results.map(codeOf)).toEqual(["hold_expired", "hold_expired"]);
    expect(later.transfers).toEqual([]);
  });

  test("a void after the timeout also gets hold_expired and writes the expiry", () => {
    const ledger = withAllowance(800n, 60);
    const plan = ledger.submit([{ op: "void", id: "void-1", holdId: "bus-1" }], at(3600));
    expect(plan.results.map(codeOf)).toEqual(["hold_expired"]);
    expect(plan.transfers.map((t) => [t.id, t.status])).toEqual([["bus-1~expired", "expired"]]);
    expect(ledger.available("res:1:coins")).toBe(1000n);
  });

  test("the sweeper's expire is refused before the timeout (and not remembered), then releases the hold", () => {
    const ledger = withAllowance(800n, 60);
    const expire: TransferRequest = { op: "expire", id: "bus-1~expired", holdId: "bus-1" };
    const early = ledger.submit([expire], at(59));
    expect(early.results.map(codeOf)).toEqual(["hold_closed"]);
    expect(early.rejections).toEqual([]);
    const due = ledger.submit([expire], at(60));
    expect(due.results.map(codeOf)).toEqual(["ok"]);
    expect(due.transfers[0]).toMatchObject({ id: "bus-1~expired", op: "expire", status: "expired", legs: [{ from: "res:1:coins", to: "mer:bus", amount: 800n }] });
    expect(ledger.holds.get("bus-1")?.status).toBe("expired");
    // A second sweeper pass is a replay; a late tap is told the hold expired.
    const again = ledger.submit([expire, { op: "capture", id: "tap-1", holdId: "bus-1", amount: 1n }], at(70));
    expect(again.results.map((r) => [codeOf(r), r.replayed])).toEqual([["ok", true], ["hold_expired", false]]);
    expect(again.transfers).toEqual([]);
  });

  test("the sweeper finds a hold a late capture already expired: it gets the same expiry back", () => {
    const ledger = withAllowance(800n, 60);
    submit(ledger, { op: "capture", id: "tap-1", holdId: "bus-1", amount: 1n }, at(100));
    const result = submit(ledger, { op: "expire", id: "bus-1~expired", holdId: "bus-1" }, at(101));
    expect(result.ok && result.replayed && result.transfer.id).toBe("bus-1~expired");
  });

  test("expire on a voided hold is hold_closed; on an unknown hold hold_not_found; with another id invalid_id", () => {
    const ledger = withAllowance(800n, 60);
    submit(ledger, { op: "void", id: "void-1", holdId: "bus-1" }, at(10));
    expect(codeOf(submit(ledger, { op: "expire", id: "bus-1~expired", holdId: "bus-1" }, at(100)))).toBe("hold_closed");
    expect(codeOf(submit(ledger, { op: "expire", id: "nope~expired", holdId: "nope" }, at(100)))).toBe("hold_not_found");
    expect(codeOf(submit(ledger, { op: "expire", id: "sweep-1", holdId: "bus-1" }, at(100)))).toBe("invalid_id");
  });

  test("capturing or voiding something that is not a hold is hold_not_found", () => {
    const ledger = town();
    submit(ledger, move("chg-1", [["fund:city", "res:1:coins", 1000n]]));
    expect(codeOf(submit(ledger, { op: "capture", id: "tap-1", holdId: "chg-1", amount: 1n }))).toBe("hold_not_found");
    expect(codeOf(submit(ledger, { op: "void", id: "void-1", holdId: "bus-404" }))).toBe("hold_not_found");
  });

  test("hold codes follow the documented order: expired before closed before exceeded", () => {
    const ledger = withAllowance(800n, 60);
    // Past the timeout, an over-large capture is told the hold expired, not that it is too large.
    expect(codeOf(submit(ledger, { op: "capture", id: "tap-1", holdId: "bus-1", amount: 5000n }, at(60)))).toBe("hold_expired");
    const ledger2 = withAllowance(800n, 60);
    submit(ledger2, { op: "void", id: "void-1", holdId: "bus-1" }, at(1));
    expect(codeOf(submit(ledger2, { op: "capture", id: "tap-1", holdId: "bus-1", amount: 5000n }, at(2)))).toBe("hold_closed");
  });

  test("a hold created earlier in the same batch can be captured and voided in that batch", () => {
    const ledger = town();
    submit(ledger, move("chg-1", [["fund:city", "res:1:coins", 1000n]]));
    const plan = ledger.submit(
      [
        hold("bus-1", "res:1:coins", "mer:bus", 500n, 60),
        { op: "capture", id: "tap-1", holdId: "bus-1", amount: 120n },
        { op: "void", id: "void-1", holdId: "bus-1" },
      ],
      t0,
    );
    expect(plan.results.map(codeOf)).toEqual(["ok", "ok", "ok"]);
    expect(plan.holds).toEqual([{ id: "bus-1", from: "res:1:coins", to: "mer:bus", amount: 500n, captured: 120n, status: "voided", timeoutAt: at(60) }]);
    expect(ledger.available("res:1:coins")).toBe(880n);
  });
});

describe("idempotency", () => {
  test("the same id with the same body returns the original transfer and writes nothing", () => {
    const ledger = town();
    const request = move("chg-1", [["fund:city", "res:1:coins", 1000n]], { code: "charge", metadata: { counter: "A", at: [1, 2] } });
    const first = submit(ledger, request);
    // Keys in another order are the same body.
    const retry: TransferRequest = { metadata: { at: [1, 2], counter: "A" }, legs: [{ amount: 1000n, to: "res:1:coins", from: "fund:city" }], code: "charge", id: "chg-1", op: "transfer" };
    const plan = ledger.submit([retry], at(30));
    expect(plan.results).toEqual([{ ok: true, transfer: first.ok && first.transfer, entries: [], replayed: true }]);
    expect([plan.transfers, plan.entries, plan.rejections, plan.accounts]).toEqual([[], [], [], []]);
    expect(balance(ledger, "res:1:coins")).toBe(1000n);
  });

  test("an id that failed stays failed, even after the money arrives", () => {
    const ledger = town();
    const payment = move("pay-1", [["res:2:coins", "mer:1", 500n]]);
    expect(codeOf(submit(ledger, payment))).toBe("exceeds_balance");
    submit(ledger, move("chg-1", [["fund:city", "res:2:coins", 1000n]]));
    const retry = submit(ledger, payment, at(60));
    expect(retry).toMatchObject({ ok: false, code: "exceeds_balance", replayed: true });
    expect(balance(ledger, "res:2:coins")).toBe(1000n);
    expect(codeOf(submit(ledger, { ...payment, id: "pay-2" }, at(61)))).toBe("ok");
  });

  test("the same id with another body is id_reused, and the original outcome stands", () => {
    const ledger = town();
    const charge = move("chg-1", [["fund:city", "res:1:coins", 1000n]]);
    submit(ledger, charge);
    const plan = ledger.submit([move("chg-1", [["fund:city", "res:1:coins", 1001n]]), move("chg-1", [["fund:city", "res:1:coins", 1000n]], { metadata: { note: "x" } }), { op: "capture", id: "chg-1", holdId: "chg-1", amount: 1n }], t0);
    expect(plan.results.map((r) => [codeOf(r), r.replayed])).toEqual([["id_reused", false], ["id_reused", false], ["id_reused", false]]);
    expect([plan.transfers, plan.rejections]).toEqual([[], []]);
    expect(submit(ledger, charge)).toMatchObject({ ok: true, replayed: true });
  });

  test("a failed id with another body is id_reused too", () => {
    const ledger = town();
    submit(ledger, move("pay-1", [["res:2:coins", "mer:1", 500n]]));
    expect(codeOf(submit(ledger, move("pay-1", [["res:2:coins", "mer:1", 400n]])))).toBe("id_reused");
  });

  test("bad input is not remembered: the id can be used again once the request is right", () => {
    const ledger = town();
    expect(codeOf(submit(ledger, move("chg-1", [["fund:city", "res:1:coins", 0n]])))).toBe("invalid_amount");
    expect(ledger.rejections.size).toBe(0);
    expect(codeOf(submit(ledger, move("chg-1", [["fund:city", "res:1:coins", 10n]])))).toBe("ok");
  });

  test("the same request twice in one batch is written once", () => {
    const ledger = town();
    const tap: TransferRequest = { op: "capture", id: "tap-1", holdId: "bus-1", amount: 100n };
    const plan = ledger.submit([move("chg-1", [["fund:city", "res:1:coins", 1000n]]), hold("bus-1", "res:1:coins", "mer:bus", 500n, 60), tap, tap], t0);
    expect(plan.results.map((r) => [codeOf(r), r.replayed])).toEqual([["ok", false], ["ok", false], ["ok", false], ["ok", true]]);
    expect(plan.transfers.map((t) => t.id)).toEqual(["chg-1", "bus-1", "tap-1"]);
    expect(ledger.holds.get("bus-1")?.captured).toBe(100n);
  });

  test("a replayed capture does not capture again", () => {
    const ledger = town();
    submit(ledger, move("chg-1", [["fund:city", "res:1:coins", 1000n]]));
    submit(ledger, hold("bus-1", "res:1:coins", "mer:bus", 500n, 60));
    const tap: TransferRequest = { op: "capture", id: "tap-1", holdId: "bus-1", amount: 200n };
    submit(ledger, tap, at(1));
    expect(submit(ledger, tap, at(2))).toMatchObject({ ok: true, replayed: true });
    expect(ledger.holds.get("bus-1")?.captured).toBe(200n);
    expect(balance(ledger, "mer:bus")).toBe(200n);
  });
});

describe("reversals", () => {
  function paid(): MemoryLedger {
    const ledger = town();
    submit(ledger, move("chg-1", [["fund:city", "res:1:coins", 1000n]]));
    submit(ledger, move("pay-1", [["res:1:coins", "mer:1", 300n], ["res:1:coins", "fee:operator", 20n]]));
    return ledger;
  }

  test("a reversal mirrors the original's legs, last leg first, and restores the balances", () => {
    const ledger = paid();
    const result = submit(ledger, { op: "reversal", id: "rf-1", reversalOf: "pay-1", code: "refund" }, at(60));
    expect(result.ok && result.transfer).toMatchObject({
      id: "rf-1",
      op: "reversal",
      status: "posted",
      code: "refund",
      reversalOf: "pay-1",
      legs: [
        { from: "fee:operator", to: "res:1:coins", amount: 20n },
        { from: "mer:1", to: "res:1:coins", amount: 300n },
      ],
    });
    expect([balance(ledger, "res:1:coins"), balance(ledger, "mer:1"), balance(ledger, "fee:operator")]).toEqual([1000n, 0n, 0n]);
    // The original is untouched: immutability, corrections are new transfers.
    expect(ledger.transfers.get("pay-1")?.status).toBe("posted");
  });

  test("a transfer is reversed at most once", () => {
    const ledger = paid();
    const reversal: TransferRequest = { op: "reversal", id: "rf-1", reversalOf: "pay-1" };
    submit(ledger, reversal);
    expect(codeOf(submit(ledger, { op: "reversal", id: "rf-2", reversalOf: "pay-1" }))).toBe("already_reversed");
    expect(submit(ledger, reversal)).toMatchObject({ ok: true, replayed: true });
    const plan = ledger.submit([move("pay-2", [["res:1:coins", "mer:1", 50n]]), { op: "reversal", id: "rf-3", reversalOf: "pay-2" }, { op: "reversal", id: "rf-4", reversalOf: "pay-2" }], t0);
    expect(plan.results.map(codeOf)).toEqual(["ok", "ok", "already_reversed"]);
  });

  test("a transfer can be reversed in the same batch that wrote it", () => {
    const ledger = paid();
    const plan = ledger.submit([move("pay-2", [["res:1:coins", "mer:1", 50n]]), { op: "reversal", id: "rf-2", reversalOf: "pay-2" }], t0);
    expect(plan.results.map(codeOf)).toEqual(["ok", "ok"]);
    expect(balance(ledger, "mer:1")).toBe(300n);
  });

  test("holds, voids and reversals are not reversible (an expiry's id cannot even be named); captures are", () => {
    const ledger = paid();
    submit(ledger, hold("bus-1", "res:1:coins", "mer:bus", 500n, 60));
    submit(ledger, { op: "capture", id: "tap-1", holdId: "bus-1", amount: 200n }, at(1));
    submit(ledger, { op: "void", id: "void-1", holdId: "bus-1" }, at(2));
    submit(ledger, hold("bus-2", "res:1:coins", "mer:bus", 100n, 60));
    submit(ledger, { op: "expire", id: "bus-2~expired", holdId: "bus-2" }, at(100));
    submit(ledger, { op: "reversal", id: "rf-1", reversalOf: "pay-1" }, at(100));
    const plan = ledger.submit(
      ["bus-1", "void-1", "bus-2~expired", "rf-1", "tap-1"].map((reversalOf, i): TransferRequest => ({ op: "reversal", id: `rf-x${i}`, reversalOf })),
      at(100),
    );
    expect(plan.results.map(codeOf)).toEqual(["not_reversible", "not_reversible", "invalid_id", "not_reversible", "ok"]);
    expect(plan.transfers[0]?.legs).toEqual([{ from: "mer:bus", to: "res:1:coins", amount: 200n }]);
  });

  test("reversing something unknown, or an id that failed, is transfer_not_found", () => {
    const ledger = paid();
    submit(ledger, move("pay-9", [["res:2:coins", "mer:1", 5n]]));
    const plan = ledger.submit([{ op: "reversal", id: "rf-1", reversalOf: "pay-404" }, { op: "reversal", id: "rf-2", reversalOf: "pay-9" }], t0);
    expect(plan.results.map(codeOf)).toEqual(["transfer_not_found", "transfer_not_found"]);
  });

  test("a reversal respects limits: a shop that has paid out cannot be reversed until it has the money again", () => {
    const ledger = paid();
    submit(ledger, move("po-1", [["mer:1", "fund:city", 300n]]));
    const reversal: TransferRequest = { op: "reversal", id: "rf-1", reversalOf: "pay-1" };
    expect(codeOf(submit(ledger, reversal))).toBe("exceeds_balance");
    expect(balance(ledger, "res:1:coins")).toBe(680n);
    submit(ledger, move("chg-2", [["fund:city", "mer:1", 300n]]));
    expect(submit(ledger, reversal)).toMatchObject({ ok: false, code: "exceeds_balance", replayed: true });
    expect(codeOf(submit(ledger, { op: "reversal", id: "rf-2", reversalOf: "pay-1" }))).toBe("ok");
    expect(balance(ledger, "res:1:coins")).toBe(1000n);
  });
});

describe("the planner itself", () => {
  test("bad input writes nothing and reads nothing", () => {
    const state = emptyPlanState();
    const plan = planBatch(state, [move("", [["a", "b", 1n]]), move("x", [["a", "a", 1n]])], t0);
    expect(plan.results.map(codeOf)).toEqual(["invalid_id", "same_account"]);
    expect(plan).toMatchObject({ transfers: [], entries: [], rejections: [], accounts: [], holds: [] });
    expect(state.outcomes.size).toBe(0);
  });

  test("a store that loads only the batch's own rows is enough: untouched accounts stay out of the plan", () => {
    const ledger = town();
    submit(ledger, move("chg-1", [["fund:city", "res:1:coins", 1000n]]));
    const requests = [move("pay-1", [["res:1:coins", "mer:1", 10n]])];
    const state = ledger.load(requests);
    expect([...state.accounts.keys()].sort()).toEqual(["mer:1", "res:1:coins"]);
    const plan = planBatch(state, requests, t0);
    expect(plan.accounts.map((a) => a.id).sort()).toEqual(["mer:1", "res:1:coins"]);
  });

  test("legs returned are copies: changing the request afterwards does not change the plan", () => {
    const ledger = town();
    const legs: Leg[] = [{ from: "fund:city", to: "res:1:coins", amount: 10n }];
    const result = submit(ledger, { op: "transfer", id: "chg-1", legs });
    legs[0]!.amount = 99n;
    expect(result.ok && result.transfer.legs).toEqual([{ from: "fund:city", to: "res:1:coins", amount: 10n }]);
  });
});
