// Every ledger API test runs on both backends: the embedded PGlite (one per file: its first start takes
// seconds) and a database of its own on the shared PostgreSQL server. Never a mock of the database.
import type { ScryptParams } from "@tsubaki/auth";
import { createLedgerStore, type Db, type IdentityStore } from "@tsubaki/db";
import { migrate, openDatabase } from "@tsubaki/db/node";
import { createTestDatabase, dropTestDatabase } from "@tsubaki/testkit/pg";
import { testDatabaseUrl } from "@tsubaki/testkit/pg-global-setup";
import { expect } from "vitest";
import { createApp, type TsubakiApp } from "../src/app";
import { KeyCache } from "../src/auth/keys";
import { createIdentity, type AuthService } from "../src/auth/service";
import { loadConfig, type Config } from "../src/env";
import { createLogger } from "../src/log";
import { createLedgerService, type LedgerService } from "../src/services/ledger";

export const backends = ["pglite", "postgres"] as const;
export type Backend = (typeof backends)[number];

export const serviceToken = "test-service-token-0123456789abcdef";

/** scrypt at its lowest accepted cost: tests hash many passwords and PINs (stored hashes carry their parameters). */
export const fastScrypt: ScryptParams = { N: 2 ** 10, r: 8, p: 1 };

/** Tests say where a request comes from with this header (the entries read the socket or CF-Connecting-IP). */
export const testAddressHeader = "x-test-client-address";

export interface HarnessOptions {
  /** The identity store's clock (lockouts, expiry). */
  now?: () => Date;
}

export interface Harness {
  db: Db;
  ledger: LedgerService;
  identity: IdentityStore;
  auth: AuthService;
  app: TsubakiApp;
  config: Config;
  close(): Promise<void>;
}

/** Opens a migrated database on `backend` and an app over it. */
export async function openHarness(backend: Backend, env: Record<string, string> = {}, options: HarnessOptions = {}): Promise<Harness> {
  const config = loadConfig({ TSUBAKI_SERVICE_TOKEN: serviceToken, TSUBAKI_LOG_LEVEL: "silent", ...env });
  let url: string | undefined;
  let db: Db;
  if (backend === "pglite") {
    db = await openDatabase({ dataDir: "memory" });
  } else {
    url = await createTestDatabase(testDatabaseUrl(), "api");
    db = await openDatabase({ url });
  }
  await migrate(db);
  const ledger = createLedgerService(createLedgerStore(db, { amountMax: config.amountMaxYen }), { amountMaxYen: config.amountMaxYen });
  const { identity, auth } = createIdentity(db, config, { secretParams: fastScrypt, keyCache: new KeyCache(), ...(options.now ? { now: options.now } : {}) });
  const app = createApp({ ledger, identity, auth, config, logger: createLogger("silent"), clientAddress: (c) => c.req.header(testAddressHeader) ?? null });
  return {
    db,
    ledger,
    identity,
    auth,
    app,
    config,
    async close() {
      await db.close();
      if (url) await dropTestDatabase(url);
    },
  };
}

/** A short unique id, so tests that share one database never collide. */
let counter = 0;
const runTag = Math.random().toString(36).slice(2, 8);
export function uid(prefix: string): string {
  counter += 1;
  return `${prefix}-${runTag}-${counter}`;
}

export interface CallResult {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

/** A JSON call as a client makes it (service token unless `token` says otherwise). */
export async function call(
  app: TsubakiApp,
  method: string,
  path: string,
  options: { body?: unknown; rawBody?: string; token?: string | null; headers?: Record<string, string> } = {},
): Promise<CallResult> {
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? serviceToken : options.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers["Content-Type"] ??= "application/json";
  const response = await app.request(path, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

/** Asserts an RFC 9457 problem with this status and code. */
export function expectProblem(r: CallResult, status: number, code: string): void {
  expect({ status: r.status, code: r.body?.code }, r.text).toEqual({ status, code });
  expect(r.headers.get("content-type")).toBe("application/problem+json");
  expect(r.body).toMatchObject({ status, code, type: `/v1/docs#problem-${code}` });
  expect(typeof r.body.title).toBe("string");
  expect(typeof r.body.detail).toBe("string");
  expect(r.body.request_id).toBe(r.headers.get("x-request-id"));
}

/** Creates accounts; `funded` gets `yen` from a source account that may go negative. */
export async function createAccount(app: TsubakiApp, id: string, options: { noOverdraft?: boolean; kind?: string } = {}): Promise<void> {
  const r = await call(app, "POST", "/v1/ledger/accounts", {
    body: { id, kind: options.kind ?? "wallet", flags: { debits_must_not_exceed_credits: options.noOverdraft ?? true } },
  });
  expect(r.status, r.text).toBe(201);
}

export async function transfer(app: TsubakiApp, id: string, from: string, to: string, amount: number): Promise<CallResult> {
  return call(app, "POST", "/v1/ledger/transfers", { body: { id, legs: [{ from, to, amount }] } });
}

export async function balances(app: TsubakiApp, id: string): Promise<{ credits_posted: number; debits_posted: number; debits_pending: number; credits_pending: number; available: number }> {
  const r = await call(app, "GET", `/v1/ledger/accounts/${id}`);
  expect(r.status, r.text).toBe(200);
  const { credits_posted, debits_posted, debits_pending, credits_pending, available } = r.body;
  return { credits_posted, debits_posted, debits_pending, credits_pending, available };
}

export async function expectAuditOk(app: TsubakiApp): Promise<void> {
  const r = await call(app, "GET", "/v1/ledger/audit");
  expect(r.status).toBe(200);
  expect(r.body.ok, JSON.stringify(r.body.checks)).toBe(true);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
