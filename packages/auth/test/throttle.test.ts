// Guessing limits: the lock schedule an operator can quote to a resident who is locked out.
import { describe, expect, it } from "vitest";
import { accountLockoutPolicy, addressLockoutPolicy, checkThrottle, lockSeconds, throttleAfterFailure, throttleUndoFailure, type ThrottleState } from "../src";

const t0 = new Date("2026-04-01T00:00:00Z");
const at = (s: number) => new Date(t0.getTime() + s * 1000);

describe("account lockout", () => {
  it("locks from the 5th failure, doubling from 30 s to 15 min, and 24 h at the 20th", () => {
    const schedule = Array.from({ length: 21 }, (_, i) => lockSeconds(i + 1, accountLockoutPolicy));
    expect(schedule).toEqual([0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900, 900, 900, 900, 900, 900, 900, 900, 900, 86400, 86400]);
  });

  it("walks 20 failures, each after the previous lock ended, into a 24 h hard lock", () => {
    let state: ThrottleState | null = null;
    let clock = 0;
    for (let n = 1; n <= 20; n++) {
      expect(checkThrottle(state, at(clock), accountLockoutPolicy)).toEqual({ ok: true });
      state = throttleAfterFailure(state, at(clock), accountLockoutPolicy);
      clock += lockSeconds(n, accountLockoutPolicy) + 1;
    }
    const now = at(clock - 86400);
    expect(checkThrottle(state, now, accountLockoutPolicy)).toEqual({ ok: false, code: "locked", retryAfterSeconds: 86399, hardLocked: true });
    expect(checkThrottle(state, at(clock), accountLockoutPolicy)).toEqual({ ok: true });
  });

  it("refuses during a lock with the seconds left", () => {
    let state: ThrottleState | null = null;
    for (let i = 0; i < 5; i++) state = throttleAfterFailure(state, t0, accountLockoutPolicy);
    expect(checkThrottle(state, at(10), accountLockoutPolicy)).toEqual({ ok: false, code: "locked", retryAfterSeconds: 20, hardLocked: false });
  });

  it("forgets failures after a quiet day", () => {
    let state: ThrottleState | null = null;
    for (let i = 0; i < 4; i++) state = throttleAfterFailure(state, t0, accountLockoutPolicy);
    expect(throttleAfterFailure(state, at(86400), accountLockoutPolicy).failures).toBe(1);
    expect(throttleAfterFailure(state, at(86399), accountLockoutPolicy).failures).toBe(5);
  });

  it("undoes a provisional failure: the lock is what the count before it gave", () => {
    let state: ThrottleState | null = null;
    for (let i = 0; i < 5; i++) state = throttleAfterFailure(state, t0, accountLockoutPolicy);
    expect(state!.lockedUntil).toEqual(at(30));
    expect(throttleUndoFailure(state!, accountLockoutPolicy)).toEqual({ failures: 4, lastFailureAt: t0, lockedUntil: null });
    expect(throttleUndoFailure({ failures: 1, lastFailureAt: t0, lockedUntil: null }, accountLockoutPolicy)).toEqual({ failures: 0, lastFailureAt: null, lockedUntil: null });
  });
});

describe("address lockout", () => {
  it("allows 19 failures, then 1 min doubling to 1 h, never a hard lock", () => {
    expect(lockSeconds(19, addressLockoutPolicy)).toBe(0);
    expect(lockSeconds(20, addressLockoutPolicy)).toBe(60);
    expect(lockSeconds(21, addressLockoutPolicy)).toBe(120);
    expect(lockSeconds(500, addressLockoutPolicy)).toBe(3600);
  });
});

describe("throttle keys", () => {
  it("compare logins NFKC-lower-cased and refuse impossible ones", async () => {
    const { normalizeLogin, loginThrottleKey } = await import("../src");
    expect(normalizeLogin("  Ｈａｎａｋｏ ")).toBe("hanako");
    expect(normalizeLogin("ab")).toBeNull();
    expect(normalizeLogin("has space")).toBeNull();
    expect(loginThrottleKey("Hanako")).toBe("login:hanako");
    expect(loginThrottleKey("no such login!")).toMatch(/^login#[0-9a-f]{32}$/);
    expect(loginThrottleKey("no such login!")).toBe(loginThrottleKey("no such login!"));
    expect(loginThrottleKey("pass\u0000word")).not.toContain("\u0000");
  });

  it("count IPv4 per address and IPv6 per /64", async () => {
    const { addressThrottleKey } = await import("../src");
    expect(addressThrottleKey("203.0.113.7")).toBe("address:203.0.113.7");
    expect(addressThrottleKey("::ffff:203.0.113.7")).toBe("address:203.0.113.7");
    expect(addressThrottleKey("2001:db8:1:2:aaaa::1")).toBe("address:2001:0db8:0001:0002::/64");
    expect(addressThrottleKey("2001:db8:1:2::ffff")).toBe(addressThrottleKey("[2001:db8:1:2:9::9]"));
    expect(addressThrottleKey("::1")).toBe("address:0000:0000:0000:0000::/64");
    expect(addressThrottleKey("999.1.1.1")).toBeNull();
    expect(addressThrottleKey("not an ip")).toBeNull();
    expect(addressThrottleKey(null)).toBeNull();
  });
});
