// Community bus: a resident's allowance (hold + certificate for the ride-code screen), printed cards issued at a
// counter, what a paired terminal downloads (fares, issuer keys, deny-list delta, routes), the terminal's signed
// sync of taps, the deny list by hand, and rides per route and day. The rules are in services/bus.ts.
import { z } from "zod";
import { coinsAccountId } from "@tsubaki/db";
import { FARE_CLASSES, SYNC_BATCH_MAX, TERMINAL_ID_PATTERN } from "@tsubaki/ride";
import type { AppDeps } from "../app";
import { ProblemError } from "../http/problem";
import { BusBusyError, type BusResult, type BusService } from "../services/bus";
import { defineRoute } from "./registry";

const tags = ["bus"];

/** The bus service, or a 500 if the entry did not build one (a wiring bug). */
export function busOf(deps: AppDeps): BusService {
  if (!deps.bus) throw new Error("BUG: the app was created without the bus service");
  return deps.bus;
}

/** A device id ("d_" + 16 characters) as a terminal names itself in taps (TERMINAL_ID_PATTERN: ≤ 16). */
export function terminalIdOfDevice(deviceId: string): string {
  return deviceId.startsWith("d_") ? deviceId.slice(2) : deviceId;
}

function unwrap<T>(result: BusResult<T>): T {
  if (!result.ok) throw new ProblemError(result.code, result.detail);
  return result;
}

const u32 = z.number().int().min(0).max(0xffff_ffff);
const allowanceId = z.string().regex(/^[0-9a-f]{24}$/);

const allowanceJson = z.object({
  id: z.string(),
  kind: z.enum(["phone", "card"]),
  fareClass: z.string(),
  certificate: z.string().describe("the certificate bytes, hex (122 bytes)"),
  rideCode: z.string().nullable().describe("cards: the text printed as the card's QR"),
  holdYen: z.number().int(),
  remainingYen: z.number().int(),
  capturedYen: z.number().int(),
  debtYen: z.number().int(),
  maxTotalYen: z.number().int(),
  maxTaps: z.number().int(),
  notBefore: z.string(),
  notAfter: z.string(),
  status: z.enum(["active", "closed"]),
  closedReason: z.string().nullable(),
  denied: z.boolean(),
});

const tapRecord = z
  .object({
    tapId: z.string().min(1).max(100),
    kind: z.enum(["phone", "card"]),
    rideCode: z.string().min(1).max(400),
    allowanceId,
    counter: u32,
    time: u32,
    scannedAt: u32,
    terminalId: z.string().regex(TERMINAL_ID_PATTERN),
    localSeq: u32,
    operatorId: z.string().min(1).max(32),
    fareClass: z.enum(FARE_CLASSES),
    fareYen: z.number().int().min(0).max(10_000),
    transferFrom: z
      .object({ operatorId: z.string().max(32), terminalId: z.string().max(16), allowanceId: z.string().max(24), paidAt: u32, paidYen: z.number().int().min(0).max(10_000) })
      .strict()
      .nullable(),
  })
  .strict();

const syncResult = z.object({
  tapId: z.string(),
  result: z.enum(["captured", "duplicate", "debt", "double_spend", "invalid"]),
  captureYen: z.number().int(),
  debtYen: z.number().int(),
  code: z.string().optional(),
  original: z.object({ result: z.enum(["captured", "debt"]), captureYen: z.number().int(), debtYen: z.number().int() }).optional(),
});

