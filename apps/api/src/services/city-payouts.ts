// Shop payouts for the city console: a run takes each active shop's balance (minus its fee, to fee:operator) to
// payout:pending, writes the Zengin 総合振込 file for the bank, and later imports the bank's confirmation, which
// clears payout:pending (→ payout:settled) or returns a failed transfer to the shop by reversing it.
import { createHash } from "node:crypto";
import {
  applyBankConfirmation,
  buildZenginTransferFile,
  encodeZenginShiftJis,
  planPayout,
  validateZenginBankAccount,
  type PayoutTrigger,
  type ZenginHeaderInput,
  type ZenginRecordInput,
} from "@tsubaki/city";
import type { CityStore, IdentityStore, PayoutRecord, PayoutRunRecord, Shop } from "@tsubaki/db";
import { assert } from "@tsubaki/ledger";
import type { Actor, CityFailure } from "./city";
import type { LedgerService } from "./ledger";

export const payoutPendingAccountId = "payout:pending";
export const payoutSettledAccountId = "payout:settled";
export const feeAccountId = "fee:operator";
/** Shops one run considers (the city has a few hundred). */
export const payoutShopsMax = 5000;
/** A balance below this waits for the next run. */
export const minimumPayoutYenDefault = 1000n;

/** The city's own account at its bank (the transfer file's header, except the date). Demo values by default. */
export const requesterDefault: Omit<ZenginHeaderInput, "transferDate"> = {
  requesterCode: "0000012345",
  requesterNameKana: "ノノイチシ",
  bankCode: "0146",
  bankNameKana: "ホクリクギンコウ",
  branchCode: "201",
  branchNameKana: "ノノイチ",
  accountType: 1,
  accountNumber: "1234567",
};

const hash = (text: string, chars: number) => createHash("sha256").update(text).digest("base64url").slice(0, chars);
/** A run's id, derived from the Idempotency-Key that asked for it: the same key (or the same scheduled month) is the same run. */
export const payoutRunIdOf = (key: string): string => `pay-${hash(key, 20)}`;
/** The ledger transfer that pays one shop in one run; derived, so an attempt that died is found by the next one. */
export const payoutTransferIdOf = (runId: string, shopId: string): string => `payout:${hash(`${runId}:${shopId}`, 24)}`;
const failure = (status: CityFailure["status"], code: string, detail: string): CityFailure => ({ ok: false, code, detail, status });

export interface PayoutServiceOptions {
  ledger: LedgerService;
  identity: Pick<IdentityStore, "appendAudit" | "listShops" | "getShop">;
  store: CityStore;
  now: () => Date;
  requester?: Omit<ZenginHeaderInput, "transferDate">;
  minimumPayoutYen?: bigint;
}

interface Planned {
  shop: Shop;
  record: ZenginRecordInput;
  legs: { from: string; to: string; amount: bigint }[];
  grossYen: bigint;
  feeYen: bigint;
  netYen: bigint;
}

