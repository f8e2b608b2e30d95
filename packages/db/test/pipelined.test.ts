// The pipelined write path (plain transfers planned from the writer's cached accounts, one statement each, sent
// without waiting) against the ways its premises break: another writer moved an account, an id already posted,
// an id another writer rejected, a failure in the middle of a run of dependent batches. In every case the
// statement must write nothing and the locking path must give the answer the locking path alone would give.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GroupCommitter, emptyPlanState, planBatch, type Attachment, type TransferRequest } from "@tsubaki/ledger";
import { createLedgerStore, writeStatementFor } from "../src/ledger-store";
import { paymentAttachmentKind } from "../src/payment-records";
import { jsonColumn, textArray } from "../src/sql-arrays";
import type { Db } from "../src/client";
import { backends, openBackend } from "./backends";

const noOverdraft = { debitsMustNotExceedCredits: true, creditsMustNotExceedDebits: false };
const mayOverdraft = { debitsMustNotExceedCredits: false, creditsMustNotExceedDebits: false };

describe.each(backends)("pipelined ledger writes on %s", (backend) => {
  let db: Db;
  let close: () => Promise<void>;
  /** Two writers over one database, each with its own cache: two API processes. */
  let a: ReturnType<typeof createLedgerStore>;
  let b: ReturnType<typeof createLedgerStore>;

  beforeAll(async () => {
    ({ db, close } = await openBackend(backend));
    a = createLedgerStore(db);
    b = createLedgerStore(db);
    await a.createAccount({ id: "fund", kind: "test", owner: null, asset: "JPY", flags: mayOverdraft, metadata: null });
    for (const id of ["alice", "bob", "carol", "shop"]) {
      expect((await a.createAccount({ id, kind: "test", owner: null, asset: "JPY", flags: noOverdraft, metadata: null })).ok).toBe(true);
    }
  });
  afterAll(async () => close());

  const one = async (store: typeof a, r: TransferRequest) => (await store.submitBatch([r]))[0]!;
  const balance = async (id: string) => {
    const acct = await a.getAccount(id);
    return acct ? acct.creditsPosted - acct.debitsPosted : null;
  };

  it("posts plain transfers through one statement and keeps balance_after right", async () => {
    const before = { ...a.stats };
    expect(await one(a, { op: "transfer", id: "p1", legs: [{ from: "fund", to: "alice", amount: 1_000n }] })).toMatchObject({ ok: true, replayed: false });
    expect(await one(a, { op: "transfer", id: "p2", legs: [{ from: "alice", to: "shop", amount: 300n }] })).toMatchObject({ ok: true, replayed: false });
    expect(a.stats.pipelinedBatches - before.pipelinedBatches).toBe(2);
    expect(a.stats.lockingBatches - before.lockingBatches).toBe(0);
    expect(await balance("alice")).toBe(700n);
    const page = await a.listEntries("alice", { limit: 10 });
    expect(page.entries.map((e) => [e.seq, e.side, e.amount, e.balanceAfter])).toEqual([
      [1, "credit", 1_000n, 1_000n],
      [2, "debit", 300n, 700n],
    ]);
  });

  it("writes nothing when another writer moved an account, and the locking path decides from the real balance", async () => {
    // a has alice cached at 700; b spends 600 of it.
    expect(await one(b, { op: "transfer", id: "s1", legs: [{ from: "alice", to: "shop", amount: 600n }] })).toMatchObject({ ok: true });
    const before = { ...a.stats };
    // From a's stale cache 500 would fit; the real balance is 100.
    expect(await one(a, { op: "transfer", id: "s2", legs: [{ from: "alice", to: "bob", amount: 500n }] })).toMatchObject({ ok: false, code: "exceeds_balance" });
    expect(a.stats.pipelinedFailures - before.pipelinedFailures).toBe(1);
    expect(await balance("alice")).toBe(100n);
    expect(await balance("bob")).toBe(0n);
    // The id stays failed, and a's cache is right again.
    expect(await one(a, { op: "transfer", id: "s2", legs: [{ from: "alice", to: "bob", amount: 500n }] })).toMatchObject({ ok: false, code: "exceeds_balance", replayed: true });
    expect(await one(a, { op: "transfer", id: "s3", legs: [{ from: "alice", to: "bob", amount: 100n }] })).toMatchObject({ ok: true, replayed: false });
    expect(await balance("alice")).toBe(0n);
  });

  it("answers an id that already posted as a replay, and another body with that id as id_reused", async () => {
    const req: TransferRequest = { op: "transfer", id: "r1", legs: [{ from: "fund", to: "carol", amount: 50n }] };
    expect(await one(b, req)).toMatchObject({ ok: true, replayed: false });
    // a has never seen r1: it plans it as new, the primary key stops the statement, the locking path replays.
    expect(await one(a, req)).toMatchObject({ ok: true, replayed: true });
    expect(await one(a, { ...req, legs: [{ from: "fund", to: "carol", amount: 51n }] })).toMatchObject({ ok: false, code: "id_reused" });
    expect(await balance("carol")).toBe(50n);
  });

  it("keeps an id failed that another writer rejected, even when this writer's batch would post it", async () => {
    // b alone: carol (50) cannot pay 80, and that rejection is stored without touching any account.
    const pay: TransferRequest = { op: "transfer", id: "x1", legs: [{ from: "carol", to: "shop", amount: 80n }] };
    expect(await one(b, pay)).toMatchObject({ ok: false, code: "exceeds_balance" });
    // a's batch credits carol first, so its plan posts x1. entry_seq and the primary key cannot see the stored
    // rejection; ledger_ids_not_rejected must.
    await a.getAccount("carol");
    const before = { ...a.stats };
    const [credit, again] = await a.submitBatch([{ op: "transfer", id: "x0", legs: [{ from: "fund", to: "carol", amount: 100n }] }, pay]);
    expect(credit).toMatchObject({ ok: true, replayed: false });
    expect(again).toMatchObject({ ok: false, code: "exceeds_balance", replayed: true });
    expect(a.stats.pipelinedFailures - before.pipelinedFailures).toBe(1);
    expect(await balance("carol")).toBe(150n);
    expect(await a.getTransfer("x1")).toBeNull();
  });

  // Also the case that found a bug: the second batch was planned on the first's result; the first failed, and the
  // second's entry_seq happened to equal the one the other writer left. Only the whole prior state tells them apart.
  it("replays a failed run of dependent batches in submission order", async () => {
    // Warm a's cache with dave, then let b move dave so that a's first statement fails and drags the rest.
    await a.createAccount({ id: "dave", kind: "test", owner: null, asset: "JPY", flags: noOverdraft, metadata: null });
    expect(await one(a, { op: "transfer", id: "d0", legs: [{ from: "fund", to: "dave", amount: 1n }] })).toMatchObject({ ok: true });
    expect(await one(b, { op: "transfer", id: "d1", legs: [{ from: "fund", to: "dave", amount: 1n }] })).toMatchObject({ ok: true });
    const committer = new GroupCommitter((batch, onLocked) => a.submitBatch(batch, onLocked), { batchSizeMax: 1, inFlightMax: 4 });
    const before = { ...a.stats };
    // dave has 2: each spend of 100 needs the credit just before it, so any reordering shows as exceeds_balance.
    const requests: TransferRequest[] = Array.from({ length: 8 }, (_, i) =>
      i % 2 === 0
        ? { op: "transfer", id: `o${i}`, legs: [{ from: "fund", to: "dave", amount: 100n }] }
        : { op: "transfer", id: `o${i}`, legs: [{ from: "dave", to: "shop", amount: 100n }] },
    );
    const results = await Promise.all(requests.map((r) => committer.submit(r)));
    expect(results.map((r) => (r.ok ? "ok" : r.code))).toEqual(Array(8).fill("ok"));
    expect(a.stats.pipelinedFailures - before.pipelinedFailures).toBeGreaterThanOrEqual(1);
    expect(await balance("dave")).toBe(2n);
  });

  it("writes metadata with quotes, backslashes, commas, braces, NULL and Japanese exactly as given", async () => {
    // Rows reach PostgreSQL as array literals, one per column, and JSON columns (metadata) joined by U+001F with
    // U+001E for NULL; any of these characters unescaped would split, merge or null a value, or fail the
    // statement. (Ids and codes are limited to a-z 0-9 _ . : - by validation.)
    const awkward = ['q"uote', "back\\slash", "com,ma", "{brace}", "NULL", " spaced ", '野々市"\\,{}', "", "unit\u001fsep", "\u001e", "tab\tline\n"];
    expect((await a.createAccount({ id: "odd", kind: "test", owner: null, asset: "JPY", flags: mayOverdraft, metadata: null })).ok).toBe(true);
    for (const [k, text] of awkward.entries()) {
      const request: TransferRequest = {
        op: "transfer",
        id: `odd-${k}`,
        legs: [{ from: "fund", to: "odd", amount: 5n }],
        code: "c:odd",
        metadata: { note: text, [text]: [text, null, 1], nothing: null },
      };
      const before = { ...a.stats };
      expect(await one(a, request)).toMatchObject({ ok: true, replayed: false });
      expect(a.stats.pipelinedBatches - before.pipelinedBatches).toBe(1);
      expect(await a.getTransfer(request.id)).toMatchObject({ id: request.id, code: "c:odd", metadata: request.metadata, legs: request.legs });
      // The same body again is a replay: the stored request hash is the one computed from the request.
      expect(await one(a, request)).toMatchObject({ ok: true, replayed: true });
    }
    expect((await a.listEntries("odd", { limit: 20 })).entries.map((e) => [e.transferId, e.balanceAfter])).toEqual(
      awkward.map((_, k) => [`odd-${k}`, 5n * BigInt(k + 1)]),
    );
  });

  it("records a payment attached to its transfer in the transfer's own transaction, on either path; none for a refused one", async () => {
    expect((await a.createAccount({ id: "till", kind: "test", owner: null, asset: "JPY", flags: noOverdraft, metadata: null })).ok).toBe(true);
    const attachment = (id: string): Attachment => ({
      kind: paymentAttachmentKind,
      make: (result) =>
        result.ok
          ? {
              payment: { id, ref: `ref-${id}`, payerResidentId: "r1", shopId: "s1", amountYen: 5n, allocation: [], kind: "pay", requestId: null, proxyUserId: null, receipt: '{"r":"\\u001f"}', createdAt: new Date() },
              completion: null,
            }
          : null,
    });
    const locking = createLedgerStore(db, { pipelined: false });
    for (const [store, id] of [[a, "pay-pipelined"], [locking, "pay-locking"]] as const) {
      const attached = attachment(id);
      const [result] = await store.submitBatch([{ op: "transfer", id, legs: [{ from: "fund", to: "till", amount: 5n }] }], undefined, [attached]);
      expect(result?.ok).toBe(true);
      expect(typeof attached.outcome).toBe("number");
      const [row] = await db.query<{ same: boolean; seq: string; receipt: string }>(
        `SELECT p.xmin::text = t.xmin::text AS same, p.seq::text AS seq, p.receipt FROM payments p JOIN ledger_transfers t ON t.id = p.id WHERE p.id = $1`,
        [id],
      );
      expect(row).toMatchObject({ same: true, seq: String(attached.outcome), receipt: '{"r":"\\u001f"}' });
    }
    // Refused (till cannot pay 1,000): no transfer, no payment, and the attachment was not written.
    const refused = attachment("pay-refused");
    const [result] = await a.submitBatch([{ op: "transfer", id: "pay-refused", legs: [{ from: "till", to: "fund", amount: 1000n }] }], undefined, [refused]);
    expect(result).toMatchObject({ ok: false, code: "exceeds_balance" });
    expect(refused.outcome).toBeUndefined();
    expect(await db.query(`SELECT id FROM payments WHERE id = 'pay-refused'`)).toEqual([]);
    // An attachment of a kind the store does not write is left to its caller.
    const foreign: Attachment = { kind: "other", make: () => ({}) };
    expect((await a.submitBatch([{ op: "transfer", id: "pay-foreign", legs: [{ from: "fund", to: "till", amount: 1n }] }], undefined, [foreign]))[0]?.ok).toBe(true);
    expect(foreign.outcome).toBeUndefined();
  });

  it("plans from a primed account; a stale one costs a replay through the locking path, never a wrong write", async () => {
    const c = createLedgerStore(db);
    expect((await a.createAccount({ id: "primed", kind: "test", owner: null, asset: "JPY", flags: noOverdraft, metadata: null })).ok).toBe(true);
    expect(await one(a, { op: "transfer", id: "prime-fund", legs: [{ from: "fund", to: "primed", amount: 10n }] })).toMatchObject({ ok: true });
    const real = await a.getAccount("primed");
    if (!real) throw new Error("primed exists");
    // A state that never was (100 yen): the plan passes, the statement finds another state and writes nothing.
    c.prime([{ ...real, creditsPosted: 100n }]);
    const before = { ...c.stats };
    expect(await one(c, { op: "transfer", id: "prime-spend-1", legs: [{ from: "primed", to: "fund", amount: 40n }] })).toMatchObject({ ok: false, code: "exceeds_balance" });
    expect(c.stats.pipelinedFailures - before.pipelinedFailures).toBe(1);
    expect(await one(c, { op: "transfer", id: "prime-spend-2", legs: [{ from: "primed", to: "fund", amount: 4n }] })).toMatchObject({ ok: true });
    // Now cached from its own write: a prime of another state is ignored, and the next write goes through at once.
    c.prime([{ ...real, creditsPosted: 1000n, entrySeq: 0 }]);
    const cached = { ...c.stats };
    expect(await one(c, { op: "transfer", id: "prime-spend-3", legs: [{ from: "primed", to: "fund", amount: 6n }] })).toMatchObject({ ok: true });
    expect(c.stats.pipelinedFailures).toBe(cached.pipelinedFailures);
    expect(c.stats.pipelinedBatches - cached.pipelinedBatches).toBe(1);
    expect(await balance("primed")).toBe(0n);
  });

  it("does not keep an account a write empties: written again, it is read first, so another writer's credit is seen", async () => {
    expect((await a.createAccount({ id: "lot1", kind: "test", owner: null, asset: "JPY", flags: noOverdraft, metadata: null })).ok).toBe(true);
    expect(await one(a, { op: "transfer", id: "e1", legs: [{ from: "fund", to: "lot1", amount: 100n }] })).toMatchObject({ ok: true });
    expect(await one(a, { op: "transfer", id: "e2", legs: [{ from: "lot1", to: "shop", amount: 100n }] })).toMatchObject({ ok: true });
    // Another writer credits the emptied account behind a's back.
    expect(await one(b, { op: "transfer", id: "e3", legs: [{ from: "fund", to: "lot1", amount: 50n }] })).toMatchObject({ ok: true });
    const before = { ...a.stats };
    // Kept at zero, a would plan exceeds_balance and send the batch down the locking path; read afresh, it posts.
    expect(await one(a, { op: "transfer", id: "e4", legs: [{ from: "lot1", to: "shop", amount: 30n }] })).toMatchObject({ ok: true, replayed: false });
    expect(a.stats.pipelinedBatches - before.pipelinedBatches).toBe(1);
    expect(a.stats.lockingBatches - before.lockingBatches).toBe(0);
    expect(a.stats.pipelinedFailures - before.pipelinedFailures).toBe(0);
    expect(await balance("lot1")).toBe(20n);
  });

  it("passes the audit after all of it", async () => {
    const report = await a.audit();
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
  });
});

