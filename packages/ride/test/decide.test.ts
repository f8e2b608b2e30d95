// The fare terminal at the door: green with a record to store, "already paid", or red with the reason, checked
// in the documented order. Each scenario is what a driver would see.
import { describe, expect, test } from "vitest";
import {
  DOOR_MESSAGES,
  decideTap,
  doorCodePrecedence,
  emptySeen,
  encodeRideCode,
  generateRiderKey,
  newIssuerKeySet,
  rememberTap,
  serviceDay,
  signTap,
  type DoorCode,
  type SeenState,
  type TapDecision,
  type TapInput,
} from "../src/index";
import { cardPass, door, fareTable, HOUR, phoneCode, phonePass, T0, type PhonePass } from "./helpers";

function paid(d: TapDecision) {
  if (!d.ok) throw new Error(`expected green, got ${d.code}: ${"detail" in d ? d.detail : ""}`);
  return d;
}

/** Decides, and on green stores the tap in `seen` the way the terminal does after its durable write. */
function tapAt(input: TapInput): TapDecision {
  const d = decideTap(input);
  if (d.ok) {
    rememberTap(input.seen, d.record);
    input.terminal.nextLocalSeq++;
  }
  return d;
}

describe("green", () => {
  test("an adult phone pays ¥100 and the terminal gets the exact record to store", () => {
    const pass = phonePass();
    const code = phoneCode(pass, 5, T0 - 3);
    const d = paid(decideTap(door(code)));
    expect(d).toMatchObject({ screen: "paid", fareYen: 100, remainingYen: 900, remainingTaps: 9, transfer: "none", staleLimits: false });
    expect(d.record).toEqual({
      tapId: `p:${pass.cert.allowanceId}:5`,
      kind: "phone",
      rideCode: code,
      allowanceId: pass.cert.allowanceId,
      counter: 5,
      time: T0 - 3,
      scannedAt: T0,
      terminalId: "bus-1",
      localSeq: 1,
      operatorId: "notty",
      fareClass: "adult",
      fareYen: 100,
      transferFrom: null,
    });
  });

  test("the fare class comes from the certificate", () => {
    expect(paid(decideTap(door(phoneCode(phonePass({ fareClass: "child" }), 1))))).toMatchObject({ fareYen: 50 });
    expect(paid(decideTap(door(phoneCode(phonePass({ fareClass: "preschool" }), 1))))).toMatchObject({ fareYen: 0, remainingYen: 1000 });
    expect(paid(decideTap(door(phoneCode(phonePass({ fareClass: "disability" }), 1))))).toMatchObject({ fareYen: 50 });
  });

  test("a transfer receipt from another bus within 60 minutes rides free and is kept in the record", () => {
    const pass = phonePass();
    const receipt = { operatorId: "notty", terminalId: "bus-2", allowanceId: pass.cert.allowanceId, paidAt: T0 - 50 * 60, paidYen: 100 };
    const d = paid(decideTap(door(phoneCode(pass, 2), { transferFromReceipt: receipt })));
    expect(d).toMatchObject({ fareYen: 0, transfer: "applied", remainingYen: 1000, remainingTaps: 9 });
    expect(d.record.transferFrom).toEqual(receipt);
    const late = paid(decideTap(door(phoneCode(pass, 2), { transferFromReceipt: { ...receipt, paidAt: T0 - 61 * 60 } })));
    expect(late).toMatchObject({ fareYen: 100, transfer: "outside_window" });
    expect(late.record.transferFrom).toBeNull();
  });

  test("a tap exactly 90 s off the terminal's clock either way is fresh; 91 s is not", () => {
    const pass = phonePass();
    expect(decideTap(door(phoneCode(pass, 1, T0 - 90))).ok).toBe(true);
    expect(decideTap(door(phoneCode(pass, 1, T0 + 90))).ok).toBe(true);
    expect(decideTap(door(phoneCode(pass, 1, T0 - 91)))).toMatchObject({ code: "tap_stale" });
    expect(decideTap(door(phoneCode(pass, 1, T0 + 91)))).toMatchObject({ code: "tap_stale" });
  });
});

