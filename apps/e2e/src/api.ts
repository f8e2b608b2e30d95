// Test setup through the API, as the people who do it would: the city (service token) opens and funds a
// campaign and grants points, a counter clerk charges coins, a shop owner fetches the shop's QR.
import { randomUUID } from "node:crypto";
import { serviceToken } from "./server";

export interface Call {
  status: number;
  body: any;
}

export async function call(origin: string, method: string, path: string, options: { token?: string; body?: unknown; key?: boolean } = {}): Promise<Call> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.key) headers["idempotency-key"] = randomUUID();
  const response = await fetch(origin + path, { method, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // HTML (the poster) stays text
  }
  return { status: response.status, body };
}

export async function tokenOf(origin: string, login: string, password: string): Promise<string> {
  const r = await call(origin, "POST", "/v1/auth/login", { body: { login, password } });
  if (r.status !== 200) throw new Error(`login ${login}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.access_token as string;
}

/** A running grant campaign, funded, with `pointsYen` granted to the resident. */
export async function grantPoints(origin: string, residentId: string, pointsYen: number): Promise<string> {
  const id = `e2e-${randomUUID().slice(0, 8)}`;
  const now = Date.now();
  const created = await call(origin, "POST", "/v1/admin/campaigns", {
    token: serviceToken,
    body: {
      id,
      name_ja: "のっティ応援ポイント",
      name_en: "Community bus points",
      kind: "grant",
      cap_per_person_yen: 10_000,
      expiry_days: 20,
      starts_at: new Date(now - 86_400_000).toISOString(),
      ends_at: new Date(now + 30 * 86_400_000).toISOString(),
    },
  });
  if (created.status >= 300) throw new Error(`campaign: ${created.status} ${JSON.stringify(created.body)}`);
  const funded = await call(origin, "POST", `/v1/admin/campaigns/${id}/fund`, { token: serviceToken, key: true, body: { amount: 100_000 } });
  if (funded.status >= 300) throw new Error(`fund: ${funded.status} ${JSON.stringify(funded.body)}`);
  const granted = await call(origin, "POST", `/v1/admin/campaigns/${id}/grants`, { token: serviceToken, key: true, body: { amount: pointsYen, resident_ids: [residentId] } });
  if (granted.status >= 300) throw new Error(`grant: ${granted.status} ${JSON.stringify(granted.body)}`);
  return id;
}

export async function chargeCoins(origin: string, clerkToken: string, residentId: string, amountYen: number): Promise<void> {
  const r = await call(origin, "POST", "/v1/counter/charges", { token: clerkToken, key: true, body: { resident_id: residentId, amount_yen: amountYen } });
  if (r.status !== 201) throw new Error(`charge: ${r.status} ${JSON.stringify(r.body)}`);
}
