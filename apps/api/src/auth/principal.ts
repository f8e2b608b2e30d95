// Who is calling. Routes only see a Principal and its roles; how it was proven (an access token, a terminal's
// signature, the service token) is an `Authenticate` function handed to createApp, so routes never change. The
// roles and the Principal are @tsubaki/auth's (DESIGN §6's roles plus `counter_staff`).
import { sha256 } from "@noble/hashes/sha2.js";
import { utf8ToBytes } from "@noble/hashes/utils.js";
import { roles, servicePrincipal, type Principal, type Role } from "@tsubaki/auth";

export { roles, servicePrincipal, type Principal, type Role };

/** Why a credential that was recognised was refused (→ 401 with this code). */
export type AuthFailureCode =
  | "token_invalid"
  | "token_expired"
  | "device_signature_missing"
  | "device_signature_invalid"
  | "device_clock_skew"
  | "device_unknown"
  | "device_replay";

export interface AuthFailure {
  failure: AuthFailureCode;
  detail: string;
}

/**
 * A Principal; an AuthFailure when the request carries a credential of this authenticator's kind that is wrong
 * (an expired JWT, a bad terminal signature); null when it carries none of its kind (→ the next authenticator,
 * and 401 unauthorized when none knows the request).
 */
export type AuthOutcome = Principal | AuthFailure | null;

/**
 * Decides who sent a request. It must not throw for bad credentials; a thrown error is a 500. It must never log
 * the Authorization header or any credential.
 */
export type Authenticate = (request: Request) => Promise<AuthOutcome> | AuthOutcome;

export function isAuthFailure(outcome: AuthOutcome): outcome is AuthFailure {
  return outcome !== null && "failure" in outcome;
}

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

/** `Authorization: Bearer <service token>` → the `service` role. A null token disables it. */
export function serviceTokenAuthenticator(serviceToken: string | null): Authenticate {
  return (request) => {
    if (serviceToken === null) return null;
    const token = bearerToken(request);
    return token !== null && constantTimeEqual(token, serviceToken) ? servicePrincipal : null;
  };
}

/**
 * Tries each authenticator in turn: the first Principal wins (e.g. JWTs, then terminal signatures, then the
 * service token); when none succeeds, the first failure is the answer (so an expired token says token_expired).
 */
export function anyOf(...authenticators: Authenticate[]): Authenticate {
  return async (request) => {
    let firstFailure: AuthFailure | null = null;
    for (const authenticate of authenticators) {
      const outcome = await authenticate(request);
      if (outcome === null) continue;
      if (!isAuthFailure(outcome)) return outcome;
      firstFailure ??= outcome;
    }
    return firstFailure;
  };
}

/** A fresh random service token (URL-safe base64 of 32 random bytes), for the Node entry's demo credential. */
export function generateServiceToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return `tsk_${btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}`;
}