export function createPayoutService(options: PayoutServiceOptions) {
  const { ledger, identity, store, now } = options;
  const requester = options.requester ?? requesterDefault;
  const minimumPayoutYen = options.minimumPayoutYen ?? minimumPayoutYenDefault;
  const audit = (actor: Actor, action: string, target: string, details: Record<string, unknown>) =>
    identity.appendAudit({ actor: actor.userId, actorRoles: actor.roles, requestId: actor.requestId ?? null }, action, target, details);

  async function ensure(id: string, kind: string, owner: string): Promise<void> {
    const r = await ledger.createAccount({ id, kind, owner, asset: "JPY", flags: { debitsMustNotExceedCredits: false, creditsMustNotExceedDebits: false }, metadata: null });
    // account_exists: opened by the seed's city accounts under its own label; the id is what counts.
    assert(r.ok || r.code === "account_exists", `account ${id} can be opened`);
  }

  async function shopsFor(shopIds: readonly string[] | null): Promise<Shop[]> {
    if (shopIds) return (await Promise.all(shopIds.map((id) => identity.getShop(id)))).filter((s): s is Shop => s !== null && s.status === "active");
    const shops: Shop[] = [];
    let cursor: string | null = null;
    do {
      const page: { shops: Shop[]; nextCursor: string | null } = await identity.listShops({ status: "active", limit: 100, ...(cursor ? { cursor } : {}) });
      shops.push(...page.shops);
      cursor = page.nextCursor;
    } while (cursor && shops.length < payoutShopsMax);
    return shops;
  }

  /**
   * The payout an earlier attempt of this run already posted for the shop (it died before writing the run): its legs
   * are taken as they are, so the retry replays that transfer and the shop's line is in the file, instead of finding
   * the balance at 0 and leaving the money in payout:pending without a record.
   */
  async function postedEarlier(runId: string, shopId: string): Promise<{ legs: Planned["legs"]; feeYen: bigint; netYen: bigint } | null> {
    const t = await ledger.getTransfer(payoutTransferIdOf(runId, shopId));
    if (!t || t.status !== "posted") return null;
    const netYen = t.legs.filter((l) => l.to === payoutPendingAccountId).reduce((sum, l) => sum + l.amount, 0n);
    const feeYen = t.legs.filter((l) => l.to === feeAccountId).reduce((sum, l) => sum + l.amount, 0n);
    assert(netYen > 0n && netYen + feeYen === t.legs.reduce((sum, l) => sum + l.amount, 0n), `BUG: payout transfer ${t.id} is not net + fee`);
    return { legs: t.legs, feeYen, netYen };
  }

  async function plan(shop: Shop, trigger: PayoutTrigger, runId: string): Promise<Planned | { skip: string }> {
    if (!shop.bank) return { skip: "no_bank_account" };
    const bank = validateZenginBankAccount({
      bankCode: shop.bank.bankCode,
      branchCode: shop.bank.branchCode,
      accountType: shop.bank.accountType,
      accountNumber: shop.bank.accountNumber,
      holderName: shop.bank.holderKana,
    });
    if (!bank.ok) return { skip: "invalid_bank_account" };
    const b = bank.account;
    const record = (amountYen: bigint): ZenginRecordInput => ({ bankCode: b.bankCode, branchCode: b.branchCode, accountType: b.accountType, accountNumber: b.accountNumber, recipientNameKana: b.holderNameKana, amountYen, customerCode1: "0" });
    const earlier = await postedEarlier(runId, shop.id);
    if (earlier) return { shop, record: record(earlier.netYen), legs: earlier.legs, grossYen: earlier.netYen + earlier.feeYen, feeYen: earlier.feeYen, netYen: earlier.netYen };
    const merchantAccountId = `mer:${shop.id}`;
    const account = await ledger.getAccount(merchantAccountId);
    const balanceYen = account ? account.creditsPosted - account.debitsPosted - account.debitsPending : 0n;
    const p = planPayout({ merchantAccountId, balanceYen, feeRateBps: shop.feeRateBasisPoints, minimumPayoutYen, trigger, payoutPendingAccountId, feeAccountId });
    if (!p.ok) return { skip: p.code };
    return {
      shop,
      record: record(p.netYen),
      legs: p.legs,
      grossYen: p.grossYen,
      feeYen: p.feeYen,
      netYen: p.netYen,
    };
  }

  /**
   * Pays out every active shop (or the ones named) with a balance at or above the minimum. The file is built from
   * the plan first (a shop whose details cannot be written is skipped before any money moves); the run id comes
   * from the caller's key, so a retry returns the same run.
   */
  async function runPayouts(input: { trigger: PayoutTrigger; transferDate: string; shopIds: readonly string[] | null }, key: string, actor: Actor) {
    const runId = payoutRunIdOf(key);
    const existing = await store.getPayoutRun(runId);
    if (existing) return { ok: true as const, run: existing, skipped: {} as Record<string, number>, replayed: true };
    await Promise.all([ensure(payoutPendingAccountId, "payout", "city"), ensure(feeAccountId, "fee", "operator"), ensure(payoutSettledAccountId, "payout", "city")]);
    const skipped: Record<string, number> = {};
    const planned: Planned[] = [];
    for (const shop of await shopsFor(input.shopIds)) {
      const p = await plan(shop, input.trigger, runId);
      if ("skip" in p) skipped[p.skip] = (skipped[p.skip] ?? 0) + 1;
      else planned.push(p);
    }
    if (planned.length === 0) return failure(422, "nothing_to_pay", "no active shop has a balance to pay out");
    const trial = buildZenginTransferFile({ header: { ...requester, transferDate: input.transferDate }, records: planned.map((p) => p.record) });
    if (!trial.ok) return failure(422, "invalid_request", `the transfer file cannot be written: ${trial.detail}`);
    const results = await Promise.all(
      planned.map((p) =>
        ledger.submit({ op: "transfer", id: payoutTransferIdOf(runId, p.shop.id), legs: p.legs, code: "payout", metadata: { run_id: runId, shop_id: p.shop.id } }),
      ),
    );
    const posted = planned.filter((_, i) => results[i]!.ok);
    if (posted.length < planned.length) skipped.balance_changed = planned.length - posted.length;
    if (posted.length === 0) return failure(409, "nothing_to_pay", "every payout transfer was refused (balances changed)");
    const file = buildZenginTransferFile({ header: { ...requester, transferDate: input.transferDate }, records: posted.map((p) => p.record) });
    assert(file.ok, "a file that was built once builds again from a subset of its records");
    const createdAt = now();
    const run: PayoutRunRecord = {
      id: runId,
      trigger: input.trigger,
      transferDate: input.transferDate,
      fileText: file.text,
      count: file.count,
      totalYen: file.totalYen,
      status: "sent",
      createdBy: actor.userId,
      createdAt,
      confirmedAt: null,
    };
    const rows: PayoutRecord[] = posted.map((p, i) => ({
      id: `${runId}-${i + 1}`,
      runId,
      shopId: p.shop.id,
      merchantAccountId: `mer:${p.shop.id}`,
      grossYen: p.grossYen,
      feeYen: p.feeYen,
      netYen: p.netYen,
      transferId: payoutTransferIdOf(runId, p.shop.id),
      recordNo: i + 1,
      status: "pending",
      createdAt,
      settledAt: null,
    }));
    await store.insertPayoutRun(run, rows);
    await audit(actor, "payout.created", runId, { count: run.count, total_yen: run.totalYen.toString(), fee_yen: rows.reduce((s, r) => s + r.feeYen, 0n).toString() });
    return { ok: true as const, run, skipped, replayed: false };
  }

  /** The run's transfer file as the bank takes it: Shift_JIS, CRLF, 120-byte records. */
  async function zenginFile(runId: string): Promise<Uint8Array | null> {
    const run = await store.getPayoutRun(runId);
    return run?.fileText ? encodeZenginShiftJis(run.fileText) : null;
  }

  /** Imports the bank's confirmation CSV (record_no,status,amount): cleared payouts leave payout:pending; returned ones go back. */
  async function importConfirmation(runId: string, csv: string, actor: Actor) {
    const run = await store.getPayoutRun(runId);
    if (!run) return failure(404, "not_found", `no payout run ${runId}`);
    const rows = await store.payoutsOfRun(runId);
    const sent = rows.map((r) => ({ payoutId: r.id, transferId: r.transferId, merchantAccountId: r.merchantAccountId, amountYen: r.netYen }));
    const confirmation = applyBankConfirmation({ sent, csv, payoutPendingAccountId, settledAccountId: payoutSettledAccountId });
    if (!confirmation.ok) return failure(422, "invalid_confirmation", confirmation.detail);
    const statusOf = new Map(rows.map((r) => [r.id, r.status]));
    const cleared = confirmation.cleared.filter((c) => statusOf.get(c.payoutId) === "pending");
    const returned = confirmation.returned.filter((c) => statusOf.get(c.payoutId) === "pending");
    const results = await Promise.all([
      ...cleared.map((c) =>
        ledger.submit({ op: "transfer", id: `settle:${c.payoutId}`, legs: [{ from: payoutPendingAccountId, to: payoutSettledAccountId, amount: c.amountYen }], code: "payout_settled", metadata: { payout_id: c.payoutId } }),
      ),
      ...returned.map((c) => ledger.submit({ op: "reversal", id: `return:${c.payoutId}`, reversalOf: c.transferId, code: "payout_returned" })),
    ]);
    const failed = results.filter((r) => !r.ok);
    assert(failed.length === 0, `BUG: settling payouts of ${runId} was refused: ${failed.map((r) => (r.ok ? "" : r.code)).join(", ")}`);
    await store.settlePayouts(runId, [...cleared.map((c) => ({ id: c.payoutId, status: "cleared" as const })), ...returned.map((c) => ({ id: c.payoutId, status: "returned" as const }))], now());
    await audit(actor, "payout.confirmed", runId, { cleared: cleared.length, returned: returned.length, unconfirmed: confirmation.unconfirmed.length });
    return { ok: true as const, cleared: cleared.length, returned: returned.length, unconfirmed: confirmation.unconfirmed.length };
  }

  return { runPayouts, zenginFile, importConfirmation };
}

export type PayoutService = ReturnType<typeof createPayoutService>;
