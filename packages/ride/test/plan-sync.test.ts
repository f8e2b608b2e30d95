// Server-side settlement of synced taps: each tap captures its fare from the allowance's hold into mer:bus
// exactly once, a resend repeats the first answer, a reused counter is a double spend, and rides beyond the hold
// become recorded debt.
import { describe, expect, test } from "vitest";
import {
  captureIdOf,
  decideTap,
  groupByAllowance,
  newAllowanceState,
  planSync,
  tapHash,
  verifySyncedTap,
  voidRemaining,
  type AllowanceState,
  type TapRecord,
  type VerifiedTap,
} from "../src/index";
import { cardPass, door, fareTable, HOUR, issuerKeys, phoneCode, phonePass, T0, type PhonePass } from "./helpers";

function recordOf(code: string, over: { now?: number; terminalId?: string; localSeq?: number } = {}): TapRecord {
  const now = over.now ?? T0;
  const d = decideTap(door(code, { now, denyList: { entries: new Set(), updatedAt: now }, terminal: { terminalId: over.terminalId ?? "bus-1", nextLocalSeq: over.localSeq ?? 1 } }));
  if (!d.ok) throw new Error(d.code);
  return d.record;
}

function verified(record: TapRecord): VerifiedTap {
  const v = verifySyncedTap(record, issuerKeys, record.terminalId);
  if (!v.ok) throw new Error(`${v.code}: ${v.detail}`);
  return v.tap;
}

function settle(state: AllowanceState, records: TapRecord[]) {
  return planSync({ taps: records.map(verified), allowance: state, fareTable });
}

const stateFor = (pass: { cert: { allowanceId: string } }, holdYen = 1000) => newAllowanceState(pass.cert.allowanceId, `hold-${pass.cert.allowanceId}`, holdYen);

describe("planSync", () => {
  test("a tap captures its fare from the hold", () => {
    const pass = phonePass();
    const r = recordOf(phoneCode(pass, 1));
    const plan = settle(stateFor(pass), [r]);
    expect(plan.results).toEqual([{ tapId: r.tapId, result: "captured", captureYen: 100, debtYen: 0, original: null }]);
    expect(plan.captures).toEqual([{ id: `bustap:p:${pass.cert.allowanceId}:1`, holdId: `hold-${pass.cert.allowanceId}`, amountYen: 100, tapId: r.tapId }]);
    expect(plan.debts).toEqual([]);
    expect(plan.deny).toBeNull();
    expect(plan.allowance).toMatchObject({ remainingYen: 900, debtYen: 0, denied: false });
  });

  test("the same tap again — a retried batch or a second terminal — is a duplicate with the original result and moves nothing", () => {
    const pass = phonePass();
    const first = recordOf(phoneCode(pass, 1), { terminalId: "bus-1" });
    const fromOtherBus = recordOf(phoneCode(pass, 1), { terminalId: "bus-2", localSeq: 77 });
    const once = settle(stateFor(pass), [first]);
    const again = settle(once.allowance, [first, fromOtherBus]);
    const original = { tapHash: tapHash(first), result: "captured", captureYen: 100, debtYen: 0, terminalId: "bus-1" };
    expect(again.results).toEqual([
      { tapId: first.tapId, result: "duplicate", captureYen: 0, debtYen: 0, original },
      { tapId: first.tapId, result: "duplicate", captureYen: 0, debtYen: 0, original },
    ]);
    expect(again.captures).toEqual([]);
    expect(again.allowance.remainingYen).toBe(900);
    expect(again.deny).toBeNull();
  });

  test("the same counter with another time is a double spend: nothing moves, the first stands, the allowance is deny-listed", () => {
    const pass = phonePass();
    const honest = recordOf(phoneCode(pass, 5, T0));
    const cloned = recordOf(phoneCode(pass, 5, T0 + 40), { now: T0 + 40, terminalId: "bus-2" });
    const plan = settle(stateFor(pass), [honest, cloned]);
    expect(plan.results.map((r) => [r.result, r.captureYen])).toEqual([
      ["captured", 100],
      ["double_spend", 0],
    ]);
    expect(plan.results[1]!.original).toMatchObject({ result: "captured", terminalId: "bus-1" });
    expect(plan.deny).toEqual({ allowanceId: pass.cert.allowanceId, reason: "double_spend" });
    expect(plan.allowance).toMatchObject({ denied: true, remainingYen: 900 });
    // Later taps of a denied allowance still settle (terminals accepted them before they knew), and are not
    // reported as a new reason to deny.
    const later = settle(plan.allowance, [recordOf(phoneCode(pass, 6, T0 + 900), { now: T0 + 900 })]);
    expect(later.results[0]).toMatchObject({ result: "captured" });
    expect(later.deny).toBeNull();
  });

  test("rides beyond the hold become recorded rider debt; the hold is used to the last yen", () => {
    const pass = phonePass();
    const taps = [1, 2, 3].map((n) => recordOf(phoneCode(pass, n, T0 + n * 600), { now: T0 + n * 600 }));
    const plan = settle(stateFor(pass, 150), taps);
    expect(plan.results.map((r) => [r.result, r.captureYen, r.debtYen])).toEqual([
      ["captured", 100, 0],
      ["debt", 50, 50],
      ["debt", 0, 100],
    ]);
    expect(plan.captures.map((c) => c.amountYen)).toEqual([100, 50]);
    expect(plan.debts).toEqual([
      { id: `busdebt:${taps[1]!.tapId}`, allowanceId: pass.cert.allowanceId, amountYen: 50, tapId: taps[1]!.tapId },
      { id: `busdebt:${taps[2]!.tapId}`, allowanceId: pass.cert.allowanceId, amountYen: 100, tapId: taps[2]!.tapId },
    ]);
    expect(plan.allowance).toMatchObject({ remainingYen: 0, debtYen: 150 });
  });

  test("after expiry or renewal voids the rest of the hold, a late tap is debt", () => {
    const pass = phonePass();
    const { allowance, voidYen } = voidRemaining(settle(stateFor(pass), [recordOf(phoneCode(pass, 1))]).allowance);
    expect(voidYen).toBe(900);
    const late = settle(allowance, [recordOf(phoneCode(pass, 2, T0 + 600), { now: T0 + 600 })]);
    expect(late.results[0]).toMatchObject({ result: "debt", captureYen: 0, debtYen: 100 });
  });

  test("the fare is what the terminal showed, never more than the server's fare for the class", () => {
    const pass = phonePass({ fareClass: "child" });
    const r = recordOf(phoneCode(pass, 1));
    expect(settle(stateFor(pass), [{ ...r, fareYen: 500 }]).captures[0]!.amountYen).toBe(50);
    const free = settle(stateFor(pass), [{ ...r, fareYen: 0 }]);
    expect(free.results[0]).toMatchObject({ result: "captured", captureYen: 0 });
    expect(free.captures).toEqual([]);
  });

  test("a card used more often in a day than its certificate allows, across terminals, is deny-listed; the rides still settle", () => {
    const card = cardPass();
    const taps = ["bus-1", "bus-2", "bus-3", "bus-1", "bus-2"].map((t, i) => recordOf(card.code, { terminalId: t, localSeq: 10 + i, now: T0 + i * 600 }));
    const plan = settle(stateFor(card, 1000), taps);
    expect(new Set(taps.map((t) => t.tapId)).size).toBe(5);
    expect(plan.results.map((r) => r.result)).toEqual(["captured", "captured", "captured", "captured", "captured"]);
    expect(plan.deny).toEqual({ allowanceId: card.cert.allowanceId, reason: "card_overuse" });
    // Resending the same card tap is a duplicate, not a new ride.
    expect(settle(plan.allowance, [taps[0]!]).results[0]!.result).toBe("duplicate");
  });

  test("planning does not touch the state it was given", () => {
    const pass = phonePass();
    const state = stateFor(pass);
    settle(state, [recordOf(phoneCode(pass, 1))]);
    expect(state).toEqual(stateFor(pass));
  });

  test("a batch is split by allowance in id order, so holds are locked in one order everywhere", () => {
    const [a, b] = [phonePass(), phonePass()];
    const taps = [recordOf(phoneCode(b, 1)), recordOf(phoneCode(a, 1)), recordOf(phoneCode(b, 2, T0 + 1), { now: T0 + 1 })].map(verified);
    const groups = groupByAllowance(taps);
    expect(groups.map(([id, g]) => [id, g.length])).toEqual([
      [a.cert.allowanceId, 1],
      [b.cert.allowanceId, 2],
    ]);
    expect(() => planSync({ taps, allowance: stateFor(a), fareTable })).toThrow(/one allowance/);
    expect(captureIdOf("p:x:1")).toBe("bustap:p:x:1");
  });
});

