// The bus tables (schema/bus.ts) as the bus service needs them: allowances and their settlement state, settled
// taps, the deny list as deltas, debts, the rides report and the demo issuer keys. The money moves in the ledger;
// one settlement of one allowance is written here in one transaction, guarded by the allowance's version so a
// concurrent writer can never lose an update.
import type { Db, SqlClient } from "./client";
import { textArray } from "./sql-arrays";
import { toDate } from "./rows";

export interface BusAllowanceRow {
  id: string;
  residentId: string;
  kind: "phone" | "card";
  fareClass: string;
  cert: string;
  coinsAccountId: string;
  holdId: string;
  holdSeq: number;
  holdYen: number;
  remainingYen: number;
  capturedYen: number;
  debtYen: number;
  maxTotalYen: number;
  maxTaps: number;
  notBefore: Date;
  notAfter: Date;
  holdUntil: Date;
  status: "active" | "closed";
  closedReason: string | null;
  denied: boolean;
  cardUse: Record<string, { taps: number; yen: number }>;
  version: number;
  createdAt: Date;
}

export interface BusTapRow {
  tapId: string;
  allowanceId: string;
  terminalId: string;
  routeId: string | null;
  kind: "phone" | "card";
  counter: number;
  tappedAt: Date;
  rideDate: string;
  fareClass: string;
  tapHash: string;
  result: "captured" | "debt";
  captureYen: number;
  debtYen: number;
  settledAt: Date;
}

export interface BusSettlementWrite {
  allowanceId: string;
  expectedVersion: number;
  remainingYen: number;
  capturedYenAdded: number;
  debtYenAdded: number;
  denied: boolean;
  cardUse: Record<string, { taps: number; yen: number }>;
  taps: BusTapRow[];
  debts: { id: string; allowanceId: string; residentId: string; tapId: string; amountYen: number }[];
  conflicts: { tapId: string; allowanceId: string; terminalId: string; tapHash: string }[];
  deny: { allowanceId: string; reason: string } | null;
  at: Date;
}

export interface RidesReportRow {
  rideDate: string;
  routeId: string | null;
  rides: number;
  fareYen: number;
  debtYen: number;
}

const allowanceColumns = `id, resident_id, kind, fare_class, cert, coins_account_id, hold_id, hold_seq, hold_yen::text AS hold_yen,
  remaining_yen::text AS remaining_yen, captured_yen::text AS captured_yen, debt_yen::text AS debt_yen, max_total_yen, max_taps,
  not_before, not_after, hold_until, status, closed_reason, denied, card_use, version, created_at`;

type Row = Record<string, unknown>;

function allowanceFromRow(r: Row): BusAllowanceRow {
  return {
    id: String(r.id),
    residentId: String(r.resident_id),
    kind: r.kind as "phone" | "card",
    fareClass: String(r.fare_class),
    cert: String(r.cert),
    coinsAccountId: String(r.coins_account_id),
    holdId: String(r.hold_id),
    holdSeq: Number(r.hold_seq),
    holdYen: Number(r.hold_yen),
    remainingYen: Number(r.remaining_yen),
    capturedYen: Number(r.captured_yen),
    debtYen: Number(r.debt_yen),
    maxTotalYen: Number(r.max_total_yen),
    maxTaps: Number(r.max_taps),
    notBefore: toDate(r.not_before),
    notAfter: toDate(r.not_after),
    holdUntil: toDate(r.hold_until),
    status: r.status as "active" | "closed",
    closedReason: r.closed_reason === null ? null : String(r.closed_reason),
    denied: r.denied === true,
    cardUse: (typeof r.card_use === "string" ? JSON.parse(r.card_use) : r.card_use) as BusAllowanceRow["cardUse"],
    version: Number(r.version),
    createdAt: toDate(r.created_at),
  };
}

/** Rows per INSERT statement, so a 10,000-tap sync stays within parameter limits. */
const insertRowsMax = 500;

