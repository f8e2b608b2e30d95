// Login names and client addresses as the keys of guessing limits. A login is compared NFKC-lower-cased, so
// "Hanako" typed with a full-width keyboard is the same login. IPv6 clients are counted per /64, the block one
// subscriber usually holds, so rotating through one's own addresses does not reset the count.
import { sha256Hex } from "./bytes";

export const loginLengthMin = 3;
export const loginLengthMax = 128;
const loginPattern = /^[a-z0-9._@+-]+$/;

/** The canonical form of a login, or null when it cannot be one (then no account can match it). */
export function normalizeLogin(input: string): string | null {
  if (typeof input !== "string" || input.length > loginLengthMax * 2) return null;
  const login = input.normalize("NFKC").trim().toLowerCase();
  return login.length >= loginLengthMin && login.length <= loginLengthMax && loginPattern.test(login) ? login : null;
}

/**
 * The throttle key of a login attempt, also for logins that do not exist, so both behave the same. Input that
 * cannot be a login is keyed by its hash: it may be anything (a password typed in the wrong field, control bytes).
 */
export function loginThrottleKey(input: string): string {
  const login = normalizeLogin(input);
  return login !== null ? `login:${login}` : `login#${sha256Hex(String(input).slice(0, 1024)).slice(0, 32)}`;
}

function expandIpv6(address: string): string[] | null {
  const [head = "", tail, extra] = address.split("::");
  if (extra !== undefined) return null;
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return null;
  const groups = [...left, ...Array<string>(tail === undefined ? 0 : missing).fill("0"), ...right];
  return groups.every((g) => /^[0-9a-f]{1,4}$/.test(g)) ? groups.map((g) => g.padStart(4, "0")) : null;
}

/** The throttle key of a client address: IPv4 as is, IPv6 by its /64 prefix; null for anything else. */
export function addressThrottleKey(address: string | null | undefined): string | null {
  if (typeof address !== "string" || address.length > 64) return null;
  const ip = address.trim().toLowerCase().replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(ip);
  const v4 = mapped ? mapped[1]! : ip;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(v4) && v4.split(".").every((o) => Number(o) <= 255)) return `address:${v4}`;
  const groups = expandIpv6(ip);
  return groups ? `address:${groups.slice(0, 4).join(":")}::/64` : null;
}
