// The apps' HTTP client for the Tsubaki API (same origin, JSON). The access token lives in memory only; the
// rotating refresh token in localStorage, so a reload stays signed in. A 401 triggers one refresh (shared by
// concurrent calls, serialised across tabs with a Web Lock) and one retry with the same Idempotency-Key, so a
// money-moving POST is never applied twice. Every call resolves to an ApiResult; nothing here throws.
import { createStore, type Store } from "../store/store";
import { clientProblem, problemFrom, type ApiProblem, type ApiResult } from "./problem";

/** A request that has not answered after this long is given up (network_error). */
export const requestTimeoutMsDefault = 15_000;
const refreshLockName = "tsubaki-refresh";

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: "Bearer";
  expires_in: number;
}

export interface RequestOptions {
  body?: unknown;
  /** Required by money-moving POSTs: make it once (newIdempotencyKey) and keep it for every retry. */
  idempotencyKey?: string;
  /** Send the access token (default true). */
  auth?: boolean;
  signal?: AbortSignal;
  headers?: Readonly<Record<string, string>>;
  /** "text": a successful answer is returned as its text (HTML, CSV) instead of parsed JSON. */
  responseType?: "json" | "text";
}

export interface ApiClientOptions {
  /** "" for the same origin (default). */
  baseUrl?: string;
  fetch?: typeof fetch;
  /** Where the refresh token is kept; null keeps it in memory only. */
  storage?: Storage | null;
  /** The storage key of the refresh token: one per app, so the wallet and the register can hold different users. */
  refreshTokenKey: string;
  timeoutMs?: number;
  /** The Web Locks API, when present (tests pass null). */
  locks?: LockManager | null;
}

export interface ApiClient {
  /** True while the client holds a session (a refresh token, or an access token). */
  readonly signedIn: Store<boolean>;
  request<T>(method: string, path: string, options?: RequestOptions): Promise<ApiResult<T>>;
  get<T>(path: string, options?: Omit<RequestOptions, "body">): Promise<ApiResult<T>>;
  post<T>(path: string, body: unknown, options?: Omit<RequestOptions, "body">): Promise<ApiResult<T>>;
  /**
   * A long-lived response (server-sent events) with the bearer token, which EventSource cannot send: no timeout
   * but the caller's signal, one refresh on 401. The caller reads `body`.
   */
  stream(path: string, options: { signal: AbortSignal; headers?: Readonly<Record<string, string>> }): Promise<ApiResult<ReadableStream<Uint8Array>>>;
  login(login: string, password: string): Promise<ApiResult<TokenPair>>;
  /** Ends the session on the server (best effort) and forgets the tokens. */
  logout(): Promise<void>;
}

/** A fresh Idempotency-Key: create it when the user starts an operation, keep it until it succeeds. */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}

