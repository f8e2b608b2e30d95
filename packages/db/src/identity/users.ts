// Users, password logins with guessing limits, and login sessions (refresh-token families).
import {
  addressThrottleKey,
  checkPasswordPolicy,
  checkThrottle,
  decideRefresh,
  grantableRoles,
  hashSecret,
  hashToken,
  isRefreshTokenShape,
  loginThrottleKey,
  needsRehash,
  newId,
  newRefreshToken,
  normalizeLogin,
  parseRoles,
  refreshTokenExpiry,
  roles as allRoles,
  sha256Hex,
  throttleAfterFailure,
  throttleUndoFailure,
  verifyAgainstNothing,
  verifySecret,
  type LockoutPolicy,
  type Role,
  type ThrottleState,
} from "@tsubaki/auth";
import { assert } from "@tsubaki/ledger";
import type { SqlClient } from "../client";
import { toDate } from "../rows";
import { appendAudit, type IdentityContext } from "./context";
import { json, rolesJson, throttleFromRow, userColumns, userFromRow, type ThrottleRow, type UserRow } from "./rows";
import { userKinds, type AuditActor, type User, type UserKind } from "./types";

export const displayNameLengthMax = 100;

export interface CreateUserInput {
  login: string;
  /** Absent or null: the user cannot log in with a password until one is set. */
  password?: string | null;
  /** Granted roles (grantableRoles); the rest are derived. */
  roles?: readonly Role[];
  displayName: string;
  kind: UserKind;
}

export type CreateUserResult =
  | { ok: true; user: User }
  | { ok: false; code: "invalid_login" | "invalid_roles" | "invalid_field" | "login_taken" | "password_too_short" | "password_too_long"; detail: string };

export type LoginResult =
  | { ok: true; user: User; roles: Role[] }
  | { ok: false; code: "invalid_credentials"; detail: string }
  /** The password was right but the user holds no role yet (e.g. a resident login before the resident record). */
  | { ok: false; code: "no_roles"; detail: string }
  | { ok: false; code: "login_locked" | "address_locked"; detail: string; retryAfterSeconds: number };

export interface SessionTokens {
  refreshToken: string;
  sessionId: string;
  expiresAt: Date;
}

export type RefreshResult =
  | ({ ok: true; user: User; roles: Role[] } & SessionTokens)
  | { ok: false; code: "token_invalid" | "token_expired" | "token_reused"; detail: string };

function checkGranted(roles: readonly Role[] | undefined): Role[] | null {
  const parsed = parseRoles(roles ?? []);
  return parsed && parsed.every((r) => grantableRoles.includes(r)) ? parsed : null;
}

async function lockThrottles(tx: SqlClient, keys: string[], now: Date): Promise<Map<string, ThrottleState>> {
  const sorted = [...new Set(keys)].sort();
  const literal = `{${sorted.map((k) => `"${k.replace(/["\\]/g, "\\$&")}"`).join(",")}}`;
  // Insert-if-missing then lock, both in key order, so two logins touching the same keys cannot deadlock.
  await tx.query(
    `INSERT INTO auth_throttle (key, failures, updated_at) SELECT k, 0, $2::timestamptz FROM unnest($1::text::text[]) AS k ORDER BY k ON CONFLICT (key) DO NOTHING`,
    [literal, now.toISOString()],
  );
  const rows = await tx.query<ThrottleRow>(
    `SELECT key, failures, last_failure_at, locked_until FROM auth_throttle WHERE key = ANY($1::text::text[]) ORDER BY key FOR UPDATE`,
    [literal],
  );
  return new Map(rows.map((r) => [r.key, throttleFromRow(r)]));
}

async function writeThrottle(tx: SqlClient, key: string, state: ThrottleState, now: Date): Promise<void> {
  await tx.query(`UPDATE auth_throttle SET failures = $2, last_failure_at = $3::timestamptz, locked_until = $4::timestamptz, updated_at = $5::timestamptz WHERE key = $1`, [
    key,
    state.failures,
    state.lastFailureAt?.toISOString() ?? null,
    state.lockedUntil?.toISOString() ?? null,
    now.toISOString(),
  ]);
}

