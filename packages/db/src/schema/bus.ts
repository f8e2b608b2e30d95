// Community bus fares: allowances (a ledger hold on a resident's coins plus an issuer-signed certificate), the
// taps terminals synced and how each settled, the deny list terminals download as deltas, rider debts beyond a
// hold, double-spend evidence, and the issuer keys that sign certificates. The money itself is in the ledger
// (the hold `bushold:*`, captures `bustap:*`); these tables say which ride each movement paid for.
import { sql } from "drizzle-orm";
import { bigint, bigserial, boolean, check, index, integer, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

const at = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

/**
 * Issuer signing keys (Ed25519, hex). At most one has retired_at IS NULL and is the current one; terminals are
 * given the current and the previous public key, the server verifies with every key it ever had. The secret is
 * only read to sign and is never logged. Used when TSUBAKI_RIDE_ISSUER_KEYS is not set (the demo).
 */
export const busIssuerKeys = pgTable("bus_issuer_keys", {
  kid: integer("kid").primaryKey(),
  publicKey: text("public_key").notNull(),
  secretKey: text("secret_key").notNull(),
  createdAt: at("created_at").notNull(),
  retiredAt: at("retired_at"),
});

/**
 * One allowance = one certificate = one hold at a time.
 *   0 ≤ remaining_yen ≤ hold_yen; captured_yen + remaining_yen + released_yen = Σ hold_yen over its holds
 *   status 'active' ⇒ the hold hold_id is open in the ledger; 'closed' ⇒ remaining_yen = 0 (voided or expired)
 *   version counts every settlement write (optimistic check against concurrent writers)
 */
export const busAllowances = pgTable(
  "bus_allowances",
  {
    id: text("id").primaryKey(),
    residentId: text("resident_id").notNull(),
    kind: text("kind").notNull(),
    fareClass: text("fare_class").notNull(),
    /** The certificate bytes, hex. */
    cert: text("cert").notNull(),
    coinsAccountId: text("coins_account_id").notNull(),
    holdId: text("hold_id").notNull().unique(),
    /** How many holds this allowance has had (cards renew theirs). */
    holdSeq: integer("hold_seq").notNull().default(1),
    holdYen: bigint("hold_yen", { mode: "number" }).notNull(),
    remainingYen: bigint("remaining_yen", { mode: "number" }).notNull(),
    capturedYen: bigint("captured_yen", { mode: "number" }).notNull().default(0),
    debtYen: bigint("debt_yen", { mode: "number" }).notNull().default(0),
    maxTotalYen: integer("max_total_yen").notNull(),
    maxTaps: integer("max_taps").notNull(),
    notBefore: at("not_before").notNull(),
    notAfter: at("not_after").notNull(),
    /** When the hold must be voided (not_after plus the grace for late syncs; a card's hold renews before). */
    holdUntil: at("hold_until").notNull(),
    status: text("status").notNull().default("active"),
    closedReason: text("closed_reason"),
    denied: boolean("denied").notNull().default(false),
    /** Cards: {serviceDay: {taps, yen}} across all terminals. */
    cardUse: jsonb("card_use").notNull().default(sql`'{}'::jsonb`),
    version: integer("version").notNull().default(0),
    createdAt: at("created_at").notNull(),
  },
  (t) => [
    check("bus_allowances_kind", sql`${t.kind} IN ('phone','card')`),
    check("bus_allowances_status", sql`${t.status} IN ('active','closed')`),
    check("bus_allowances_amounts", sql`${t.remainingYen} >= 0 AND ${t.remainingYen} <= ${t.holdYen} AND ${t.capturedYen} >= 0 AND ${t.debtYen} >= 0`),
    index("bus_allowances_resident").on(t.residentId, t.createdAt),
    index("bus_allowances_active_until").on(t.holdUntil).where(sql`${t.status} = 'active'`),
  ],
);

/**
 * A settled tap, once per tap id ("p:{allowance}:{counter}" or "c:{allowance}:{terminal}:{localSeq}").
 *   result ∈ {captured, debt}; capture_yen + debt_yen = the fare charged
 */
export const busTaps = pgTable(
  "bus_taps",
  {
    tapId: text("tap_id").primaryKey(),
    allowanceId: text("allowance_id").notNull(),
    terminalId: text("terminal_id").notNull(),
    routeId: text("route_id"),
    kind: text("kind").notNull(),
    counter: bigint("counter", { mode: "number" }).notNull(),
    tappedAt: at("tapped_at").notNull(),
    /** Tokyo date of the ride (YYYY-MM-DD), for reports. */
    rideDate: text("ride_date").notNull(),
    fareClass: text("fare_class").notNull(),
    tapHash: text("tap_hash").notNull(),
    result: text("result").notNull(),
    captureYen: bigint("capture_yen", { mode: "number" }).notNull(),
    debtYen: bigint("debt_yen", { mode: "number" }).notNull(),
    settledAt: at("settled_at").notNull(),
  },
  (t) => [
    check("bus_taps_result", sql`${t.result} IN ('captured','debt')`),
    index("bus_taps_allowance").on(t.allowanceId),
    index("bus_taps_route_day").on(t.rideDate, t.routeId),
  ],
);

/** A tap id that came back with another tap hash: the evidence of a double spend. */
export const busTapConflicts = pgTable("bus_tap_conflicts", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  tapId: text("tap_id").notNull(),
  allowanceId: text("allowance_id").notNull(),
  terminalId: text("terminal_id").notNull(),
  tapHash: text("tap_hash").notNull(),
  receivedAt: at("received_at").notNull(),
});

/** The deny list; terminals fetch the entries with seq greater than the last one they have. */
export const busDenyList = pgTable("bus_deny_list", {
  seq: bigserial("seq", { mode: "number" }).primaryKey(),
  allowanceId: text("allowance_id").notNull().unique(),
  reason: text("reason").notNull(),
  addedAt: at("added_at").notNull(),
});

/** What a rider owes for rides beyond the hold (id = "busdebt:{tapId}"). */
export const busDebts = pgTable(
  "bus_debts",
  {
    id: text("id").primaryKey(),
    allowanceId: text("allowance_id").notNull(),
    residentId: text("resident_id").notNull(),
    tapId: text("tap_id").notNull(),
    amountYen: bigint("amount_yen", { mode: "number" }).notNull(),
    createdAt: at("created_at").notNull(),
    settledAt: at("settled_at"),
  },
  (t) => [index("bus_debts_resident").on(t.residentId)],
);
