// Ids of people and organisations, the owner labels reports group ledger accounts by, and the ledger account ids
// that belong to each owner (DESIGN §3). Ids use only characters the ledger allows in account ids, so an
// account id can embed them.
import { randomBytes } from "./bytes";

const alphabet = "0123456789abcdefghjkmnpqrstvwxyz";
/** 16 characters of base32: 80 random bits. */
export const idRandomChars = 16;

export const idPrefixes = Object.freeze({
  user: "u",
  resident: "r",
  card: "c",
  proxy: "p",
  shop: "s",
  device: "d",
  refreshToken: "rt",
  /** A login session: one refresh-token family (the `sid` of its access tokens). */
  session: "ses",
});
export type IdKind = keyof typeof idPrefixes;

export function newId(kind: IdKind): string {
  let out = "";
  for (const b of randomBytes(idRandomChars)) out += alphabet[b & 31];
  return `${idPrefixes[kind]}_${out}`;
}

/** The `owner` recorded on ledger accounts, so reports group every account of one person or organisation. */
export const ownerOf = Object.freeze({
  resident: (residentId: string) => `resident:${residentId}`,
  shop: (shopId: string) => `shop:${shopId}`,
  user: (userId: string) => `user:${userId}`,
  device: (deviceId: string) => `device:${deviceId}`,
});

/** Ledger account ids per owner (the services create the accounts; these are the names they use). */
export const accountIdOf = Object.freeze({
  residentCoins: (residentId: string) => `res:${residentId}:coins`,
  residentPoints: (residentId: string, lot: string) => `res:${residentId}:pts:${lot}`,
  shop: (shopId: string) => `mer:${shopId}`,
  /** Cash taken at a counter by one clerk (a counter_staff user). */
  cashIn: (userId: string) => `cashin:${userId}`,
});

const tokyoOffsetMs = 9 * 3600 * 1000;

/** The calendar day in Japan (UTC+9, no daylight saving) of an instant, as YYYY-MM-DD: proxy limits reset at midnight JST. */
export function tokyoDay(at: Date): string {
  return new Date(at.getTime() + tokyoOffsetMs).toISOString().slice(0, 10);
}
