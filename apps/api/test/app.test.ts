// The HTTP skeleton: request ids, problem responses, the one error handler, roles and the pluggable
// authentication hook. Not ledger behaviour, so one backend (PGlite) is enough here.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import type { Principal, Role } from "../src/auth/principal";
import { roles } from "../src/auth/principal";
import { createLogger } from "../src/log";
import { routes } from "../src/routes";
import { defineRoute, isAllowed } from "../src/routes/registry";
import { call, expectProblem, openHarness, serviceToken, type Harness } from "./harness";

let h: Harness;
beforeAll(async () => {
  h = await openHarness("pglite");
});
afterAll(async () => {
  await h?.close();
});

describe("request ids", () => {
  it("echoes a sane X-Request-Id and generates one otherwise", async () => {
    const given = await call(h.app, "GET", "/health", { headers: { "X-Request-Id": "req-123.abc" } });
    expect(given.headers.get("x-request-id")).toBe("req-123.abc");
    const generated = await call(h.app, "GET", "/health");
    expect(generated.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const hostile = await call(h.app, "GET", "/health", { headers: { "X-Request-Id": "x\" onload=1 <script>" } });
    expect(hostile.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const long = await call(h.app, "GET", "/health", { headers: { "X-Request-Id": "a".repeat(129) } });
    expect(long.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("puts the request id in every problem", async () => {
    const r = await call(h.app, "GET", "/v1/ledger/accounts/nobody", { headers: { "X-Request-Id": "trace-42" } });
    expectProblem(r, 404, "account_not_found");
    expect(r.body.request_id).toBe("trace-42");
  });
});

describe("health and unknown paths", () => {
  it("reports the database without a token", async () => {
    const r = await call(h.app, "GET", "/health", { token: null });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ ok: true, database: "ok" });
  });

  it("reports 503 when the database does not answer", async () => {
    const app = createApp({
      ledger: h.ledger,
      identity: h.identity,
      auth: h.auth,
      config: h.config,
      logger: createLogger("silent"),
      checkDatabase: () => Promise.reject(new Error("connection refused")),
    });
    const r = await call(app, "GET", "/health");
    expect(r.status).toBe(503);
    expect(r.body).toEqual({ ok: false, database: "unavailable" });
  });

  it("answers 404 not_found as a problem for an unknown path", async () => {
    expectProblem(await call(h.app, "GET", "/v1/nothing-here"), 404, "not_found");
    expectProblem(await call(h.app, "DELETE", "/v1/ledger/accounts"), 404, "not_found");
  });
});

describe("the error handler", () => {
  const secret = "postgres://admin:hunter2@db";
  function appWithFailingRoute(lines: string[]) {
    const boom = defineRoute({
      method: "get",
      path: "/v1/test/boom",
      roles: ["service"],
      summary: "fails",
      responses: {},
      handler: () => {
        throw new Error(`connection to ${secret} lost`);
      },
    });
    return createApp({
      ledger: h.ledger,
      identity: h.identity,
      auth: h.auth,
      config: h.config,
      logger: createLogger("debug", (line) => lines.push(line)),
      routes: [...routes, boom],
    });
  }

  it("turns an unknown error into 500 internal_error with the request id and nothing else", async () => {
    const lines: string[] = [];
    const app = appWithFailingRoute(lines);
    const r = await call(app, "GET", "/v1/test/boom", { headers: { "X-Request-Id": "boom-1" } });
    expectProblem(r, 500, "internal_error");
    expect(r.body).toEqual({
      type: "/v1/docs#problem-internal_error",
      title: "Internal error",
      status: 500,
      detail: "an internal error occurred; quote request id boom-1 to the operator",
      code: "internal_error",
      request_id: "boom-1",
    });
    expect(r.text).not.toContain("hunter2");
    expect(r.text).not.toMatch(/at .*\.ts/);
    // The operator's log has the error and the request id, never the Authorization header or the token.
    const logged = lines.join("\n");
    expect(logged).toContain("boom-1");
    expect(logged).toContain("internal error");
    expect(logged).not.toContain(serviceToken);
    expect(logged.toLowerCase()).not.toContain("authorization");
  });

  it("never logs the token, on success or on refusal", async () => {
    const lines: string[] = [];
    const app = appWithFailingRoute(lines);
    await call(app, "GET", "/v1/ledger/audit");
    await call(app, "GET", "/v1/ledger/audit", { token: "wrong-token-that-someone-typed-in-0000" });
    await call(app, "POST", "/v1/ledger/transfers", { rawBody: "{" });
    expect(lines.length).toBeGreaterThanOrEqual(3);
    const logged = lines.join("\n");
    expect(logged).not.toContain(serviceToken);
    expect(logged).not.toContain("wrong-token-that-someone-typed-in");
  });
});

describe("roles", () => {
  const principal = (...r: Role[]): Principal => ({ subject: "someone", roles: r });
  const tokens: Record<string, Principal> = {
    "auditor-token": principal("admin_auditor"),
    "operator-token": principal("admin_operator"),
    "resident-token": principal("resident"),
  };
  function appWith() {
    return createApp({
      ledger: h.ledger,
      identity: h.identity,
      auth: h.auth,
      config: h.config,
      logger: createLogger("silent"),
      authenticate: (request) => tokens[request.headers.get("authorization")?.replace(/^Bearer /, "") ?? ""] ?? null,
    });
  }

  it("uses the authentication hook: an auditor reads but cannot write, a resident cannot touch the ledger", async () => {
    const app = appWith();
    expect((await call(app, "GET", "/v1/ledger/audit", { token: "auditor-token" })).status).toBe(200);
    expectProblem(await call(app, "POST", "/v1/ledger/accounts", { token: "auditor-token", body: { kind: "wallet" } }), 403, "forbidden");
    expect((await call(app, "POST", "/v1/ledger/accounts", { token: "operator-token", body: { kind: "wallet" } })).status).toBe(201);
    expectProblem(await call(app, "GET", "/v1/ledger/audit", { token: "resident-token" }), 403, "forbidden");
    // The service token is no longer accepted: this app's hook does not know it.
    expectProblem(await call(app, "GET", "/v1/ledger/audit"), 401, "unauthorized");
  });

  it("checks roles before the body: a forbidden caller learns nothing about validation", async () => {
    expectProblem(await call(appWith(), "POST", "/v1/ledger/transfers", { token: "resident-token", rawBody: "{" }), 403, "forbidden");
  });

  it("declares roles on every route, and the registry enforces exactly the declaration", async () => {
    for (const route of routes) {
      expect(route.roles === "public" || route.roles.length > 0, `${route.method} ${route.path}`).toBe(true);
      for (const role of roles) {
        const expected = route.roles === "public" || route.roles.includes(role);
        expect(isAllowed(route, principal(role)), `${role} on ${route.method} ${route.path}`).toBe(expected);
      }
    }
  });

  it("lists the ledger routes with the roles of DESIGN §6", () => {
    // Meta and ledger routes only; identity's routes are in identity-matrix.test.ts, with their ownership rules.
    const ledgerAndMeta = routes.filter((r) => r.path.startsWith("/v1/ledger/") || ["/health", "/v1/openapi.json", "/v1/docs"].includes(r.path));
    const table = Object.fromEntries(ledgerAndMeta.map((r) => [`${r.method.toUpperCase()} ${r.path}`, r.roles === "public" ? "public" : [...r.roles].sort().join(",")]));
    const readers = "admin_auditor,admin_operator,service";
    const writers = "admin_operator,service";
    expect(table).toEqual({
      "GET /health": "public",
      "GET /v1/openapi.json": "public",
      "GET /v1/docs": "public",
      "POST /v1/ledger/accounts": writers,
      "GET /v1/ledger/accounts/{id}": readers,
      "GET /v1/ledger/accounts/{id}/entries": readers,
      "POST /v1/ledger/transfers": writers,
      "GET /v1/ledger/transfers/{id}": readers,
      "POST /v1/ledger/transfers/{id}/capture": writers,
      "POST /v1/ledger/transfers/{id}/void": writers,
      "POST /v1/ledger/transfers/{id}/reversal": writers,
      "GET /v1/ledger/audit": readers,
    });
  });

  it("refuses a route without roles when it is declared", () => {
    expect(() => defineRoute({ method: "get", path: "/x", roles: [] as unknown as ["service"], summary: "x", responses: {}, handler: () => ({ status: 200, json: null }) })).toThrow(/declares its roles/);
  });
});
