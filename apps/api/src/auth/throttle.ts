// A guessing limit per client address for public endpoints other than login (login has its own in the identity
// store): pairing a terminal. Stored in the identity store's auth_throttle table under a key of its own
// ("pair:address:…"), so every instance counts the same failures and the identity sweep forgets quiet keys.
// Counting follows the login's rule: an attempt counts as a failure before it is checked and is taken back when
// it succeeds, so a burst of parallel guesses cannot slip past the count.
import {
  addressThrottleKey,
  checkThrottle,
  throttleAfterFailure,
  throttleUndoFailure,
  type LockoutPolicy,
  type ThrottleState,
} from "@tsubaki/auth";
import type { Db, SqlClient } from "@tsubaki/db";

/** Pairing: 10 wrong codes from one address are free (a depot pairs a fleet), then 1 min doubling to 1 h. */
export const pairingLockoutPolicy: Readonly<LockoutPolicy> = Object.freeze({
  lockAfterFailures: 10,
  firstLockSeconds: 60,
  lockSecondsMax: 3600,
  hardLockFailures: null,
  hardLockSeconds: 0,
  forgetAfterSeconds: 3600,
});

export type AttemptGate = { ok: true; key: string | null } | { ok: false; retryAfterSeconds: number };

export interface AddressThrottle {
  /** Refused while locked; otherwise the attempt is counted as a failure until `succeeded` takes it back. */
  begin(address: string | null): Promise<AttemptGate>;
  succeeded(key: string | null): Promise<void>;
}

interface Row {
  failures: number;
  last_failure_at: unknown;
  locked_until: unknown;
}

const toDate = (v: unknown): Date | null => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(String(v)));

async function lockRow(tx: SqlClient, key: string, now: Date): Promise<ThrottleState> {
  await tx.query(`INSERT INTO auth_throttle (key, failures, updated_at) VALUES ($1, 0, $2::timestamptz) ON CONFLICT (key) DO NOTHING`, [key, now.toISOString()]);
  const [row] = await tx.query<Row>(`SELECT failures, last_failure_at, locked_until FROM auth_throttle WHERE key = $1 FOR UPDATE`, [key]);
  return { failures: Number(row?.failures ?? 0), lastFailureAt: toDate(row?.last_failure_at), lockedUntil: toDate(row?.locked_until) };
}

async function writeRow(tx: SqlClient, key: string, state: ThrottleState, now: Date): Promise<void> {
  await tx.query(`UPDATE auth_throttle SET failures = $2, last_failure_at = $3::timestamptz, locked_until = $4::timestamptz, updated_at = $5::timestamptz WHERE key = $1`, [
    key,
    state.failures,
    state.lastFailureAt?.toISOString() ?? null,
    state.lockedUntil?.toISOString() ?? null,
    now.toISOString(),
  ]);
}

export function createAddressThrottle(db: Db, scope: string, policy: LockoutPolicy, now: () => Date = () => new Date()): AddressThrottle {
  return {
    async begin(address) {
      const addressKey = addressThrottleKey(address);
      // No address (a test client, a misconfigured proxy): nothing to count by; the code's entropy still protects.
      if (addressKey === null) return { ok: true, key: null };
      const key = `${scope}:${addressKey}`;
      const at = now();
      return db.transaction(async (tx): Promise<AttemptGate> => {
        const state = await lockRow(tx, key, at);
        const check = checkThrottle(state, at, policy);
        if (!check.ok) return { ok: false, retryAfterSeconds: check.retryAfterSeconds };
        await writeRow(tx, key, throttleAfterFailure(state, at, policy), at);
        return { ok: true, key };
      });
    },
    async succeeded(key) {
      if (key === null) return;
      const at = now();
      await db.transaction(async (tx) => writeRow(tx, key, throttleUndoFailure(await lockRow(tx, key, at), policy), at));
    },
  };
}
