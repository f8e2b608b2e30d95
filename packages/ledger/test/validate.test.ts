// The stateless checks a request passes before it can reach the journal, and the order in which they are made:
// a request wrong in several ways always gets the same code (codes.ts).
import { describe, expect, test } from "vitest";
import {
  amountMaxDefault,
  holdTimeoutSecondsMax,
  idLengthMax,
  inputCodePrecedence,
  isInputCode,
  legsMax,
  newAccount,
  resultTitles,
  stateCodePrecedence,
  validateAccount,
  validateRequest,
  type AccountInput,
  type Leg,
  type TransferRequest,
  type Validation,
} from "../src/index";

const leg = (from = "res:1:coins", to = "mer:1", amount = 100n): Leg => ({ from, to, amount });

function transfer(over: Partial<Extract<TransferRequest, { op: "transfer" }>> = {}): TransferRequest {
  return { op: "transfer", id: "pay-1", legs: [leg()], ...over };
}

function codeOf(v: Validation): string {
  return v.ok ? "ok" : v.code;
}

const manyLegs = (n: number, amount = 1n): Leg[] => Array.from({ length: n }, (_, i) => leg(`res:${i}:coins`, "mer:1", amount));

describe("one problem at a time", () => {
  const cases: Array<[string, TransferRequest, string]> = [
    ["a plain payment", transfer(), "ok"],
    ["a payment with a code and metadata", transfer({ code: "payment", metadata: { shop: "A" } }), "ok"],
    ["a hold of one leg", transfer({ pending: { timeoutSeconds: 72 * 3600 } }), "ok"],
    [`${legsMax} legs`, transfer({ legs: manyLegs(legsMax) }), "ok"],
    ["an empty id", transfer({ id: "" }), "invalid_id"],
    ["an id with a space", transfer({ id: "pay 1" }), "invalid_id"],
    ["an id with ~ (reserved for expiries)", transfer({ id: "pay~1" }), "invalid_id"],
    [`an id of ${idLengthMax + 1} characters`, transfer({ id: "a".repeat(idLengthMax + 1) }), "invalid_id"],
    ["an upper-case code", transfer({ code: "Payment" }), "invalid_code"],
    ["an empty code", transfer({ code: "" }), "invalid_code"],
    ["no legs", transfer({ legs: [] }), "invalid_legs"],
    [`${legsMax + 1} legs`, transfer({ legs: manyLegs(legsMax + 1) }), "too_many_legs"],
    ["a hold of two legs", transfer({ legs: [leg(), leg("res:2:coins")], pending: { timeoutSeconds: 60 } }), "hold_multi_leg"],
    ["a hold of zero seconds", transfer({ pending: { timeoutSeconds: 0 } }), "invalid_timeout"],
    ["a hold of 1.5 seconds", transfer({ pending: { timeoutSeconds: 1.5 } }), "invalid_timeout"],
    ["a hold longer than a week", transfer({ pending: { timeoutSeconds: holdTimeoutSecondsMax + 1 } }), "invalid_timeout"],
    ["a leg from a malformed account id", transfer({ legs: [leg("res 1")] }), "invalid_id"],
    ["a zero amount", transfer({ legs: [leg(undefined, undefined, 0n)] }), "invalid_amount"],
    ["a negative amount", transfer({ legs: [leg(undefined, undefined, -100n)] }), "invalid_amount"],
    ["an amount over the maximum", transfer({ legs: [leg(undefined, undefined, amountMaxDefault + 1n)] }), "invalid_amount"],
    ["a leg from an account to itself", transfer({ legs: [leg("mer:1", "mer:1")] }), "same_account"],
    ["a capture", { op: "capture", id: "tap-1", holdId: "bus-1", amount: 230n }, "ok"],
    ["a capture of nothing", { op: "capture", id: "tap-1", holdId: "bus-1", amount: 0n }, "invalid_amount"],
    ["a capture of a malformed hold id", { op: "capture", id: "tap-1", holdId: "bus 1", amount: 1n }, "invalid_id"],
    ["a void", { op: "void", id: "void-1", holdId: "bus-1" }, "ok"],
    ["a void of a malformed hold id", { op: "void", id: "void-1", holdId: "" }, "invalid_id"],
    ["a reversal", { op: "reversal", id: "rf-1", reversalOf: "pay-1", code: "refund" }, "ok"],
    ["a reversal of a malformed id", { op: "reversal", id: "rf-1", reversalOf: "pay 1" }, "invalid_id"],
    ["a reversal with a bad code", { op: "reversal", id: "rf-1", reversalOf: "pay-1", code: "REFUND" }, "invalid_code"],
    ["an expiry named after its hold", { op: "expire", id: "bus-1~expired", holdId: "bus-1" }, "ok"],
    ["an expiry with a caller's id", { op: "expire", id: "sweep-1", holdId: "bus-1" }, "invalid_id"],
    ["an expiry of a malformed hold id", { op: "expire", id: "bus 1~expired", holdId: "bus 1" }, "invalid_id"],
  ];
  test.each(cases)("%s → %s", (_name, request, code) => {
    expect(codeOf(validateRequest(request))).toBe(code);
  });
});

