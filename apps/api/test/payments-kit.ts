// Shared setup for the payments tests: a migrated database (PGlite or a real PostgreSQL server), the ledger, the
// identity store and its signing keys, the payments service with a settable clock, and the app over them. People,
// shops and campaigns are made through the real stores; callers authenticate with real access tokens. Never a
// mock of the database.
import { issueAccessToken, type Role } from "@tsubaki/auth";
import { createLedgerStore, systemActor, type AuditActor, type CampaignRecord, type Db, type IdentityStore, type LotRestrictionRecord, type Shop } from "@tsubaki/db";
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
import { createPaymentsService, type PaymentsService } from "../src/services/payments";
import { fastScrypt, type Backend, type CallResult } from "./harness";

export const admin: AuditActor = { actor: "u_test_admin", actorRoles: ["admin_operator"], requestId: "req-test" };
export const qrKeyHex = "7f".repeat(32);

/** Real time plus an offset the test moves forward (codes and requests expire, lots lapse). */
export class Clock {
  offsetMs = 0;
  now = () => new Date(Date.now() + this.offsetMs);
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export interface Person {
  userId: string;
  residentId: string;
  token: string;
}

export interface ShopPeople {
  shop: Shop;
  ownerId: string;
  ownerToken: string;
}

export interface PaymentsHarness {
  backend: Backend;
  db: Db;
  ledger: LedgerService;
  identity: IdentityStore;
  auth: AuthService;
  payments: PaymentsService;
  app: TsubakiApp;
  config: Config;
  clock: Clock;
  close(): Promise<void>;
}

export async function openPaymentsHarness(backend: Backend, env: Record<string, string> = {}): Promise<PaymentsHarness> {
  const config = loadConfig({ TSUBAKI_LOG_LEVEL: "silent", TSUBAKI_QR_KEY: qrKeyHex, ...env });
  let url: string | undefined;
  let db: Db;
  if (backend === "pglite") {
    db = await openDatabase({ dataDir: "memory" });
  } else {
    url = await createTestDatabase(testDatabaseUrl(), "pay");
    db = await openDatabase({ url });
  }
  await migrate(db);
  const ledger = createLedgerService(createLedgerStore(db, { amountMax: config.amountMaxYen }), { amountMaxYen: config.amountMaxYen });
  const { identity, auth } = createIdentity(db, config, { secretParams: fastScrypt, keyCache: new KeyCache() });
  const clock = new Clock();
  const payments = createPaymentsService({ db, ledger, identity, qrKey: config.qrKey ? hexBytes(config.qrKey) : null, now: clock.now });
  const app = createApp({ ledger, identity, auth, payments, config, logger: createLogger("silent") });
  return {
    backend,
    db,
    ledger,
    identity,
    auth,
    payments,
    app,
    config,
    clock,
    async close() {
      await db.close();
      if (url) await dropTestDatabase(url);
    },
  };
}

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g)!.map((h) => Number.parseInt(h, 16)));
}

let counter = 0;
const runTag = Math.random().toString(36).slice(2, 7);
export function uniq(prefix: string): string {
  counter += 1;
  return `${prefix}${runTag}${counter}`;
}

/** An access token for a user with the roles the identity store derives for them now. */
export async function tokenFor(h: PaymentsHarness, userId: string, roles?: readonly Role[]): Promise<string> {
  const held = roles ?? (await h.identity.rolesOf(userId));
  const issued = await issueAccessToken({ sub: userId, roles: held }, await h.auth.keys.get(), {
    issuer: h.auth.issuer,
    audience: h.auth.audience,
    ttlSeconds: 900,
    now: new Date(),
  });
  return issued.token;
}

export async function newUser(h: PaymentsHarness, kind: "resident" | "merchant" | "city", roles: Role[] = []): Promise<string> {
  const created = await h.identity.createUser({ login: uniq("user"), displayName: "テスト", kind, roles }, admin);
  if (!created.ok) throw new Error(`user: ${created.code} ${created.detail}`);
  return created.user.id;
}

/** A resident with a login (verified unless told otherwise) and a token. */
export async function newResident(h: PaymentsHarness, options: { verified?: boolean } = {}): Promise<Person> {
  const userId = await newUser(h, "resident");
  const created = await h.identity.createResident({ name: "野々市 太郎", nameKana: "ノノイチ タロウ", birthDate: "1950-04-01", district: "本町", userId }, admin);
  if (!created.ok) throw new Error(`resident: ${created.code} ${created.detail}`);
  if (options.verified ?? true) await h.identity.verifyResident(created.resident.id, admin);
  return { userId, residentId: created.resident.id, token: await tokenFor(h, userId) };
}

export async function newShop(h: PaymentsHarness, options: { category?: string; tier?: "small" | "large"; status?: "active" | "suspended" } = {}): Promise<ShopPeople> {
  const code = uniq("SHOP");
  const created = await h.identity.createShop(
    {
      code,
      nameJa: `テスト商店${code.slice(-3)}`,
      nameLatin: `Test Shop ${code.slice(-3)}`,
      category: options.category ?? "food",
      tier: options.tier ?? "small",
      mcc: "5411",
      feeRateBasisPoints: 100,
      bank: null,
      status: options.status ?? "active",
    },
    admin,
  );
  if (!created.ok) throw new Error(`shop: ${created.code} ${created.detail}`);
  const ownerId = await newUser(h, "merchant");
  const staffed = await h.identity.setShopStaff(created.shop.id, ownerId, "owner", admin);
  if (!staffed.ok) throw new Error(`staff: ${staffed.code}`);
  return { shop: created.shop, ownerId, ownerToken: await tokenFor(h, ownerId) };
}

