// Idempotency-Key for every money-moving POST (DESIGN §6). The key is claimed before anything happens; a request
// that succeeds stores its response, and a replay with the same key and body gets that response byte for byte with
// `Idempotency-Replayed: true`; the same key with another body is 409 idempotency_key_reused; a duplicate that
// arrives while the first is still running is 409 idempotency_in_progress. A request refused before money moved
// (insufficient funds, a daily limit, a bad QR) leaves no trace: its key is released, so a retry runs anew.
//
// The ids of the ledger transfers a request makes are derived from (caller, key): `{prefix}_{hash}-{n}`, n = 0, 1, …
// for each re-plan. A request that died mid-way (its key stays in progress) is taken over by a retry after
// takeoverAfterMs; the retry walks the same ids from n = 0, so whatever the first attempt posted is found (replayed
// or id_reused) instead of being paid twice, even if the first attempt is in fact still running.
// node:crypto, not @noble/hashes: two hashes per money-moving request, and the native one costs a fraction of the
// pure-JS one (Workers have it under nodejs_compat). The digests are the same bytes.
import { createHash } from "node:crypto";
import type { SpendReservation, WalletState } from "@tsubaki/db";
import { base32 } from "@tsubaki/payments";
import { ok, refuse, type Outcome, type PaymentsContext } from "./payments-context";

/** Visible ASCII, 1–255 characters (the usual bound of Idempotency-Key implementations). */
export const idempotencyKeyPattern = /^[\x21-\x7e]{1,255}$/;
/** An in-progress key untouched this long belongs to a request that died; its retry may take over. */
export const takeoverAfterMs = 30_000;
/** Characters of the hash in derived ids: 120 bits. */
const refHashChars = 24;

export interface IdempotencyScope {
  principal: string;
  key: string;
  /** sha256 of method, path and the canonical JSON of the body. */
  requestHash: string;
}

/** The scope of a request, or idempotency_key_required when the header is missing or malformed. */
export function idempotencyScope(principal: string, request: Request, body: unknown): Outcome<IdempotencyScope> {
  const key = request.headers.get("idempotency-key");
  if (key === null || !idempotencyKeyPattern.test(key)) {
    return refuse("idempotency_key_required", "send an Idempotency-Key header of 1 to 255 visible ASCII characters; keep it to retry safely");
  }
  const url = new URL(request.url);
  const text = `${request.method} ${url.pathname}${url.search}\n${canonicalJson(body)}`;
  return ok({ principal, key, requestHash: createHash("sha256").update(text, "utf8").digest("hex") });
}

/** The id of what a request makes, e.g. refOf("pay", scope) = "pay_MZXW6YTBOI5GK3TUMVZXI33S". */
export function refOf(prefix: string, scope: Pick<IdempotencyScope, "principal" | "key">): string {
  return `${prefix}_${base32(createHash("sha256").update(`${scope.principal}\n${scope.key}`, "utf8").digest()).slice(0, refHashChars)}`;
}

/** The ledger transfer id of attempt n of a ref. */
export function transferIdOf(ref: string, attempt: number): string {
  return `${ref}-${attempt}`;
}

/** JSON with object keys sorted at every level: two bodies that mean the same hash the same. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return "null";
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(",")}}`;
}

/** A finished request: its status and JSON text, stored under the key. */
export interface StoredResponse {
  status: number;
  body: string;
  replayed: boolean;
}

/** What a flow returns: its response, and whether it already stored it (in the same statement as its write). */
export interface FlowResponse {
  status: number;
  body: string;
  keyCompleted: boolean;
}

export interface FlowControl {
  /** 1 for a fresh claim; more when this request took over from one that died. */
  attempts: number;
  /** Call just before submitting to the ledger: from then on a failure may have moved money, so the key is kept. */
  committing(): void;
  /** The wallet read in the claim's own statement (runIdempotent's walletOf); null when none was asked for. */
  wallet: WalletState | null;
}

/**
 * Claims the key (and reserves `reservation`, when given, in the same statement), runs the flow, stores its
 * response. A refusal releases the key and the reservation. An exception after committing() keeps the key in
 * progress (its retry takes over and finds what was posted); before it, the key is released too.
 */
export async function runIdempotent(
  ctx: PaymentsContext,
  scope: IdempotencyScope,
  reservation: SpendReservation | undefined,
  flow: (control: FlowControl) => Promise<Outcome<FlowResponse>>,
  /** Rebuilds a response stored by reference (a payment's body is not stored twice). */
  replayBody?: () => Promise<string>,
  /** walletOf: the resident whose wallet the flow will plan from, read with the claim (one round trip for both). */
  options: { walletOf?: string } = {},
): Promise<Outcome<StoredResponse>> {
  const claim = await ctx.claims.submit({ ...scope, ...(reservation ? { reservation } : {}), ...(options.walletOf !== undefined ? { walletOf: options.walletOf } : {}) });
  if (claim.kind === "done") {
    if (claim.requestHash !== scope.requestHash) return reused();
    if (claim.responseBody !== null) return ok({ status: claim.responseStatus, body: claim.responseBody, replayed: true });
    if (!replayBody) throw new Error(`BUG: key ${scope.key} has no stored response and no way to rebuild it`);
    return ok({ status: claim.responseStatus, body: await replayBody(), replayed: true });
  }
  if (claim.kind === "in_progress") {
    if (claim.requestHash !== null && claim.requestHash !== scope.requestHash) return reused();
    return refuse("idempotency_in_progress", "a request with this key is still running; retry in a moment", {}, { "Retry-After": "1" });
  }
  const reserved = claim.reservation;
  if (reserved && !reserved.ok) {
    await ctx.store.releaseKey(scope.principal, scope.key);
    const remaining = reserved.limitYen > reserved.spentYen ? reserved.limitYen - reserved.spentYen : 0n;
    return refuse(reservation?.kind === "p2p" ? "p2p_daily_limit" : "daily_limit", `¥${reservation?.amountYen} is more than the ¥${remaining} left of today's ¥${reserved.limitYen}`, {
      limit_yen: Number(reserved.limitYen),
      remaining_yen: Number(remaining),
    });
  }
  let committing = false;
  const undo = async () => {
    if (reservation && reserved) await ctx.store.releaseSpend(reservation);
    await ctx.store.releaseKey(scope.principal, scope.key);
  };
  let result: Outcome<FlowResponse>;
  try {
    result = await flow({ attempts: claim.attempts, committing: () => void (committing = true), wallet: claim.wallet });
  } catch (error) {
    if (!committing) await undo().catch(() => {});
    throw error;
  }
  if (!result.ok) {
    await undo();
    return result;
  }
  if (!result.value.keyCompleted) {
    await ctx.store.completeKey({ principal: scope.principal, key: scope.key, responseStatus: result.value.status, responseBody: result.value.body });
  }
  return ok({ status: result.value.status, body: result.value.body, replayed: false });
}

function reused() {
  return refuse("idempotency_key_reused", "this Idempotency-Key was used with a different request; use a new key for a new request");
}
