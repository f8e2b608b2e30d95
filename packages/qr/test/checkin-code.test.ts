// The event check-in code: what the console shows verifies for a minute or two and then expires; a changed id,
// slot or MAC is forged; anything not in the format is invalid, in that order of checks.
import { describe, expect, it } from "vitest";
import { CHECKIN_SLOT_SECONDS, checkInSlotExpiresAt, checkInSlotOf, encodeCheckInCode, isCheckInCode, verifyCheckInCode } from "../src/index";

const key = new Uint8Array(32).fill(7);
const otherKey = new Uint8Array(32).fill(8);
const at = new Date("2026-04-10T01:00:30Z");

describe("event check-in code", () => {
  const slot = checkInSlotOf(at);
  const code = encodeCheckInCode(key, "notty-fest", slot);

  it("reads back as the campaign and slot while its slot or the next is current", () => {
    expect(code).toMatch(/^tsubaki-checkin:1:notty-fest:\d+:[A-Z2-7]{16}$/);
    expect(isCheckInCode(code)).toBe(true);
    expect(verifyCheckInCode([key], code, at)).toEqual({ ok: true, campaignId: "notty-fest", slot });
    const nextSlot = new Date(at.getTime() + CHECKIN_SLOT_SECONDS * 1000);
    expect(verifyCheckInCode([otherKey, key], code, nextSlot)).toMatchObject({ ok: true });
    expect(checkInSlotExpiresAt(slot).getTime()).toBe((slot + 2) * CHECKIN_SLOT_SECONDS * 1000);
  });

  it("expires two slots on, and a slot not yet begun is refused too", () => {
    expect(verifyCheckInCode([key], code, checkInSlotExpiresAt(slot))).toMatchObject({ ok: false, code: "checkin_code_expired" });
    expect(verifyCheckInCode([key], encodeCheckInCode(key, "notty-fest", slot + 1), at)).toMatchObject({ ok: false, code: "checkin_code_expired" });
  });

  it("is forged when made with another key or when its id or slot was changed", () => {
    expect(verifyCheckInCode([otherKey], code, at)).toMatchObject({ ok: false, code: "checkin_code_forged" });
    expect(verifyCheckInCode([key], code.replace("notty-fest", "notty-fesu"), at)).toMatchObject({ ok: false, code: "checkin_code_forged" });
    expect(verifyCheckInCode([key], code.replace(`:${slot}:`, `:${slot - 1}:`), at)).toMatchObject({ ok: false, code: "checkin_code_forged" });
  });

  it("is invalid when it is not the format, before any MAC is computed", () => {
    for (const text of ["", "https://example.com", "tsubaki-checkin:1:", "tsubaki-checkin:1:UPPER:1:AAAAAAAAAAAAAAAA", `${code}:x`, code.toLowerCase(), "x".repeat(500)]) {
      expect(verifyCheckInCode([key], text, at), text).toMatchObject({ ok: false, code: "checkin_code_invalid" });
    }
  });
});
