// Fare terminals prove themselves by signing each request (@tsubaki/auth device.ts: device id, method, path and
// query, timestamp, nonce, sha256 of the body). Only requests carrying X-Tsubaki-Device are read this way; the
// body is hashed from a clone so the route can still read it.
import { deviceHeaders } from "@tsubaki/auth";
import type { IdentityStore } from "@tsubaki/db";
import type { Authenticate } from "./principal";

export function deviceAuthenticator(identity: Pick<IdentityStore, "authenticateDeviceRequest">): Authenticate {
  return async (request) => {
    if (!request.headers.has(deviceHeaders.id)) return null;
    const body = new Uint8Array(await request.clone().arrayBuffer());
    const url = new URL(request.url);
    const result = await identity.authenticateDeviceRequest({ method: request.method, pathAndQuery: url.pathname + url.search, body, headers: request.headers });
    return result.ok ? result.principal : { failure: result.code, detail: result.detail };
  };
}
