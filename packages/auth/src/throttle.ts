// Guessing limits for logins, as pure functions over a small stored state. Each key (a login name, a client
// address) counts failures; from the lockAfterFailures-th failure on, the key is locked for a time that doubles
// with every further failure up to a cap; at hardLockFailures the lock is long (an administrator can lift it).
// Failures are forgotten after a quiet period. The store counts an attempt as a failure *before* the password
// is checked and undoes it on success, so a burst of parallel guesses cannot slip past the count.
//
// Accounts: failures 1–4 free; 5 → 30 s, 6 → 60 s, 7 → 2 min, 8 → 4 min, 9 → 8 min, 10–19 → 15 min each;
//   20 → locked 24 h (or until an administrator unlocks). An attacker gets about 20 guesses a day per account.
//   24 h rather than "until an administrator": anyone who knows a resident's login could otherwise lock them
//   out until they visit the city hall.
// Addresses: 20 failures free (a city-hall counter or a care home shares one address), then 1 min doubling to
//   1 h; never a hard lock; forgotten after an hour without failures.

export interface LockoutPolicy {
  /** The failure that first locks the key. */
  lockAfterFailures: number;
  firstLockSeconds: number;
  lockSecondsMax: number;
  /** At this many failures the key is locked for hardLockSeconds; null: never. */
  hardLockFailures: number | null;
  hardLockSeconds: number;
  /** Failures are forgotten when none happened this long and no lock is in force. */
  forgetAfterSeconds: number;
}

export const accountLockoutPolicy: Readonly<LockoutPolicy> = Object.freeze({
  lockAfterFailures: 5,
  firstLockSeconds: 30,
  lockSecondsMax: 15 * 60,
  hardLockFailures: 20,
  hardLockSeconds: 24 * 3600,
  forgetAfterSeconds: 24 * 3600,
});

export const addressLockoutPolicy: Readonly<LockoutPolicy> = Object.freeze({
  lockAfterFailures: 20,
  firstLockSeconds: 60,
  lockSecondsMax: 3600,
  hardLockFailures: null,
  hardLockSeconds: 0,
  forgetAfterSeconds: 3600,
});

/** Counts stop here (the lock is at its cap long before). */
export const failureCountMax = 1000;

export interface ThrottleState {
  failures: number;
  lastFailureAt: Date | null;
  lockedUntil: Date | null;
}

export const emptyThrottle: Readonly<ThrottleState> = Object.freeze({ failures: 0, lastFailureAt: null, lockedUntil: null });

export type ThrottleCheck = { ok: true } | { ok: false; code: "locked"; retryAfterSeconds: number; hardLocked: boolean };

/** Seconds of lock after the n-th consecutive failure (0: none). */
export function lockSeconds(failures: number, policy: LockoutPolicy): number {
  if (policy.hardLockFailures !== null && failures >= policy.hardLockFailures) return policy.hardLockSeconds;
  if (failures < policy.lockAfterFailures) return 0;
  const doublings = Math.min(failures - policy.lockAfterFailures, 30);
  return Math.min(policy.firstLockSeconds * 2 ** doublings, policy.lockSecondsMax);
}

/** The state with stale failures forgotten. */
export function throttleAt(state: ThrottleState | null, now: Date, policy: LockoutPolicy): ThrottleState {
  if (state === null) return emptyThrottle;
  const locked = state.lockedUntil !== null && state.lockedUntil.getTime() > now.getTime();
  const quiet = state.lastFailureAt === null || now.getTime() - state.lastFailureAt.getTime() >= policy.forgetAfterSeconds * 1000;
  return !locked && quiet ? emptyThrottle : state;
}

export function checkThrottle(state: ThrottleState | null, now: Date, policy: LockoutPolicy): ThrottleCheck {
  const s = throttleAt(state, now, policy);
  if (s.lockedUntil === null || s.lockedUntil.getTime() <= now.getTime()) return { ok: true };
  return {
    ok: false,
    code: "locked",
    retryAfterSeconds: Math.ceil((s.lockedUntil.getTime() - now.getTime()) / 1000),
    hardLocked: policy.hardLockFailures !== null && s.failures >= policy.hardLockFailures,
  };
}

export function throttleAfterFailure(state: ThrottleState | null, now: Date, policy: LockoutPolicy): ThrottleState {
  const failures = Math.min(throttleAt(state, now, policy).failures + 1, failureCountMax);
  const seconds = lockSeconds(failures, policy);
  return { failures, lastFailureAt: now, lockedUntil: seconds === 0 ? null : new Date(now.getTime() + seconds * 1000) };
}

/** Takes back one provisional failure (the attempt succeeded): the lock is what the count before it gave. */
export function throttleUndoFailure(state: ThrottleState, policy: LockoutPolicy): ThrottleState {
  const failures = Math.max(0, state.failures - 1);
  if (failures === 0 || state.lastFailureAt === null) return emptyThrottle;
  const seconds = lockSeconds(failures, policy);
  return { failures, lastFailureAt: state.lastFailureAt, lockedUntil: seconds === 0 ? null : new Date(state.lastFailureAt.getTime() + seconds * 1000) };
}
