// The payments service: builds the context every payments flow runs in (stores, ledger, limits, the shop QR key,
// caches and the statement batchers of the hot path) and the in-process event bus of live shop notifications.
// Entries build one per database client and hand it to createApp as `payments`.
import { createPaymentsStore, type Db, type IdentityStore, type KeyClaimInput, type WalletState } from "@tsubaki/db";
import { limitsDefault, type Limits } from "@tsubaki/payments";
import { SHOP_KEY_BYTES_MIN } from "@tsubaki/qr";
import { EventBus } from "../events/bus";
import type { LedgerService } from "./ledger";
import { MicroBatcher, TtlCache } from "./payments-batch";
import {
  AccountKeeper,
  ShopDirectory,
  claimBatchSizeMax,
  recordBatchSizeMax,
  verifiedQrCacheSizeMax,
  verifiedQrCacheTtlMs,
  walletBatchSizeMax,
  type PaymentsContext,
} from "./payments-context";
import { takeoverAfterMs } from "./payments-idempotency";
import type { RecordItem } from "./payments-record";

export interface PaymentsServiceOptions {
  db: Db;
  ledger: LedgerService;
  identity: IdentityStore;
  /** TSUBAKI_QR_KEY; null: a key generated once and kept in the database (the demo). */
  qrKey: Uint8Array | null;
  /** Older keys still accepted on stickers printed before a rotation. */
  qrKeysPrevious?: readonly Uint8Array[];
  now?: () => Date;
  limits?: Limits;
  /** Field 60 of shop QRs. */
  city?: string;
  bus?: EventBus;
}

export interface PaymentsService {
  readonly context: PaymentsContext;
  readonly bus: EventBus;
  /** Deletes finished idempotency keys older than a day and codes expired more than a day ago. */
  sweep(): Promise<{ keys: number; codes: number }>;
}

/** Finished idempotency keys are kept this long: a client retrying later than this is making a new request. */
export const idempotencyKeyRetentionMs = 24 * 3600_000;
/** Claim and wallet statements running at once (each takes a pooled connection; reads and inserts only). */
export const claimsInFlightMax = 4;
export const walletsInFlightMax = 4;
/** The name of the generated shop QR key in server_secrets. */
export const qrKeySecretName = "shop_qr_key";

export function createPaymentsService(options: PaymentsServiceOptions): PaymentsService {
  const now = options.now ?? (() => new Date());
  const store = createPaymentsStore(options.db, { now });
  const bus = options.bus ?? new EventBus();
  let keys: Promise<readonly Uint8Array[]> | null = null;
  const qrKeys = () => {
    if (keys === null) {
      keys = (async () => {
        const current = options.qrKey ?? decodeKey(await store.loadOrCreateSecret(qrKeySecretName, generateKeyText));
        return [current, ...(options.qrKeysPrevious ?? [])];
      })();
      keys.catch(() => (keys = null)); // a failed load is tried again by the next request
    }
    return keys;
  };

  const claims = new MicroBatcher<KeyClaimInput, Awaited<ReturnType<typeof store.claimKeys>>[number]>(
    (items) => {
      const at = now();
      return store.claimKeys(items, at, new Date(at.getTime() - takeoverAfterMs));
    },
    {
      batchSizeMax: claimBatchSizeMax,
      inFlightMax: claimsInFlightMax,
      keysOf: (item) => [`key:${item.principal}\n${item.key}`, ...(item.reservation ? [`spend:${item.reservation.residentId}:${item.reservation.day}:${item.reservation.kind}`] : [])],
    },
  );
  const wallets = new MicroBatcher<string, WalletState>(
    async (residentIds) => {
      const read = await store.loadWallets([...new Set(residentIds)], now());
      return residentIds.map((id) => read.get(id)!);
    },
    { batchSizeMax: walletBatchSizeMax, inFlightMax: walletsInFlightMax },
  );
  // Payments not recorded with their transfer (see paymentAttachment): a retry that took over from a request that
  // died after posting, or a ledger store without payment attachments. One batch at a time: payments get their seq
  // in commit order on this instance, so a stream resuming from an event id never skips a payment another batch of
  // this instance was still committing. (Recorded with their transfers, payments get their seq in the ledger's
  // write statements, which commit in order on the writer's connection, or hold the shop's account lock first.)
  const records = new MicroBatcher<RecordItem, number | null>(
    async (items) => {
      const seqs = await store.recordPayments(items);
      return items.map((item) => seqs.get(item.payment.id) ?? null);
    },
    { batchSizeMax: recordBatchSizeMax, inFlightMax: 1 },
  );

  const context: PaymentsContext = {
    db: options.db,
    store,
    identity: options.identity,
    ledger: options.ledger,
    bus,
    now,
    limits: options.limits ?? limitsDefault,
    city: options.city ?? "Nonoichi",
    qrKeys,
    shops: new ShopDirectory(options.identity),
    accounts: new AccountKeeper(options.ledger),
    verifiedQrs: new TtlCache(verifiedQrCacheTtlMs, verifiedQrCacheSizeMax),
    claims,
    wallets,
    records,
  };
  return {
    context,
    bus,
    sweep() {
      const at = now().getTime();
      return store.sweep(new Date(at - idempotencyKeyRetentionMs), new Date(at - idempotencyKeyRetentionMs));
    },
  };
}

function generateKeyText(): string {
  return bytesToBase64(crypto.getRandomValues(new Uint8Array(32)));
}

function bytesToBase64(bytes: Uint8Array): string {
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}

/** A shop QR key from its text: 64+ hex digits, or base64 / base64url of 32+ bytes. Throws on anything else. */
export function decodeKey(text: string): Uint8Array {
  const trimmed = text.trim();
  let bytes: Uint8Array;
  if (/^(?:[0-9a-fA-F]{2})+$/.test(trimmed)) {
    bytes = new Uint8Array(trimmed.length / 2);
    for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(trimmed.slice(2 * i, 2 * i + 2), 16);
  } else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    const binary = atob(trimmed.replace(/-/g, "+").replace(/_/g, "/"));
    bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } else {
    throw new Error("a shop QR key is hex or base64");
  }
  if (bytes.length < SHOP_KEY_BYTES_MIN) throw new Error(`a shop QR key has at least ${SHOP_KEY_BYTES_MIN} bytes`);
  return bytes;
}
