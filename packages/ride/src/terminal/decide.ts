// The fare terminal's decision at the door, offline and pure: given the scanned text, the clock, the issuer's
// public keys, the deny list and what this terminal has already accepted, say green (with the record to store
// first), "already paid", or red with the reason. Checks run in `doorCodePrecedence` order (codes.ts).
//
// The caller's duty on green: `await store.put(record)` (strict durability), then `rememberTap(seen, record)`,
// then show the green screen. On anything else nothing is stored and nobody is charged.
import { assert } from "../assert";
import { isUint, UINT32_MAX } from "../codec/bytes";
import { verifyCertificate, type Certificate } from "../certificate/certificate";
import { checkFareTable, fareFor, type FareQuote, type FareTable, type TransferReceipt } from "../fares/fares";
import { encodeRideCode, parseRideCode, type RideCode } from "../ride-code/ride-code";
import { verifyTap } from "../tap/tap";
import type { DoorCode, DoorRefusalCode } from "./codes";
import { DOOR_MESSAGES } from "./messages";
import { cardTapId, limitKey, phoneTapId, TERMINAL_ID_PATTERN, type TapRecord } from "./record";
import type { SeenState } from "./seen";

export interface TerminalConfig {
  /** A phone's tap time may differ from the terminal's clock by at most this (the code renews every 30 s). */
  freshnessSeconds: number;
  /** A deny list older than this no longer vouches for an allowance: the stale limits below apply. */
  denyListMaxAgeHours: number;
  staleMaxTotalYen: number;
  staleMaxTaps: number;
  /**
   * The same allowance accepted here this recently is a double scan, whatever its counter (a phone may renew
   * its code between two reads). At least 2 × freshnessSeconds, so one code can never be charged twice here.
   */
  doubleScanWindowSeconds: number;
}

export const defaultTerminalConfig: Readonly<TerminalConfig> = {
  freshnessSeconds: 90,
  denyListMaxAgeHours: 24,
  staleMaxTotalYen: 300,
  staleMaxTaps: 3,
  doubleScanWindowSeconds: 180,
};

export const FRESHNESS_SECONDS_MAX = 600;
export const DOUBLE_SCAN_WINDOW_SECONDS_MAX = 1800;

export interface DenyList {
  entries: ReadonlySet<string>;
  /** Unix seconds when the terminal last received the list. */
  updatedAt: number;
}

export interface TerminalIdentity {
  terminalId: string;
  /** The localSeq the next accepted tap gets (from the tap store). */
  nextLocalSeq: number;
}

export interface TapInput {
  /** The scanned text. */
  code: string;
  /** Unix seconds on the terminal's clock. */
  now: number;
  issuerKeys: ReadonlyMap<number, Uint8Array>;
  denyList: DenyList;
  seen: SeenState;
  fareTable: FareTable;
  terminal: TerminalIdentity;
  config?: Partial<TerminalConfig>;
  /** A receipt from another terminal, already verified by the caller. */
  transferFromReceipt?: TransferReceipt;
}

export type TapDecision =
  | {
      ok: true;
      screen: "paid";
      fareYen: number;
      /** What this terminal will still accept for the allowance (its limit window) after this tap. */
      remainingYen: number;
      remainingTaps: number;
      transfer: FareQuote["transfer"];
      /** True when the stale-deny-list limits were the binding ones. */
      staleLimits: boolean;
      cert: Certificate;
      record: TapRecord;
    }
  | { ok: false; screen: "already_paid"; code: "already_paid"; reasonJa: string; reasonEn: string; paidAt: number; fareYen: number }
  | { ok: false; screen: "refused"; code: DoorRefusalCode; reasonJa: string; reasonEn: string; detail: string };

type Refusal = Extract<TapDecision, { screen: "refused" }>;

function refuse(code: DoorRefusalCode, detail: string): Refusal {
  const m = DOOR_MESSAGES[code];
  return { ok: false, screen: "refused", code, reasonJa: m.ja, reasonEn: m.en, detail };
}

function messages(code: DoorCode): { reasonJa: string; reasonEn: string } {
  return { reasonJa: DOOR_MESSAGES[code].ja, reasonEn: DOOR_MESSAGES[code].en };
}

function checkSetup(input: TapInput, config: TerminalConfig): void {
  assert(TERMINAL_ID_PATTERN.test(input.terminal.terminalId), `terminal id ${input.terminal.terminalId}`);
  assert(isUint(input.terminal.nextLocalSeq, UINT32_MAX), "nextLocalSeq is a u32");
  assert(isUint(input.now, UINT32_MAX), "now is unix seconds (u32)");
  assert(checkFareTable(input.fareTable).ok, "the fare table is valid");
  assert(isUint(config.freshnessSeconds, FRESHNESS_SECONDS_MAX), "freshnessSeconds in range");
  assert(
    isUint(config.doubleScanWindowSeconds, DOUBLE_SCAN_WINDOW_SECONDS_MAX) && config.doubleScanWindowSeconds >= 2 * config.freshnessSeconds,
    "doubleScanWindowSeconds ≥ 2 × freshnessSeconds",
  );
  assert(config.denyListMaxAgeHours > 0 && config.staleMaxTaps >= 0 && config.staleMaxTotalYen >= 0, "stale limits in range");
}

