// The Workers entry's own logic (a postgres.js client per request, closed through ctx.waitUntil; the cron sweep)
// run under Node against a real PostgreSQL. The bundle itself is checked by `wrangler deploy --dry-run`.
import { migrate, openDatabase } from "@tsubaki/db/node";
import { createTestDatabase, dropTestDatabase, tcpUrl } from "@tsubaki/testkit/pg";
import { testDatabaseUrl } from "@tsubaki/testkit/pg-global-setup";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import worker, { type Env } from "../src/worker";
import { serviceToken, sleep } from "./harness";

let url: string;
let env: Env;
beforeAll(async () => {
  url = await createTestDatabase(testDatabaseUrl(), "worker");
  const db = await openDatabase({ url });
  await migrate(db);
  await db.close();
  // Hyperdrive hands a Worker a TCP connection string, never a Unix socket's.
  env = { HYPERDRIVE: { connectionString: tcpUrl(url) }, TSUBAKI_SERVICE_TOKEN: serviceToken, TSUBAKI_LOG_LEVEL: "silent" };
});
afterAll(async () => {
  if (url) await dropTestDatabase(url);
});

function context() {
  const pending: Promise<unknown>[] = [];
  return { ctx: { waitUntil: (p: Promise<unknown>) => void pending.push(p) }, settled: () => Promise.all(pending) };
}

async function send(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const { ctx, settled } = context();
  const request = new Request(`https://tsubaki.example${path}`, {
    method,
    headers: { Authorization: `Bearer ${serviceToken}`, "Content-Type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const response = await worker.fetch(request, env, ctx);
  const result = { status: response.status, body: await response.json() };
  await settled(); // the per-request client is closed after the response
  return result;
}

describe("the Workers entry", () => {
  it("serves the API with a client per request and expires holds from the cron trigger", async () => {
    expect((await send("POST", "/v1/ledger/accounts", { id: "w-cash", kind: "cash_in" })).status).toBe(201);
    expect((await send("POST", "/v1/ledger/accounts", { id: "w-res", kind: "wallet", flags: { debits_must_not_exceed_credits: true } })).status).toBe(201);
    expect((await send("POST", "/v1/ledger/transfers", { id: "w-charge", legs: [{ from: "w-cash", to: "w-res", amount: 1000 }] })).status).toBe(201);
    expect((await send("POST", "/v1/ledger/transfers", { id: "w-hold", legs: [{ from: "w-res", to: "w-cash", amount: 300 }], pending: { timeout_s: 1 } })).status).toBe(201);
    expect((await send("GET", "/v1/ledger/accounts/w-res")).body.available).toBe(700);

    await sleep(1100);
    const { ctx, settled } = context();
    await worker.scheduled({ scheduledTime: Date.now(), cron: "* * * * *" }, env, ctx);
    await settled();
    expect((await send("GET", "/v1/ledger/accounts/w-res")).body.available).toBe(1000);
    expect((await send("GET", "/v1/ledger/audit")).body.ok).toBe(true);
    expect((await send("GET", "/health")).body).toEqual({ ok: true, database: "ok" });
  });
});

describe("a misconfigured Worker", () => {
  it("answers 500 internal_error without the details", async () => {
    const { ctx } = context();
    const bad: Env = { HYPERDRIVE: { connectionString: url }, TSUBAKI_SERVICE_TOKEN: "too-short" };
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void errors.push(args);
    try {
      const response = await worker.fetch(new Request("https://tsubaki.example/health"), bad, ctx);
      expect(response.status).toBe(500);
      const body = (await response.json()) as { code: string };
      expect(body.code).toBe("internal_error");
      expect(JSON.stringify(body)).not.toContain("TSUBAKI_SERVICE_TOKEN");
    } finally {
      console.error = original;
    }
    expect(String(errors[0])).toContain("TSUBAKI_SERVICE_TOKEN");
  });
});