describe("verifySyncedTap", () => {
  const pass: PhonePass = phonePass({ notBefore: T0 - HOUR, notAfter: T0 + HOUR });
  const record = recordOf(phoneCode(pass, 3));

  test("a tap synced after its certificate expired still counts: validity is checked at the tap's time", () => {
    expect(verifySyncedTap(record, issuerKeys, "bus-1")).toMatchObject({ ok: true, tap: { record, tapHash: tapHash(record) } });
  });

  test.each([
    ["another terminal sent it", { terminalId: "bus-9" }, "bus-1", "record_mismatch"],
    ["the counter differs from the signed one", { counter: 4, tapId: `p:${pass.cert.allowanceId}:4` }, "bus-1", "record_mismatch"],
    ["the time differs from the signed one", { time: T0 + 1 }, "bus-1", "record_mismatch"],
    ["the fare class differs from the certificate", { fareClass: "child" as const }, "bus-1", "record_mismatch"],
    ["the tap id does not name the ride", { tapId: "p:whatever:3" }, "bus-1", "record_mismatch"],
    ["a card record with a phone code", { kind: "card" as const }, "bus-1", "record_mismatch"],
    ["the code is not ours", { rideCode: "hello" }, "bus-1", "ride_code_foreign"],
  ])("refused when %s", (_, over, sender, code) => {
    expect(verifySyncedTap({ ...record, ...over }, issuerKeys, sender)).toMatchObject({ ok: false, code });
  });

  test("a forged rider signature is refused", () => {
    const other = phonePass();
    const forged = phoneCode({ ...pass, rider: other.rider }, 3);
    expect(verifySyncedTap({ ...record, rideCode: forged }, issuerKeys, "bus-1")).toMatchObject({ ok: false, code: "tap_bad_signature" });
  });

  test("a tap dated outside the certificate is refused", () => {
    expect(verifySyncedTap({ ...record, rideCode: phoneCode(pass, 3, T0 + HOUR), time: T0 + HOUR }, issuerKeys, "bus-1")).toMatchObject({
      ok: false,
      code: "cert_expired",
    });
  });
});
