// Randomised checks of the rules that must hold for every input: kana conversion, the Zengin round trip, grant
// planning, the legal limits. The seed is printed; FC_SEED=<seed> replays a run exactly.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  buildZenginTransferFile,
  checkCashRefund,
  decodeZenginShiftJis,
  encodeZenginShiftJis,
  isZenginText,
  parseZenginTransferFile,
  planGrant,
  requiredDeposit,
  toZenginKana,
  type ZenginRecordInput,
} from "../src";

const seed = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : Date.now() ^ (Math.random() * 2 ** 31);
const numRuns = 500;
console.log(`city property tests: FC_SEED=${seed}`);
const params = { seed, numRuns };

const nameCharacters = [..."アイウエオガギパピャュョッァーヴヲヰあいうがぱゃっｶﾞﾊﾟｧｰabcXYZ019 　()-./,（）＿&山"];
const nameArb = fc.array(fc.constantFrom(...nameCharacters), { maxLength: 20 }).map((cs) => cs.join(""));

describe("properties", () => {
  it("kana conversion yields Zengin text, is idempotent, and never shortens a name", () => {
    fc.assert(
      fc.property(nameArb, (name) => {
        const result = toZenginKana(name);
        if (!result.ok) {
          expect(["＿", "&", "山"]).toContain(result.character);
          return;
        }
        expect(isZenginText(result.text)).toBe(true);
        expect(toZenginKana(result.text)).toEqual(result);
        expect(result.text.length).toBeGreaterThanOrEqual([...name].length);
      }),
      params,
    );
  });

  it("a built file parses back to what was written, through Shift_JIS, with a matching trailer", () => {
    const recordArb: fc.Arbitrary<ZenginRecordInput> = fc.record({
      bankCode: fc.stringMatching(/^\d{4}$/),
      branchCode: fc.stringMatching(/^\d{3}$/),
      accountType: fc.constantFrom(1 as const, 2 as const, 4 as const, 9 as const),
      accountNumber: fc.stringMatching(/^\d{1,7}$/),
      recipientNameKana: fc.array(fc.constantFrom(..."アガパッーAB1 ("), { minLength: 1, maxLength: 15 }).map((cs) => "ﾔ" + cs.join("")),
      amountYen: fc.bigInt({ min: 1n, max: 9_999_999_999n }),
    });
    fc.assert(
      fc.property(fc.array(recordArb, { minLength: 1, maxLength: 20 }), (records) => {
        const file = buildZenginTransferFile({
          header: { requesterCode: "42", requesterNameKana: "ノノイチシ", transferDate: "0229", bankCode: "0144", bankNameKana: "", branchCode: "101", branchNameKana: "", accountType: 1, accountNumber: "1" },
          records,
        });
        if (!file.ok) throw new Error(file.detail);
        const back = parseZenginTransferFile(decodeZenginShiftJis(encodeZenginShiftJis(file.text))!);
        expect(back).toEqual({ ok: true, header: file.header, records: file.records, count: records.length, totalYen: records.reduce((s, r) => s + r.amountYen, 0n) });
        for (const line of file.text.split("\r\n").slice(0, -1)) expect(line).toHaveLength(120);
      }),
      params,
    );
  });

  it("a grant plan never exceeds the budget or anyone's cap, and stops at the first resident the budget cannot cover", () => {
    const residentArb = fc.record({ alreadyYen: fc.bigInt({ min: 0n, max: 6_000n }), requestedYen: fc.bigInt({ min: 1n, max: 6_000n }) });
    fc.assert(
      fc.property(fc.array(residentArb, { maxLength: 30 }), fc.bigInt({ min: 0n, max: 60_000n }), (residents, budgetAvailableYen) => {
        const ids = residents.map((_, i) => `r${i}`);
        const capYenPerPerson = 5_000n;
        const plan = planGrant({
          campaign: { id: "c", capYenPerPerson, startsAt: new Date("2025-01-01T00:00:00Z"), endsAt: new Date("2026-01-01T00:00:00Z") },
          residentIds: ids,
          amountYen: 1n,
          amountYenByResident: new Map(residents.map((r, i) => [`r${i}`, r.requestedYen])),
          alreadyGrantedByResident: new Map(residents.map((r, i) => [`r${i}`, r.alreadyYen])),
          budgetAvailableYen,
          now: new Date("2025-06-01T00:00:00Z"),
        });
        if (!plan.ok) throw new Error(plan.detail);
        expect(plan.totalYen).toBeLessThanOrEqual(budgetAvailableYen);
        expect(plan.totalYen + plan.budgetAfterYen).toBe(budgetAvailableYen);
        let stopped = false;
        let budgetLeft = budgetAvailableYen;
        for (const [i, r] of residents.entries()) {
          const capLeft = capYenPerPerson - r.alreadyYen;
          const grant = plan.grants.find((g) => g.residentId === `r${i}`);
          if (capLeft <= 0n) {
            expect(grant).toBeUndefined();
            continue;
          }
          const due = r.requestedYen < capLeft ? r.requestedYen : capLeft;
          if (stopped || due > budgetLeft) {
            stopped = true;
            expect(grant).toBeUndefined();
            continue;
          }
          expect(grant?.amountYen).toBe(due);
          expect(r.alreadyYen + due).toBeLessThanOrEqual(capYenPerPerson);
          budgetLeft -= due;
        }
      }),
      params,
    );
  });

  it("the deposit is at least half of a balance above ¥10,000,000, and by at most half a yen", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 12n }), (balance) => {
        const deposit = requiredDeposit(balance);
        if (balance <= 10_000_000n) {
          expect(deposit).toBe(0n);
          return;
        }
        expect(2n * deposit - balance).toBeGreaterThanOrEqual(0n);
        expect(2n * deposit - balance).toBeLessThanOrEqual(1n);
      }),
      params,
    );
  });

  it("a holder's small refund is allowed exactly when the period's total is within 20 % of issuance or 5 % of the balance", () => {
    const yen = fc.bigInt({ min: 0n, max: 10_000_000n });
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 1_000_000n }), yen, yen, yen, (amountYen, refundedInPeriodYen, previousPeriodIssuanceYen, previousReferenceBalanceYen) => {
        const total = amountYen + refundedInPeriodYen;
        const allowed = total * 100n <= previousPeriodIssuanceYen * 20n || total * 100n <= previousReferenceBalanceYen * 5n;
        const check = checkCashRefund({ reason: "holder_request", amountYen, refundedInPeriodYen, previousPeriodIssuanceYen, previousReferenceBalanceYen });
        expect(check.ok).toBe(allowed);
      }),
      params,
    );
  });
});