describe("precedence when a request is wrong in several ways", () => {
  const cases: Array<[string, TransferRequest, string]> = [
    ["bad id and bad code", transfer({ id: "", code: "BAD" }), "invalid_id"],
    ["bad code and no legs", transfer({ code: "BAD", legs: [] }), "invalid_code"],
    ["no legs and a bad timeout", transfer({ legs: [], pending: { timeoutSeconds: 0 } }), "invalid_legs"],
    ["too many legs and a bad amount", transfer({ legs: [...manyLegs(legsMax), leg(undefined, undefined, 0n)] }), "too_many_legs"],
    ["too many legs for a hold", transfer({ legs: manyLegs(legsMax + 1), pending: { timeoutSeconds: 60 } }), "too_many_legs"],
    ["a two-leg hold with a bad timeout", transfer({ legs: [leg(), leg()], pending: { timeoutSeconds: 0 } }), "hold_multi_leg"],
    ["a bad timeout and a bad amount", transfer({ legs: [leg(undefined, undefined, 0n)], pending: { timeoutSeconds: 0 } }), "invalid_timeout"],
    // Account ids in legs are checked after the request's shape (count, hold, timeout), before the amounts.
    ["a bad timeout and a malformed account", transfer({ legs: [leg("res 1")], pending: { timeoutSeconds: 0 } }), "invalid_timeout"],
    ["a malformed account and a bad amount", transfer({ legs: [leg(undefined, undefined, 0n), leg("res 1")] }), "invalid_id"],
    ["same account on leg 0, bad amount on leg 1", transfer({ legs: [leg("mer:1", "mer:1"), leg(undefined, undefined, -1n)] }), "invalid_amount"],
    ["a capture of a malformed hold id and of nothing", { op: "capture", id: "tap-1", holdId: "", amount: 0n }, "invalid_id"],
    ["a reversal with a bad code of a malformed id", { op: "reversal", id: "rf-1", reversalOf: "", code: "X" }, "invalid_code"],
  ];
  test.each(cases)("%s → %s", (_name, request, code) => {
    expect(codeOf(validateRequest(request))).toBe(code);
  });

  test("amounts are checked leg by leg and the detail names the first bad leg", () => {
    const v = validateRequest(transfer({ legs: [leg(), leg(undefined, undefined, 0n), leg(undefined, undefined, -1n)] }));
    expect(v).toEqual({ ok: false, code: "invalid_amount", detail: "legs[1]: amount must be a positive integer" });
  });

  test("the documented input order is the one in codes.ts", () => {
    expect(inputCodePrecedence).toEqual(["invalid_id", "invalid_code", "invalid_legs", "too_many_legs", "hold_multi_leg", "invalid_timeout", "invalid_amount", "same_account"]);
  });
});

