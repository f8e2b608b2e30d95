// The access-token signing keys of one API instance, cached. Keys live in the database (every instance signs and
// verifies with the same ones); reading them on every request would cost a query each time, so an instance keeps
// them at most keyCacheMaxAgeMs. Node reloads them on a timer as well; a Worker isolate keeps one cache across its
// requests. A token naming a kid this instance does not know yet (another instance rotated) triggers one early
// reload, at most every unknownKidReloadIntervalMs, so random kids cannot turn into a query per request.
import type { KeyStore } from "@tsubaki/auth";
import type { AuditActor, IdentityStore } from "@tsubaki/db";

/** Keys are reloaded at least this often (the issue: "refreshed at least every 5 min"). */
export const keyCacheMaxAgeMs = 5 * 60_000;
/** Earliest early reload after an unknown kid. */
export const unknownKidReloadIntervalMs = 10_000;

export type LoadKeys = () => Promise<KeyStore>;

/** The cache itself; `load` is passed per call because a Worker's database client lives for one request. */
export class KeyCache {
  #store: KeyStore | null = null;
  #loadedAtMs = 0;
  #earlyReloadAtMs = 0;
  #loading: Promise<KeyStore> | null = null;
  readonly #maxAgeMs: number;
  readonly #nowMs: () => number;

  constructor(options: { maxAgeMs?: number; nowMs?: () => number } = {}) {
    this.#maxAgeMs = options.maxAgeMs ?? keyCacheMaxAgeMs;
    this.#nowMs = options.nowMs ?? Date.now;
  }

  /** The cached keys, loaded first when there are none or they are older than the maximum age. */
  get(load: LoadKeys): Promise<KeyStore> {
    if (this.#store !== null && this.#nowMs() - this.#loadedAtMs < this.#maxAgeMs) return Promise.resolve(this.#store);
    return this.reload(load);
  }

  /** Loads now (concurrent callers share one load). */
  reload(load: LoadKeys): Promise<KeyStore> {
    this.#loading ??= load()
      .then((store) => this.set(store))
      .finally(() => {
        this.#loading = null;
      });
    return this.#loading;
  }

  /** A reload for a kid we do not know, unless one happened very recently; null when it was skipped. */
  async reloadForUnknownKid(load: LoadKeys): Promise<KeyStore | null> {
    const now = this.#nowMs();
    if (now < this.#earlyReloadAtMs) return null;
    this.#earlyReloadAtMs = now + unknownKidReloadIntervalMs;
    return this.reload(load);
  }

  /** Replaces the cached keys (after this instance rotated them). */
  set(store: KeyStore): KeyStore {
    this.#store = store;
    this.#loadedAtMs = this.#nowMs();
    return store;
  }

  toJSON(): string {
    return "[KeyCache]";
  }
}

/** The keys as routes and authenticators use them: bound to one identity store. */
export interface KeyProvider {
  get(): Promise<KeyStore>;
  reload(): Promise<KeyStore>;
  reloadForUnknownKid(): Promise<KeyStore | null>;
  /** An administrator's rotation; `immediate` (a suspected leak) stops the old keys verifying at once. */
  rotate(by: AuditActor, options?: { immediate?: boolean }): Promise<KeyStore>;
}

export function keyProvider(cache: KeyCache, identity: Pick<IdentityStore, "loadKeyStore" | "rotateSigningKeys">): KeyProvider {
  const load: LoadKeys = () => identity.loadKeyStore();
  return {
    get: () => cache.get(load),
    reload: () => cache.reload(load),
    reloadForUnknownKid: () => cache.reloadForUnknownKid(load),
    async rotate(by, options = {}) {
      return cache.set(await identity.rotateSigningKeys(by, { immediate: options.immediate ?? false }));
    },
  };
}
