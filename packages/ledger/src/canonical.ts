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

type HexHash = (text: string) => string;

/**
 * The runtime's own SHA-256 when it has one (Node, and Workers with nodejs_compat), reached through
 * process.getBuiltinModule so this package imports nothing from Node; else @noble/hashes. Both give the same hex
 * (a test checks). Hashing is on the write path of every transfer, and the native one costs several times less.
 */
const nativeSha256: HexHash | null = (() => {
  const runtime = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const crypto = runtime?.getBuiltinModule?.("node:crypto") as { createHash?: (algorithm: string) => { update(text: string, encoding: "utf8"): { digest(encoding: "hex"): string } } } | undefined;
  const createHash = crypto?.createHash;
  return createHash ? (text) => createHash("sha256").update(text, "utf8").digest("hex") : null;
})();

/** @noble/hashes' SHA-256, the portable one (exported for the test that compares the two). */
export function portableSha256Hex(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}

export const sha256Hex: HexHash = nativeSha256 ?? portableSha256Hex;

/** Whether sha256Hex is the runtime's native implementation. */
export const sha256IsNative = nativeSha256 !== null;

// Fields are joined with separators that cannot occur inside them: ids, codes and account ids are limited to
// [A-Za-z0-9_:.~-] by validation, amounts are decimal, timestamps ISO. Free-form metadata goes through
// canonicalJson last on its line. These hand-written forms are several times faster than canonicalJson over the
// whole object, and hashing sits on the write path of every transfer.
const legsText = (legs: readonly { from: string; to: string; amount: bigint }[]) =>
  legs.map((l) => `${l.from}>${l.to}=${l.amount}`).join(",");
const optional = (v: string | null | undefined) => (v === null || v === undefined ? "" : v);
const metadataText = (m: Record<string, unknown> | null | undefined) => (m === null || m === undefined ? "" : canonicalJson(m));

let lastIsoMs = Number.NaN;
let lastIso = "";
/**
 * A time as ISO text, remembering the last one: every transfer and entry of a batch carries the batch's one time,
 * and toISOString was most of a batch digest's cost (0.55 µs each, 105 of them for 15 payments). An invalid date
 * still throws (NaN never equals the remembered time).
 */
function isoOf(date: Date): string {
  const ms = date.getTime();
  if (ms !== lastIsoMs) {
    lastIso = date.toISOString();
    lastIsoMs = ms;
  }
  return lastIso;
}

/** The hash that identifies a request's body, for idempotent replays (same id + same hash = same request). */
export function requestHash(r: TransferRequest): string {
  let text: string;
  switch (r.op) {
    case "transfer":
      text = `transfer|${r.id}|${legsText(r.legs)}|${r.pending ? r.pending.timeoutSeconds : ""}|${optional(r.code)}|${metadataText(r.metadata)}`;
      break;
    case "reversal":
      text = `reversal|${r.id}|${r.reversalOf}|${optional(r.code)}|${metadataText(r.metadata)}`;
      break;
    case "capture":
      text = `capture|${r.id}|${r.holdId}|${r.amount}|${metadataText(r.metadata)}`;
      break;
    case "void":
      text = `void|${r.id}|${r.holdId}|${metadataText(r.metadata)}`;
      break;
    case "expire":
      text = `expire|${r.id}|${r.holdId}`;
      break;
  }
  return sha256Hex(text);
}

/** One transfer as it enters the digest of its batch. */
export function transferDigestText(t: Transfer): string {
  return [
    t.id,
    t.op,
    t.status,
    legsText(t.legs),
    optional(t.code),
    optional(t.holdId),
    optional(t.reversalOf),
    t.timeoutAt ? t.timeoutAt.toISOString() : "",
    t.requestHash,
    isoOf(t.timestamp),
    metadataText(t.metadata),
  ].join("|");
}

/** One entry as it enters the digest of its batch. */
export function entryDigestText(e: Entry): string {
  return `${e.accountId}|${e.seq}|${e.transferId}|${e.side}|${e.phase}|${e.amount}|${e.balanceAfter}|${e.debitsPendingAfter}|${e.creditsPendingAfter}|${isoOf(e.timestamp)}`;
}

/** The genesis value of the hash chain. */
export const chainGenesis = "0".repeat(64);

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The digest of one group commit: its transfers in id order and entries in (account, seq) order, so the digest
 * does not depend on the order rows come back from the database.
 */
export function batchDigest(transfers: readonly Transfer[], entries: readonly Entry[]): string {
  const ts = [...transfers].sort((a, b) => byString(a.id, b.id)).map(transferDigestText);
  const es = [...entries].sort((a, b) => byString(a.accountId, b.accountId) || a.seq - b.seq).map(entryDigestText);
  return sha256Hex(`${ts.join("\n")}\n\n${es.join("\n")}`);
}

/**
 * One link of the journal's hash chain: seal n = sha256(seal n−1 ‖ "\n" ‖ n ‖ "\n" ‖ digest of its batch).
 * The store computes the same formula inside PostgreSQL (sha256()) while it holds the chain head, so the lock
 * is held for one short statement; the audit recomputes it here.
 */
export function chainHash(prevHash: string, sealSeq: number, digest: string): string {
  return sha256Hex(`${prevHash}\n${sealSeq}\n${digest}`);
}
