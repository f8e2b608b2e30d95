// Access tokens on the wire: `Authorization: Bearer <JWT>`. Verification is @tsubaki/auth's (EdDSA only, kid among
// our keys, typ at+jwt, iss/aud/exp); this file only finds the token, picks the keys and turns the result into an
// AuthOutcome. A bearer credential that is not JWT-shaped is not ours (it may be the service token): null.
import { decodeProtectedHeader } from "jose";
import { verifyAccessToken, type TokenAudience } from "@tsubaki/auth";
import type { KeyProvider } from "./keys";
import { bearerToken, type Authenticate } from "./principal";

const jwtShape = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;

/** The kid a token names, if its header is readable at all. */
function kidOf(token: string): string | null {
  try {
    const { kid } = decodeProtectedHeader(token);
    return typeof kid === "string" ? kid : null;
  } catch {
    return null;
  }
}

export function jwtAuthenticator(keys: KeyProvider, audience: TokenAudience, now: () => Date = () => new Date()): Authenticate {
  return async (request) => {
    const token = bearerToken(request);
    if (token === null || !jwtShape.test(token)) return null;
    const at = now();
    let store = await keys.get();
    const kid = kidOf(token);
    if (kid !== null && !store.verifying(at).some((k) => k.kid === kid)) {
      // Another instance may have rotated since we loaded: look once (rate-limited), then decide.
      store = (await keys.reloadForUnknownKid()) ?? store;
    }
    const result = await verifyAccessToken(token, store, { ...audience, now: at });
    return result.ok ? result.principal : { failure: result.code, detail: result.detail };
  };
}
