// What every payments flow shares: the stores, the ledger, the clock, the limits, the shop QR keys, the caches of
// things that rarely change (shops by code, accounts known to exist), the statement batchers of the hot path, and
// the outcome type flows return (expected refusals are values; the routes turn them into problems).
import { accountIdOf, ownerOf } from "@tsubaki/auth";
import type { Db, IdentityStore, KeyClaimInput, KeyClaimResult, PaymentsStore, Shop, WalletState } from "@tsubaki/db";
import { assert, type AccountInput } from "@tsubaki/ledger";
import type { Limits, Merchant } from "@tsubaki/payments";
import type { ShopQr } from "@tsubaki/qr";
import type { EventBus } from "../events/bus";
import type { ProblemCode, ProblemExtensions } from "../http/problem";
import { counterAccounts, residentAccounts, shopAccounts, type AccountSpec } from "./accounts";
import type { LedgerService } from "./ledger";
import { MicroBatcher, TtlCache } from "./payments-batch";
import type { RecordItem } from "./payments-record";

export type Refusal = {
  ok: false;
  code: ProblemCode;
  detail: string;
  extensions?: ProblemExtensions;
  headers?: Readonly<Record<string, string>>;
};
export type Outcome<T> = { ok: true; value: T } | Refusal;

export function refuse(code: ProblemCode, detail: string, extensions?: ProblemExtensions, headers?: Readonly<Record<string, string>>): Refusal {
  return { ok: false, code, detail, ...(extensions ? { extensions } : {}), ...(headers ? { headers } : {}) };
}

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

/** A shop is cached this long: a suspension takes effect for new payments within this time. */
export const shopCacheTtlMs = 10_000;
export const shopCacheSizeMax = 20_000;
/** Account ids known to exist (they are never deleted), remembered so the hot path does not ask again. */
export const knownAccountsMax = 200_000;
/** Shop QRs already verified (a shop's sticker is scanned all day): payload → what it says. */
export const verifiedQrCacheTtlMs = 10 * 60_000;
export const verifiedQrCacheSizeMax = 20_000;
/** Statement batches on the hot path. */
export const claimBatchSizeMax = 256;
export const walletBatchSizeMax = 256;
export const recordBatchSizeMax = 256;

export interface PaymentsContext {
  db: Db;
  store: PaymentsStore;
  identity: IdentityStore;
  ledger: LedgerService;
  bus: EventBus;
  now(): Date;
  limits: Limits;
  /** The city written in field 60 of shop QRs. */
  city: string;
  /** Shop QR keys, newest (the signing key) first. */
  qrKeys(): Promise<readonly Uint8Array[]>;
  shops: ShopDirectory;
  accounts: AccountKeeper;
  /** Payloads that passed parseShopQr with the current keys (parsing and the HMAC are pure: safe to remember). */
  verifiedQrs: TtlCache<string, ShopQr>;
  claims: MicroBatcher<KeyClaimInput, KeyClaimResult>;
  wallets: MicroBatcher<string, WalletState>;
  records: MicroBatcher<RecordItem, number | null>;
}

/** Shops by code and by id, cached for shopCacheTtlMs (only found shops are cached). */
export class ShopDirectory {
  private readonly byCode = new TtlCache<string, Shop>(shopCacheTtlMs, shopCacheSizeMax);
  private readonly byId = new TtlCache<string, Shop>(shopCacheTtlMs, shopCacheSizeMax);

  constructor(private readonly identity: IdentityStore) {}

  async byShopCode(code: string): Promise<Shop | null> {
    const cached = this.byCode.get(code);
    if (cached) return cached;
    const shop = await this.identity.findShopByCode(code);
    if (shop) this.remember(shop);
    return shop;
  }

  async byShopId(id: string): Promise<Shop | null> {
    const cached = this.byId.get(id);
    if (cached) return cached;
    const shop = await this.identity.getShop(id);
    if (shop) this.remember(shop);
    return shop;
  }

  private remember(shop: Shop): void {
    this.byCode.set(shop.code, shop);
    this.byId.set(shop.id, shop);
  }
}

/** The planner's view of a shop. Every active shop accepts points (restrictions are per campaign). */
export function merchantOf(shop: Shop): Merchant {
  return { merchantId: shop.id, accountId: accountIdOf.shop(shop.id), category: shop.category, tier: shop.tier, mcc: shop.mcc, pointsAccepted: true };
}

/** Creates ledger accounts on first use and remembers which exist. */
export class AccountKeeper {
  private readonly known = new Set<string>();

  constructor(private readonly ledger: LedgerService) {}

  async ensure(input: AccountInput): Promise<void> {
    if (this.known.has(input.id)) return;
    const result = await this.ledger.createAccount(input);
    if (!result.ok) {
      // Someone (a seed, another service) made it with another kind or owner: fine, if the overdraft rule matches.
      assert(result.code === "account_exists", `account ${input.id} could not be created: ${result.code} ${result.detail}`);
      const existing = await this.ledger.getAccount(input.id);
      assert(
        existing && existing.flags.debitsMustNotExceedCredits === input.flags.debitsMustNotExceedCredits,
        `BUG: account ${input.id} exists with another overdraft rule`,
      );
    }
    if (this.known.size >= knownAccountsMax) this.known.clear();
    this.known.add(input.id);
  }

  private spec(spec: AccountSpec): Promise<void> {
    return this.ensure(spec.noOverdraft ? walletAccount(spec.id, spec.kind, spec.owner) : openAccount(spec.id, spec.kind, spec.owner));
  }

  coins = (residentId: string) => Promise.all(residentAccounts(residentId).map((spec) => this.spec(spec))).then(() => undefined);
  shop = (shopId: string) => Promise.all(shopAccounts(shopId).map((spec) => this.spec(spec))).then(() => undefined);
  cashIn = (userId: string) => Promise.all(counterAccounts(userId).map((spec) => this.spec(spec))).then(() => undefined);
  /** A point lot's account (the kind the city's bulk grants give theirs). */
  lot = (residentId: string, lotId: string) => this.ensure(walletAccount(accountIdOf.residentPoints(residentId, lotId), "points", ownerOf.resident(residentId)));
}

/** An account that may never go below zero (wallets, shops, budgets). */
export function walletAccount(id: string, kind: string, owner: string | null): AccountInput {
  return { id, kind, owner, asset: "JPY", flags: { debitsMustNotExceedCredits: true, creditsMustNotExceedDebits: false }, metadata: null };
}

/** An account without limits (cash taken, funding, lapsed points). */
export function openAccount(id: string, kind: string, owner: string | null): AccountInput {
  return { id, kind, owner, asset: "JPY", flags: { debitsMustNotExceedCredits: false, creditsMustNotExceedDebits: false }, metadata: null };
}
