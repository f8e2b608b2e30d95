// Community bus fares on the server (DESIGN §4 Bus, §5 ride code): an allowance is a ledger hold on the
// resident's coins plus an issuer-signed certificate; terminals decide offline and sync later; each synced tap
// is checked again (@tsubaki/ride verifySyncedTap), settled exactly once per tap id (planSync), captured from the
// hold into mer:bus, and anything beyond the hold becomes recorded rider debt. Expiry or renewal voids the rest.
//
// Exactly once: a tap's ledger capture has the id `bustap:{tapId}`, so a capture repeated after a crash is a
// replay in the ledger; the tap row and the allowance's new state are written in one transaction guarded by the
// allowance's version; one allowance is settled by one writer at a time (a per-allowance lock in this process —
// a multi-process deployment relies on the version check, and a loser answers `busy` so the terminal retries).
import {
  ALLOWANCE_SECONDS_MAX,
  ALLOWANCE_TAPS_DEFAULT,
  ALLOWANCE_TAPS_MAX,
  ALLOWANCE_TOTAL_YEN_DEFAULT,
  ALLOWANCE_TOTAL_YEN_MAX,
  CARD_ALLOWANCE_TAPS_MAX,
  CARD_ALLOWANCE_TOTAL_YEN_MAX,
  CARD_CERT_SECONDS_MAX,
  checkCertificateFields,
  defaultFareTable,
  defaultTerminalConfig,
  encodeRideCode,
  groupByAllowance,
  issueWithKeySet,
  newAllowanceId,
  planSync,
  serviceDay,
  verifySyncedTap,
  type AllowanceState,
  type Certificate,
  type FareClass,
  type FareTable,
  type SyncTapResult,
  type TapRecord,
  type VerifiedTap,
} from "@tsubaki/ride";
import { assert } from "@tsubaki/ledger";
import { createBusStore, type BusAllowanceRow, type BusStore, type BusTapRow, type Db } from "@tsubaki/db";
import { bytesToHex, hexToBytes, loadIssuerKeyring, type IssuerKeyring } from "./bus-keys";
import { createBatchVerifier } from "./bus-verify";
import type { LedgerService } from "./ledger";

export const BUS_ACCOUNT_ID = "mer:bus";
/** Taps synced this long after an allowance's notAfter still capture from its hold; later ones become debt. */
export const SETTLE_GRACE_SECONDS = 24 * 3600;
/** A card's standing hold lives this long before the sweep renews it. */
export const CARD_HOLD_SECONDS = 6 * 24 * 3600;
/** Most taps in one sync request (the outbox sends ≤ 100; the bench and exports send more). */
export const SYNC_TAPS_MAX = 10_000;
/** Allowances settled at once within one sync. */
const SETTLE_CONCURRENCY_MAX = 32;
/** Deny-list entries per config download; the terminal asks again from `next`. */
export const DENY_DELTA_MAX = 10_000;
/** Allowances closed or renewed per sweep. */
export const SWEEP_SIZE_MAX = 256;
/** A certificate becomes valid a little before it is issued, so a terminal whose clock lags accepts it. */
const CLOCK_SKEW_SECONDS = 120;

/** のっティ's four routes (DESIGN §8). Stops are the main ones; the terminal shows them to the driver. */
export const BUS_ROUTES = [
  { id: "north", nameJa: "北部ルート", nameEn: "North route", stops: ["野々市市役所", "野々市駅", "扇が丘", "本町"] },
  { id: "south", nameJa: "南部ルート", nameEn: "South route", stops: ["野々市市役所", "末松", "上林", "新庄"] },
  { id: "east", nameJa: "東部ルート", nameEn: "East route", stops: ["野々市市役所", "押野", "御経塚", "野代"] },
  { id: "west", nameJa: "西部ルート", nameEn: "West route", stops: ["野々市市役所", "粟田", "郷", "富奥"] },
] as const;

