import { describe, expect, it } from "vitest";
import { approve, formatBpsAsPercent, leakage, needsSecondApproval, recirculation, shareBps, writeCsv, type ApprovalRequest, type PaymentFact } from "../src";

describe("dual approval of large issuance", () => {
  const request: ApprovalRequest = {
    id: "apr-1",
    kind: "grant",
    amountYen: 150_000_000n,
    requestedBy: "staff-sato",
    status: "pending",
    approvedBy: null,
    approvedAt: null,
  };
  const now = new Date("2025-04-10T01:00:00Z");

  it("needs a second approval from ¥1,000,000 (inclusive), or from a threshold the city sets", () => {
    expect(needsSecondApproval(999_999n)).toBe(false);
    expect(needsSecondApproval(1_000_000n)).toBe(true);
    expect(needsSecondApproval(500_000n, 500_000n)).toBe(true);
  });

  it("is approved by another person with the admin_approver role", () => {
    expect(approve(request, { userId: "chief-tanaka", roles: ["admin_operator", "admin_approver"] }, now)).toEqual({
      ok: true,
      request: { ...request, status: "approved", approvedBy: "chief-tanaka", approvedAt: now },
    });
  });

  it("refuses the requester approving their own request, even with the role", () => {
    expect(approve(request, { userId: "staff-sato", roles: ["admin_approver"] }, now)).toMatchObject({ ok: false, code: "self_approval" });
  });

  it("refuses anyone without the admin_approver role", () => {
    expect(approve(request, { userId: "auditor-ito", roles: ["admin_auditor", "admin_operator"] }, now)).toMatchObject({ ok: false, code: "approver_role_required" });
  });

  it("refuses a request that is already approved", () => {
    const approved: ApprovalRequest = { ...request, status: "approved", approvedBy: "chief-tanaka", approvedAt: now };
    expect(approve(approved, { userId: "chief-kato", roles: ["admin_approver"] }, now)).toMatchObject({ ok: false, code: "request_not_pending" });
  });
});

describe("report figures", () => {
  const payments: PaymentFact[] = [
    { amountYen: 60_000n, payerKind: "resident", merchantTier: "small", count: 40 },
    { amountYen: 30_000n, payerKind: "resident", merchantTier: "large", count: 10 },
    { amountYen: 10_000n, payerKind: "merchant", merchantTier: "small", count: 2 },
  ];

  it("recirculation is the share of payments made by shops", () => {
    expect(recirculation(payments)).toEqual({ totalYen: 100_000n, totalCount: 52, partYen: 10_000n, partCount: 2, shareBps: 1_000, countShareBps: 385 });
  });

  it("leakage is the share of payments at large shops", () => {
    expect(leakage(payments)).toMatchObject({ partYen: 30_000n, shareBps: 3_000, countShareBps: 1_923 });
  });

  it("shares round half up and are undefined without payments", () => {
    expect(shareBps(1n, 3n)).toBe(3_333);
    expect(shareBps(2n, 3n)).toBe(6_667);
    expect(shareBps(1n, 20_000n)).toBe(1); // 0.5 bp rounds up
    expect(shareBps(0n, 0n)).toBeNull();
    expect(leakage([])).toMatchObject({ totalYen: 0n, shareBps: null });
    expect(formatBpsAsPercent(3_333)).toBe("33.33");
    expect(formatBpsAsPercent(5)).toBe("0.05");
    expect(formatBpsAsPercent(null)).toBe("");
  });
});

describe("CSV for Excel", () => {
  it("quotes per RFC 4180, ends rows with CRLF and can start with a BOM", () => {
    const csv = writeCsv(
      [
        ["shop", "amount_yen", "note"],
        ["喫茶 椿", 12_000n, 'says "hi", twice'],
        ["line\nbreak", 0, null],
      ],
      { bom: true },
    );
    expect(csv).toBe('\ufeffshop,amount_yen,note\r\n喫茶 椿,12000,"says ""hi"", twice"\r\n"line\nbreak",0,\r\n');
  });

  it("defuses cells that a spreadsheet would run as formulas, but not numbers", () => {
    expect(writeCsv([["=HYPERLINK(\"x\")", "-5", -5, "@SUM(A1)"]])).toBe('"\'=HYPERLINK(""x"")",\'-5,-5,\'@SUM(A1)\r\n');
    expect(writeCsv([["=1+1"]], { guardFormulas: false })).toBe("=1+1\r\n");
  });
});
