// Identity as the API uses it: the identity store from @tsubaki/db, the signing keys (cached), the token settings
// from configuration, and the guessing limit of the public pairing endpoint. Entries build it once per database
// client (Node: once; Workers: per request, sharing one KeyCache per isolate) and hand it to createApp.
import { issueAccessToken, type Role } from "@tsubaki/auth";
import { createIdentityStore, type Db, type IdentityStore, type IdentityStoreOptions } from "@tsubaki/db";
import type { Config } from "../env";
import { KeyCache, keyProvider, type KeyProvider } from "./keys";
import { createAddressThrottle, pairingLockoutPolicy, type AddressThrottle } from "./throttle";

export type TokenConfig = Pick<Config, "jwtIssuer" | "jwtAudience" | "accessTokenTtlSeconds">;

/** DESIGN §6, exactly. */
export interface TokenResponse {
  access_token: string;
  refresh_token: string;
  token_type: "Bearer";
  expires_in: number;
}

export interface AuthService {
  readonly issuer: string;
  readonly audience: string;
  readonly accessTokenTtlSeconds: number;
  readonly keys: KeyProvider;
  readonly pairingThrottle: AddressThrottle;
  now(): Date;
  /** Signs an access token for the user's current roles and pairs it with the session's refresh token. */
  tokenResponse(userId: string, roles: readonly Role[], session: { refreshToken: string; sessionId: string }): Promise<TokenResponse>;
}

export interface IdentityDeps {
  identity: IdentityStore;
  auth: AuthService;
}

export interface CreateIdentityOptions extends IdentityStoreOptions {
  /** Shared across requests (a Worker isolate's, or one per Node process); default a new one. */
  keyCache?: KeyCache;
}

export function createAuthService(identity: IdentityStore, db: Db, config: TokenConfig, options: CreateIdentityOptions = {}): AuthService {
  const now = options.now ?? (() => new Date());
  const keys = keyProvider(options.keyCache ?? new KeyCache(), identity);
  return {
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    accessTokenTtlSeconds: config.accessTokenTtlSeconds,
    keys,
    pairingThrottle: createAddressThrottle(db, "pair", pairingLockoutPolicy, now),
    now,
    async tokenResponse(userId, roles, session) {
      // A resident's token names their resident record (rid): the link never changes once made, and every request
      // that acts on the caller's own wallet would otherwise read it (once per token and instance; see ResidentLinks).
      const resident = roles.includes("resident") ? await identity.findResidentByUser(userId) : null;
      const claims = { sub: userId, roles, sessionId: session.sessionId, ...(resident ? { residentId: resident.id } : {}) };
      const access = await issueAccessToken(claims, await keys.get(), {
        issuer: config.jwtIssuer,
        audience: config.jwtAudience,
        ttlSeconds: config.accessTokenTtlSeconds,
        now: now(),
      });
      return { access_token: access.token, refresh_token: session.refreshToken, token_type: "Bearer", expires_in: access.expiresIn };
    },
  };
}

/** The identity store and the auth service over one database client: spread into createApp's options. */
export function createIdentity(db: Db, config: TokenConfig, options: CreateIdentityOptions = {}): IdentityDeps {
  const { keyCache, ...storeOptions } = options;
  const identity = createIdentityStore(db, storeOptions);
  return { identity, auth: createAuthService(identity, db, config, options) };
}