describe("the door codes, in order", () => {
  /**
   * A phone code with every fault from `first` onwards (cert faults are exclusive, so only `first`'s when it is
   * one). Removing faults one by one from the front must walk the precedence list exactly.
   */
  function withFaultsFrom(first: DoorCode): TapInput {
    const from = (c: DoorCode) => doorCodePrecedence.indexOf(c) >= doorCodePrecedence.indexOf(first);
    if (first === "ride_code_foreign") return door("00020101021126360014jp.nonoichi.tsubaki");
    if (first === "ride_code_malformed") return door("TSBKR1:NOT*BASE45*AT*ALL");
    const certFault = first.startsWith("cert_") ? first : null;
    const set = certFault === "cert_unknown_key" ? newIssuerKeySet(99) : undefined;
    const validity =
      certFault === "cert_not_yet_valid" ? { notBefore: T0 + 60, notAfter: T0 + HOUR } : certFault === "cert_expired" ? { notBefore: T0 - HOUR, notAfter: T0 } : {};
    const pass: PhonePass = phonePass({ maxTaps: 5, ...validity }, set);
    const tapTime = from("tap_stale") ? T0 - 120 : T0;
    const tap = { counter: 3, time: tapTime };
    const signer = from("tap_bad_signature") ? generateRiderKey().secretKey : pass.rider.secretKey;
    const cert = pass.bytes.slice();
    if (certFault === "cert_malformed") cert[0] = 2;
    if (certFault === "cert_bad_signature") cert[60]! ^= 1;
    const code = encodeRideCode({ kind: "phone", cert, tap, sig: signTap(pass.cert.allowanceId, tap, signer) });
    const id = pass.cert.allowanceId;
    const seen: SeenState = emptySeen();
    if (from("already_paid")) seen.lastPaidByAllowance.set(id, { scannedAt: T0 - 30, fareYen: 100 });
    else seen.lastPaidByAllowance.set(id, { scannedAt: T0 - 3600, fareYen: 100 });
    seen.countersByAllowance.set(id, from("tap_replayed") ? 3 : 2);
    // Exhausted: all 5 of the certificate's taps used. Offline only: 3 used, the stale limit.
    seen.tapsByAllowance.set(id, from("allowance_exhausted") ? 5 : 3);
    seen.totalsByAllowance.set(id, 300);
    const denyList = { entries: new Set(from("allowance_denied") ? [id] : []), updatedAt: from("offline_limit_reached") ? T0 - 25 * HOUR : T0 - 60 };
    return door(code, { seen, denyList });
  }

  test("the precedence list is the documented one", () => {
    expect(doorCodePrecedence).toEqual([
      "ride_code_foreign",
      "ride_code_malformed",
      "cert_malformed",
      "cert_unknown_key",
      "cert_bad_signature",
      "cert_not_yet_valid",
      "cert_expired",
      "tap_bad_signature",
      "tap_stale",
      "already_paid",
      "tap_replayed",
      "allowance_denied",
      "allowance_exhausted",
      "offline_limit_reached",
    ]);
  });

  test.each(doorCodePrecedence.map((c) => [c]))("%s wins over every later fault, and nothing is stored", (code) => {
    const d = decideTap(withFaultsFrom(code));
    expect(d.ok).toBe(false);
    if (d.ok) return;
    expect(d.code).toBe(code);
    expect(d.screen).toBe(code === "already_paid" ? "already_paid" : "refused");
    expect(d).not.toHaveProperty("record");
    expect({ ja: d.reasonJa, en: d.reasonEn }).toEqual(DOOR_MESSAGES[code]);
  });

  test("every code has a Japanese and an English message", () => {
    for (const code of doorCodePrecedence) {
      expect(DOOR_MESSAGES[code].ja.length).toBeGreaterThan(0);
      expect(DOOR_MESSAGES[code].en).toMatch(/\.$/);
    }
  });
});

describe("double scan", () => {
  test("the same code read twice within seconds says already paid, with the first fare", () => {
    const pass = phonePass();
    const input = door(phoneCode(pass, 1));
    expect(tapAt(input)).toMatchObject({ ok: true, fareYen: 100 });
    const again = tapAt({ ...input, now: T0 + 2 });
    expect(again).toMatchObject({ ok: false, screen: "already_paid", code: "already_paid", paidAt: T0, fareYen: 100 });
    expect(input.seen.tapsByAllowance.get(pass.cert.allowanceId)).toBe(1);
  });

  test("a code that renewed between two reads is still already paid, not a second fare", () => {
    const pass = phonePass();
    const input = door(phoneCode(pass, 1, T0 - 29));
    tapAt(input);
    expect(tapAt({ ...input, code: phoneCode(pass, 2, T0 + 1), now: T0 + 2 })).toMatchObject({ code: "already_paid" });
  });

  test("after the window the next ride pays again; an old counter is a replay", () => {
    const pass = phonePass();
    const input = door(phoneCode(pass, 10));
    tapAt(input);
    const later = T0 + 181;
    expect(tapAt({ ...input, code: phoneCode(pass, 9, later), now: later })).toMatchObject({ code: "tap_replayed" });
    expect(tapAt({ ...input, code: phoneCode(pass, 10, later), now: later })).toMatchObject({ code: "tap_replayed" });
    expect(tapAt({ ...input, code: phoneCode(pass, 11, later), now: later })).toMatchObject({ ok: true, remainingYen: 800, remainingTaps: 8 });
  });
});

