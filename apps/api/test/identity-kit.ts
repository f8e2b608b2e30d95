// Shared helpers for the identity tests: people made through the identity store (fast scrypt), logins through the
// API as a client makes them, terminals that sign their requests, and a settable clock.
import { generateDeviceKeyPair, signDeviceRequest, type Role } from "@tsubaki/auth";
import type { AuditActor, IdentityStore, UserKind } from "@tsubaki/db";
import { expect } from "vitest";
import type { TsubakiApp } from "../src/app";
import { call, uid, type CallResult } from "./harness";

export const password = "correct horse battery staple";
export const admin: AuditActor = { actor: "test-admin", actorRoles: ["admin_operator"], requestId: "test-setup" };

export class Clock {
  constructor(public current = new Date()) {}
  now = (): Date => this.current;
  advance(seconds: number): Date {
    this.current = new Date(this.current.getTime() + seconds * 1000);
    return this.current;
  }
}

export async function makeUser(identity: IdentityStore, options: { login?: string; roles?: Role[]; kind?: UserKind; name?: string } = {}): Promise<{ id: string; login: string }> {
  const login = options.login ?? uid("user").toLowerCase();
  const created = await identity.createUser({ login, password, displayName: options.name ?? login, kind: options.kind ?? "city", roles: options.roles ?? [] }, admin);
  if (!created.ok) throw new Error(`makeUser: ${created.code} ${created.detail}`);
  return { id: created.user.id, login };
}

export async function makeResident(identity: IdentityStore, userId: string | null, birthDate = "1980-01-02"): Promise<string> {
  const created = await identity.createResident({ name: "試験 住民", nameKana: "シケン ジュウミン", birthDate, district: "本町", userId }, admin);
  if (!created.ok) throw new Error(`makeResident: ${created.code}`);
  return created.resident.id;
}

let shopCounter = 0;
export async function makeShop(identity: IdentityStore): Promise<string> {
  shopCounter += 1;
  const created = await identity.createShop(
    { code: uid(`shop${shopCounter}`), nameJa: "試験商店", nameLatin: "Test Shop", category: "test", tier: "small", mcc: "5499", feeRateBasisPoints: 100, bank: null, status: "active" },
    admin,
  );
  if (!created.ok) throw new Error(`makeShop: ${created.code}`);
  return created.shop.id;
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
}

export async function login(app: TsubakiApp, loginName: string, secret = password, headers: Record<string, string> = {}): Promise<CallResult> {
  return call(app, "POST", "/v1/auth/login", { token: null, body: { login: loginName, password: secret }, headers });
}

export async function tokensOf(app: TsubakiApp, loginName: string, secret = password): Promise<Tokens> {
  const r = await login(app, loginName, secret);
  expect(r.status, r.text).toBe(200);
  return r.body as Tokens;
}

/** A paired terminal: its id and the secret key it signs with. */
export interface Terminal {
  id: string;
  secretKey: string;
}

export async function pairTerminal(app: TsubakiApp, identity: IdentityStore, name = "試験端末"): Promise<Terminal> {
  const created = await identity.createDevice({ name, operator: "test" }, admin);
  if (!created.ok) throw new Error(`pairTerminal: ${created.code}`);
  const keys = generateDeviceKeyPair();
  const paired = await call(app, "POST", "/v1/devices/pair", { token: null, body: { pairing_code: created.pairingCode, public_key: keys.publicKey } });
  expect(paired.status, paired.text).toBe(200);
  return { id: created.device.id, secretKey: keys.secretKey };
}

/** A request as a terminal sends it: signed over method, path and query, time, a fresh nonce and the body. */
export async function terminalCall(app: TsubakiApp, terminal: Terminal, method: string, path: string, body?: unknown, now = new Date()): Promise<CallResult> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const headers = signDeviceRequest({ deviceId: terminal.id, secretKey: terminal.secretKey, method, pathAndQuery: path, body: text ?? null, now });
  return call(app, method, path, { token: null, headers, ...(text === undefined ? {} : { rawBody: text }) });
}