export function createUserStore(ctx: IdentityContext) {
  const { db } = ctx;

  async function getUser(id: string): Promise<User | null> {
    const [row] = await db.query<UserRow>(`SELECT ${userColumns} FROM users WHERE id = $1`, [id]);
    return row ? userFromRow(row) : null;
  }

  /** Granted roles plus the roles that follow from relations, in the canonical order. Disabled users have none. */
  async function rolesOf(userId: string, client: SqlClient = db): Promise<Role[]> {
    const [row] = await client.query<{ roles: unknown; disabled: boolean; resident: boolean; owner: boolean; staff: boolean; proxy: boolean }>(
      `SELECT u.roles, u.disabled_at IS NOT NULL AS disabled,
         EXISTS (SELECT 1 FROM residents r WHERE r.user_id = u.id) AS resident,
         EXISTS (SELECT 1 FROM shop_staff s WHERE s.user_id = u.id AND s.role = 'owner') AS owner,
         EXISTS (SELECT 1 FROM shop_staff s WHERE s.user_id = u.id AND s.role = 'staff') AS staff,
         EXISTS (SELECT 1 FROM proxies p WHERE p.proxy_user_id = u.id AND p.revoked_at IS NULL) AS proxy
       FROM users u WHERE u.id = $1`,
      [userId],
    );
    if (!row || row.disabled) return [];
    const held = new Set<Role>(parseRoles(json<unknown[]>(row.roles)) ?? []);
    if (row.resident) held.add("resident");
    if (row.owner) held.add("merchant_owner");
    if (row.staff) held.add("merchant_staff");
    if (row.proxy) held.add("proxy");
    return allRoles.filter((r) => held.has(r));
  }

  async function revokeUserSessionsIn(tx: SqlClient, userId: string, now: Date): Promise<number> {
    const rows = await tx.query<{ id: string }>(`UPDATE refresh_tokens SET revoked_at = $2::timestamptz WHERE user_id = $1 AND revoked_at IS NULL RETURNING id`, [userId, now.toISOString()]);
    return rows.length;
  }

  async function issueSessionToken(tx: SqlClient, userId: string, sessionId: string, sessionStartedAt: Date, parentId: string | null, now: Date): Promise<SessionTokens> {
    const refreshToken = newRefreshToken();
    const expiresAt = refreshTokenExpiry(sessionStartedAt, now, ctx.refreshTokenTtlSeconds);
    await tx.query(
      `INSERT INTO refresh_tokens (id, family_id, user_id, token_hash, parent_id, session_started_at, issued_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $7::timestamptz, $8::timestamptz)`,
      [newId("refreshToken"), sessionId, userId, hashToken(refreshToken), parentId, sessionStartedAt.toISOString(), now.toISOString(), expiresAt.toISOString()],
    );
    return { refreshToken, sessionId, expiresAt };
  }

  async function setUserFlag(userId: string, disabled: boolean, by: AuditActor): Promise<{ ok: true; user: User } | { ok: false; code: "user_not_found"; detail: string }> {
    const now = ctx.now();
    return db.transaction(async (tx) => {
      const [row] = await tx.query<UserRow>(
        `UPDATE users SET disabled_at = $2::timestamptz, updated_at = $3::timestamptz WHERE id = $1 RETURNING ${userColumns}`,
        [userId, disabled ? now.toISOString() : null, now.toISOString()],
      );
      if (!row) return { ok: false, code: "user_not_found", detail: `no user ${userId}` } as const;
      const revoked = disabled ? await revokeUserSessionsIn(tx, userId, now) : 0;
      await appendAudit(tx, now, by, disabled ? "user.disabled" : "user.enabled", userId, disabled ? { sessions_revoked: revoked } : {});
      return { ok: true, user: userFromRow(row) } as const;
    });
  }

  return {
    getUser,
    rolesOf,

    async findUserByLogin(login: string): Promise<User | null> {
      const normalized = normalizeLogin(login);
      if (normalized === null) return null;
      const [row] = await db.query<UserRow>(`SELECT ${userColumns} FROM users WHERE login = $1`, [normalized]);
      return row ? userFromRow(row) : null;
    },

    async createUser(input: CreateUserInput, by: AuditActor): Promise<CreateUserResult> {
      const login = normalizeLogin(input.login);
      if (login === null) return { ok: false, code: "invalid_login", detail: "a login is 3–128 characters of a-z 0-9 . _ @ + -" };
      const granted = checkGranted(input.roles);
      if (granted === null) return { ok: false, code: "invalid_roles", detail: `grantable roles: ${grantableRoles.join(", ")}` };
      const displayName = input.displayName.normalize("NFKC").trim();
      if (displayName.length === 0 || displayName.length > displayNameLengthMax) return { ok: false, code: "invalid_field", detail: `display_name: 1 to ${displayNameLengthMax} characters` };
      if (!userKinds.includes(input.kind)) return { ok: false, code: "invalid_field", detail: `kind: ${userKinds.join(" | ")}` };
      let passwordHash: string | null = null;
      if (input.password !== undefined && input.password !== null) {
        const policy = checkPasswordPolicy(input.password);
        if (!policy.ok) return policy;
        passwordHash = await hashSecret(input.password, ctx.secretParams);
      }
      const now = ctx.now();
      return db.transaction(async (tx) => {
        const [row] = await tx.query<UserRow>(
          `INSERT INTO users (id, login, password_hash, roles, display_name, kind, created_at, updated_at)
           VALUES ($1, $2, $3, $4::text::jsonb, $5, $6, $7::timestamptz, $7::timestamptz) ON CONFLICT (login) DO NOTHING RETURNING ${userColumns}`,
          [newId("user"), login, passwordHash, rolesJson(granted), displayName, input.kind, now.toISOString()],
        );
        if (!row) return { ok: false, code: "login_taken", detail: "this login is taken" } as const;
        await appendAudit(tx, now, by, "user.created", row.id, { login, kind: input.kind, roles: granted });
        return { ok: true, user: userFromRow(row) } as const;
      });
    },

    async setUserRoles(userId: string, roles: readonly Role[], by: AuditActor): Promise<{ ok: true; user: User } | { ok: false; code: "user_not_found" | "invalid_roles"; detail: string }> {
      const granted = checkGranted(roles);
      if (granted === null) return { ok: false, code: "invalid_roles", detail: `grantable roles: ${grantableRoles.join(", ")}` };
      const now = ctx.now();
      return db.transaction(async (tx) => {
        const [before] = await tx.query<{ roles: unknown }>(`SELECT roles FROM users WHERE id = $1 FOR UPDATE`, [userId]);
        if (!before) return { ok: false, code: "user_not_found", detail: `no user ${userId}` } as const;
        const [row] = await tx.query<UserRow>(`UPDATE users SET roles = $2::text::jsonb, updated_at = $3::timestamptz WHERE id = $1 RETURNING ${userColumns}`, [
          userId,
          rolesJson(granted),
          now.toISOString(),
        ]);
        assert(row, "the locked user row is updated");
        await appendAudit(tx, now, by, "user.roles_changed", userId, { before: parseRoles(json<unknown[]>(before.roles)) ?? [], after: granted });
        return { ok: true, user: userFromRow(row) } as const;
      });
    },

    /** Sets a new password and ends every session of the user. */
    async setPassword(userId: string, password: string, by: AuditActor): Promise<{ ok: true } | { ok: false; code: "user_not_found" | "password_too_short" | "password_too_long"; detail: string }> {
      const policy = checkPasswordPolicy(password);
      if (!policy.ok) return policy;
      const passwordHash = await hashSecret(password, ctx.secretParams);
      const now = ctx.now();
      return db.transaction(async (tx) => {
        const rows = await tx.query(`UPDATE users SET password_hash = $2, updated_at = $3::timestamptz WHERE id = $1 RETURNING id`, [userId, passwordHash, now.toISOString()]);
        if (rows.length === 0) return { ok: false, code: "user_not_found", detail: `no user ${userId}` } as const;
        const revoked = await revokeUserSessionsIn(tx, userId, now);
        await appendAudit(tx, now, by, "user.password_changed", userId, { sessions_revoked: revoked });
        return { ok: true } as const;
      });
    },

    disableUser: (userId: string, by: AuditActor) => setUserFlag(userId, true, by),
    enableUser: (userId: string, by: AuditActor) => setUserFlag(userId, false, by),

    /**
     * A password login. Order: address lock → login lock → password. The attempt is counted as a failure before
     * the password is checked (so parallel guesses are all counted) and taken back when it succeeds. Unknown
     * logins cost the same time and are throttled the same way, so neither reveals which logins exist.
     */
    async login(input: { login: string; password: string; address?: string | null }, by: { requestId?: string | null } = {}): Promise<LoginResult> {
      const now = ctx.now();
      const loginKey = loginThrottleKey(input.login);
      const addressKey = addressThrottleKey(input.address);
      const login = normalizeLogin(input.login);
      const anonymous: AuditActor = { actor: "anonymous", actorRoles: [], requestId: by.requestId ?? null };
      const auditAddress = addressKey ? { address: addressKey.slice("address:".length) } : {};

      const gate = await db.transaction(async (tx) => {
        const states = await lockThrottles(tx, addressKey ? [loginKey, addressKey] : [loginKey], now);
        const addressCheck = addressKey ? checkThrottle(states.get(addressKey) ?? null, now, ctx.addressLockout) : ({ ok: true } as const);
        const loginCheck = checkThrottle(states.get(loginKey) ?? null, now, ctx.accountLockout);
        const refused = !addressCheck.ok ? { code: "address_locked" as const, check: addressCheck } : !loginCheck.ok ? { code: "login_locked" as const, check: loginCheck } : null;
        const [user] = login === null ? [] : await tx.query<{ id: string; password_hash: string | null; disabled: boolean }>(
          `SELECT id, password_hash, disabled_at IS NOT NULL AS disabled FROM users WHERE login = $1`,
          [login],
        );
        if (refused) {
          await appendAudit(tx, now, user ? { ...anonymous, actor: user.id } : anonymous, "auth.login_refused", user?.id ?? null, {
            reason: refused.code,
            retry_after_s: refused.check.retryAfterSeconds,
            ...(user ? {} : { login_ref: sha256Hex(loginKey).slice(0, 16) }),
            ...auditAddress,
          });
          return { refused } as const;
        }
        const provisional = new Map<string, ThrottleState>();
        for (const [key, policy] of [[loginKey, ctx.accountLockout], ...(addressKey ? [[addressKey, ctx.addressLockout]] : [])] as [string, LockoutPolicy][]) {
          const next = throttleAfterFailure(states.get(key) ?? null, now, policy);
          provisional.set(key, next);
          await writeThrottle(tx, key, next, now);
        }
        return { user: user ?? null, provisional } as const;
      });
      if ("refused" in gate && gate.refused) {
        const { code, check } = gate.refused;
        return { ok: false, code, retryAfterSeconds: check.retryAfterSeconds, detail: code === "address_locked" ? "too many failed logins from this address" : "too many failed logins for this account" };
      }
      const user = gate.user;
      const passwordOk = user?.password_hash ? await verifySecret(input.password, user.password_hash) : await verifyAgainstNothing(input.password, ctx.secretParams);
      const success = passwordOk && user !== null && !user.disabled;
      const rehash = success && user.password_hash && needsRehash(user.password_hash, ctx.secretParams) ? await hashSecret(input.password, ctx.secretParams) : null;

      return db.transaction(async (tx) => {
        const at = ctx.now();
        if (!success) {
          const failures = gate.provisional.get(loginKey);
          await appendAudit(tx, at, user ? { ...anonymous, actor: user.id } : anonymous, "auth.login_failed", user?.id ?? null, {
            reason: user === null ? "unknown_login" : user.disabled && passwordOk ? "disabled" : "wrong_password",
            failures: failures?.failures ?? null,
            locked_until: failures?.lockedUntil ?? null,
            ...(user ? {} : { login_ref: sha256Hex(loginKey).slice(0, 16) }),
            ...auditAddress,
          });
          return { ok: false, code: "invalid_credentials", detail: "the login or the password is wrong" } as const;
        }
        await tx.query(`DELETE FROM auth_throttle WHERE key = $1`, [loginKey]);
        if (addressKey) {
          const states = await lockThrottles(tx, [addressKey], at);
          const state = states.get(addressKey);
          if (state) await writeThrottle(tx, addressKey, throttleUndoFailure(state, ctx.addressLockout), at);
        }
        if (rehash) await tx.query(`UPDATE users SET password_hash = $2, updated_at = $3::timestamptz WHERE id = $1`, [user.id, rehash, at.toISOString()]);
        const roles = await rolesOf(user.id, tx);
        if (roles.length === 0) {
          await appendAudit(tx, at, { ...anonymous, actor: user.id }, "auth.login_refused", user.id, { reason: "no_roles", ...auditAddress });
          return { ok: false, code: "no_roles", detail: "this account has no role yet; ask the city office" } as const;
        }
        const [row] = await tx.query<UserRow>(`SELECT ${userColumns} FROM users WHERE id = $1`, [user.id]);
        assert(row, "a user who just logged in exists");
        await appendAudit(tx, at, { actor: user.id, actorRoles: roles, requestId: by.requestId ?? null }, "auth.login_succeeded", user.id, { ...auditAddress, rehashed: rehash !== null });
        return { ok: true, user: userFromRow(row), roles } as const;
      });
    },

    /** The guessing-limit state of a login, for an administrator helping a locked-out resident. */
    async loginThrottle(login: string): Promise<ThrottleState | null> {
      const [row] = await db.query<ThrottleRow>(`SELECT key, failures, last_failure_at, locked_until FROM auth_throttle WHERE key = $1`, [loginThrottleKey(login)]);
      return row ? throttleFromRow(row) : null;
    },

    async unlockLogin(login: string, by: AuditActor): Promise<{ ok: true; wasLocked: boolean }> {
      const now = ctx.now();
      const key = loginThrottleKey(login);
      return db.transaction(async (tx) => {
        const rows = await tx.query<ThrottleRow>(`DELETE FROM auth_throttle WHERE key = $1 RETURNING key, failures, last_failure_at, locked_until`, [key]);
        const state = rows[0] ? throttleFromRow(rows[0]) : null;
        const user = normalizeLogin(login) === null ? undefined : (await tx.query<{ id: string }>(`SELECT id FROM users WHERE login = $1`, [normalizeLogin(login)]))[0];
        await appendAudit(tx, now, by, "auth.login_unlocked", user?.id ?? null, { failures: state?.failures ?? 0 });
        return { ok: true, wasLocked: state !== null && state.failures > 0 };
      });
    },

    /** Starts a login session: the first refresh token of a new family. */
    async startSession(userId: string): Promise<SessionTokens> {
      const now = ctx.now();
      return db.transaction((tx) => issueSessionToken(tx, userId, newId("session"), now, null, now));
    },

    /**
     * Spends a refresh token and issues its successor. A spent token presented again revokes the whole session
     * (token_reused). A disabled user's session ends too. The roles returned are current (granted + derived).
     */
    async refreshSession(refreshToken: string, by: { requestId?: string | null } = {}): Promise<RefreshResult> {
      if (!isRefreshTokenShape(refreshToken)) return { ok: false, code: "token_invalid", detail: "unknown refresh token" };
      const now = ctx.now();
      return db.transaction(async (tx): Promise<RefreshResult> => {
        const [row] = await tx.query<{ id: string; family_id: string; user_id: string; session_started_at: unknown; expires_at: unknown; used_at: unknown; revoked_at: unknown; disabled: boolean }>(
          `SELECT t.id, t.family_id, t.user_id, t.session_started_at, t.expires_at, t.used_at, t.revoked_at, u.disabled_at IS NOT NULL AS disabled
           FROM refresh_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1 FOR UPDATE OF t`,
          [hashToken(refreshToken)],
        );
        const decision = decideRefresh(
          row ? { usedAt: row.used_at === null ? null : toDate(row.used_at), revokedAt: row.revoked_at === null ? null : toDate(row.revoked_at), expiresAt: toDate(row.expires_at) } : null,
          now,
        );
        if (decision.action === "reject") return { ok: false, code: decision.code, detail: decision.code === "token_expired" ? "the session has expired; log in again" : "unknown refresh token" };
        assert(row, "a token that is not rejected exists");
        const revokeFamily = () => tx.query(`UPDATE refresh_tokens SET revoked_at = $2::timestamptz WHERE family_id = $1 AND revoked_at IS NULL`, [row.family_id, now.toISOString()]);
        if (decision.action === "revoke_family") {
          await revokeFamily();
          await appendAudit(tx, now, { actor: row.user_id, actorRoles: [], requestId: by.requestId ?? null }, "auth.refresh_reused", row.user_id, { session_id: row.family_id });
          return { ok: false, code: "token_reused", detail: "this refresh token was already used; the session is ended, log in again" };
        }
        const roles = await rolesOf(row.user_id, tx);
        if (row.disabled || roles.length === 0) {
          // A disabled user, or one who lost every role (e.g. removed from the shop's staff): the session ends.
          await revokeFamily();
          return { ok: false, code: "token_invalid", detail: "unknown refresh token" };
        }
        await tx.query(`UPDATE refresh_tokens SET used_at = $2::timestamptz WHERE id = $1`, [row.id, now.toISOString()]);
        const next = await issueSessionToken(tx, row.user_id, row.family_id, toDate(row.session_started_at), row.id, now);
        const [userRow] = await tx.query<UserRow>(`SELECT ${userColumns} FROM users WHERE id = $1`, [row.user_id]);
        assert(userRow, "the token's user exists");
        return { ok: true, ...next, user: userFromRow(userRow), roles };
      });
    },

    /** Logout: ends the session the refresh token belongs to (spent tokens of it too). */
    async endSession(refreshToken: string, by: { requestId?: string | null } = {}): Promise<{ ok: true; sessionId: string } | { ok: false; code: "token_invalid"; detail: string }> {
      if (!isRefreshTokenShape(refreshToken)) return { ok: false, code: "token_invalid", detail: "unknown refresh token" };
      const now = ctx.now();
      return db.transaction(async (tx) => {
        const [row] = await tx.query<{ family_id: string; user_id: string }>(`SELECT family_id, user_id FROM refresh_tokens WHERE token_hash = $1`, [hashToken(refreshToken)]);
        if (!row) return { ok: false, code: "token_invalid", detail: "unknown refresh token" } as const;
        await tx.query(`UPDATE refresh_tokens SET revoked_at = $2::timestamptz WHERE family_id = $1 AND revoked_at IS NULL`, [row.family_id, now.toISOString()]);
        await appendAudit(tx, now, { actor: row.user_id, actorRoles: [], requestId: by.requestId ?? null }, "auth.logout", row.user_id, { session_id: row.family_id });
        return { ok: true, sessionId: row.family_id } as const;
      });
    },

    /** Ends one session by id (the `sid` of an access token), when it is the user's. */
    async endSessionById(sessionId: string, userId: string, by: AuditActor): Promise<{ ok: boolean }> {
      const now = ctx.now();
      return db.transaction(async (tx) => {
        const rows = await tx.query(`UPDATE refresh_tokens SET revoked_at = $3::timestamptz WHERE family_id = $1 AND user_id = $2 AND revoked_at IS NULL RETURNING id`, [sessionId, userId, now.toISOString()]);
        if (rows.length > 0) await appendAudit(tx, now, by, "auth.logout", userId, { session_id: sessionId });
        return { ok: rows.length > 0 };
      });
    },

    /** Ends every session of a user (e.g. a lost phone). */
    async revokeUserSessions(userId: string, by: AuditActor): Promise<number> {
      const now = ctx.now();
      return db.transaction(async (tx) => {
        const count = await revokeUserSessionsIn(tx, userId, now);
        await appendAudit(tx, now, by, "auth.logout", userId, { sessions_revoked: count });
        return count;
      });
    },
  };
}
