// The tap record: what a terminal writes durably before it shows the green screen, sends to the server, and
// exports as a last resort. Its `tapId` is the settlement key, chosen by the terminal before sending, so every
// retry of the same tap is the same request (TigerBeetle habit).
//
// Phones: tapId = "p:{allowanceId}:{counter}". The rider signed (allowance, counter, time); the server settles
// each (allowance, counter) once, whichever terminal sends it and however often.
//
// Cards (no device key, nothing signed per ride): the terminal itself is the witness. It stamps the tap with its
// own clock (`time`) and its own sequence number (`localSeq`, never reused by one terminal: the store keeps the
// next value in the same transaction as the tap), and the server settles each (allowance, terminal, localSeq)
// once: tapId = "c:{allowanceId}:{terminalId}:{localSeq}", and `counter` = `localSeq`. A card's text never
// changes, so a copy cannot be told from the original at the door. Hence: a card's limits are small and count
// per service day (a copy can take at most that much per terminal and day), the server deny-lists a card used
// more often in a day than its certificate allows across all terminals, and a lost card goes on the deny list
// (the Suica negative-list model, DESIGN §8). A wiped or replaced terminal enrols under a new terminal id.
import type { FareClass } from "../certificate/certificate";
import type { TransferReceipt } from "../fares/fares";

export interface TapRecord {
  tapId: string;
  kind: "phone" | "card";
  /** The ride code as scanned (canonical text): the server verifies it again. */
  rideCode: string;
  allowanceId: string;
  /** Phone: the rider's counter. Card: `localSeq`. */
  counter: number;
  /** Unix seconds. Phone: the signed tap time. Card: the terminal's clock. */
  time: number;
  /** Unix seconds on the terminal's clock. */
  scannedAt: number;
  terminalId: string;
  /** The terminal's own sequence number; every accepted tap has one, strictly increasing. */
  localSeq: number;
  operatorId: string;
  fareClass: FareClass;
  fareYen: number;
  transferFrom: TransferReceipt | null;
}

export const TERMINAL_ID_PATTERN = /^[A-Za-z0-9_-]{1,16}$/;

/** Service days start at 03:00 JST, as railway days do, so a late last bus counts with its evening. */
export const SERVICE_DAY_OFFSET_SECONDS = (9 - 3) * 3600;

export function serviceDay(unixSeconds: number): number {
  return Math.floor((unixSeconds + SERVICE_DAY_OFFSET_SECONDS) / 86_400);
}

export function phoneTapId(allowanceId: string, counter: number): string {
  return `p:${allowanceId}:${counter}`;
}

export function cardTapId(allowanceId: string, terminalId: string, localSeq: number): string {
  return `c:${allowanceId}:${terminalId}:${localSeq}`;
}

/**
 * The key a terminal counts an allowance's yen and taps under: the whole allowance for a phone (≤ 72 h), one
 * service day for a card (its certificate lives for months; see above).
 */
export function limitKey(allowanceId: string, card: boolean, unixSeconds: number): string {
  return card ? `${allowanceId}@${serviceDay(unixSeconds)}` : allowanceId;
}
