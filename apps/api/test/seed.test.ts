// The demo town as someone trying Tsubaki meets it: every printed login works and carries the role it says, every
// person and shop has its ledger accounts, the terminal can be paired with the printed code, and seeding again
// changes nothing. The Node entry seeds only when asked (or into its own new embedded database) and prints the
// table; tests never get the demo town unless they ask for it.
import { createServer } from "node:net";
import { accountIdOf } from "@tsubaki/auth";
import { createTestDatabase, dropTestDatabase } from "@tsubaki/testkit/pg";
import { testDatabaseUrl } from "@tsubaki/testkit/pg-global-setup";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { loadConfig } from "../src/env";
import { startNode } from "../src/node";
import { demoPassword, formatDemoTown, seedDemoTown, type DemoTown } from "../src/seed";
import { cityAccounts } from "../src/services/accounts";
import { backends, call, openHarness, serviceToken, type Harness } from "./harness";
import { tokensOf } from "./identity-kit";

describe.each(backends)("the demo town on %s", (backend) => {
  let h: Harness;
  let town: DemoTown;
  const steps: string[] = [];
  beforeAll(async () => {
    h = await openHarness(backend);
    town = await seedDemoTown({ identity: h.identity, ledger: h.ledger }, { steps: [async (t) => void steps.push(t.residents.hanako)] });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("prints a login for every role, each of which works and carries that role", async () => {
    const roles = town.logins.filter((l) => l.role !== "card").map((l) => l.role);
    expect(roles.sort()).toEqual(
      ["admin_approver", "admin_auditor", "admin_operator", "counter_staff", "merchant_owner", "merchant_owner", "merchant_owner", "merchant_staff", "proxy", "resident", "resident"].sort(),
    );
    for (const l of town.logins.filter((x) => x.role !== "card")) {
      expect(l.password).toBe(demoPassword);
      const tokens = await tokensOf(h.app, l.login, l.password);
      const me = (await call(h.app, "GET", "/v1/me", { token: tokens.access_token })).body;
      expect(me.roles, l.login).toContain(l.role);
    }
    const text = formatDemoTown(town);
    for (const word of ["ログインID Login", "パスワード", "DEMO ONLY", demoPassword, town.device.pairingCode!]) expect(text).toContain(word);
  });

  it("has three residents as described: verified with a card, unverified, and an elderly card-only resident with her son as proxy", async () => {
    const [hanako, taro, ume] = await Promise.all([town.residents.hanako, town.residents.taro, town.residents.ume].map((id) => h.identity.getResident(id)));
    expect(hanako).toMatchObject({ verified: true, userId: town.users.hanako });
    expect(taro).toMatchObject({ verified: false, userId: town.users.taro });
    expect(ume).toMatchObject({ verified: true, userId: null, name: "押野 ウメ" });
    for (const key of ["hanako", "ume"] as const) {
      const checked = await h.identity.checkCardPin({ number: town.cards[key].number, pin: town.cards[key].pin }, { actor: "test", actorRoles: [] });
      expect(checked).toMatchObject({ ok: true, residentId: town.residents[key] });
    }
    const kenichi = await tokensOf(h.app, "kenichi", demoPassword);
    const seen = await call(h.app, "GET", `/v1/residents/${town.residents.ume}`, { token: kenichi.access_token });
    expect(seen.body).toMatchObject({ name: "押野 ウメ", acting_as: "proxy" });
    expect((await call(h.app, "GET", `/v1/residents/${town.residents.ume}/proxy-allowance`, { token: kenichi.access_token })).body).toMatchObject({ daily_limit_yen: 3000 });
  });

  it("has three shops (two small, one large) with their people, and every ledger account", async () => {
    const shops = await Promise.all(Object.values(town.shops).map((id) => h.identity.getShop(id)));
    expect(shops.map((s) => [s!.nameJa, s!.tier, s!.status])).toEqual([
      ["和菓子 椿屋", "small", "active"],
      ["八百屋 本町青果", "small", "active"],
      ["スーパーののいち", "large", "active"],
    ]);
    expect((await h.identity.listShopStaff(town.shops.supermarket)).map((m) => [m.userId, m.role]).sort()).toEqual(
      [
        [town.users.superOwner, "owner"],
        [town.users.superStaff, "staff"],
      ].sort(),
    );
    const ids = [
      ...Object.values(town.residents).map((r) => accountIdOf.residentCoins(r)),
      ...Object.values(town.shops).map((s) => accountIdOf.shop(s)),
      accountIdOf.cashIn(town.users.counter),
      ...cityAccounts.map((a) => a.id),
    ];
    for (const id of ids) expect(await h.ledger.getAccount(id), id).not.toBeNull();
    expect(await h.ledger.getAccount(accountIdOf.residentCoins(town.residents.ume))).toMatchObject({ flags: { debitsMustNotExceedCredits: true } });
    expect(await h.ledger.getAccount("mer:bus")).toMatchObject({ flags: { debitsMustNotExceedCredits: true } });
    expect(steps).toEqual([town.residents.hanako]);
  });

  it("changes nothing when seeded again, and the printed pairing code pairs the bus terminal", async () => {
    const before = await h.identity.queryAudit({ limit: 1 });
    const again = await seedDemoTown({ identity: h.identity, ledger: h.ledger });
    const after = await h.identity.queryAudit({ limit: 1 });
    expect(after.entries[0]!.seq).toBe(before.entries[0]!.seq);
    expect({ ...again, device: { ...again.device, pairingCode: null, pairingExpiresAt: null } }).toEqual({ ...town, device: { ...town.device, pairingCode: null, pairingExpiresAt: null } });
    expect(town.device).toMatchObject({ status: "pending", name: "のっティ 1号車 運賃端末" });
    const { generateDeviceKeyPair } = await import("@tsubaki/auth");
    const paired = await call(h.app, "POST", "/v1/devices/pair", { token: null, body: { pairing_code: town.device.pairingCode, public_key: generateDeviceKeyPair().publicKey } });
    expect(paired.status, paired.text).toBe(200);
  });
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

describe("the Node entry", () => {
  let url: string;
  beforeAll(async () => {
    url = await createTestDatabase(testDatabaseUrl(), "seed");
  });
  afterAll(async () => {
    if (url) await dropTestDatabase(url);
  });

  it("does not seed unless asked; with TSUBAKI_SEED=demo it seeds, prints the logins and serves them", async () => {
    const base = { DATABASE_URL: url, TSUBAKI_SERVICE_TOKEN: serviceToken, TSUBAKI_LOG_LEVEL: "silent" };
    const plain = await startNode(loadConfig({ ...base, PORT: String(await freePort()) }));
    expect(plain.demo).toBeNull();
    expect(await plain.identity.findUserByLogin("admin-ops")).toBeNull();
    await plain.close();

    const printed: string[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void printed.push(args.map(String).join(" ")));
    const port = await freePort();
    const running = await startNode(loadConfig({ ...base, PORT: String(port), TSUBAKI_SEED: "demo" })).finally(() => spy.mockRestore());
    try {
      expect(running.demo).not.toBeNull();
      const table = printed.join("\n");
      expect(table).toContain("admin-ops");
      expect(table).toContain("デモ専用 DEMO ONLY");
      const response = await fetch(`http://127.0.0.1:${port}/v1/auth/login`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ login: "hanako", password: demoPassword }),
      });
      expect(response.status).toBe(200);
      expect(Object.keys((await response.json()) as object)).toEqual(["access_token", "refresh_token", "token_type", "expires_in"]);
    } finally {
      await running.close();
    }
  });
});