export const busRoutes = [
  defineRoute({
    method: "post",
    path: "/v1/bus/allowances",
    roles: ["resident"],
    ownership: { kind: "resident", proxy: "none", target: { caller: true } },
    bodyFieldCodes: {},
    tags,
    summary: "乗車許可 Request a bus allowance (renews: the rest of the previous one is released)",
    description:
      "Holds `total_yen` (default ¥1,000, at most ¥10,000) of the resident's coins for at most 72 hours and returns the issuer-signed certificate for the rider's device key. Each ride captures its fare from the hold; what is left is released when the allowance lapses or is renewed.",
    request: {
      body: z
        .object({
          rider_public_key: z.string().regex(/^[0-9a-f]{64}$/).describe("the wallet's Ed25519 device key, hex"),
          total_yen: z.number().int().min(1).max(10_000).optional(),
          taps: z.number().int().min(1).max(10).optional(),
          hours: z.number().int().min(1).max(72).optional(),
        })
        .strict(),
    },
    responses: { 201: { description: "The allowance", schema: allowanceJson } },
    errors: ["insufficient_funds", "account_not_found", "invalid_allowance"],
    async handler({ access, body, deps }) {
      const residentId = access.target;
      if (residentId === null) throw new ProblemError("forbidden", "this caller has no resident record");
      const result = await busOf(deps).requestAllowance({
        residentId,
        coinsAccountId: coinsAccountId(residentId),
        riderPublicKeyHex: body.rider_public_key,
        ...(body.total_yen === undefined ? {} : { totalYen: body.total_yen }),
        ...(body.taps === undefined ? {} : { taps: body.taps }),
        ...(body.hours === undefined ? {} : { hours: body.hours }),
      });
      return { status: 201, json: unwrap(result).allowance };
    },
  }),

  defineRoute({
    method: "get",
    path: "/v1/bus/allowances",
    roles: ["resident", "proxy"],
    ownership: { kind: "resident", proxy: "view", target: { query: "resident", orCaller: true } },
    tags,
    summary: "The resident's bus allowances, newest first, and what they owe for rides beyond a hold",
    request: { query: z.object({ resident: z.string().max(128).optional() }) },
    responses: { 200: { description: "Allowances", schema: z.object({ items: z.array(allowanceJson), debt_yen: z.number().int() }) } },
    async handler({ access, deps }) {
      const residentId = access.target;
      if (residentId === null) throw new ProblemError("forbidden", "this caller has no resident record");
      const bus = busOf(deps);
      const [items, debt] = await Promise.all([bus.allowancesOf(residentId), bus.debtsOf(residentId)]);
      return { status: 200, json: { items, debt_yen: debt.totalYen } };
    },
  }),

  defineRoute({
    method: "post",
    path: "/v1/bus/cards",
    roles: ["counter_staff", "admin_operator", "service"],
    bodyFieldCodes: {},
    tags,
    summary: "Issue a printed bus card's allowance (no smartphone)",
    description: "A card carries the certificate only; its limits are small and count per service day (at most ¥300 and 4 rides). Its hold is renewed by the sweep.",
    request: {
      body: z
        .object({
          resident_id: z.string().min(1).max(128),
          fare_class: z.enum(FARE_CLASSES),
          daily_yen: z.number().int().min(1).max(300).optional(),
          daily_taps: z.number().int().min(1).max(4).optional(),
          days: z.number().int().min(1).max(400).optional(),
        })
        .strict(),
    },
    responses: { 201: { description: "The card's allowance; print `rideCode` as its QR", schema: allowanceJson } },
    errors: ["insufficient_funds", "account_not_found", "invalid_allowance"],
    async handler({ body, deps }) {
      const result = await busOf(deps).issueCardAllowance({
        residentId: body.resident_id,
        coinsAccountId: coinsAccountId(body.resident_id),
        fareClass: body.fare_class,
        ...(body.daily_yen === undefined ? {} : { dailyYen: body.daily_yen }),
        ...(body.daily_taps === undefined ? {} : { dailyTaps: body.daily_taps }),
        ...(body.days === undefined ? {} : { days: body.days }),
      });
      return { status: 201, json: unwrap(result).allowance };
    },
  }),

  defineRoute({
    method: "get",
    path: "/v1/bus/terminal/config",
    roles: ["terminal", "service", "admin_operator"],
    tags,
    summary: "What a fare terminal needs offline: fares, issuer public keys, deny-list delta, routes and stops",
    request: { query: z.object({ deny_since: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional() }) },
    responses: { 200: { description: "The terminal's configuration", schema: z.object({}).passthrough() } },
    async handler({ query, principal, deps }) {
      const config = await busOf(deps).terminalConfig(query.deny_since ?? 0);
      const terminalId = principal?.roles.includes("terminal") ? terminalIdOfDevice(principal.subject) : null;
      return { status: 200, json: { terminal_id: terminalId, ...config } };
    },
  }),

  defineRoute({
    method: "post",
    path: "/v1/bus/taps:sync",
    roles: ["terminal"],
    bodyFieldCodes: {},
    tags,
    summary: "A terminal's upload of taps (signed by the terminal); idempotent per tap",
    description:
      "Each tap is verified again and settled once per tap id: `captured` (fare captured from the hold into mer:bus), `debt` (beyond the hold: recorded rider debt), `duplicate` (sent before: nothing moves; `original` is the settlement that stands), `double_spend` (the same tap id with other data: the allowance is deny-listed), `invalid` (the server's own check refused it; `code` says why).",
    request: {
      body: z
        .object({
          terminalId: z.string().regex(TERMINAL_ID_PATTERN),
          routeId: z.string().max(32).nullable().optional(),
          taps: z.array(tapRecord).min(1).max(SYNC_BATCH_MAX),
        })
        .strict(),
    },
    responses: { 200: { description: "One answer per distinct tap id, in request order", schema: z.object({ results: z.array(syncResult) }) } },
    errors: ["busy"],
    async handler({ body, principal, deps }) {
      const terminalId = terminalIdOfDevice(principal!.subject);
      if (body.terminalId !== terminalId) throw new ProblemError("forbidden", "a terminal uploads only its own taps");
      try {
        return { status: 200, json: await busOf(deps).syncTaps({ terminalId, routeId: body.routeId ?? null, taps: body.taps }) };
      } catch (error) {
        // Another writer settled one of these allowances meanwhile: nothing of it was written; the outbox retries.
        if (error instanceof BusBusyError) throw new ProblemError("busy", error.message, { "Retry-After": "1" });
        throw error;
      }
    },
  }),

  defineRoute({
    method: "post",
    path: "/v1/bus/allowances/{id}/deny",
    roles: ["counter_staff", "admin_operator", "service"],
    bodyFieldCodes: {},
    tags,
    summary: "Put an allowance on the deny list (a lost card); terminals refuse it after their next download",
    request: { params: z.object({ id: allowanceId }), body: z.object({ reason: z.enum(["lost", "admin"]) }).strict() },
    responses: { 200: { description: "Denied", schema: z.object({ allowance_id: z.string(), denied: z.literal(true) }) } },
    errors: ["allowance_not_found"],
    async handler({ params, body, deps }) {
      if (!(await busOf(deps).deny(params.id, body.reason))) throw new ProblemError("allowance_not_found", `no allowance ${params.id}`);
      return { status: 200, json: { allowance_id: params.id, denied: true } };
    },
  }),

  defineRoute({
    method: "get",
    path: "/v1/bus/reports/rides",
    roles: ["admin_operator", "admin_approver", "admin_auditor", "service"],
    tags,
    summary: "Rides per route and service day (03:00–03:00 JST), with fares and debt",
    request: { query: z.object({ from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) }) },
    responses: {
      200: {
        description: "Rows by day and route",
        schema: z.object({ items: z.array(z.object({ rideDate: z.string(), routeId: z.string().nullable(), rides: z.number().int(), fareYen: z.number().int(), debtYen: z.number().int() })) }),
      },
    },
    async handler({ query, deps }) {
      return { status: 200, json: { items: await busOf(deps).ridesReport(query.from, query.to) } };
    },
  }),
];