function isTokenPair(value: unknown): value is TokenPair {
  const v = value as Partial<TokenPair> | null;
  return typeof v === "object" && v !== null && typeof v.access_token === "string" && typeof v.refresh_token === "string";
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const baseUrl = options.baseUrl ?? "";
  const fetchFn = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const storage = options.storage === undefined ? null : options.storage;
  const timeoutMs = options.timeoutMs ?? requestTimeoutMsDefault;
  const locks = options.locks === undefined ? (typeof navigator === "undefined" ? null : (navigator.locks ?? null)) : options.locks;

  let accessToken: string | null = null;
  let memoryRefreshToken: string | null = null;
  let refreshing: Promise<"ok" | "signed_out" | "failed"> | null = null;

  const readRefresh = (): string | null => {
    try {
      return storage ? storage.getItem(options.refreshTokenKey) : memoryRefreshToken;
    } catch {
      return memoryRefreshToken;
    }
  };
  const writeRefresh = (token: string | null) => {
    memoryRefreshToken = token;
    try {
      if (token === null) storage?.removeItem(options.refreshTokenKey);
      else storage?.setItem(options.refreshTokenKey, token);
    } catch {
      // Storage refused: the session lasts until the page closes.
    }
  };
  const signedIn = createStore(readRefresh() !== null);
  const adopt = (pair: TokenPair) => {
    accessToken = pair.access_token;
    writeRefresh(pair.refresh_token);
    signedIn.set(true);
  };
  const forget = () => {
    accessToken = null;
    writeRefresh(null);
    signedIn.set(false);
  };

  async function send<T>(method: string, path: string, opts: RequestOptions, token: string | null): Promise<ApiResult<T>> {
    const headers: Record<string, string> = { Accept: "application/json, application/problem+json", ...opts.headers };
    if (opts.body !== undefined) headers["Content-Type"] = "application/json";
    if (token) headers.Authorization = `Bearer ${token}`;
    if (opts.idempotencyKey) headers["Idempotency-Key"] = opts.idempotencyKey;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await fetchFn(`${baseUrl}${path}`, {
        method,
        headers,
        signal,
        credentials: "same-origin",
        ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
      });
    } catch (error) {
      if (opts.signal?.aborted) return { ok: false, problem: clientProblem("aborted", "the request was cancelled") };
      const reason = timeout.aborted ? `no answer within ${timeoutMs} ms` : error instanceof Error ? error.message : String(error);
      return { ok: false, problem: clientProblem("network_error", reason) };
    }
    const raw = await response.text().catch(() => "");
    if (response.ok && opts.responseType === "text") return { ok: true, status: response.status, data: raw as T, headers: response.headers };
    let body: unknown = undefined;
    if (raw !== "") {
      try {
        body = JSON.parse(raw);
      } catch {
        if (response.ok) return { ok: false, problem: clientProblem("invalid_response", "the response is not JSON", response.status) };
      }
    }
    if (!response.ok) return { ok: false, problem: problemFrom(response.status, body, response.headers) };
    return { ok: true, status: response.status, data: body as T, headers: response.headers };
  }

  /** Exchanges the stored refresh token once; concurrent callers share the exchange. */
  function refreshOnce(): Promise<"ok" | "signed_out" | "failed"> {
    refreshing ??= (async () => {
      const exchange = async () => {
        const token = readRefresh(); // read inside the lock: another tab may have rotated it
        if (!token) return "signed_out" as const;
        const result = await send<unknown>("POST", "/v1/auth/refresh", { body: { refresh_token: token } }, null);
        if (result.ok && isTokenPair(result.data)) {
          adopt(result.data);
          return "ok" as const;
        }
        if (!result.ok && result.problem.status >= 400 && result.problem.status < 500) {
          // If another tab rotated the token while we waited, ours is spent but theirs is good: keep theirs.
          if (readRefresh() !== token) return "failed" as const;
          forget();
          return "signed_out" as const;
        }
        return "failed" as const; // offline or a server error: keep the session for later
      };
      try {
        return locks ? await locks.request(refreshLockName, exchange) : await exchange();
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  }

  async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<ApiResult<T>> {
    const auth = opts.auth ?? true;
    if (auth && accessToken === null && readRefresh() !== null) await refreshOnce();
    const first = await send<T>(method, path, opts, auth ? accessToken : null);
    if (first.ok || first.problem.status !== 401 || !auth || readRefresh() === null) return first;
    const outcome = await refreshOnce();
    if (outcome !== "ok") return first;
    return send<T>(method, path, opts, accessToken); // once, with the same Idempotency-Key
  }

  async function openStream(path: string, opts: { signal: AbortSignal; headers?: Readonly<Record<string, string>> }, retried = false): Promise<ApiResult<ReadableStream<Uint8Array>>> {
    if (accessToken === null && readRefresh() !== null) await refreshOnce();
    const headers: Record<string, string> = { Accept: "text/event-stream", ...opts.headers };
    if (accessToken) headers.Authorization = `Bearer ${accessToken}`;
    let response: Response;
    try {
      response = await fetchFn(`${baseUrl}${path}`, { method: "GET", headers, signal: opts.signal, credentials: "same-origin" });
    } catch (error) {
      if (opts.signal.aborted) return { ok: false, problem: clientProblem("aborted", "the request was cancelled") };
      return { ok: false, problem: clientProblem("network_error", error instanceof Error ? error.message : String(error)) };
    }
    if (response.status === 401 && !retried && readRefresh() !== null && (await refreshOnce()) === "ok") return openStream(path, opts, true);
    if (!response.ok || !response.body) {
      const raw = await response.text().catch(() => "");
      let body: unknown = null;
      try {
        body = JSON.parse(raw);
      } catch {
        // not problem+json: the status decides the code
      }
      return { ok: false, problem: problemFrom(response.status, body, response.headers) };
    }
    return { ok: true, status: response.status, data: response.body, headers: response.headers };
  }

  return {
    signedIn,
    request,
    stream: openStream,
    get: (path, opts) => request("GET", path, opts),
    post: (path, body, opts) => request("POST", path, { ...opts, body }),
    async login(login, password) {
      const result = await send<unknown>("POST", "/v1/auth/login", { body: { login, password } }, null);
      if (!result.ok) return result;
      if (!isTokenPair(result.data)) return { ok: false, problem: clientProblem("invalid_response", "the login answer has no tokens", result.status) };
      adopt(result.data);
      return { ...result, data: result.data };
    },
    async logout() {
      const token = readRefresh();
      const access = accessToken;
      forget();
      if (token) await send("POST", "/v1/auth/logout", { body: { refresh_token: token } }, access);
    },
  };
}

export type { ApiProblem, ApiResult };
