import { describe, expect, it } from "vitest";
import { burnDown, parseGrantCsv, planGrant, type GrantInput } from "../src";

const jst = (local: string) => new Date(`${local}+09:00`);

const campaign: GrantInput["campaign"] = {
  id: "welcome-2025",
  capYenPerPerson: 5_000n,
  startsAt: jst("2025-04-01T00:00:00"),
  endsAt: jst("2025-10-01T00:00:00"),
};
const now = jst("2025-04-10T10:00:00");
const base: GrantInput = {
  campaign,
  residentIds: [],
  amountYen: 3_000n,
  alreadyGrantedByResident: new Map(),
  budgetAvailableYen: 1_000_000n,
  now,
};

describe("planning a bulk grant", () => {
  it("holds the per-person cap exactly: a resident near the cap gets what is left, one at the cap gets nothing", () => {
    const plan = planGrant({
      ...base,
      residentIds: ["r1", "r2", "r3"],
      alreadyGrantedByResident: new Map([
        ["r2", 4_500n],
        ["r3", 5_000n],
      ]),
    });
    expect(plan).toEqual({
      ok: true,
      campaignId: "welcome-2025",
      grants: [
        { residentId: "r1", requestedYen: 3_000n, amountYen: 3_000n, limitedBy: "none" },
        { residentId: "r2", requestedYen: 3_000n, amountYen: 500n, limitedBy: "person_cap" },
      ],
      skipped: [{ residentId: "r3", index: 2, reason: "cap_reached" }],
      totalYen: 3_500n,
      budgetAfterYen: 996_500n,
      budgetExhaustedAt: null,
      expiresAt: jst("2025-10-10T00:00:00"),
      lastValidDate: "2025-10-09",
    });
  });

  it("stops cleanly when the budget cannot cover the next resident: nobody gets part, nobody after is granted", () => {
    const plan = planGrant({
      ...base,
      residentIds: ["r1", "r2", "r3", "r4", "r5"],
      alreadyGrantedByResident: new Map([
        ["r4", 4_500n],
        ["r5", 5_000n],
      ]),
      budgetAvailableYen: 7_000n,
    });
    expect(plan).toMatchObject({
      ok: true,
      grants: [
        { residentId: "r1", amountYen: 3_000n },
        { residentId: "r2", amountYen: 3_000n },
      ],
      skipped: [
        { residentId: "r3", index: 2, reason: "budget_exhausted" },
        { residentId: "r4", index: 3, reason: "budget_exhausted" }, // ¥500 would fit, but the grant has stopped
        { residentId: "r5", index: 4, reason: "cap_reached" },
      ],
      totalYen: 6_000n,
      budgetAfterYen: 1_000n,
      budgetExhaustedAt: 2,
    });
  });

  it("spends the budget to exactly zero when it fits", () => {
    const plan = planGrant({ ...base, residentIds: ["r1", "r2"], budgetAvailableYen: 6_000n });
    expect(plan).toMatchObject({ totalYen: 6_000n, budgetAfterYen: 0n, budgetExhaustedAt: null, skipped: [] });
  });

  it("grants a resident listed twice once, and uses per-resident amounts from the CSV", () => {
    const plan = planGrant({
      ...base,
      residentIds: ["r1", "r2", "r1"],
      amountYenByResident: new Map([
        ["r1", 1_000n],
        ["r2", 8_000n],
      ]),
    });
    expect(plan).toMatchObject({
      grants: [
        { residentId: "r1", amountYen: 1_000n, limitedBy: "none" },
        { residentId: "r2", requestedYen: 8_000n, amountYen: 5_000n, limitedBy: "person_cap" },
      ],
      skipped: [{ residentId: "r1", index: 2, reason: "duplicate" }],
    });
  });

  it("refuses outside the campaign's period and a non-positive amount", () => {
    expect(planGrant({ ...base, residentIds: ["r1"], now: jst("2025-10-01T00:00:00") })).toMatchObject({ ok: false, code: "campaign_not_active" });
    expect(planGrant({ ...base, residentIds: ["r1"], now: jst("2025-03-31T23:59:59") })).toMatchObject({ ok: false, code: "campaign_not_active" });
    expect(planGrant({ ...base, residentIds: ["r1"], amountYen: 0n })).toMatchObject({ ok: false, code: "invalid_amount", residentId: null });
    expect(planGrant({ ...base, residentIds: ["r1"], amountYenByResident: new Map([["r1", -5n]]) })).toMatchObject({ ok: false, code: "invalid_amount", residentId: "r1" });
  });
});

