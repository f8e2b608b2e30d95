// The API client against a scripted fetch: tokens, the single refresh on 401 with one retry under the same
// Idempotency-Key, problem+json read into values, and failures that never reached the server.
import { describe, expect, it } from "vitest";
import { createApiClient, type ApiClientOptions } from "./client";

interface Call {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

type Reply = { status: number; body?: unknown; type?: string } | Error;

function scripted(replies: Reply[]) {
  const calls: Call[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const headers = Object.fromEntries(Object.entries((init?.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    calls.push({ method: init?.method ?? "GET", path: String(input), headers, body: init?.body ? JSON.parse(String(init.body)) : undefined });
    const reply = replies.shift();
    if (!reply) throw new Error(`BUG: unexpected call ${init?.method} ${String(input)}`);
    if (reply instanceof Error) throw reply;
    const text = reply.body === undefined ? "" : typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
    return new Response(text === "" ? null : text, { status: reply.status, headers: { "Content-Type": reply.type ?? "application/json", "X-Request-Id": "req-9" } });
  }) as typeof globalThis.fetch;
  return { calls, fetch };
}

class MemoryStorage implements Storage {
  private items = new Map<string, string>();
  get length() {
    return this.items.size;
  }
  clear() {
    this.items.clear();
  }
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  key(index: number) {
    return [...this.items.keys()][index] ?? null;
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
}

const tokens = (n: number) => ({ access_token: `access-${n}`, refresh_token: `refresh-${n}`, token_type: "Bearer", expires_in: 900 });
const problem = (code: string, status: number) => ({ status, type: "application/problem+json", body: { type: `/v1/docs#problem-${code}`, title: code, status, detail: `because ${code}`, code, request_id: "req-1" } });

function client(replies: Reply[], storage: Storage | null = new MemoryStorage(), extra: Partial<ApiClientOptions> = {}) {
  const script = scripted(replies);
  return { ...script, storage, api: createApiClient({ fetch: script.fetch, storage, refreshTokenKey: "test.refresh", locks: null, ...extra }) };
}

describe("signing in", () => {
  it("keeps the access token in memory and the refresh token in storage, and sends the bearer token", async () => {
    const { api, calls, storage } = client([{ status: 200, body: tokens(1) }, { status: 200, body: { display_name: "花子" } }]);
    expect(api.signedIn.get()).toBe(false);
    const login = await api.login("hanako", "pw");
    expect(login.ok).toBe(true);
    expect(api.signedIn.get()).toBe(true);
    expect(storage!.getItem("test.refresh")).toBe("refresh-1");
    expect(JSON.stringify(storage)).not.toContain("access-1");
    const me = await api.get<{ display_name: string }>("/v1/me");
    expect(me).toMatchObject({ ok: true, data: { display_name: "花子" } });
    expect(calls.map((c) => [c.method, c.path, c.headers.authorization])).toEqual([
      ["POST", "/v1/auth/login", undefined],
      ["GET", "/v1/me", "Bearer access-1"],
    ]);
    expect(calls[0]!.body).toEqual({ login: "hanako", password: "pw" });
  });

  it("returns a wrong password as a problem value with the API's code", async () => {
    const { api } = client([problem("unauthorized", 401)]);
    const result = await api.login("hanako", "wrong");
    expect(result).toEqual({ ok: false, problem: { status: 401, code: "unauthorized", title: "unauthorized", detail: "because unauthorized", requestId: "req-1", body: expect.any(Object) } });
    expect(api.signedIn.get()).toBe(false);
  });
});

describe("refreshing", () => {
  it("refreshes once on a 401 and retries once with the same Idempotency-Key", async () => {
    const { api, calls, storage } = client([
      { status: 200, body: tokens(1) },
      problem("unauthorized", 401),
      { status: 200, body: tokens(2) },
      { status: 201, body: { id: "t1" } },
    ]);
    await api.login("hanako", "pw");
    const result = await api.post("/v1/payments", { amount: 500 }, { idempotencyKey: "key-1" });
    expect(result).toMatchObject({ ok: true, status: 201, data: { id: "t1" } });
    expect(calls.map((c) => [c.path, c.headers.authorization, c.headers["idempotency-key"]])).toEqual([
      ["/v1/auth/login", undefined, undefined],
      ["/v1/payments", "Bearer access-1", "key-1"],
      ["/v1/auth/refresh", undefined, undefined],
      ["/v1/payments", "Bearer access-2", "key-1"],
    ]);
    expect(calls[2]!.body).toEqual({ refresh_token: "refresh-1" });
    expect(storage!.getItem("test.refresh")).toBe("refresh-2");
  });

  it("after a reload (refresh token only) refreshes before the first call", async () => {
    const storage = new MemoryStorage();
    storage.setItem("test.refresh", "refresh-7");
    const { api, calls } = client([{ status: 200, body: tokens(8) }, { status: 200, body: {} }], storage);
    expect(api.signedIn.get()).toBe(true);
    await api.get("/v1/me");
    expect(calls.map((c) => [c.path, c.headers.authorization])).toEqual([
      ["/v1/auth/refresh", undefined],
      ["/v1/me", "Bearer access-8"],
    ]);
  });

  it("shares one refresh between concurrent calls", async () => {
    const storage = new MemoryStorage();
    storage.setItem("test.refresh", "refresh-1");
    const { api, calls } = client([{ status: 200, body: tokens(2) }, { status: 200, body: 1 }, { status: 200, body: 2 }], storage);
    const [a, b] = await Promise.all([api.get("/v1/a"), api.get("/v1/b")]);
    expect(a.ok && b.ok).toBe(true);
    expect(calls.filter((c) => c.path === "/v1/auth/refresh")).toHaveLength(1);
  });

  it("signs out when the refresh token is refused, and returns the original 401 without a second retry", async () => {
    const { api, calls, storage } = client([{ status: 200, body: tokens(1) }, problem("unauthorized", 401), problem("token_reused", 401)]);
    await api.login("hanako", "pw");
    const result = await api.get("/v1/me");
    expect(result).toMatchObject({ ok: false, problem: { status: 401, code: "unauthorized" } });
    expect(api.signedIn.get()).toBe(false);
    expect(storage!.getItem("test.refresh")).toBeNull();
    expect(calls).toHaveLength(3);
  });

  it("keeps the session when the refresh fails for lack of network", async () => {
    const storage = new MemoryStorage();
    storage.setItem("test.refresh", "refresh-1");
    const { api } = client([new TypeError("Failed to fetch"), new TypeError("Failed to fetch")], storage);
    const result = await api.get("/v1/me");
    expect(result).toMatchObject({ ok: false, problem: { status: 0, code: "network_error" } });
    expect(api.signedIn.get()).toBe(true);
    expect(storage.getItem("test.refresh")).toBe("refresh-1");
  });
});

describe("responses that are not the API's", () => {
  it("reads a non-problem error by its status and keeps the request id", async () => {
    const { api } = client([{ status: 502, body: "<html>bad gateway</html>", type: "text/html" }]);
    expect(await api.get("/v1/x", { auth: false })).toMatchObject({ ok: false, problem: { status: 502, code: "busy", requestId: "req-9" } });
  });

  it("reports a success that is not JSON as invalid_response", async () => {
    const { api } = client([{ status: 200, body: "<html>captive portal</html>", type: "text/html" }]);
    expect(await api.get("/v1/x", { auth: false })).toMatchObject({ ok: false, problem: { code: "invalid_response", status: 200 } });
  });

  it("gives up after the timeout as network_error", async () => {
    const hanging = (async (_input: RequestInfo | URL, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal!.reason)))) as typeof fetch;
    const api = createApiClient({ fetch: hanging, storage: null, refreshTokenKey: "k", locks: null, timeoutMs: 50 });
    expect(await api.get("/v1/slow", { auth: false })).toMatchObject({ ok: false, problem: { code: "network_error", detail: "no answer within 50 ms" } });
  });

  it("logs out on the server with the refresh token and forgets the tokens", async () => {
    const { api, calls, storage } = client([{ status: 200, body: tokens(1) }, { status: 204 }]);
    await api.login("hanako", "pw");
    await api.logout();
    expect(calls[1]).toMatchObject({ method: "POST", path: "/v1/auth/logout", body: { refresh_token: "refresh-1" } });
    expect(storage!.getItem("test.refresh")).toBeNull();
    expect(api.signedIn.get()).toBe(false);
  });
});