/** Steps 3, 4 and 6 (phone only): the device signed this tap, recently, and this terminal has not seen it. */
function checkPhoneTap(code: Extract<RideCode, { kind: "phone" }>, cert: Certificate, input: TapInput, config: TerminalConfig): Refusal | null {
  if (!verifyTap(cert.allowanceId, code.tap, code.sig, cert.riderPublicKey)) {
    return refuse("tap_bad_signature", "not signed by the certificate's device key");
  }
  if (Math.abs(input.now - code.tap.time) > config.freshnessSeconds) {
    return refuse("tap_stale", `tap time ${code.tap.time} is more than ${config.freshnessSeconds} s from ${input.now}`);
  }
  return null;
}

function checkCounter(code: Extract<RideCode, { kind: "phone" }>, cert: Certificate, seen: SeenState): Refusal | null {
  const last = seen.countersByAllowance.get(cert.allowanceId);
  if (last !== undefined && code.tap.counter <= last) return refuse("tap_replayed", `counter ${code.tap.counter} ≤ ${last} already accepted here`);
  return null;
}

interface Limits {
  fareYen: number;
  transfer: FareQuote["transfer"];
  limitYen: number;
  limitTaps: number;
  totalYen: number;
  taps: number;
}

/** Steps 8 and 9: the fare fits the certificate's limits, and the lower ones when the deny list is stale. */
function checkLimits(cert: Certificate, input: TapInput, config: TerminalConfig): Refusal | Limits {
  const { now, seen } = input;
  const quote = fareFor(
    cert.fareClass,
    input.fareTable,
    input.transferFromReceipt
      ? { transferFromReceipt: input.transferFromReceipt, now, terminalId: input.terminal.terminalId, allowanceId: cert.allowanceId }
      : {},
  );
  const key = limitKey(cert.allowanceId, cert.card, now);
  const totalYen = (seen.totalsByAllowance.get(key) ?? 0) + quote.fareYen;
  const taps = (seen.tapsByAllowance.get(key) ?? 0) + 1;
  if (taps > cert.maxTaps || totalYen > cert.maxTotalYen) {
    return refuse("allowance_exhausted", `${taps} taps / ¥${totalYen} over ${cert.maxTaps} taps / ¥${cert.maxTotalYen}`);
  }
  const listAgeSeconds = now - input.denyList.updatedAt;
  const stale = listAgeSeconds > config.denyListMaxAgeHours * 3600;
  const limitYen = stale ? Math.min(cert.maxTotalYen, config.staleMaxTotalYen) : cert.maxTotalYen;
  const limitTaps = stale ? Math.min(cert.maxTaps, config.staleMaxTaps) : cert.maxTaps;
  if (taps > limitTaps || totalYen > limitYen) {
    return refuse("offline_limit_reached", `deny list is ${listAgeSeconds} s old: limit ${limitTaps} taps / ¥${limitYen}`);
  }
  return { fareYen: quote.fareYen, transfer: quote.transfer, limitYen, limitTaps, totalYen, taps };
}

function tapRecord(code: RideCode, cert: Certificate, input: TapInput, limits: Limits): TapRecord {
  const { now, terminal } = input;
  const localSeq = terminal.nextLocalSeq;
  const phone = code.kind === "phone" ? code.tap : null;
  return {
    tapId: phone ? phoneTapId(cert.allowanceId, phone.counter) : cardTapId(cert.allowanceId, terminal.terminalId, localSeq),
    kind: code.kind,
    rideCode: encodeRideCode(code),
    allowanceId: cert.allowanceId,
    counter: phone ? phone.counter : localSeq,
    time: phone ? phone.time : now,
    scannedAt: now,
    terminalId: terminal.terminalId,
    localSeq,
    operatorId: input.fareTable.operatorId,
    fareClass: cert.fareClass,
    fareYen: limits.fareYen,
    transferFrom: limits.transfer === "applied" ? (input.transferFromReceipt ?? null) : null,
  };
}

export function decideTap(input: TapInput): TapDecision {
  const config: TerminalConfig = { ...defaultTerminalConfig, ...input.config };
  checkSetup(input, config);
  const { now, seen } = input;

  const code = parseRideCode(input.code);
  if (!code.ok) return refuse(code.code, code.detail);
  const verified = verifyCertificate(code.cert, input.issuerKeys, now);
  if (!verified.ok) return refuse(verified.code, verified.detail);
  const { cert } = verified;
  if (code.kind === "phone") {
    const tapRefusal = checkPhoneTap(code, cert, input, config);
    if (tapRefusal) return tapRefusal;
  }
  const lastPaid = seen.lastPaidByAllowance.get(cert.allowanceId);
  if (lastPaid && Math.abs(now - lastPaid.scannedAt) <= config.doubleScanWindowSeconds) {
    return { ok: false, screen: "already_paid", code: "already_paid", ...messages("already_paid"), paidAt: lastPaid.scannedAt, fareYen: lastPaid.fareYen };
  }
  if (code.kind === "phone") {
    const replay = checkCounter(code, cert, seen);
    if (replay) return replay;
  }
  if (input.denyList.entries.has(cert.allowanceId)) return refuse("allowance_denied", `${cert.allowanceId} is on the deny list`);
  const limits = checkLimits(cert, input, config);
  if ("ok" in limits) return limits;

  return {
    ok: true,
    screen: "paid",
    fareYen: limits.fareYen,
    remainingYen: limits.limitYen - limits.totalYen,
    remainingTaps: limits.limitTaps - limits.taps,
    transfer: limits.transfer,
    staleLimits: limits.limitYen < cert.maxTotalYen || limits.limitTaps < cert.maxTaps,
    cert,
    record: tapRecord(code, cert, input, limits),
  };
}
