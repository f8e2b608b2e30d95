// The ledger endpoints as a client uses them: accounts, transfers, holds, reversals, statements and idempotent
// replays, on PGlite and on PostgreSQL. Amounts are checked exactly, and the audit must pass after every scenario.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../src/log";
import { startHoldSweeper } from "../src/sweeper";
import { accountJson, entryPageJson, transferJson } from "../src/schemas/ledger";
import {
  backends,
  balances,
  call,
  createAccount,
  expectAuditOk,
  expectProblem,
  openHarness,
  sleep,
  transfer,
  uid,
  type Harness,
} from "./harness";

describe.each(backends)("ledger API on %s", (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness(backend);
  });
  afterAll(async () => {
    await h?.close();
  });

  /** A city cash-in account (may go negative) and a no-overdraft wallet holding `yen`. */
  async function fundedWallet(yen: number): Promise<{ cash: string; wallet: string; shop: string }> {
    const cash = uid("cashin");
    const wallet = uid("res");
    const shop = uid("mer");
    await createAccount(h.app, cash, { noOverdraft: false, kind: "cash_in" });
    await createAccount(h.app, wallet);
    await createAccount(h.app, shop, { kind: "merchant" });
    if (yen > 0) expect((await transfer(h.app, uid("charge"), cash, wallet, yen)).status).toBe(201);
    return { cash, wallet, shop };
  }

  describe("accounts", () => {
    it("creates an account (201), returns it again for the same definition (200), refuses another definition (409)", async () => {
      const id = uid("res");
      const body = { id, kind: "resident_coins", owner: "resident-1", flags: { debits_must_not_exceed_credits: true }, metadata: { town: "nonoichi" } };
      const first = await call(h.app, "POST", "/v1/ledger/accounts", { body });
      expect(first.status).toBe(201);
      expect(first.body).toEqual({
        id,
        kind: "resident_coins",
        owner: "resident-1",
        asset: "JPY",
        flags: { debits_must_not_exceed_credits: true, credits_must_not_exceed_debits: false },
        debits_posted: 0,
        credits_posted: 0,
        debits_pending: 0,
        credits_pending: 0,
        available: 0,
        metadata: { town: "nonoichi" },
        created_at: expect.any(String),
      });
      accountJson.parse(first.body);

      const again = await call(h.app, "POST", "/v1/ledger/accounts", { body });
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);

      const other = await call(h.app, "POST", "/v1/ledger/accounts", { body: { ...body, kind: "merchant" } });
      expectProblem(other, 409, "account_exists");

      const read = await call(h.app, "GET", `/v1/ledger/accounts/${id}`);
      expect(read.status).toBe(200);
      expect(read.body).toEqual(first.body);
    });

    it("generates an id when none is given", async () => {
      const r = await call(h.app, "POST", "/v1/ledger/accounts", { body: { kind: "wallet" } });
      expect(r.status).toBe(201);
      expect(r.body.id).toMatch(/^acc_[a-z0-9]{20}$/);
      expect(r.body.flags).toEqual({ debits_must_not_exceed_credits: false, credits_must_not_exceed_debits: false });
    });

    it("answers 404 for an unknown account and 422 for a malformed id", async () => {
      expectProblem(await call(h.app, "GET", "/v1/ledger/accounts/nobody-here"), 404, "account_not_found");
      expectProblem(await call(h.app, "GET", "/v1/ledger/accounts/bad%20id"), 422, "invalid_id");
      expectProblem(await call(h.app, "GET", "/v1/ledger/accounts/nobody-here/entries"), 404, "account_not_found");
    });
  });

  describe("transfers and balances", () => {
    it("moves money atomically over several legs and reports exact balances", async () => {
      const { cash, wallet, shop } = await fundedWallet(1000);
      const fee = uid("fee");
      await createAccount(h.app, fee, { noOverdraft: false, kind: "fee" });
      const id = uid("pay");
      const r = await call(h.app, "POST", "/v1/ledger/transfers", {
        body: { id, legs: [{ from: wallet, to: shop, amount: 300 }, { from: shop, to: fee, amount: 9 }], code: "payment", metadata: { receipt: "R-1", amounts: [300, 9] } },
      });
      expect(r.status, r.text).toBe(201);
      expect(r.headers.get("idempotency-replayed")).toBeNull();
      expect(r.body).toEqual({
        id,
        op: "transfer",
        status: "posted",
        legs: [
          { from: wallet, to: shop, amount: 300 },
          { from: shop, to: fee, amount: 9 },
        ],
        code: "payment",
        metadata: { amounts: [300, 9], receipt: "R-1" },
        hold_id: null,
        reversal_of: null,
        timeout_at: null,
        timestamp: expect.any(String),
      });
      transferJson.parse(r.body);
      expect(await balances(h.app, wallet)).toEqual({ credits_posted: 1000, debits_posted: 300, debits_pending: 0, credits_pending: 0, available: 700 });
      expect(await balances(h.app, shop)).toEqual({ credits_posted: 300, debits_posted: 9, debits_pending: 0, credits_pending: 0, available: 291 });
      expect((await balances(h.app, cash)).available).toBe(-1000);

      const read = await call(h.app, "GET", `/v1/ledger/transfers/${id}`);
      expect(read.status).toBe(200);
      expect(read.body).toEqual(r.body);
      await expectAuditOk(h.app);
    });

    it("refuses a transfer beyond the balance, moves nothing, and keeps the id failed", async () => {
      const { wallet, shop } = await fundedWallet(100);
      const id = uid("pay");
      const body = { id, legs: [{ from: wallet, to: shop, amount: 101 }] };
      const first = await call(h.app, "POST", "/v1/ledger/transfers", { body });
      expectProblem(first, 422, "exceeds_balance");
      expect(first.headers.get("idempotency-replayed")).toBeNull();

      const replay = await call(h.app, "POST", "/v1/ledger/transfers", { body });
      expectProblem(replay, 422, "exceeds_balance");
      expect(replay.headers.get("idempotency-replayed")).toBe("true");
      expect(replay.body.detail).toBe(first.body.detail);

      expect(await balances(h.app, wallet)).toEqual({ credits_posted: 100, debits_posted: 0, debits_pending: 0, credits_pending: 0, available: 100 });
      expectProblem(await call(h.app, "GET", `/v1/ledger/transfers/${id}`), 404, "transfer_not_found");
      await expectAuditOk(h.app);
    });

    it("replays the same request with the stored result, and refuses the same id with another body (409 id_reused)", async () => {
      const { wallet, shop } = await fundedWallet(500);
      const id = uid("pay");
      const body = { id, legs: [{ from: wallet, to: shop, amount: 200 }], metadata: { z: 1, a: { y: 2, b: 3 } } };
      const first = await call(h.app, "POST", "/v1/ledger/transfers", { body });
      expect(first.status).toBe(201);
      const replay = await call(h.app, "POST", "/v1/ledger/transfers", { body });
      expect(replay.status).toBe(201);
      expect(replay.headers.get("idempotency-replayed")).toBe("true");
      expect(replay.text).toBe(first.text);

      const other = await call(h.app, "POST", "/v1/ledger/transfers", { body: { ...body, legs: [{ from: wallet, to: shop, amount: 201 }] } });
      expectProblem(other, 409, "id_reused");
      expect((await balances(h.app, wallet)).available).toBe(300);
    });

    it("answers 404 account_not_found for a leg to an unknown account", async () => {
      const { wallet } = await fundedWallet(100);
      const r = await transfer(h.app, uid("pay"), wallet, uid("ghost"), 10);
      expectProblem(r, 404, "account_not_found");
      expect((await balances(h.app, wallet)).available).toBe(100);
    });

    it("takes an amount up to the configured maximum as a JSON integer", async () => {
      const { cash, wallet } = await fundedWallet(0);
      const max = Number(h.config.amountMaxYen);
      const r = await transfer(h.app, uid("big"), cash, wallet, max);
      expect(r.status, r.text).toBe(201);
      expect(r.body.legs[0].amount).toBe(max);
      expect((await balances(h.app, wallet)).available).toBe(max);
    });
  });

  describe("holds", () => {
    it("reserves, captures in parts, and closes when used up", async () => {
      const { wallet } = await fundedWallet(1000);
      const bus = uid("mer-bus");
      await createAccount(h.app, bus, { kind: "merchant" });
      const holdId = uid("allowance");
      const hold = await call(h.app, "POST", "/v1/ledger/transfers", { body: { id: holdId, legs: [{ from: wallet, to: bus, amount: 300 }], pending: { timeout_s: 3600 } } });
      expect(hold.status, hold.text).toBe(201);
      expect(hold.body).toMatchObject({ id: holdId, op: "transfer", status: "pending", timeout_at: expect.any(String) });
      expect(await balances(h.app, wallet)).toEqual({ credits_posted: 1000, debits_posted: 0, debits_pending: 300, credits_pending: 0, available: 700 });

      const ride1 = await call(h.app, "POST", `/v1/ledger/transfers/${holdId}/capture`, { body: { id: uid("tap"), amount: 100 } });
      expect(ride1.status, ride1.text).toBe(201);
      expect(ride1.body).toMatchObject({ op: "capture", status: "posted", hold_id: holdId, legs: [{ from: wallet, to: bus, amount: 100 }] });
      const state = await call(h.app, "GET", `/v1/ledger/transfers/${holdId}`);
      expect(state.body.hold).toEqual({ amount: 300, captured: 100, remaining: 200, status: "pending", timeout_at: hold.body.timeout_at });
      transferJson.parse(state.body);

      expectProblem(await call(h.app, "POST", `/v1/ledger/transfers/${holdId}/capture`, { body: { id: uid("tap"), amount: 201 } }), 422, "hold_exceeded");
      const tapId = uid("tap");
      const ride2 = await call(h.app, "POST", `/v1/ledger/transfers/${holdId}/capture`, { body: { id: tapId, amount: 200 } });
      expect(ride2.status).toBe(201);
      const replay = await call(h.app, "POST", `/v1/ledger/transfers/${holdId}/capture`, { body: { id: tapId, amount: 200 } });
      expect(replay.headers.get("idempotency-replayed")).toBe("true");
      expect(replay.text).toBe(ride2.text);

      expect(await balances(h.app, wallet)).toEqual({ credits_posted: 1000, debits_posted: 300, debits_pending: 0, credits_pending: 0, available: 700 });
      expect((await balances(h.app, bus)).available).toBe(300);
      expectProblem(await call(h.app, "POST", `/v1/ledger/transfers/${holdId}/void`, { body: { id: uid("void") } }), 409, "hold_closed");
      expect((await call(h.app, "GET", `/v1/ledger/transfers/${holdId}`)).body.hold).toMatchObject({ captured: 300, remaining: 0, status: "posted" });
      await expectAuditOk(h.app);
    });

    it("voids what is left of a hold", async () => {
      const { wallet, shop } = await fundedWallet(1000);
      const holdId = uid("hold");
      expect((await call(h.app, "POST", "/v1/ledger/transfers", { body: { id: holdId, legs: [{ from: wallet, to: shop, amount: 400 }], pending: { timeout_s: 60 } } })).status).toBe(201);
      expect((await call(h.app, "POST", `/v1/ledger/transfers/${holdId}/capture`, { body: { id: uid("cap"), amount: 150 } })).status).toBe(201);
      const voided = await call(h.app, "POST", `/v1/ledger/transfers/${holdId}/void`, { body: { id: uid("void") } });
      expect(voided.status, voided.text).toBe(201);
      expect(voided.body).toMatchObject({ op: "void", status: "voided", hold_id: holdId, legs: [{ from: wallet, to: shop, amount: 250 }] });
      expect(await balances(h.app, wallet)).toEqual({ credits_posted: 1000, debits_posted: 150, debits_pending: 0, credits_pending: 0, available: 850 });
      expectProblem(await call(h.app, "POST", `/v1/ledger/transfers/${holdId}/capture`, { body: { id: uid("cap"), amount: 1 } }), 409, "hold_closed");
      await expectAuditOk(h.app);
    });

    it("refuses a hold beyond the available balance, and captures of a transfer that is not a hold", async () => {
      const { wallet, shop } = await fundedWallet(100);
      expectProblem(await call(h.app, "POST", "/v1/ledger/transfers", { body: { id: uid("hold"), legs: [{ from: wallet, to: shop, amount: 101 }], pending: { timeout_s: 60 } } }), 422, "exceeds_balance");
      const posted = uid("pay");
      expect((await transfer(h.app, posted, wallet, shop, 10)).status).toBe(201);
      expectProblem(await call(h.app, "POST", `/v1/ledger/transfers/${posted}/capture`, { body: { id: uid("cap"), amount: 1 } }), 404, "hold_not_found");
      expectProblem(await call(h.app, "POST", `/v1/ledger/transfers/${uid("nohold")}/void`, { body: { id: uid("void") } }), 404, "hold_not_found");
    });

    it("releases a hold after its timeout: the sweeper expires it and a late capture is refused", async () => {
      const { wallet, shop } = await fundedWallet(500);
      const holdId = uid("hold");
      expect((await call(h.app, "POST", "/v1/ledger/transfers", { body: { id: holdId, legs: [{ from: wallet, to: shop, amount: 200 }], pending: { timeout_s: 1 } } })).status).toBe(201);
      expect((await balances(h.app, wallet)).available).toBe(300);
      await sleep(1100);
      expect(await h.ledger.expireDueHolds()).toBeGreaterThanOrEqual(1);
      expect(await balances(h.app, wallet)).toEqual({ credits_posted: 500, debits_posted: 0, debits_pending: 0, credits_pending: 0, available: 500 });
      expect((await call(h.app, "GET", `/v1/ledger/transfers/${holdId}`)).body.hold.status).toBe("expired");
      const expiry = await call(h.app, "GET", `/v1/ledger/transfers/${holdId}~expired`);
      expect(expiry.body).toMatchObject({ op: "expire", status: "expired", hold_id: holdId, legs: [{ from: wallet, to: shop, amount: 200 }] });
      expectProblem(await call(h.app, "POST", `/v1/ledger/transfers/${holdId}/capture`, { body: { id: uid("cap"), amount: 50 } }), 422, "hold_expired");
      await expectAuditOk(h.app);
    });

    it("runs the sweeper on a timer until it is stopped", async () => {
      const { wallet, shop } = await fundedWallet(500);
      const holdId = uid("hold");
      expect((await call(h.app, "POST", "/v1/ledger/transfers", { body: { id: holdId, legs: [{ from: wallet, to: shop, amount: 200 }], pending: { timeout_s: 1 } } })).status).toBe(201);
      const sweeper = startHoldSweeper(h.ledger, { intervalMs: 100, logger: createLogger("silent") });
      try {
        await sleep(1500);
      } finally {
        await sweeper.stop();
      }
      expect((await call(h.app, "GET", `/v1/ledger/transfers/${holdId}`)).body.hold.status).toBe("expired");
      expect((await balances(h.app, wallet)).available).toBe(500);
    });

    it("expires a due hold lazily when a capture arrives before the sweeper", async () => {
      const { wallet, shop } = await fundedWallet(500);
      const holdId = uid("hold");
      expect((await call(h.app, "POST", "/v1/ledger/transfers", { body: { id: holdId, legs: [{ from: wallet, to: shop, amount: 200 }], pending: { timeout_s: 1 } } })).status).toBe(201);
      await sleep(1100);
      expectProblem(await call(h.app, "POST", `/v1/ledger/transfers/${holdId}/capture`, { body: { id: uid("cap"), amount: 50 } }), 422, "hold_expired");
      expect((await balances(h.app, wallet)).available).toBe(500);
      await expectAuditOk(h.app);
    });
  });

  describe("reversals", () => {
    it("reverses a posted transfer once, turning every leg around", async () => {
      const { wallet, shop } = await fundedWallet(1000);
      const payment = uid("pay");
      expect((await transfer(h.app, payment, wallet, shop, 400)).status).toBe(201);
      const reversalId = uid("refund");
      const r = await call(h.app, "POST", `/v1/ledger/transfers/${payment}/reversal`, { body: { id: reversalId, code: "refund", metadata: { reason: "返品" } } });
      expect(r.status, r.text).toBe(201);
      expect(r.body).toMatchObject({ id: reversalId, op: "reversal", status: "posted", reversal_of: payment, code: "refund", legs: [{ from: shop, to: wallet, amount: 400 }], metadata: { reason: "返品" } });
      expect((await balances(h.app, wallet)).available).toBe(1000);
      expect((await balances(h.app, shop)).available).toBe(0);

      const replay = await call(h.app, "POST", `/v1/ledger/transfers/${payment}/reversal`, { body: { id: reversalId, code: "refund", metadata: { reason: "返品" } } });
      expect(replay.headers.get("idempotency-replayed")).toBe("true");
      expect(replay.text).toBe(r.text);
      expectProblem(await call(h.app, "POST", `/v1/ledger/transfers/${payment}/reversal`, { body: { id: uid("refund") } }), 409, "already_reversed");
      await expectAuditOk(h.app);
    });

    it("refuses to reverse a hold, an unknown transfer, or more than the merchant still has", async () => {
      const { wallet, shop } = await fundedWallet(1000);
      const holdId = uid("hold");
      expect((await call(h.app, "POST", "/v1/ledger/transfers", { body: { id: holdId, legs: [{ from: wallet, to: shop, amount: 100 }], pending: { timeout_s: 60 } } })).status).toBe(201);
      expectProblem(await call(h.app, "POST", `/v1/ledger/transfers/${holdId}/reversal`, { body: { id: uid("rev") } }), 422, "not_reversible");
      expectProblem(await call(h.app, "POST", `/v1/ledger/transfers/${uid("ghost")}/reversal`, { body: { id: uid("rev") } }), 404, "transfer_not_found");

      const payment = uid("pay");
      expect((await transfer(h.app, payment, wallet, shop, 500)).status).toBe(201);
      const payout = uid("payout");
      await createAccount(h.app, payout, { noOverdraft: false, kind: "payout" });
      expect((await transfer(h.app, uid("po"), shop, payout, 450)).status).toBe(201);
      expectProblem(await call(h.app, "POST", `/v1/ledger/transfers/${payment}/reversal`, { body: { id: uid("rev") } }), 422, "exceeds_balance");
      await expectAuditOk(h.app);
    });
  });

  describe("entries", () => {
    it("lists an account's entries with the balance after each, in pages and as of a time", async () => {
      const { cash, wallet, shop } = await fundedWallet(1000);
      expect((await transfer(h.app, uid("pay"), wallet, shop, 300)).status).toBe(201);
      await sleep(30);
      const between = new Date();
      await sleep(30);
      expect((await transfer(h.app, uid("pay"), wallet, shop, 200)).status).toBe(201);

      const all = await call(h.app, "GET", `/v1/ledger/accounts/${wallet}/entries`);
      expect(all.status).toBe(200);
      entryPageJson.parse(all.body);
      expect(all.body.next_cursor).toBeNull();
      expect(all.body.entries.map((e: any) => [e.seq, e.side, e.phase, e.amount, e.balance_after])).toEqual([
        [1, "credit", "posted", 1000, 1000],
        [2, "debit", "posted", 300, 700],
        [3, "debit", "posted", 200, 500],
      ]);
      expect(all.body.entries[0]).toMatchObject({ account_id: wallet, debits_pending_after: 0, credits_pending_after: 0 });

      const page1 = await call(h.app, "GET", `/v1/ledger/accounts/${wallet}/entries?limit=2`);
      expect(page1.body.entries.map((e: any) => e.seq)).toEqual([1, 2]);
      expect(page1.body.next_cursor).toEqual(expect.any(String));
      const page2 = await call(h.app, "GET", `/v1/ledger/accounts/${wallet}/entries?limit=2&cursor=${encodeURIComponent(page1.body.next_cursor)}`);
      expect(page2.body.entries.map((e: any) => e.seq)).toEqual([3]);
      expect(page2.body.next_cursor).toBeNull();

      const asOf = await call(h.app, "GET", `/v1/ledger/accounts/${wallet}/entries?as_of=${encodeURIComponent(between.toISOString())}`);
      expect(asOf.status, asOf.text).toBe(200);
      expect(asOf.body.entries.map((e: any) => e.balance_after)).toEqual([1000, 700]);
      expect((await call(h.app, "GET", `/v1/ledger/accounts/${cash}/entries`)).body.entries).toHaveLength(1);
    });
  });

  describe("concurrency", () => {
    it("applies 32 concurrent duplicates of one transfer exactly once, and every caller gets the same body", async () => {
      const { wallet, shop } = await fundedWallet(1000);
      const id = uid("dup");
      const body = { id, legs: [{ from: wallet, to: shop, amount: 70 }], metadata: { b: 1, a: 2 } };
      const results = await Promise.all(Array.from({ length: 32 }, () => call(h.app, "POST", "/v1/ledger/transfers", { body })));
      expect(results.map((r) => r.status)).toEqual(Array(32).fill(201));
      expect(new Set(results.map((r) => r.text)).size).toBe(1);
      expect(results.filter((r) => r.headers.get("idempotency-replayed") === null)).toHaveLength(1);
      expect(results.filter((r) => r.headers.get("idempotency-replayed") === "true")).toHaveLength(31);
      expect((await balances(h.app, wallet)).available).toBe(930);
      expect((await call(h.app, "GET", `/v1/ledger/accounts/${shop}/entries`)).body.entries).toHaveLength(1);
      await expectAuditOk(h.app);
    });

    it("never overdraws under 20 concurrent payments from one wallet", async () => {
      const { wallet, shop } = await fundedWallet(1000);
      const results = await Promise.all(Array.from({ length: 20 }, () => transfer(h.app, uid("pay"), wallet, shop, 100)));
      expect(results.filter((r) => r.status === 201)).toHaveLength(10);
      for (const r of results.filter((r) => r.status !== 201)) expectProblem(r, 422, "exceeds_balance");
      expect(await balances(h.app, wallet)).toEqual({ credits_posted: 1000, debits_posted: 1000, debits_pending: 0, credits_pending: 0, available: 0 });
      await expectAuditOk(h.app);
    });
  });
});