export async function counterClerk(h: PaymentsHarness): Promise<{ userId: string; token: string }> {
  const userId = await newUser(h, "city", ["counter_staff"]);
  return { userId, token: await tokenFor(h, userId) };
}

async function ensure(h: PaymentsHarness, id: string, kind: string, noOverdraft: boolean): Promise<void> {
  const r = await h.ledger.createAccount({ id, kind, owner: null, asset: "JPY", flags: { debitsMustNotExceedCredits: noOverdraft, creditsMustNotExceedDebits: false }, metadata: null });
  if (!r.ok && r.code !== "account_exists") throw new Error(`account ${id}: ${r.code}`);
}

/** A running campaign with a funded budget (as the city console makes one). */
export async function newCampaign(
  h: PaymentsHarness,
  options: { kind?: "grant" | "premium" | "event"; restriction?: LotRestrictionRecord | null; expiryDays?: number; rateBps?: number; capYen?: bigint; budgetYen?: bigint } = {},
): Promise<CampaignRecord> {
  const id = uniq("cmp").toLowerCase();
  const budget = `cmp:${id}:budget`;
  const expired = `cmp:${id}:expired`;
  await ensure(h, "fund:city", "funding", false);
  await ensure(h, budget, "campaign_budget", true);
  await ensure(h, expired, "campaign_expired", false);
  const kind = options.kind ?? "grant";
  const now = h.clock.now();
  const { campaign } = await h.payments.context.store.insertCampaign({
    id,
    nameJa: "テストキャンペーン",
    nameEn: "Test campaign",
    kind,
    restriction: options.restriction ?? null,
    expiryDate: null,
    expiryDays: options.expiryDays ?? 90,
    capPerPersonYen: options.capYen ?? 100_000n,
    rateBps: kind === "premium" ? (options.rateBps ?? 2000) : null,
    budgetAccountId: budget,
    expiredAccountId: expired,
    startsAt: new Date(now.getTime() - 86_400_000),
    endsAt: new Date(now.getTime() + 365 * 86_400_000),
    status: "active",
    createdAt: now,
  });
  const funded = await h.ledger.submit({ op: "transfer", id: `fund-${id}`, legs: [{ from: "fund:city", to: budget, amount: options.budgetYen ?? 10_000_000n }] });
  expect(funded.ok).toBe(true);
  return campaign;
}

/** A lot of `amountYen` for a resident, lapsing at `expiresAt` (granted a day before it unless told). */
export async function grantLot(h: PaymentsHarness, campaign: CampaignRecord, residentId: string, amountYen: bigint, expiresAt: Date, grantedAt?: Date): Promise<{ lotId: string; accountId: string }> {
  const lotId = uniq("lot");
  const accountId = `res:${residentId}:pts:${lotId}`;
  await ensure(h, accountId, "points", true);
  await h.payments.context.store.insertLot({
    lotId,
    residentId,
    campaignId: campaign.id,
    accountId,
    grantedYen: amountYen,
    grantedAt: grantedAt ?? new Date(Math.min(h.clock.now().getTime(), expiresAt.getTime()) - 86_400_000),
    expiresAt,
    restriction: campaign.restriction,
  });
  const r = await h.ledger.submit({ op: "transfer", id: `grant-${lotId}`, legs: [{ from: campaign.budgetAccountId, to: accountId, amount: amountYen }], code: "grant", metadata: { campaign: campaign.id } });
  expect(r.ok).toBe(true);
  return { lotId, accountId };
}

/** Coins for a resident, straight from a counter's cash account (as a charge does). */
export async function giveCoins(h: PaymentsHarness, residentId: string, amountYen: bigint): Promise<void> {
  await h.payments.context.accounts.coins(residentId);
  await ensure(h, "cashin:test", "cash_in", false);
  const r = await h.ledger.submit({ op: "transfer", id: uniq("coins-"), legs: [{ from: "cashin:test", to: `res:${residentId}:coins`, amount: amountYen }], code: "charge" });
  expect(r.ok).toBe(true);
}

export async function available(h: PaymentsHarness, accountId: string): Promise<number> {
  const a = await h.ledger.getAccount(accountId);
  return a ? Number(a.creditsPosted - a.debitsPosted - a.debitsPending) : 0;
}

/** The shop's static QR payload, as its sticker shows it. */
export async function stickerOf(h: PaymentsHarness, people: ShopPeople): Promise<string> {
  const r = await call(h, "GET", `/v1/merchant/qr?shop_id=${people.shop.id}`, { token: people.ownerToken });
  expect(r.status, r.text).toBe(200);
  return r.body.payload as string;
}

/** A JSON call; `key` sets Idempotency-Key. */
export async function call(
  h: PaymentsHarness,
  method: string,
  path: string,
  options: { body?: unknown; token?: string | null; key?: string; headers?: Record<string, string> } = {},
): Promise<CallResult> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.key) headers["Idempotency-Key"] = options.key;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["Content-Type"] = "application/json";
  }
  const response = await h.app.request(path, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

export const days = (n: number) => n * 86_400_000;

export { systemActor };

/** The ledger audit (every balance recomputed, hash chain, limits) passes after a scenario. */
export async function expectLedgerAudited(h: PaymentsHarness): Promise<void> {
  const report = await h.ledger.audit();
  expect(report.ok, JSON.stringify(report.checks)).toBe(true);
}
