// The city console through the API, as two administrators and a resident use it: a campaign restricted to small
// shops, funding and a 1,000-resident CSV grant that each need a second approver, the resident paying at a
// restricted and an unrestricted shop, and the burn-down moving. Real tokens, real stores, both backends.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createApp, type TsubakiApp } from "../../src/app";
import { createLogger } from "../../src/log";
import { createCityService, grantLotId } from "../../src/services/city";
import { decodeZenginShiftJis, parseZenginTransferFile } from "@tsubaki/city";
import { expectProblem } from "../harness";
import { admin, available, call, giveCoins, newResident, newShop, newUser, openPaymentsHarness, stickerOf, tokenFor, uniq, type PaymentsHarness } from "../payments-kit";

for (const backend of ["pglite", "postgres"] as const) {
  describe(`city console API (${backend})`, () => {
    let h: PaymentsHarness;
    let app: TsubakiApp;
    let operator: string;
    let approver: string;
    let approverId: string;
    beforeAll(async () => {
      h = await openPaymentsHarness(backend);
      const city = createCityService({ db: h.db, ledger: h.ledger, identity: h.identity, now: h.clock.now });
      app = createApp({ ledger: h.ledger, identity: h.identity, auth: h.auth, payments: h.payments, city, config: h.config, logger: createLogger("silent") });
      // The harness's `call` goes through h.app; point it at the app with the city console.
      h.app = app;
      const operatorId = await newUser(h, "city", ["admin_operator", "admin_approver"]);
      approverId = await newUser(h, "city", ["admin_approver"]);
      operator = await tokenFor(h, operatorId);
      approver = await tokenFor(h, approverId);
    });
    afterAll(async () => {
      await h?.close();
    });

    test("create → fund (approved) → CSV grant to 1,000 (approved) → pay at restricted and unrestricted shops → burn-down", async () => {
      const id = uniq("c").toLowerCase();
      const now = h.clock.now();
      const created = await call(h, "POST", "/v1/admin/campaigns", {
        token: operator,
        body: {
          id,
          name_ja: "地元のお店応援ポイント",
          name_en: "Local shops points",
          kind: "grant",
          grant_yen: 1000,
          cap_per_person_yen: 1000,
          restriction: { tiers: ["small"] },
          starts_at: new Date(now.getTime() - 86_400_000).toISOString(),
          ends_at: new Date(now.getTime() + 30 * 86_400_000).toISOString(),
        },
      });
      expect(created.status, created.text).toBe(201);
      expect(created.body).toMatchObject({ id, expiry_days: 181, budget_account_id: `cmp:${id}:budget` });

      // Funding ¥1,100,000 waits; the requester cannot approve it; another approver can.
      const fund = await call(h, "POST", `/v1/admin/campaigns/${id}/fund`, { token: operator, key: uniq("k"), body: { amount: 1_100_000 } });
      expect(fund.status, fund.text).toBe(202);
      expect(await available(h, `cmp:${id}:budget`)).toBe(0);
      expectProblem(await call(h, "POST", `/v1/admin/approvals/${fund.body.approval.id}/approve`, { token: operator }), 403, "self_approval");
      const fundOk = await call(h, "POST", `/v1/admin/approvals/${fund.body.approval.id}/approve`, { token: approver });
      expect(fundOk.status, fundOk.text).toBe(200);
      expect(await available(h, `cmp:${id}:budget`)).toBe(1_100_000);

      // A CSV of 1,000 residents: one real resident and 999 others.
      const payer = await newResident(h);
      const ids = [payer.residentId, ...Array.from({ length: 999 }, (_, i) => `r_csv${id}${i}`)];
      const csv = `resident_id\r\n${ids.join("\r\n")}\r\n`;
      const key = uniq("k");
      const asked = await call(h, "POST", `/v1/admin/campaigns/${id}/grants`, { token: operator, key, body: { amount: 1000, csv } });
      expect(asked.status, asked.text).toBe(202);
      expect(asked.body).toMatchObject({ status: "pending_approval", planned_yen: 1_000_000, planned_count: 1000 });
      const pending = await call(h, "GET", "/v1/admin/approvals?status=pending", { token: approver });
      expect(pending.body.items.map((a: { id: string }) => a.id)).toContain(asked.body.approval.id);
      const granted = await call(h, "POST", `/v1/admin/approvals/${asked.body.approval.id}/approve`, { token: approver });
      expect(granted.status, granted.text).toBe(200);
      expect(granted.body.result).toMatchObject({ granted_count: 1000, granted_yen: "1000000" });
      const lot = `res:${payer.residentId}:pts:${grantLotId(id, payer.residentId)}`;
      expect(await available(h, lot)).toBe(1000);

      // The same CSV again grants nobody twice (it is under the threshold now: nothing new is planned).
      const again = await call(h, "POST", `/v1/admin/campaigns/${id}/grants`, { token: operator, key: uniq("k"), body: { amount: 1000, csv } });
      expect(again.status, again.text).toBe(201);
      expect(again.body).toMatchObject({ granted_count: 0, granted_yen: 0, replayed_count: 1000 });
      // Past the budget: refused whole, nothing moves.
      const over = await call(h, "POST", `/v1/admin/campaigns/${id}/grants`, {
        token: operator,
        key: uniq("k"),
        body: { amount: 1000, resident_ids: Array.from({ length: 101 }, (_, i) => `r_over${id}${i}`) },
      });
      expectProblem(over, 409, "exceeds_budget");
      expect(await available(h, `cmp:${id}:budget`)).toBe(100_000);

      const before = await call(h, "GET", `/v1/admin/campaigns/${id}/burn-down`, { token: approver });
      expect(before.body).toMatchObject({ issued_yen: 1_000_000, used_yen: 0, expired_yen: 0, remaining_yen: 1_000_000, budget_available_yen: 100_000 });

      // The resident pays: a large shop takes coins only; a small shop takes the points first.
      await giveCoins(h, payer.residentId, 2000n);
      const large = await newShop(h, { tier: "large" });
      const small = await newShop(h, { tier: "small" });
      const atLarge = await call(h, "POST", "/v1/payments", { token: payer.token, key: uniq("k"), body: { qr: await stickerOf(h, large), amount_yen: 500 } });
      expect(atLarge.status, atLarge.text).toBe(201);
      expect(await available(h, lot)).toBe(1000);
      expect(await available(h, `res:${payer.residentId}:coins`)).toBe(1500);
      const atSmall = await call(h, "POST", "/v1/payments", { token: payer.token, key: uniq("k"), body: { qr: await stickerOf(h, small), amount_yen: 1200 } });
      expect(atSmall.status, atSmall.text).toBe(201);
      expect(await available(h, lot)).toBe(0);
      expect(await available(h, `res:${payer.residentId}:coins`)).toBe(1300);

      const after = await call(h, "GET", `/v1/admin/campaigns/${id}/burn-down`, { token: approver });
      expect(after.body).toMatchObject({ issued_yen: 1_000_000, used_yen: 1000, expired_yen: 0, remaining_yen: 999_000 });

      const today = new Date(h.clock.now().getTime() + 9 * 3600_000).toISOString().slice(0, 10);
      const report = await call(h, "GET", `/v1/admin/reports/payments?from=${today}&to=${today}`, { token: approver });
      expect(report.status, report.text).toBe(200);
      expect(report.body).toMatchObject({ active_residents: 1, total_yen: 1700, leakage_bps: Math.floor((500 * 10_000) / 1700), days: [{ day: today, count: 2, yen: 1700, payers: 1 }] });
      const outstanding = await call(h, "GET", "/v1/admin/reports/outstanding?format=csv", { token: approver });
      expect(outstanding.headers.get("content-type")).toContain("text/csv");
      expect(outstanding.text).toContain(`points,${id},999000,1000`);

      const log = await h.identity.queryAudit({ target: id, limit: 20 });
      const acts = log.entries.map((e) => e.action).reverse();
      expect(acts).toEqual(["campaign.created", "issuance.requested", "issuance.approved", "campaign.funded", "issuance.requested", "issuance.approved", "campaign.granted", "campaign.granted"]);
      expect(log.entries.find((e) => e.action === "issuance.approved")?.actor).toBe(approverId);
      expect((await h.ledger.audit()).ok).toBe(true);
    });

    test("only admin_approver may call approve, and residents may not see the console", async () => {
      const resident = await newResident(h);
      expectProblem(await call(h, "GET", "/v1/admin/campaigns", { token: resident.token }), 403, "forbidden");
      const opOnly = await tokenFor(h, await newUser(h, "city", ["admin_operator"]));
      expectProblem(await call(h, "POST", "/v1/admin/approvals/apr-x/approve", { token: opOnly }), 403, "forbidden");
      expectProblem(await call(h, "POST", "/v1/admin/approvals/apr-x/approve", { token: approver }), 404, "approval_not_found");
    });

    test("the 基準日 figure equals the sum of coin balances at the end of the date", async () => {
      const r = await call(h, "GET", "/v1/admin/reports/reference-date?date=2099-03-31", { token: approver });
      expect(r.status, r.text).toBe(200);
      const [row] = await h.db.query<{ s: string }>(`SELECT coalesce(sum(credits_posted - debits_posted), 0)::text AS s FROM ledger_accounts WHERE id LIKE 'res:%:coins'`);
      expect(r.body.unused_balance_yen).toBe(Number(row!.s));
      expect(r.body.required_deposit_yen).toBe(r.body.unused_balance_yen > 10_000_000 ? Math.ceil(r.body.unused_balance_yen / 2) : 0);
    });

    test("payouts: fees to fee:operator, a Zengin file that parses, and the bank confirmation clears payout:pending", async () => {
      const shopWith = async (balanceYen: bigint, feeBps: number, holderKana: string) => {
        const code = uniq("PAY");
        const created = await h.identity.createShop(
          {
            code,
            nameJa: `精算テスト${code.slice(-3)}`,
            nameLatin: `Payout Test ${code.slice(-3)}`,
            category: "food",
            tier: "small",
            mcc: "5411",
            feeRateBasisPoints: feeBps,
            bank: { bankCode: "0146", branchCode: "201", accountType: "ordinary", accountNumber: "1234567", holderKana },
            status: "active",
          },
          admin,
        );
        if (!created.ok) throw new Error(created.code);
        const id = created.shop.id;
        await h.ledger.createAccount({ id: `mer:${id}`, kind: "merchant", owner: null, asset: "JPY", flags: { debitsMustNotExceedCredits: true, creditsMustNotExceedDebits: false }, metadata: null });
        await h.ledger.createAccount({ id: "cashin:payout-test", kind: "cash_in", owner: null, asset: "JPY", flags: { debitsMustNotExceedCredits: false, creditsMustNotExceedDebits: false }, metadata: null });
        const r = await h.ledger.submit({ op: "transfer", id: uniq("sales-"), legs: [{ from: "cashin:payout-test", to: `mer:${id}`, amount: balanceYen }] });
        expect(r.ok).toBe(true);
        return id;
      };
      const a = await shopWith(100_000n, 150, "ノノイチ シヨウテン");
      const b = await shopWith(5000n, 100, "カガ パン");
      const c = await shopWith(500n, 100, "ハクサン");
      const run = await call(h, "POST", "/v1/admin/payout-runs", { token: operator, key: uniq("k"), body: { trigger: "monthly", transfer_date: "1125", shop_ids: [a, b, c] } });
      expect(run.status, run.text).toBe(201);
      expect(run.body).toMatchObject({ count: 2, total_yen: 98_500 + 4950, skipped: { below_minimum: 1 } });
      expect(run.body.payouts.map((p: { shop_id: string; fee_yen: number; net_yen: number }) => [p.shop_id, p.fee_yen, p.net_yen])).toEqual([
        [a, 1500, 98_500],
        [b, 50, 4950],
      ]);
      expect(await available(h, `mer:${a}`)).toBe(0);
      expect(await available(h, `mer:${c}`)).toBe(500);

      const file = await app.request(`/v1/admin/payout-runs/${run.body.id}/zengin`, { headers: { Authorization: `Bearer ${approver}` } });
      expect(file.status).toBe(200);
      const bytes = new Uint8Array(await file.arrayBuffer());
      const lines: Uint8Array[] = [];
      let start = 0;
      for (let i = 0; i < bytes.length - 1; i += 1) {
        if (bytes[i] === 0x0d && bytes[i + 1] === 0x0a) {
          lines.push(bytes.slice(start, i));
          start = i + 2;
        }
      }
      expect(start).toBe(bytes.length);
      expect(lines.length).toBe(1 + 2 + 1 + 1); // header, 2 data, trailer, end
      expect(lines.every((line) => line.length === 120)).toBe(true);
      const text = decodeZenginShiftJis(bytes);
      expect(text).not.toBeNull();
      const parsed = parseZenginTransferFile(text!);
      if (!parsed.ok) throw new Error(parsed.detail);
      expect({ count: parsed.count, totalYen: parsed.totalYen }).toEqual({ count: 2, totalYen: 103_450n });
      expect(parsed.records.map((r) => r.amountYen)).toEqual([98_500n, 4950n]);
      // The trailer's count and total, read by position: record type 8, count 6 digits, total 12 digits.
      const trailer = new TextDecoder().decode(lines[3]);
      expect([trailer.slice(0, 1), Number(trailer.slice(1, 7)), Number(trailer.slice(7, 19))]).toEqual(["8", 2, 103_450]);

      expect(await available(h, "payout:pending")).toBe(103_450);
      const fees = await available(h, "fee:operator");
      const confirmed = await call(h, "POST", `/v1/admin/payout-runs/${run.body.id}/confirmation`, {
        token: operator,
        body: { csv: "record_no,status,amount\r\n1,ok,98500\r\n2,failed,4950\r\n" },
      });
      expect(confirmed.status, confirmed.text).toBe(200);
      expect(confirmed.body).toEqual({ cleared: 1, returned: 1, unconfirmed: 0 });
      expect(await available(h, "payout:pending")).toBe(0);
      expect(await available(h, `mer:${b}`)).toBe(5000);
      expect(await available(h, "fee:operator")).toBe(fees - 50);
      const bad = await call(h, "POST", `/v1/admin/payout-runs/${run.body.id}/confirmation`, { token: operator, body: { csv: "record_no,status,amount\r\n1,ok,1\r\n" } });
      expectProblem(bad, 422, "invalid_confirmation");
      expect((await h.ledger.audit()).ok).toBe(true);
    });
  });
}
