// Runs INSIDE workerd: requests go through the Worker's own fetch handler (src/worker.ts via SELF, with the real
// bindings from wrangler.toml + vitest.workers.config.ts), postgres.js connects over cloudflare:sockets to the
// Hyperdrive binding, and miniflare's Hyperdrive proxy forwards to the real PostgreSQL test database.
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";

const token = env.TSUBAKI_SERVICE_TOKEN;
// Unique per run, so a rerun (watch mode, or a shared TEST_DATABASE_URL server) never collides.
const run = crypto.randomUUID().slice(0, 8);

interface Reply {
  status: number;
  contentType: string | null;
  requestId: string | null;
  body: any;
  text: string;
}

async function send(method: string, path: string, options: { body?: unknown; token?: string | null } = {}): Promise<Reply> {
  const headers: Record<string, string> = {};
  const bearer = options.token === undefined ? token : options.token;
  if (bearer !== null) headers.Authorization = `Bearer ${bearer}`;
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  const response = await SELF.fetch(`https://tsubaki.example${path}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, contentType: response.headers.get("content-type"), requestId: response.headers.get("x-request-id"), body, text };
}

function expectProblem(r: Reply, status: number, code: string): void {
  expect({ status: r.status, code: r.body?.code }, r.text).toEqual({ status, code });
  expect(r.contentType).toBe("application/problem+json");
  expect(r.body).toMatchObject({ status, code, type: `/v1/docs#problem-${code}`, request_id: r.requestId });
}

const balances = async (id: string) => {
  const r = await send("GET", `/v1/ledger/accounts/${id}`);
  expect(r.status, r.text).toBe(200);
  const { credits_posted, debits_posted, credits_pending, debits_pending, available } = r.body;
  return { credits_posted, debits_posted, credits_pending, debits_pending, available };
};

describe("the Worker in workerd over Hyperdrive", () => {
  it("runs in workerd with a Hyperdrive binding and the service token", () => {
    expect(navigator.userAgent).toBe("Cloudflare-Workers");
    // Workers see Hyperdrive's own host, never the database's: miniflare proxies it to the real server.
    expect(new URL(env.HYPERDRIVE.connectionString).hostname).toMatch(/\.hyperdrive\.local$/);
    expect(token.length).toBeGreaterThanOrEqual(32);
  });

  it("answers /health with the database reachable", async () => {
    const r = await send("GET", "/health", { token: null });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toEqual({ ok: true, database: "ok" });
  });

  it("creates accounts, transfers and reads exact balances", async () => {
    const cash = `cash-${run}`;
    const wallet = `wallet-${run}`;
    const created = await send("POST", "/v1/ledger/accounts", { body: { id: cash, kind: "cash_in" } });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({ id: cash, kind: "cash_in", flags: { debits_must_not_exceed_credits: false } });
    const guarded = await send("POST", "/v1/ledger/accounts", { body: { id: wallet, kind: "wallet", flags: { debits_must_not_exceed_credits: true } } });
    expect(guarded.status, guarded.text).toBe(201);
    expect(guarded.body.flags).toMatchObject({ debits_must_not_exceed_credits: true });

    const charge = await send("POST", "/v1/ledger/transfers", { body: { id: `charge-${run}`, legs: [{ from: cash, to: wallet, amount: 1500 }] } });
    expect(charge.status, charge.text).toBe(201);
    expect(charge.body).toMatchObject({ id: `charge-${run}`, status: "posted", legs: [{ from: cash, to: wallet, amount: 1500 }] });
    const back = await send("POST", "/v1/ledger/transfers", { body: { id: `back-${run}`, legs: [{ from: wallet, to: cash, amount: 400 }] } });
    expect(back.status, back.text).toBe(201);

    expect(await balances(wallet)).toEqual({ credits_posted: 1500, debits_posted: 400, credits_pending: 0, debits_pending: 0, available: 1100 });
    expect(await balances(cash)).toEqual({ credits_posted: 400, debits_posted: 1500, credits_pending: 0, debits_pending: 0, available: -1100 });

    // An overdraft of the no-overdraft account: refused as a problem, and nothing moves.
    const overdraft = await send("POST", "/v1/ledger/transfers", { body: { id: `over-${run}`, legs: [{ from: wallet, to: cash, amount: 1101 }] } });
    expectProblem(overdraft, 422, "exceeds_balance");
    expect((await balances(wallet)).available).toBe(1100);

    const audit = await send("GET", "/v1/ledger/audit");
    expect(audit.status, audit.text).toBe(200);
    expect(audit.body.ok, audit.text).toBe(true);
  });

  it("answers 401 without the service token, and with a wrong one", async () => {
    expectProblem(await send("GET", `/v1/ledger/accounts/wallet-${run}`, { token: null }), 401, "unauthorized");
    expectProblem(await send("POST", "/v1/ledger/accounts", { body: { id: `nobody-${run}`, kind: "wallet" }, token: "x".repeat(40) }), 401, "unauthorized");
  });
});
