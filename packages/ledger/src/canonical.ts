// Canonical serialisation and hashing: the same logical value always hashes the same, whether it was just built
// in memory or read back from PostgreSQL (jsonb reorders keys, bigints come back as strings).
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import type { Entry, Transfer, TransferRequest } from "./types";

/** JSON with sorted object keys and bigints as decimal strings. */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "bigint") return JSON.stringify(value.toString());
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object") {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function sha256Hex(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}

/** The hash that identifies a request's body, for idempotent replays (same id + same hash = same request). */
export function requestHash(request: TransferRequest): string {
  return sha256Hex(canonicalJson(request));
}

/** The digest of one transfer as journaled. */
export function transferDigestInput(t: Transfer): unknown {
  return [t.id, t.op, t.status, t.legs, t.code, t.metadata, t.holdId, t.reversalOf, t.timeoutAt, t.requestHash, t.timestamp];
}

export function entryDigestInput(e: Entry): unknown {
  return [e.accountId, e.seq, e.transferId, e.side, e.phase, e.amount, e.balanceAfter, e.debitsPendingAfter, e.creditsPendingAfter, e.timestamp];
}

/** The genesis value of the hash chain. */
export const chainGenesis = "0".repeat(64);

/**
 * The digest of one group commit: its transfers in id order and entries in (account, seq) order, so the digest
 * does not depend on the order rows come back from the database.
 */
export function batchDigest(transfers: readonly Transfer[], entries: readonly Entry[]): string {
  const ts = [...transfers].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map(transferDigestInput);
  const es = [...entries]
    .sort((a, b) => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : a.seq - b.seq))
    .map(entryDigestInput);
  return sha256Hex(`${canonicalJson(ts)}\n${canonicalJson(es)}`);
}

/**
 * One link of the journal's hash chain: seal n = sha256(seal n−1 ‖ "\n" ‖ n ‖ "\n" ‖ digest of its batch).
 * The store computes the same formula inside PostgreSQL (sha256()) while it holds the chain head, so the lock
 * is held for one short statement; the audit recomputes it here.
 */
export function chainHash(prevHash: string, sealSeq: number, digest: string): string {
  return sha256Hex(`${prevHash}\n${sealSeq}\n${digest}`);
}