describe("reading a resident list (CSV upload)", () => {
  it("reads ids with a BOM, CRLF line ends and trailing blank lines", () => {
    expect(parseGrantCsv("\ufeffresident_id\r\nres-001\r\nres-002\r\n\r\n")).toEqual({
      ok: true,
      hasAmounts: false,
      rows: [
        { line: 2, residentId: "res-001", amountYen: null },
        { line: 3, residentId: "res-002", amountYen: null },
      ],
    });
  });

  it("reads amounts when the header has amount_yen (LF, quoted fields)", () => {
    expect(parseGrantCsv('Resident_ID, amount_yen\nres-001,3000\n"res-002","5000"\n')).toMatchObject({
      ok: true,
      hasAmounts: true,
      rows: [
        { line: 2, residentId: "res-001", amountYen: 3_000n },
        { line: 3, residentId: "res-002", amountYen: 5_000n },
      ],
    });
  });

  it("reports every bad line with its number, duplicates included, and grants nothing", () => {
    const csv = ["resident_id,amount_yen", "res-001,3000", "res 002,3000", 'res-003,"1,000"', "res-001,2000", "res-004", "res-005,0", "res-006,3000"].join("\r\n");
    const result = parseGrantCsv(csv);
    expect(result).toMatchObject({ ok: false, code: "invalid_csv", errorCount: 5 });
    expect(!result.ok && result.errors.map((e) => [e.line, e.code])).toEqual([
      [3, "invalid_resident_id"],
      [4, "invalid_amount"],
      [5, "duplicate_resident"],
      [6, "wrong_column_count"],
      [7, "invalid_amount"],
    ]);
    expect(!result.ok && result.errors[2]!.detail).toBe("res-001 is already on line 2");
  });

  it("refuses a wrong header, an empty list and a broken quote", () => {
    expect(parseGrantCsv("id\nres-001\n")).toMatchObject({ ok: false, errors: [{ line: 1, code: "invalid_header" }] });
    expect(parseGrantCsv("resident_id\n")).toMatchObject({ ok: false, errors: [{ line: 2, code: "no_rows" }] });
    expect(parseGrantCsv('resident_id\nres-001\n"res-002\n')).toMatchObject({ ok: false, errors: [{ line: 3, code: "unterminated_quote" }] });
  });
});

describe("a campaign's burn-down", () => {
  it("splits what was issued into used, expired and remaining", () => {
    expect(burnDown({ issuedYen: 3_000_000n, usedYen: 2_000_000n, expiredYen: 250_000n, budgetYen: 10_000_000n })).toEqual({
      ok: true,
      issuedYen: 3_000_000n,
      usedYen: 2_000_000n,
      expiredYen: 250_000n,
      remainingYen: 750_000n,
      usedBps: 6_667,
      expiredBps: 833,
      remainingBps: 2_500,
      budgetLeftYen: 7_000_000n,
    });
  });

  it("says so when the figures do not add up", () => {
    expect(burnDown({ issuedYen: 1_000n, usedYen: 500n, expiredYen: 100n, remainingYen: 300n })).toMatchObject({ ok: false, code: "burn_down_mismatch", differenceYen: 100n });
    expect(burnDown({ issuedYen: 1_000n, usedYen: 900n, expiredYen: 200n })).toMatchObject({ ok: false, code: "burn_down_mismatch", differenceYen: -100n });
  });

  it("has no shares before anything was issued", () => {
    expect(burnDown({ issuedYen: 0n, usedYen: 0n, expiredYen: 0n })).toMatchObject({ ok: true, usedBps: null, remainingYen: 0n });
  });
});