describe("limits", () => {
  function ride(pass: PhonePass, times: number, over: Partial<TapInput> = {}) {
    const input = door("", over);
    // The deny list keeps the same age at every ride.
    const listAgeSeconds = over.denyList ? T0 - over.denyList.updatedAt : 60;
    const out: TapDecision[] = [];
    for (let i = 0; i < times; i++) {
      const now = T0 + i * 600;
      out.push(tapAt({ ...input, code: phoneCode(pass, i + 1, now), now, denyList: { entries: new Set(), updatedAt: now - listAgeSeconds } }));
    }
    return out;
  }

  test("a ¥1,000, 10-tap allowance rides 10 times and is then exhausted", () => {
    const results = ride(phonePass(), 11);
    expect(results.slice(0, 10).every((d) => d.ok)).toBe(true);
    expect(results[9]).toMatchObject({ remainingYen: 0, remainingTaps: 0 });
    expect(results[10]).toMatchObject({ ok: false, code: "allowance_exhausted" });
  });

  test("yen run out before taps: a ¥250 allowance pays twice and refuses the third ride", () => {
    const results = ride(phonePass({ maxTotalYen: 250 }), 3);
    expect(results.map((d) => (d.ok ? d.remainingYen : d.code))).toEqual([150, 50, "allowance_exhausted"]);
  });

  test("a deny list older than 24 h lowers the limits to 3 taps and ¥300", () => {
    const stale = ride(phonePass(), 4, { denyList: { entries: new Set(), updatedAt: T0 - 24 * HOUR - 1 } });
    expect(stale.map((d) => (d.ok ? [d.remainingYen, d.remainingTaps, d.staleLimits] : d.code))).toEqual([
      [200, 2, true],
      [100, 1, true],
      [0, 0, true],
      "offline_limit_reached",
    ]);
    const fresh = ride(phonePass(), 4, { denyList: { entries: new Set(), updatedAt: T0 - 24 * HOUR } });
    expect(fresh.every((d) => d.ok)).toBe(true);
  });

  test("a deny-listed allowance is refused even with money left", () => {
    const pass = phonePass();
    expect(decideTap(door(phoneCode(pass, 1), { denyList: { entries: new Set([pass.cert.allowanceId]), updatedAt: T0 } }))).toMatchObject({
      code: "allowance_denied",
      reasonJa: "この乗車券は利用停止中です",
    });
  });
});

describe("cards", () => {
  test("a card tap is stamped with the terminal's clock and sequence number", () => {
    const card = cardPass();
    const d = paid(decideTap(door(card.code, { terminal: { terminalId: "bus-3", nextLocalSeq: 41 } })));
    expect(d.record).toMatchObject({
      tapId: `c:${card.cert.allowanceId}:bus-3:41`,
      kind: "card",
      counter: 41,
      localSeq: 41,
      time: T0,
      scannedAt: T0,
      rideCode: card.code,
    });
    expect(d).toMatchObject({ fareYen: 100, remainingYen: 200, remainingTaps: 3 });
  });

  test("a card's ¥300 counts per service day, which starts at 03:00 JST", () => {
    const card = cardPass();
    const input = door(card.code);
    const at = (now: number) => tapAt({ ...input, now, denyList: { entries: new Set(), updatedAt: now } });
    // 2025-04-01 09:00, 12:00, 15:00, 18:00 JST
    const day = [0, 3, 6, 9].map((h) => at(T0 + h * HOUR));
    expect(day.map((d) => (d.ok ? d.remainingYen : d.code))).toEqual([200, 100, 0, "allowance_exhausted"]);
    // 02:59 JST the next morning still belongs to April 1st; 03:00 starts April 2nd.
    const lastMinute = T0 + 18 * HOUR - 60;
    expect(serviceDay(lastMinute)).toBe(serviceDay(T0));
    expect(at(lastMinute)).toMatchObject({ code: "allowance_exhausted" });
    expect(at(T0 + 18 * HOUR)).toMatchObject({ ok: true, remainingYen: 200 });
  });

  test("a card read twice is already paid", () => {
    const card = cardPass();
    const input = door(card.code);
    tapAt(input);
    expect(tapAt({ ...input, now: T0 + 5 })).toMatchObject({ code: "already_paid" });
  });

  test("a card signed by someone else is tampered", () => {
    const card = cardPass();
    const bytes = card.bytes.slice();
    bytes[48]! ^= 0x40; // maxTotalYen
    expect(decideTap(door(encodeRideCode({ kind: "card", cert: bytes })))).toMatchObject({ code: "cert_bad_signature", reasonEn: "The ride pass has been altered." });
  });
});

describe("setup errors are bugs, not door codes", () => {
  test("a bad terminal id, fare table or config throws", () => {
    const code = phoneCode(phonePass(), 1);
    expect(() => decideTap(door(code, { terminal: { terminalId: "bus 1", nextLocalSeq: 1 } }))).toThrow(/BUG/);
    expect(() => decideTap(door(code, { fareTable: { ...fareTable, adultYen: -100 } }))).toThrow(/BUG/);
    expect(() => decideTap(door(code, { config: { freshnessSeconds: 120 } }))).toThrow(/doubleScanWindowSeconds/);
  });
});