export type BusErrorCode = "insufficient_funds" | "account_not_found" | "allowance_not_found" | "invalid_allowance" | "busy";
export type BusResult<T> = ({ ok: true } & T) | { ok: false; code: BusErrorCode; detail: string };

export interface AllowanceView {
  id: string;
  kind: "phone" | "card";
  fareClass: string;
  certificate: string;
  rideCode: string | null;
  holdYen: number;
  remainingYen: number;
  capturedYen: number;
  debtYen: number;
  maxTotalYen: number;
  maxTaps: number;
  notBefore: string;
  notAfter: string;
  status: "active" | "closed";
  closedReason: string | null;
  denied: boolean;
}

export interface BusServiceOptions {
  ledger: LedgerService;
  store: BusStore;
  keys: IssuerKeyring;
  now?: () => Date;
  fareTable?: FareTable;
}

/** One answer of a sync: what this request moved, and for a repeat the settlement that stands. */
export type BusSyncResult = SyncTapResult & { original?: { result: "captured" | "debt"; captureYen: number; debtYen: number } };

export interface SyncInput {
  terminalId: string;
  routeId: string | null;
  taps: readonly TapRecord[];
}

function view(a: BusAllowanceRow): AllowanceView {
  return {
    id: a.id,
    kind: a.kind,
    fareClass: a.fareClass,
    certificate: a.cert,
    rideCode: a.kind === "card" ? encodeRideCode({ kind: "card", cert: hexToBytes(a.cert) }) : null,
    holdYen: a.holdYen,
    remainingYen: a.remainingYen,
    capturedYen: a.capturedYen,
    debtYen: a.debtYen,
    maxTotalYen: a.maxTotalYen,
    maxTaps: a.maxTaps,
    notBefore: a.notBefore.toISOString(),
    notAfter: a.notAfter.toISOString(),
    status: a.status,
    closedReason: a.closedReason,
    denied: a.denied,
  };
}

/** The service day's date (03:00–03:00 JST) as YYYY-MM-DD: the day a ride counts under in reports. */
export function rideDateOf(unixSeconds: number): string {
  return new Date(serviceDay(unixSeconds) * 86_400_000).toISOString().slice(0, 10);
}

