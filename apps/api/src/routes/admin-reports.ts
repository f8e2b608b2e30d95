// The figures the city watches (DESIGN §8, issue #7) as series for the console's charts and as CSV for Excel:
// recirculation and leakage, bus rides, active residents and a campaign's burn-down over time. The SQL sums are in
// the city store, the arithmetic (shares, cumulative curves, quiet days as zero) in @tsubaki/city's reports.
import {
  addDays,
  burnDownSeries,
  datesBetween,
  formatBpsAsPercent,
  leakage,
  monthsBetween,
  recirculationSeries,
  reportDaysMax,
  rideSeries,
  tokyoStartOfDate,
  writeCsv,
  type CsvCell,
} from "@tsubaki/city";
import { tokyoDate } from "@tsubaki/payments";
import { z } from "zod";
import type { AppDeps } from "../app";
import { ProblemError } from "../http/problem";
import type { CityService } from "../services/city";
import { defineRoute, type Reply } from "./registry";

const tags = ["admin-city"];
const readers = ["admin_operator", "admin_approver", "admin_auditor", "service"] as const;
const dayMs = 86_400_000;
const num = (v: bigint) => Number(v);

function cityOf(deps: AppDeps): CityService {
  if (!deps.city) throw new ProblemError("not_found", "the city console is not enabled on this server");
  return deps.city;
}

const date = z.iso.date();
const periodQuery = z.object({ from: date, to: date, format: z.enum(["json", "csv"]).default("json") });

interface Period {
  from: string;
  to: string;
  /** 00:00 JST of `from`. */
  start: Date;
  /** 00:00 JST of the day after `to` (exclusive). */
  end: Date;
}

/** Tokyo days from `from` to `to` inclusive, at most reportDaysMax. */
function periodOf(from: string, to: string): Period {
  const start = tokyoStartOfDate(from);
  const end = new Date(tokyoStartOfDate(to).getTime() + dayMs);
  const days = (end.getTime() - start.getTime()) / dayMs;
  if (days < 1 || days > reportDaysMax) throw new ProblemError("invalid_report_period", `from ${from} to ${to} is ${days} days; give from ≤ to and at most ${reportDaysMax} days`);
  return { from, to, start, end };
}

/** CSV for Excel (BOM, CRLF), downloaded under a name that says what and which days. */
function csv(name: string, period: { from: string; to: string }, rows: readonly (readonly CsvCell[])[]): Reply {
  return {
    status: 200,
    text: writeCsv(rows, { bom: true }),
    contentType: "text/csv; charset=utf-8",
    headers: { "Content-Disposition": `attachment; filename="tsubaki-${name}-${period.from}_${period.to}.csv"` },
  };
}

export const recirculationDescription =
  "Shops cannot pay other shops in Tsubaki (a shop's balance leaves only through a payout to its bank), so the " +
  "shop-to-shop share is 0 by construction (shop_to_shop_yen). Recirculation is measured as the share of what shops " +
  "took in that stayed in the currency instead of being cashed out: received = payments − refunds in the period, " +
  "paid_out = gross (net + fee) of payouts created in the period and not returned by the bank, " +
  "retained = max(received − paid_out, 0), recirculation_bps = retained / received (half up; null when nothing was received). " +
  "leakage_bps is the share of payment yen taken by large shops.";