describe("limits", () => {
  test("amounts from 1 yen to the maximum pass; a deployment may lower the maximum", () => {
    expect(codeOf(validateRequest(transfer({ legs: [leg(undefined, undefined, 1n)] })))).toBe("ok");
    expect(codeOf(validateRequest(transfer({ legs: [leg(undefined, undefined, amountMaxDefault)] })))).toBe("ok");
    expect(amountMaxDefault).toBe(1_000_000_000_000n);
    const lowered = { amountMax: 100_000n };
    expect(codeOf(validateRequest(transfer({ legs: [leg(undefined, undefined, 100_000n)] }), lowered))).toBe("ok");
    expect(validateRequest(transfer({ legs: [leg(undefined, undefined, 100_001n)] }), lowered)).toEqual({ ok: false, code: "invalid_amount", detail: "legs[0]: amount exceeds the maximum of 100000" });
    expect(codeOf(validateRequest({ op: "capture", id: "tap-1", holdId: "bus-1", amount: 100_001n }, lowered))).toBe("invalid_amount");
  });

  test("ids of 1 to 64 characters from A-Z a-z 0-9 _ : . - pass", () => {
    expect(codeOf(validateRequest(transfer({ id: "a".repeat(idLengthMax) })))).toBe("ok");
    expect(codeOf(validateRequest(transfer({ id: "Pay_1:a.b-c" })))).toBe("ok");
    expect(codeOf(validateRequest(transfer({ id: "支払い" })))).toBe("invalid_id");
  });

  test("a hold lasts from one second to a week", () => {
    expect(holdTimeoutSecondsMax).toBe(7 * 24 * 3600);
    expect(codeOf(validateRequest(transfer({ pending: { timeoutSeconds: 1 } })))).toBe("ok");
    expect(codeOf(validateRequest(transfer({ pending: { timeoutSeconds: holdTimeoutSecondsMax } })))).toBe("ok");
    expect(codeOf(validateRequest(transfer({ pending: { timeoutSeconds: Number.NaN } })))).toBe("invalid_timeout");
  });
});

describe("result codes", () => {
  test("input codes are told apart from state codes", () => {
    expect(inputCodePrecedence.every(isInputCode)).toBe(true);
    expect(isInputCode("invalid_account")).toBe(false);
    expect(stateCodePrecedence.some(isInputCode)).toBe(false);
  });

  test("every code has a title", () => {
    for (const code of [...inputCodePrecedence, ...stateCodePrecedence, "invalid_account" as const]) expect(resultTitles[code]).toMatch(/\w/);
  });
});

describe("accounts", () => {
  const wallet: AccountInput = { id: "res:1:coins", kind: "coins", owner: "res:1", asset: "JPY", flags: { debitsMustNotExceedCredits: true, creditsMustNotExceedDebits: false }, metadata: null };

  test("a wallet definition passes and a new account starts empty", () => {
    expect(validateAccount(wallet)).toEqual({ ok: true });
    const account = newAccount(wallet, new Date("2025-04-01T00:00:00Z"));
    expect(account).toMatchObject({ debitsPosted: 0n, creditsPosted: 0n, debitsPending: 0n, creditsPending: 0n, entrySeq: 0 });
  });

  test.each<[string, Partial<AccountInput>, string]>([
    ["a malformed id", { id: "res 1" }, "invalid_id"],
    ["an upper-case kind", { kind: "Coins" }, "invalid_account"],
    ["an empty owner", { owner: "" }, "invalid_account"],
    ["a lower-case asset", { asset: "jpy" }, "invalid_account"],
    ["both limits at once", { flags: { debitsMustNotExceedCredits: true, creditsMustNotExceedDebits: true } }, "invalid_account"],
  ])("%s is refused", (_name, change, code) => {
    expect(codeOf(validateAccount({ ...wallet, ...change }))).toBe(code);
  });
});