/** Serialises work per key in this process. */
function keyedLock() {
  const tails = new Map<string, Promise<unknown>>();
  return async function withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = tails.get(key) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.catch(() => undefined);
    tails.set(key, tail);
    try {
      return await run;
    } finally {
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}

async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export class BusBusyError extends Error {
  override name = "BusBusyError";
}

export function createBusService(options: BusServiceOptions) {
  const { ledger, store, keys } = options;
  const now = options.now ?? (() => new Date());
  const fareTable = options.fareTable ?? defaultFareTable("notty");
  const withLock = keyedLock();
  /**
   * The version of each allowance as this process last wrote it. A sync reads its allowances before taking their
   * locks (one query per batch, not per allowance); under the lock a row whose version is older than this is
   * read again. Every write of an allowance row in this process records its new version here before unlocking.
   */
  const written = new Map<string, number>();
  const wrote = (id: string, version: number) => {
    if (written.size >= 100_000) written.clear();
    written.set(id, version);
  };
  const verifier = createBatchVerifier();

  async function ensureBusAccount(): Promise<void> {
    const created = await ledger.createAccount({
      id: BUS_ACCOUNT_ID,
      kind: "merchant",
      owner: "bus",
      asset: "JPY",
      flags: { debitsMustNotExceedCredits: true, creditsMustNotExceedDebits: false },
      metadata: null,
    });
    assert(created.ok || created.code === "account_exists", `BUG: the bus account could not be created: ${created.ok ? "" : created.detail}`);
  }
  let busAccountReady: Promise<void> | null = null;
  const busAccount = () => (busAccountReady ??= ensureBusAccount().catch((e) => { busAccountReady = null; throw e; }));

  /** Places a hold; the ledger's codes become ours. */
  async function placeHold(holdId: string, coinsAccountId: string, amountYen: number, timeoutSeconds: number, allowanceId: string): Promise<BusResult<{}>> {
    await busAccount();
    const result = await ledger.submit({
      op: "transfer",
      id: holdId,
      legs: [{ from: coinsAccountId, to: BUS_ACCOUNT_ID, amount: BigInt(amountYen) }],
      pending: { timeoutSeconds },
      code: "bus_allowance",
      metadata: { allowance_id: allowanceId },
    });
    if (result.ok) return { ok: true };
    if (result.code === "exceeds_balance") return { ok: false, code: "insufficient_funds", detail: `the coins cannot cover a ¥${amountYen} allowance` };
    if (result.code === "account_not_found") return { ok: false, code: "account_not_found", detail: "this resident has no coins yet" };
    return { ok: false, code: "invalid_allowance", detail: `${result.code}: ${result.detail}` };
  }

  /** Voids what is left of a hold; a hold that is already closed or expired is fine. */
  async function voidHold(holdId: string, reason: string): Promise<void> {
    const result = await ledger.submit({ op: "void", id: `busvoid:${holdId}`, holdId, metadata: { reason } });
    assert(result.ok || ["hold_closed", "hold_expired", "hold_not_found"].includes(result.code), `BUG: void of ${holdId} failed: ${result.ok ? "" : result.code}`);
  }

  async function closeAllowance(a: BusAllowanceRow, reason: "expired" | "renewed" | "renewal_failed"): Promise<void> {
    await withLock(a.id, async () => {
      const fresh = await store.getAllowance(a.id);
      if (!fresh || fresh.status !== "active") return;
      await voidHold(fresh.holdId, reason);
      if (!(await store.closeAllowance(fresh.id, fresh.version, reason))) throw new BusBusyError(`allowance ${a.id} changed while closing`);
      wrote(fresh.id, fresh.version + 1);
    });
  }

  async function issue(input: { residentId: string; coinsAccountId: string; fields: Omit<Certificate, "kid">; holdYen: number; holdSeconds: number; holdUntil: Date }): Promise<BusResult<{ allowance: AllowanceView }>> {
    const check = checkCertificateFields({ ...input.fields, kid: keys.set.current.kid });
    if (!check.ok) return { ok: false, code: "invalid_allowance", detail: `${check.field}: ${check.detail}` };
    const holdId = `bushold:${input.fields.allowanceId}:1`;
    const held = await placeHold(holdId, input.coinsAccountId, input.holdYen, input.holdSeconds, input.fields.allowanceId);
    if (!held.ok) return held;
    const cert = bytesToHex(issueWithKeySet(keys.set, input.fields));
    await store.insertAllowance({
      id: input.fields.allowanceId,
      residentId: input.residentId,
      kind: input.fields.card ? "card" : "phone",
      fareClass: input.fields.fareClass,
      cert,
      coinsAccountId: input.coinsAccountId,
      holdId,
      holdSeq: 1,
      holdYen: input.holdYen,
      remainingYen: input.holdYen,
      maxTotalYen: input.fields.maxTotalYen,
      maxTaps: input.fields.maxTaps,
      notBefore: new Date(input.fields.notBefore * 1000),
      notAfter: new Date(input.fields.notAfter * 1000),
      holdUntil: input.holdUntil,
      createdAt: now(),
    });
    const row = await store.getAllowance(input.fields.allowanceId);
    assert(row !== null, "BUG: an allowance reads back after insert");
    return { ok: true, allowance: view(row) };
  }

  /** The state planSync needs, for the taps of this batch only (older taps cannot collide with new tap ids). */
  function stateOf(a: BusAllowanceRow, settled: readonly BusTapRow[]): AllowanceState {
    const cardUse = new Map(Object.entries(a.cardUse).map(([day, use]) => [Number(day), use]));
    return {
      allowanceId: a.id,
      holdId: a.holdId,
      remainingYen: a.status === "active" ? a.remainingYen : 0,
      debtYen: a.debtYen,
      denied: a.denied,
      cardUseByServiceDay: cardUse,
      seen: new Map(settled.map((t) => [t.tapId, { tapHash: t.tapHash, result: t.result, captureYen: t.captureYen, debtYen: t.debtYen, terminalId: t.terminalId }])),
    };
  }

  /** Settles one allowance's taps; the caller holds its lock and read `a` and `settled` under it. */
  async function settleAllowance(a: BusAllowanceRow | undefined, settled: readonly BusTapRow[], allowanceId: string, taps: readonly VerifiedTap[], routeId: string | null): Promise<BusSyncResult[]> {
    if (!a) return taps.map((t) => ({ tapId: t.record.tapId, result: "invalid" as const, captureYen: 0, debtYen: 0, code: "allowance_unknown" }));
    const plan = planSync({ taps, allowance: stateOf(a, settled), fareTable });

    // Captures run in parallel (one group commit); a hold the ledger already closed turns its taps into debt.
    const outcomes = await Promise.all(plan.captures.map((c) => ledger.submit({ op: "capture", id: c.id, holdId: c.holdId, amount: BigInt(c.amountYen), metadata: { tap_id: c.tapId } })));
    const failed = new Set<string>();
    outcomes.forEach((r, i) => {
      if (r.ok) return;
      assert(["hold_expired", "hold_closed", "hold_exceeded", "hold_not_found"].includes(r.code), `BUG: capture ${plan.captures[i]!.id} failed: ${r.code} ${r.detail}`);
      failed.add(plan.captures[i]!.tapId);
    });
    const results = plan.results.map((r) => (failed.has(r.tapId) ? { ...r, result: "debt" as const, debtYen: r.debtYen + r.captureYen, captureYen: 0 } : r));
    const byId = new Map(taps.map((t) => [t.record.tapId, t]));
    const newTaps: BusTapRow[] = [];
    const debts: { id: string; allowanceId: string; residentId: string; tapId: string; amountYen: number }[] = [];
    const conflicts: { tapId: string; allowanceId: string; terminalId: string; tapHash: string }[] = [];
    const at = now();
    for (const r of results) {
      const tap = byId.get(r.tapId)!;
      if (r.result === "double_spend") conflicts.push({ tapId: r.tapId, allowanceId, terminalId: tap.record.terminalId, tapHash: tap.tapHash });
      if (r.result !== "captured" && r.result !== "debt") continue;
      const { record } = tap;
      newTaps.push({
        tapId: record.tapId, allowanceId, terminalId: record.terminalId, routeId, kind: record.kind, counter: record.counter,
        tappedAt: new Date(record.time * 1000), rideDate: rideDateOf(record.time), fareClass: record.fareClass, tapHash: tap.tapHash,
        result: r.result, captureYen: r.captureYen, debtYen: r.debtYen, settledAt: at,
      });
      if (r.debtYen > 0) debts.push({ id: `busdebt:${r.tapId}`, allowanceId, residentId: a.residentId, tapId: r.tapId, amountYen: r.debtYen });
    }
    const capturedYen = newTaps.reduce((s, t) => s + t.captureYen, 0);
    const debtYen = newTaps.reduce((s, t) => s + t.debtYen, 0);
    const remainingYen = failed.size > 0 ? 0 : plan.allowance.remainingYen;
    assert(failed.size > 0 || capturedYen === stateOf(a, []).remainingYen - remainingYen, "BUG: captures = what the hold lost");
    const committed = await store.commitSettlement({
      allowanceId,
      expectedVersion: a.version,
      remainingYen: a.status === "active" ? remainingYen : a.remainingYen,
      capturedYenAdded: capturedYen,
      debtYenAdded: debtYen,
      denied: plan.allowance.denied,
      cardUse: Object.fromEntries(plan.allowance.cardUseByServiceDay),
      taps: newTaps,
      debts,
      conflicts,
      deny: plan.deny,
      at,
    });
    if (committed) wrote(allowanceId, a.version + 1);
    if (!committed) throw new BusBusyError(`allowance ${allowanceId} changed during settlement; retry`);
    return results.map((r) => ({
      tapId: r.tapId,
      result: r.result,
      captureYen: r.captureYen,
      debtYen: r.debtYen,
      // A duplicate or a double spend says what stands: the first settlement of this tap id.
      ...(r.original ? { original: { result: r.original.result, captureYen: r.original.captureYen, debtYen: r.original.debtYen } } : {}),
    }));
  }

  /** Under the allowance's lock: the rows read before it, or read again when this process wrote since. */
  async function settleFresh(preloaded: BusAllowanceRow | undefined, settledBefore: readonly BusTapRow[], allowanceId: string, taps: readonly VerifiedTap[], routeId: string | null): Promise<BusSyncResult[]> {
    return withLock(allowanceId, async () => {
      const known = written.get(allowanceId);
      if (preloaded !== undefined && (known === undefined || known === preloaded.version)) return settleAllowance(preloaded, settledBefore, allowanceId, taps, routeId);
      const [row, settled] = await Promise.all([store.getAllowance(allowanceId), store.settledTaps(taps.map((t) => t.record.tapId))]);
      return settleAllowance(row ?? undefined, settled, allowanceId, taps, routeId);
    });
  }

  return {
    fareTable,

    /** A resident's phone allowance: renews (voids) any active one, holds the coins, signs the certificate. */
    async requestAllowance(input: { residentId: string; coinsAccountId: string; riderPublicKeyHex: string; fareClass?: FareClass; totalYen?: number; taps?: number; hours?: number }): Promise<BusResult<{ allowance: AllowanceView }>> {
      const totalYen = input.totalYen ?? ALLOWANCE_TOTAL_YEN_DEFAULT;
      const taps = input.taps ?? ALLOWANCE_TAPS_DEFAULT;
      const seconds = Math.round((input.hours ?? 72) * 3600);
      if (!/^[0-9a-f]{64}$/.test(input.riderPublicKeyHex)) return { ok: false, code: "invalid_allowance", detail: "rider_public_key: 64 lower-case hex characters (Ed25519)" };
      if (!Number.isSafeInteger(totalYen) || totalYen < 1 || totalYen > ALLOWANCE_TOTAL_YEN_MAX) return { ok: false, code: "invalid_allowance", detail: `total_yen: 1..${ALLOWANCE_TOTAL_YEN_MAX}` };
      if (!Number.isSafeInteger(taps) || taps < 1 || taps > ALLOWANCE_TAPS_MAX) return { ok: false, code: "invalid_allowance", detail: `taps: 1..${ALLOWANCE_TAPS_MAX}` };
      if (seconds < 3600 || seconds > ALLOWANCE_SECONDS_MAX) return { ok: false, code: "invalid_allowance", detail: "hours: 1..72" };
      for (const old of await store.allowancesOf(input.residentId, { activeOnly: true, kind: "phone" })) await closeAllowance(old, "renewed");
      const nowS = Math.floor(now().getTime() / 1000);
      const notBefore = nowS - CLOCK_SKEW_SECONDS;
      const notAfter = notBefore + seconds;
      return issue({
        residentId: input.residentId,
        coinsAccountId: input.coinsAccountId,
        fields: { v: 1, allowanceId: newAllowanceId(), riderPublicKey: hexToBytes(input.riderPublicKeyHex), fareClass: input.fareClass ?? "adult", maxTotalYen: totalYen, maxTaps: taps, notBefore, notAfter, card: false },
        holdYen: totalYen,
        // The ledger lets the hold lapse an hour after the sweep should have voided it.
        holdSeconds: notAfter - nowS + SETTLE_GRACE_SECONDS + 3600,
        holdUntil: new Date((notAfter + SETTLE_GRACE_SECONDS) * 1000),
      });
    },

    /** A printed card (no device key): small daily limits, a long certificate, a standing hold the sweep renews. */
    async issueCardAllowance(input: { residentId: string; coinsAccountId: string; fareClass: FareClass; dailyYen?: number; dailyTaps?: number; days?: number }): Promise<BusResult<{ allowance: AllowanceView }>> {
      const dailyYen = input.dailyYen ?? CARD_ALLOWANCE_TOTAL_YEN_MAX;
      const dailyTaps = input.dailyTaps ?? CARD_ALLOWANCE_TAPS_MAX;
      const seconds = (input.days ?? 365) * 86_400;
      if (!Number.isSafeInteger(dailyYen) || dailyYen < 1 || dailyYen > CARD_ALLOWANCE_TOTAL_YEN_MAX) return { ok: false, code: "invalid_allowance", detail: `daily_yen: 1..${CARD_ALLOWANCE_TOTAL_YEN_MAX}` };
      if (!Number.isSafeInteger(dailyTaps) || dailyTaps < 1 || dailyTaps > CARD_ALLOWANCE_TAPS_MAX) return { ok: false, code: "invalid_allowance", detail: `daily_taps: 1..${CARD_ALLOWANCE_TAPS_MAX}` };
      if (!Number.isSafeInteger(seconds) || seconds < 86_400 || seconds > CARD_CERT_SECONDS_MAX) return { ok: false, code: "invalid_allowance", detail: "days: 1..400" };
      const nowS = Math.floor(now().getTime() / 1000);
      const notBefore = nowS - CLOCK_SKEW_SECONDS;
      return issue({
        residentId: input.residentId,
        coinsAccountId: input.coinsAccountId,
        fields: { v: 1, allowanceId: newAllowanceId(), riderPublicKey: new Uint8Array(32), fareClass: input.fareClass, maxTotalYen: dailyYen, maxTaps: dailyTaps, notBefore, notAfter: notBefore + seconds, card: true },
        holdYen: dailyYen,
        holdSeconds: CARD_HOLD_SECONDS + 3600,
        holdUntil: new Date((nowS + CARD_HOLD_SECONDS) * 1000),
      });
    },

    async allowancesOf(residentId: string): Promise<AllowanceView[]> {
      return (await store.allowancesOf(residentId)).map(view);
    },

    async getAllowance(id: string): Promise<AllowanceView | null> {
      const a = await store.getAllowance(id);
      return a ? view(a) : null;
    },

    /** What a paired terminal downloads: fares, issuer public keys, deny-list delta, routes, limits. */
    async terminalConfig(denySince: number) {
      const entries = await store.denyDelta(denySince, DENY_DELTA_MAX);
      const last = entries[entries.length - 1];
      const keyList = [keys.set.current, ...(keys.set.previous ? [keys.set.previous] : [])];
      return {
        server_time: Math.floor(now().getTime() / 1000),
        fare_table: fareTable,
        issuer_keys: keyList.map((k) => ({ kid: k.kid, public_key: bytesToHex(k.publicKey) })),
        deny: { since: denySince, next: last ? last.seq : denySince, complete: entries.length < DENY_DELTA_MAX, entries: entries.map((e) => ({ allowance_id: e.allowanceId, reason: e.reason })) },
        routes: BUS_ROUTES,
        limits: defaultTerminalConfig,
      };
    },

    /** POST /v1/bus/taps:sync: one answer per tap, in request order. `terminalId` is the authenticated device. */
    async syncTaps(input: SyncInput): Promise<{ results: BusSyncResult[] }> {
      assert(input.taps.length <= SYNC_TAPS_MAX, "BUG: the route bounds a sync batch");
      const answers = new Map<string, BusSyncResult>();
      const valid: VerifiedTap[] = [];
      const verifiers = await verifier.prepare(input.taps);
      for (const record of input.taps) {
        const checked = verifySyncedTap(record, keys.all, input.terminalId, verifiers);
        if (checked.ok) valid.push(checked.tap);
        else answers.set(record.tapId, { tapId: record.tapId, result: "invalid", captureYen: 0, debtYen: 0, code: checked.code });
      }
      const groups = groupByAllowance(valid);
      const ids = groups.map(([id]) => id);
      // One read of every allowance and of the taps already settled; each allowance then settles under its lock.
      const [rows, before] = await Promise.all([store.getAllowances(ids), store.settledTaps(valid.map((t) => t.record.tapId))]);
      const beforeBy = new Map<string, BusTapRow[]>();
      for (const t of before) beforeBy.set(t.allowanceId, [...(beforeBy.get(t.allowanceId) ?? []), t]);
      const settled = await mapBounded(groups, SETTLE_CONCURRENCY_MAX, ([allowanceId, taps]) => settleFresh(rows.get(allowanceId), beforeBy.get(allowanceId) ?? [], allowanceId, taps, input.routeId));
      for (const group of settled) for (const r of group) if (!answers.has(r.tapId) || answers.get(r.tapId)!.result === "invalid") answers.set(r.tapId, r);
      // A tap id sent twice in one request gets the answer of its first occurrence.
      return { results: [...new Set(input.taps.map((t) => t.tapId))].map((id) => answers.get(id)!) };
    },

    /** Voids the holds of lapsed allowances and renews the standing holds of cards. Returns what it did. */
    async sweep(): Promise<{ closed: number; renewed: number }> {
      let closed = 0;
      let renewed = 0;
      const at = now();
      for (const a of await store.dueAllowances(at, SWEEP_SIZE_MAX)) {
        const lapsed = a.notAfter.getTime() + SETTLE_GRACE_SECONDS * 1000 <= at.getTime();
        if (a.kind === "phone" || lapsed) {
          await closeAllowance(a, "expired");
          closed += 1;
          continue;
        }
        const ok = await withLock(a.id, async () => {
          const fresh = await store.getAllowance(a.id);
          if (!fresh || fresh.status !== "active") return true;
          await voidHold(fresh.holdId, "renewed");
          const holdId = `bushold:${fresh.id}:${fresh.holdSeq + 1}`;
          const held = await placeHold(holdId, fresh.coinsAccountId, fresh.maxTotalYen, CARD_HOLD_SECONDS + 3600, fresh.id);
          if (!held.ok) return false;
          const renewed = await store.renewHold(fresh.id, fresh.version, { holdId, holdSeq: fresh.holdSeq + 1, holdYen: fresh.maxTotalYen, holdUntil: new Date(at.getTime() + CARD_HOLD_SECONDS * 1000) });
          if (renewed) wrote(fresh.id, fresh.version + 1);
          return renewed;
        });
        if (ok) renewed += 1;
        else {
          await closeAllowance(a, "renewal_failed");
          closed += 1;
        }
      }
      return { closed, renewed };
    },

    /** Deny-lists an allowance by hand (a lost card). */
    async deny(allowanceId: string, reason: "lost" | "admin"): Promise<boolean> {
      const a = await store.getAllowance(allowanceId);
      if (!a) return false;
      await withLock(allowanceId, async () => {
        await store.deny(allowanceId, reason, now());
        const after = await store.getAllowance(allowanceId);
        if (after) wrote(allowanceId, after.version);
      });
      return true;
    },

    ridesReport: (fromDate: string, toDate: string) => store.ridesReport(fromDate, toDate),
    debtsOf: (residentId: string) => store.debtsOf(residentId),
  };
}

export type BusService = ReturnType<typeof createBusService>;

/** The bus service over a database, as an entry builds it (issuer keys from configuration or the database). */
export async function busServiceOn(db: Db, ledger: LedgerService, issuerKeysText: string | null): Promise<BusService> {
  const store = createBusStore(db);
  const keys = await loadIssuerKeyring({ configured: issuerKeysText, store, now: new Date() });
  return createBusService({ ledger, store, keys });
}

/** How often an entry runs the bus sweep (lapsed allowances, card holds to renew). */
export const busSweepIntervalMs = 60_000;