export const adminReportRoutes = [
  defineRoute({
    method: "get",
    path: "/v1/admin/reports/recirculation",
    roles: readers,
    tags,
    summary: "域内循環と流出 Recirculation (kept in the currency vs cashed out) and leakage to large shops, per day, JSON or CSV",
    description: recirculationDescription,
    request: { query: periodQuery },
    responses: { 200: { description: "From `from` to `to` inclusive (Tokyo days); every day present" } },
    errors: ["invalid_report_period"],
    async handler({ query, deps }) {
      const p = periodOf(query.from, query.to);
      const store = cityOf(deps).store;
      const [flows, categories] = await Promise.all([store.shopFlowsByDay(p.start, p.end), store.paymentsByCategory(p.start, p.end)]);
      const series = recirculationSeries(flows, p.from, p.to);
      const paymentsByDay = new Map(flows.map((f) => [f.day, f]));
      const leak = leakage(categories.map((c) => ({ amountYen: c.yen, count: c.count, payerKind: "resident" as const, merchantTier: c.tier === "large" ? ("large" as const) : ("small" as const) })));
      if (query.format === "csv") {
        return csv("recirculation", p, [
          ["day", "payments_yen", "refunds_yen", "received_yen", "paid_out_yen", "retained_yen", "recirculation_percent"],
          ...series.days.map((d) => [d.day, paymentsByDay.get(d.day)?.paymentsYen ?? 0n, paymentsByDay.get(d.day)?.refundsYen ?? 0n, d.receivedYen, d.paidOutYen, d.retainedYen, formatBpsAsPercent(d.recirculationBps)]),
        ]);
      }
      const t = series.total;
      return {
        status: 200,
        json: {
          from: p.from,
          to: p.to,
          received_yen: num(t.receivedYen),
          paid_out_yen: num(t.paidOutYen),
          retained_yen: num(t.retainedYen),
          shop_to_shop_yen: num(t.shopToShopYen),
          recirculation_bps: t.recirculationBps,
          payments_yen: num(leak.totalYen),
          large_shops_yen: num(leak.partYen),
          leakage_bps: leak.shareBps,
          days: series.days.map((d) => ({
            day: d.day,
            payments_yen: num(paymentsByDay.get(d.day)?.paymentsYen ?? 0n),
            refunds_yen: num(paymentsByDay.get(d.day)?.refundsYen ?? 0n),
            received_yen: num(d.receivedYen),
            paid_out_yen: num(d.paidOutYen),
            retained_yen: num(d.retainedYen),
            recirculation_bps: d.recirculationBps,
          })),
        },
      };
    },
  }),
  defineRoute({
    method: "get",
    path: "/v1/admin/reports/bus-rides",
    roles: readers,
    tags,
    summary: "バス乗車 Community bus rides per service day (flat ¥100 fare), JSON or CSV",
    description: "One ride per settled tap; fare_yen = captured + debt; riders = distinct residents. Days are the bus's service days (bus_taps.ride_date).",
    request: { query: periodQuery },
    responses: { 200: { description: "Every day from `from` to `to`" } },
    errors: ["invalid_report_period"],
    async handler({ query, deps }) {
      const p = periodOf(query.from, query.to);
      const s = rideSeries(await cityOf(deps).store.busRidesByDay(p.from, p.to), p.from, p.to);
      if (query.format === "csv") return csv("bus-rides", p, [["day", "rides", "fare_yen", "debt_yen", "riders"], ...s.days.map((d) => [d.day, d.rides, d.fareYen, d.debtYen, d.riders])]);
      return {
        status: 200,
        json: {
          from: p.from,
          to: p.to,
          rides: s.rides,
          fare_yen: num(s.fareYen),
          debt_yen: num(s.debtYen),
          days: s.days.map((d) => ({ day: d.day, rides: d.rides, fare_yen: num(d.fareYen), debt_yen: num(d.debtYen), riders: d.riders })),
        },
      };
    },
  }),
  defineRoute({
    method: "get",
    path: "/v1/admin/reports/active-residents",
    roles: readers,
    tags,
    summary: "利用者数 Active residents (paid at a shop at least once) per day or month, JSON or CSV",
    request: { query: periodQuery.extend({ unit: z.enum(["day", "month"]).default("day") }) },
    responses: { 200: { description: "Every day (or month) of the period; active_residents counts each resident once over the whole period" } },
    errors: ["invalid_report_period"],
    async handler({ query, deps }) {
      const p = periodOf(query.from, query.to);
      const store = cityOf(deps).store;
      const [rows, distinct] = await Promise.all([store.activeResidentsBy(query.unit, p.start, p.end), store.activeResidents(p.start, p.end)]);
      const byPeriod = new Map(rows.map((r) => [r.period, r]));
      const periods = (query.unit === "day" ? datesBetween(p.from, p.to) : monthsBetween(p.from, p.to)).map((period) => byPeriod.get(period) ?? { period, residents: 0, payments: 0 });
      if (query.format === "csv") return csv(`active-residents-${query.unit}`, p, [["period", "residents", "payments"], ...periods.map((r) => [r.period, r.residents, r.payments])]);
      return { status: 200, json: { from: p.from, to: p.to, unit: query.unit, active_residents: distinct, periods } };
    },
  }),
  defineRoute({
    method: "get",
    path: "/v1/admin/reports/campaigns/{id}/burn-down",
    roles: readers,
    tags,
    summary: "消化推移 A campaign's burn-down per day: issued, used, expired, remaining (cumulative), JSON or CSV",
    description:
      "From the ledger entries of the campaign's budget, expired and lot accounts. At every day's end issued = used + expired + remaining. " +
      "from defaults to the campaign's first day, to to today (JST); at most 400 days.",
    request: { params: z.object({ id: z.string().min(1).max(64) }), query: z.object({ from: date.optional(), to: date.optional(), format: z.enum(["json", "csv"]).default("json") }) },
    responses: { 200: { description: "Every day of the period" } },
    errors: ["campaign_not_found", "invalid_report_period"],
    async handler({ params, query, deps }) {
      const city = cityOf(deps);
      const campaign = await city.payments.getCampaign(params.id);
      if (!campaign) throw new ProblemError("campaign_not_found", `no campaign ${params.id}`);
      const to = query.to ?? tokyoDate(new Date());
      const start = tokyoDate(campaign.startsAt);
      const earliest = addDays(to, 1 - reportDaysMax);
      const from = query.from ?? (start > earliest ? start : earliest);
      const p = periodOf(from < to ? from : to, to);
      const series = burnDownSeries(await city.store.campaignFlowsByDay(campaign, p.end), p.from, p.to);
      if (query.format === "csv") {
        return csv(`burn-down-${campaign.id}`, p, [
          ["day", "issued_yen", "used_yen", "expired_yen", "remaining_yen", "issued_today_yen", "used_today_yen", "expired_today_yen"],
          ...series.map((d) => [d.day, d.issuedYen, d.usedYen, d.expiredYen, d.remainingYen, d.issuedTodayYen, d.usedTodayYen, d.expiredTodayYen]),
        ]);
      }
      return {
        status: 200,
        json: {
          campaign_id: campaign.id,
          from: p.from,
          to: p.to,
          days: series.map((d) => ({
            day: d.day,
            issued_yen: num(d.issuedYen),
            used_yen: num(d.usedYen),
            expired_yen: num(d.expiredYen),
            remaining_yen: num(d.remainingYen),
            issued_today_yen: num(d.issuedTodayYen),
            used_today_yen: num(d.usedTodayYen),
            expired_today_yen: num(d.expiredTodayYen),
          })),
        },
      };
    },
  }),
];