describe("jsonColumn", () => {
  it("joins JSON texts without escaping, writes NULL as U+001E, and refuses what is not a JSON text", () => {
    expect(jsonColumn([])).toBe("");
    expect(jsonColumn([null])).toBe("\u001e");
    expect(jsonColumn(['{"a":"b\\""}', null, "1"])).toBe('{"a":"b\\""}\u001f\u001e\u001f1');
    expect(jsonColumn([JSON.stringify("a\u001fb\u001e")])).toBe('"a\\u001fb\\u001e"');
    expect(() => jsonColumn(["a\u001fb"])).toThrow(/raw control character/);
    expect(() => jsonColumn(["\u001e"])).toThrow(/raw control character/);
    expect(() => jsonColumn([""])).toThrow(/empty/);
  });
});

// PGlite has one connection, so only the server has writers to deadlock with.
describe("the ledger writer's query plan on postgres", () => {
  let db: Db;
  let close: () => Promise<void>;
  let store: ReturnType<typeof createLedgerStore>;
  const ids = Array.from({ length: 12 }, (_, k) => `plan-${String.fromCharCode(122 - k)}`); // z, y, x, …: not in id order

  beforeAll(async () => {
    ({ db, close } = await openBackend("postgres"));
    store = createLedgerStore(db);
    for (const id of ["fund", ...ids]) {
      expect((await store.createAccount({ id, kind: "test", owner: null, asset: "JPY", flags: mayOverdraft, metadata: null })).ok).toBe(true);
    }
  });
  afterAll(async () => close());

  interface PlanNode {
    "Node Type": string;
    "Relation Name"?: string;
    Operation?: string;
    "Parent Relationship"?: string;
    "Sort Key"?: string[];
    "Index Name"?: string;
    Plans?: PlanNode[];
  }
  const all = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(all)];

  /** The plan of the account update in the statement the writer would send for a batch over `ids`. */
  async function accountUpdatePlan(): Promise<PlanNode> {
    const state = emptyPlanState();
    for (const id of ["fund", ...ids]) state.accounts.set(id, (await store.getAccount(id))!);
    const previous = new Map(state.accounts);
    const now = new Date();
    const requests: TransferRequest[] = ids.map((to, k) => ({ op: "transfer", id: `plan-t${k}`, legs: [{ from: "fund", to, amount: 1n }] }));
    const plan = planBatch(state, requests, now);
    const { text, params } = writeStatementFor(plan, previous, now, textArray(requests.map((r) => r.id)));
    const [row] = await db.ordered!.query<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${text}`, params);
    const update = all(row!["QUERY PLAN"][0].Plan).find((n) => n["Node Type"] === "ModifyTable" && n.Operation === "Update" && n["Relation Name"] === "ledger_accounts");
    expect(update).toBeDefined();
    return update!;
  }

  it("updates (so locks) the accounts in id order: a nested loop over the planned rows sorted by id, by primary key", async () => {
    for (const mode of ["force_custom_plan", "force_generic_plan"]) {
      await db.ordered!.query(`SET plan_cache_mode = ${mode}`);
      const update = await accountUpdatePlan();
      const nodes = all(update);
      expect(nodes.map((n) => n["Node Type"])).not.toContain("Hash Join");
      expect(nodes.map((n) => n["Node Type"])).not.toContain("Merge Join");
      const loop = update.Plans![0]!;
      expect(loop["Node Type"]).toBe("Nested Loop");
      const outer = loop.Plans!.find((n) => n["Parent Relationship"] === "Outer")!;
      const inner = loop.Plans!.find((n) => n["Parent Relationship"] === "Inner")!;
      // The planned rows (the subquery the statement calls x; the planner numbers its aliases) sorted by id.
      expect(all(outer).find((n) => n["Node Type"] === "Sort")?.["Sort Key"]).toEqual([expect.stringMatching(/^x(_\d+)?\.id$/)]);
      expect(inner).toMatchObject({ "Node Type": "Index Scan", "Relation Name": "ledger_accounts", "Index Name": "ledger_accounts_pkey" });
    }
    await db.ordered!.query(`RESET plan_cache_mode`);
  });
});
