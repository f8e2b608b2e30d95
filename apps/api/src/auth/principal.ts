// Who is calling. Routes only see a Principal and its roles; how it was proven (the service token today, JWTs
// from the identity issue later) is an `Authenticate` function handed to createApp, so routes never change.
import { sha256 } from "@noble/hashes/sha2.js";
import { utf8ToBytes } from "@noble/hashes/utils.js";

export const roles = [
  "resident",
  "proxy",
  "merchant_owner",
  "merchant_staff",
  "terminal",
  "admin_operator",
  "admin_approver",
  "admin_auditor",
  "service",
] as const;
export type Role = (typeof roles)[number];

export interface Principal {
  /** Stable id of the caller (a user id, a terminal id, or "service"). */
  subject: string;
  roles: readonly Role[];
}

/**
 * Decides who sent a request: a Principal, or null when the credentials are missing or wrong (→ 401). It must
 * not throw for bad credentials; a thrown error is a 500. It must never log the Authorization header.
 */
export type Authenticate = (request: Request) => Promise<Principal | null> | Principal | null;

/** Longest Authorization header read; longer ones are refused before any work (a bound on everything). */
const authorizationLengthMax = 8192;

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(request: Request): string | null {
  const header = request.headers.get("authorization");
  if (header === null || header.length > authorizationLengthMax) return null;
  const match = /^Bearer[ ]+([^\s]+)[ ]*$/i.exec(header);
  return match?.[1] ?? null;
}

/**
 * Equality whose time does not depend on where the strings differ: both sides are hashed first, so lengths leak
 * nothing either, and the digests are compared without an early exit.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = sha256(utf8ToBytes(a));
  const y = sha256(utf8ToBytes(b));
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i]! ^ y[i]!;
  return diff === 0;
}

export const servicePrincipal: Principal = Object.freeze({ subject: "service", roles: Object.freeze(["service"] as Role[]) });

/** `Authorization: Bearer <service token>` → the `service` role. A null token disables it. */
export function serviceTokenAuthenticator(serviceToken: string | null): Authenticate {
  return (request) => {
    if (serviceToken === null) return null;
    const token = bearerToken(request);
    return token !== null && constantTimeEqual(token, serviceToken) ? servicePrincipal : null;
  };
}

/** Tries each authenticator in turn; the first Principal wins (e.g. JWTs first, then the service token). */
export function anyOf(...authenticators: Authenticate[]): Authenticate {
  return async (request) => {
    for (const authenticate of authenticators) {
      const principal = await authenticate(request);
      if (principal) return principal;
    }
    return null;
  };
}

/** A fresh random service token (URL-safe base64 of 32 random bytes), for the Node entry's demo credential. */
export function generateServiceToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return `tsk_${btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}`;
}