async function insertMany(tx: SqlClient, table: string, columns: readonly string[], casts: readonly string[], rows: readonly unknown[][]): Promise<void> {
  for (let start = 0; start < rows.length; start += insertRowsMax) {
    const chunk = rows.slice(start, start + insertRowsMax);
    const params: unknown[] = [];
    const tuples = chunk.map((row) => `(${row.map((value, i) => { params.push(value); return `$${params.length}${casts[i] ?? ""}`; }).join(", ")})`);
    await tx.query(`INSERT INTO ${table} (${columns.join(", ")}) VALUES ${tuples.join(", ")} ON CONFLICT DO NOTHING`, params);
  }
}

export function createBusStore(db: Db) {
  return {
    async issuerKeys(): Promise<{ kid: number; publicKey: string; secretKey: string; retiredAt: Date | null }[]> {
      const rows = await db.query<Row>(`SELECT kid, public_key, secret_key, retired_at FROM bus_issuer_keys ORDER BY created_at, kid`);
      return rows.map((r) => ({ kid: Number(r.kid), publicKey: String(r.public_key), secretKey: String(r.secret_key), retiredAt: r.retired_at === null ? null : toDate(r.retired_at) }));
    },

    /** Keeps the first key written for a kid (two processes starting at once agree on one). */
    async saveIssuerKey(key: { kid: number; publicKey: string; secretKey: string }, at: Date): Promise<void> {
      await db.query(`INSERT INTO bus_issuer_keys (kid, public_key, secret_key, created_at) VALUES ($1, $2, $3, $4::timestamptz) ON CONFLICT (kid) DO NOTHING`, [
        key.kid,
        key.publicKey,
        key.secretKey,
        at.toISOString(),
      ]);
    },

    async insertAllowance(a: Omit<BusAllowanceRow, "version" | "capturedYen" | "debtYen" | "denied" | "closedReason" | "cardUse" | "status">): Promise<void> {
      await db.query(
        `INSERT INTO bus_allowances (id, resident_id, kind, fare_class, cert, coins_account_id, hold_id, hold_seq, hold_yen, remaining_yen,
           max_total_yen, max_taps, not_before, not_after, hold_until, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::timestamptz, $14::timestamptz, $15::timestamptz, $16::timestamptz)`,
        [a.id, a.residentId, a.kind, a.fareClass, a.cert, a.coinsAccountId, a.holdId, a.holdSeq, a.holdYen, a.remainingYen, a.maxTotalYen, a.maxTaps,
          a.notBefore.toISOString(), a.notAfter.toISOString(), a.holdUntil.toISOString(), a.createdAt.toISOString()],
      );
    },

    async getAllowance(id: string): Promise<BusAllowanceRow | null> {
      const [row] = await db.query<Row>(`SELECT ${allowanceColumns} FROM bus_allowances WHERE id = $1`, [id]);
      return row ? allowanceFromRow(row) : null;
    },

    async getAllowances(ids: readonly string[]): Promise<Map<string, BusAllowanceRow>> {
      if (ids.length === 0) return new Map();
      const rows = await db.query<Row>(`SELECT ${allowanceColumns} FROM bus_allowances WHERE id = ANY($1::text::text[])`, [textArray(ids)]);
      return new Map(rows.map((r) => { const a = allowanceFromRow(r); return [a.id, a]; }));
    },

    async allowancesOf(residentId: string, options: { activeOnly?: boolean; kind?: "phone" | "card" } = {}): Promise<BusAllowanceRow[]> {
      const rows = await db.query<Row>(
        `SELECT ${allowanceColumns} FROM bus_allowances WHERE resident_id = $1 AND ($2::boolean IS FALSE OR status = 'active') AND ($3::text IS NULL OR kind = $3)
         ORDER BY created_at DESC LIMIT 100`,
        [residentId, options.activeOnly ?? false, options.kind ?? null],
      );
      return rows.map(allowanceFromRow);
    },

    /** Active allowances whose hold must be voided or renewed by `at`. */
    async dueAllowances(at: Date, limit: number): Promise<BusAllowanceRow[]> {
      const rows = await db.query<Row>(`SELECT ${allowanceColumns} FROM bus_allowances WHERE status = 'active' AND hold_until <= $1::timestamptz ORDER BY hold_until LIMIT $2`, [
        at.toISOString(),
        limit,
      ]);
      return rows.map(allowanceFromRow);
    },

    /** Closes an allowance (its hold voided or expired): remaining 0. False when another writer got there first. */
    async closeAllowance(id: string, expectedVersion: number, reason: string): Promise<boolean> {
      const rows = await db.query(
        `UPDATE bus_allowances SET status = 'closed', closed_reason = $3, remaining_yen = 0, version = version + 1 WHERE id = $1 AND version = $2 AND status = 'active' RETURNING 1`,
        [id, expectedVersion, reason],
      );
      return rows.length === 1;
    },

    /** A card's next hold replaces the spent or lapsing one. */
    async renewHold(id: string, expectedVersion: number, hold: { holdId: string; holdSeq: number; holdYen: number; holdUntil: Date }): Promise<boolean> {
      const rows = await db.query(
        `UPDATE bus_allowances SET hold_id = $3, hold_seq = $4, hold_yen = $5, remaining_yen = $5, hold_until = $6::timestamptz, version = version + 1
         WHERE id = $1 AND version = $2 AND status = 'active' RETURNING 1`,
        [id, expectedVersion, hold.holdId, hold.holdSeq, hold.holdYen, hold.holdUntil.toISOString()],
      );
      return rows.length === 1;
    },

    /** The settled taps among these ids. */
    async settledTaps(tapIds: readonly string[]): Promise<BusTapRow[]> {
      if (tapIds.length === 0) return [];
      const rows = await db.query<Row>(
        `SELECT tap_id, allowance_id, terminal_id, route_id, kind, counter::text AS counter, tapped_at, ride_date, fare_class, tap_hash, result,
           capture_yen::text AS capture_yen, debt_yen::text AS debt_yen, settled_at FROM bus_taps WHERE tap_id = ANY($1::text::text[])`,
        [textArray(tapIds)],
      );
      return rows.map((r) => ({
        tapId: String(r.tap_id),
        allowanceId: String(r.allowance_id),
        terminalId: String(r.terminal_id),
        routeId: r.route_id === null ? null : String(r.route_id),
        kind: r.kind as "phone" | "card",
        counter: Number(r.counter),
        tappedAt: toDate(r.tapped_at),
        rideDate: String(r.ride_date),
        fareClass: String(r.fare_class),
        tapHash: String(r.tap_hash),
        result: r.result as "captured" | "debt",
        captureYen: Number(r.capture_yen),
        debtYen: Number(r.debt_yen),
        settledAt: toDate(r.settled_at),
      }));
    },

    /** One allowance's settlement, all or none. False (nothing written) when the allowance changed meanwhile. */
    async commitSettlement(w: BusSettlementWrite): Promise<boolean> {
      return db.transaction(async (tx) => {
        const updated = await tx.query(
          `UPDATE bus_allowances SET remaining_yen = $3, captured_yen = captured_yen + $4, debt_yen = debt_yen + $5, denied = denied OR $6, card_use = $7::jsonb,
             version = version + 1 WHERE id = $1 AND version = $2 RETURNING 1`,
          [w.allowanceId, w.expectedVersion, w.remainingYen, w.capturedYenAdded, w.debtYenAdded, w.denied, JSON.stringify(w.cardUse)],
        );
        if (updated.length === 0) return false;
        const iso = w.at.toISOString();
        await insertMany(
          tx,
          "bus_taps",
          ["tap_id", "allowance_id", "terminal_id", "route_id", "kind", "counter", "tapped_at", "ride_date", "fare_class", "tap_hash", "result", "capture_yen", "debt_yen", "settled_at"],
          ["", "", "", "", "", "", "::timestamptz", "", "", "", "", "", "", "::timestamptz"],
          w.taps.map((t) => [t.tapId, t.allowanceId, t.terminalId, t.routeId, t.kind, t.counter, t.tappedAt.toISOString(), t.rideDate, t.fareClass, t.tapHash, t.result, t.captureYen, t.debtYen, iso]),
        );
        await insertMany(tx, "bus_debts", ["id", "allowance_id", "resident_id", "tap_id", "amount_yen", "created_at"], ["", "", "", "", "", "::timestamptz"],
          w.debts.map((d) => [d.id, d.allowanceId, d.residentId, d.tapId, d.amountYen, iso]));
        await insertMany(tx, "bus_tap_conflicts", ["tap_id", "allowance_id", "terminal_id", "tap_hash", "received_at"], ["", "", "", "", "::timestamptz"],
          w.conflicts.map((c) => [c.tapId, c.allowanceId, c.terminalId, c.tapHash, iso]));
        if (w.deny) {
          await tx.query(`INSERT INTO bus_deny_list (allowance_id, reason, added_at) VALUES ($1, $2, $3::timestamptz) ON CONFLICT (allowance_id) DO NOTHING`, [w.deny.allowanceId, w.deny.reason, iso]);
        }
        return true;
      });
    },

    async deny(allowanceId: string, reason: string, at: Date): Promise<void> {
      await db.transaction(async (tx) => {
        await tx.query(`UPDATE bus_allowances SET denied = true, version = version + 1 WHERE id = $1`, [allowanceId]);
        await tx.query(`INSERT INTO bus_deny_list (allowance_id, reason, added_at) VALUES ($1, $2, $3::timestamptz) ON CONFLICT (allowance_id) DO NOTHING`, [allowanceId, reason, at.toISOString()]);
      });
    },

    /** Deny-list entries after `sinceSeq`, oldest first. */
    async denyDelta(sinceSeq: number, limit: number): Promise<{ seq: number; allowanceId: string; reason: string; addedAt: Date }[]> {
      const rows = await db.query<Row>(`SELECT seq::text AS seq, allowance_id, reason, added_at FROM bus_deny_list WHERE seq > $1 ORDER BY seq LIMIT $2`, [sinceSeq, limit]);
      return rows.map((r) => ({ seq: Number(r.seq), allowanceId: String(r.allowance_id), reason: String(r.reason), addedAt: toDate(r.added_at) }));
    },

    async debtsOf(residentId: string): Promise<{ totalYen: number; count: number }> {
      const [row] = await db.query<Row>(`SELECT coalesce(sum(amount_yen), 0)::text AS total, count(*)::int AS n FROM bus_debts WHERE resident_id = $1 AND settled_at IS NULL`, [residentId]);
      return { totalYen: Number(row?.total ?? 0), count: Number(row?.n ?? 0) };
    },

    async ridesReport(fromDate: string, toDate: string): Promise<RidesReportRow[]> {
      const rows = await db.query<Row>(
        `SELECT ride_date, route_id, count(*)::int AS rides, sum(capture_yen + debt_yen)::text AS fare_yen, sum(debt_yen)::text AS debt_yen
         FROM bus_taps WHERE ride_date >= $1 AND ride_date <= $2 GROUP BY ride_date, route_id ORDER BY ride_date, route_id NULLS FIRST`,
        [fromDate, toDate],
      );
      return rows.map((r) => ({ rideDate: String(r.ride_date), routeId: r.route_id === null ? null : String(r.route_id), rides: Number(r.rides), fareYen: Number(r.fare_yen), debtYen: Number(r.debt_yen) }));
    },

    /** For the simulation and audits: every settled tap's totals per allowance. */
    async tapTotals(): Promise<Map<string, { taps: number; captureYen: number; debtYen: number }>> {
      const rows = await db.query<Row>(`SELECT allowance_id, count(*)::int AS n, sum(capture_yen)::text AS c, sum(debt_yen)::text AS d FROM bus_taps GROUP BY allowance_id`);
      return new Map(rows.map((r) => [String(r.allowance_id), { taps: Number(r.n), captureYen: Number(r.c), debtYen: Number(r.d) }]));
    },
  };
}

export type BusStore = ReturnType<typeof createBusStore>;
