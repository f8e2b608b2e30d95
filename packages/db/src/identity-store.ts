// The identity store: people and organisations, how they prove who they are, and the audit log, on PostgreSQL
// (PGlite or a server). Pure decisions come from @tsubaki/auth; this file composes the parts in ./identity and
// adds what spans them (the facts an authorization rule needs, the periodic sweep). Expected failures are values
// ({ok: false, code}); only bugs and database errors throw. Nothing it returns carries a secret.
import {
  accountLockoutPolicy,
  addressLockoutPolicy,
  deviceSignatureWindowSecondsDefault,
  refreshTokenTtlSecondsDefault,
  scryptDefaults,
  type LockoutPolicy,
  type OwnershipFacts,
  type ScryptParams,
} from "@tsubaki/auth";
import type { Db } from "./client";
import { createAuditStore } from "./identity/audit";
import type { IdentityContext } from "./identity/context";
import { createDeviceStore } from "./identity/devices";
import { createKeyStoreStore } from "./identity/keys";
import { createResidentStore } from "./identity/residents";
import { proxyColumns, proxyFromRow, type ProxyRow } from "./identity/rows";
import { createShopStore } from "./identity/shops";
import { createUserStore } from "./identity/users";

export * from "./identity/types";
export type { CreateUserInput, CreateUserResult, LoginResult, RefreshResult, SessionTokens } from "./identity/users";
export type { CreateResidentResult, IssueCardResult, CardPinResult, GrantProxyResult, ProxySpendResult } from "./identity/residents";
export type { CreateShopResult } from "./identity/shops";
export type { PairingCodeResult, PairResult, DeviceAuthResult } from "./identity/devices";
export type { SaveRotationResult } from "./identity/keys";

export interface IdentityStoreOptions {
  /** Clock, for tests of lockouts and expiry. */
  now?: () => Date;
  /** scrypt parameters for new password and PIN hashes (tests lower them; stored hashes keep their own). */
  secretParams?: ScryptParams;
  accountLockout?: LockoutPolicy;
  addressLockout?: LockoutPolicy;
  refreshTokenTtlSeconds?: number;
  deviceSignatureWindowSeconds?: number;
}

export interface SweepResult {
  deviceNonces: number;
  throttles: number;
  refreshTokens: number;
}

/** Refresh tokens are kept this long after they lapse or are revoked (for the audit trail of a session). */
const refreshTokenRetentionSeconds = 90 * 24 * 3600;

export function createIdentityStore(db: Db, options: IdentityStoreOptions = {}) {
  const ctx: IdentityContext = {
    db,
    now: options.now ?? (() => new Date()),
    secretParams: options.secretParams ?? scryptDefaults,
    accountLockout: options.accountLockout ?? accountLockoutPolicy,
    addressLockout: options.addressLockout ?? addressLockoutPolicy,
    refreshTokenTtlSeconds: options.refreshTokenTtlSeconds ?? refreshTokenTtlSecondsDefault,
    deviceSignatureWindowSeconds: options.deviceSignatureWindowSeconds ?? deviceSignatureWindowSecondsDefault,
  };
  const users = createUserStore(ctx);
  const residents = createResidentStore(ctx);
  const shops = createShopStore(ctx);

  return {
    ...users,
    ...createKeyStoreStore(ctx),
    ...createDeviceStore(ctx),
    ...residents,
    ...shops,
    ...createAuditStore(ctx),

    /**
     * The facts an ownership rule (@tsubaki/auth decideAccess) needs about a user and the target of a request,
     * read fresh on every request: the user's own resident record, their live proxy grant from the target
     * resident, their role at the target shop.
     */
    async ownershipFacts(userId: string, target: { residentId?: string; shopId?: string }): Promise<OwnershipFacts> {
      const [resident, grant, shopRole] = await Promise.all([
        residents.findResidentByUser(userId),
        target.residentId
          ? db
              .query<ProxyRow>(`SELECT ${proxyColumns} FROM proxies WHERE grantor_resident_id = $1 AND proxy_user_id = $2 AND revoked_at IS NULL`, [target.residentId, userId])
              .then((rows) => (rows[0] ? proxyFromRow(rows[0]) : null))
          : Promise.resolve(null),
        target.shopId ? shops.shopRoleOf(target.shopId, userId) : Promise.resolve(null),
      ]);
      return { callerResidentId: resident?.id ?? null, proxyGrant: grant, shopRole };
    },

    /** Deletes what no longer protects anything: old nonces, quiet throttle counters, long-dead refresh tokens. */
    async sweep(): Promise<SweepResult> {
      const now = ctx.now();
      const nonceCutoff = new Date(now.getTime() - 2 * ctx.deviceSignatureWindowSeconds * 1000);
      const throttleCutoff = new Date(now.getTime() - Math.max(ctx.accountLockout.forgetAfterSeconds, ctx.addressLockout.forgetAfterSeconds) * 1000);
      const tokenCutoff = new Date(now.getTime() - refreshTokenRetentionSeconds * 1000);
      const [nonces, throttles, tokens] = await Promise.all([
        db.query(`DELETE FROM device_nonces WHERE seen_at < $1::timestamptz RETURNING 1`, [nonceCutoff.toISOString()]),
        db.query(`DELETE FROM auth_throttle WHERE updated_at < $1::timestamptz AND (locked_until IS NULL OR locked_until < $2::timestamptz) RETURNING 1`, [
          throttleCutoff.toISOString(),
          now.toISOString(),
        ]),
        db.query(`DELETE FROM refresh_tokens WHERE expires_at < $1::timestamptz OR revoked_at < $1::timestamptz RETURNING 1`, [tokenCutoff.toISOString()]),
      ]);
      return { deviceNonces: nonces.length, throttles: throttles.length, refreshTokens: tokens.length };
    },
  };
}

export type IdentityStore = ReturnType<typeof createIdentityStore>;
