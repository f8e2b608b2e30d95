// Terminals (pairing and signed requests), residents' cards (PIN lock), proxies (limits and revocation) and shops
// (staff and bank details) — on both backends.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decideAccess, generateDeviceKeyPair, isValidCardNumber, signDeviceRequest, type Principal } from "@tsubaki/auth";
import { createIdentityStore, type IdentityStore, type Resident, type User } from "../src/identity-store";
import type { Db } from "../src/client";
import { backends, openBackend } from "./backends";
import { admin, Clock, fastScrypt } from "./identity-helpers";

describe.each(backends)("identity access on %s", (backend) => {
  let db: Db;
  let close: () => Promise<void>;
  let store: IdentityStore;
  const clock = new Clock();
  let hanako: Resident;
  let helperUser: User;

  beforeAll(async () => {
    ({ db, close } = await openBackend(backend));
    store = createIdentityStore(db, { now: clock.now, secretParams: fastScrypt });
    const u = await store.createUser({ login: "hanako", password: "correct horse 1", displayName: "野々市 花子", kind: "resident" }, admin);
    const h = await store.createUser({ login: "helper", password: "correct horse 2", displayName: "野々市 一郎", kind: "resident" }, admin);
    if (!u.ok || !h.ok) throw new Error("setup");
    helperUser = h.user;
    const r = await store.createResident({ name: "野々市 花子", nameKana: "ノノイチ ハナコ", birthDate: "1948-04-12", district: "本町", userId: u.user.id }, admin);
    if (!r.ok) throw new Error("setup");
    hanako = r.resident;
  });
  afterAll(async () => close());

  describe("terminals", () => {
    const keys = generateDeviceKeyPair();
    let deviceId = "";

    it("pair once with a code that lives 10 minutes", async () => {
      const created = await store.createDevice({ name: "のっティ 1号車", operator: "野々市市" }, admin);
      expect(created).toMatchObject({ ok: true, device: { status: "pending", publicKey: null } });
      if (!created.ok) return;
      deviceId = created.device.id;
      expect(await store.pairDevice({ pairingCode: created.pairingCode, publicKey: "short" })).toMatchObject({ ok: false, code: "invalid_public_key" });
      clock.advance(601);
      expect(await store.pairDevice({ pairingCode: created.pairingCode, publicKey: keys.publicKey })).toMatchObject({ ok: false, code: "pairing_code_expired" });
      const fresh = await store.issuePairingCode(deviceId, admin);
      if (!fresh.ok) throw new Error(fresh.code);
      expect(await store.pairDevice({ pairingCode: fresh.pairingCode.toLowerCase(), publicKey: keys.publicKey })).toMatchObject({ ok: true, device: { id: deviceId, status: "active", publicKey: keys.publicKey } });
      expect(await store.pairDevice({ pairingCode: fresh.pairingCode, publicKey: keys.publicKey })).toMatchObject({ ok: false, code: "pairing_code_invalid" });
      expect(await store.pairDevice({ pairingCode: "0000-0000", publicKey: keys.publicKey })).toMatchObject({ ok: false, code: "pairing_code_invalid" });
    });

    it("authenticate signed requests once; replays, other keys and revoked terminals are refused", async () => {
      const body = JSON.stringify({ taps: [1, 2] });
      const headers = signDeviceRequest({ deviceId, secretKey: keys.secretKey, method: "POST", pathAndQuery: "/v1/bus/taps", body, now: clock.current });
      const request = { method: "POST", pathAndQuery: "/v1/bus/taps", body, headers };
      const ok = await store.authenticateDeviceRequest(request);
      expect(ok).toMatchObject({ ok: true, principal: { subject: deviceId, roles: ["terminal"], via: "device_signature" } });
      expect(await store.authenticateDeviceRequest(request)).toMatchObject({ ok: false, code: "device_replay" });
      const forged = signDeviceRequest({ deviceId, secretKey: generateDeviceKeyPair().secretKey, method: "POST", pathAndQuery: "/v1/bus/taps", body, now: clock.current });
      expect(await store.authenticateDeviceRequest({ ...request, headers: forged })).toMatchObject({ ok: false, code: "device_signature_invalid" });
      const late = signDeviceRequest({ deviceId, secretKey: keys.secretKey, method: "POST", pathAndQuery: "/v1/bus/taps", body, now: new Date(clock.current.getTime() - 400_000) });
      expect(await store.authenticateDeviceRequest({ ...request, headers: late })).toMatchObject({ ok: false, code: "device_clock_skew" });
      expect(await store.authenticateDeviceRequest({ ...request, headers: {} })).toMatchObject({ ok: false, code: "device_signature_missing" });
      await store.revokeDevice(deviceId, admin);
      const after = signDeviceRequest({ deviceId, secretKey: keys.secretKey, method: "POST", pathAndQuery: "/v1/bus/taps", body, now: clock.current });
      expect(await store.authenticateDeviceRequest({ ...request, headers: after })).toMatchObject({ ok: false, code: "device_unknown" });
    });

    it("forget nonces only after twice the signature window", async () => {
      clock.advance(599);
      expect((await store.sweep()).deviceNonces).toBe(0);
      clock.advance(2);
      expect((await store.sweep()).deviceNonces).toBe(1);
    });
  });

  describe("cards", () => {
    it("issue with a checked PIN; the 5th wrong PIN locks until an administrator unlocks", async () => {
      expect(await store.issueCard({ residentId: hanako.id, pin: "1234" }, admin)).toMatchObject({ ok: false, code: "pin_too_simple" });
      expect(await store.issueCard({ residentId: hanako.id, pin: "0412" }, admin)).toMatchObject({ ok: false, code: "pin_too_simple" });
      const issued = await store.issueCard({ residentId: hanako.id, pin: "２５８０" }, admin);
      if (!issued.ok) throw new Error(issued.code);
      const number = issued.card.number;
      expect(isValidCardNumber(number)).toBe(true);
      const shop: Principal = { subject: "u_shop", roles: ["merchant_staff"] };
      const by = { actor: shop.subject, actorRoles: shop.roles };
      expect(await store.checkCardPin({ number, pin: "2580" }, by)).toMatchObject({ ok: true, residentId: hanako.id });
      const tries = [];
      for (let i = 0; i < 5; i++) {
        const r = await store.checkCardPin({ number, pin: "9999" }, by);
        tries.push(r.ok ? "ok" : r.code === "pin_incorrect" ? r.triesLeft : r.code);
      }
      expect(tries).toEqual([4, 3, 2, 1, "card_locked"]);
      expect(await store.checkCardPin({ number, pin: "2580" }, by)).toMatchObject({ ok: false, code: "card_locked" });
      clock.advance(7 * 24 * 3600);
      expect(await store.checkCardPin({ number, pin: "2580" }, by)).toMatchObject({ ok: false, code: "card_locked" });
      expect(await store.unlockCard(issued.card.id, admin)).toMatchObject({ ok: true, card: { locked: false, pinFailures: 0 } });
      expect(await store.checkCardPin({ number: number.replace(/(\d{4})/g, "$1 "), pin: "2580" }, by)).toMatchObject({ ok: true });
      const audit = await store.queryAudit({ actionPrefix: "card.", target: hanako.id });
      expect(audit.entries.map((e) => e.action)).toEqual(["card.unlocked", "card.locked", "card.issued"]);
    });

    it("five tries are five even when they arrive at once", async () => {
      const issued = await store.issueCard({ residentId: hanako.id, pin: "582047" }, admin);
      if (!issued.ok) throw new Error(issued.code);
      const results = await Promise.all(Array.from({ length: 8 }, () => store.checkCardPin({ number: issued.card.number, pin: "111112" }, admin)));
      expect(results.filter((r) => !r.ok && r.code === "pin_incorrect")).toHaveLength(4);
      expect(results.filter((r) => !r.ok && r.code === "card_locked")).toHaveLength(4);
      expect(await store.getCard(issued.card.id)).toMatchObject({ locked: true, pinFailures: 5 });
    });

    it("refuse unknown, mistyped and revoked cards", async () => {
      expect(await store.checkCardPin({ number: "9392000000000000", pin: "2580" }, admin)).toMatchObject({ ok: false, code: "card_not_found" });
      const issued = await store.issueCard({ residentId: hanako.id, pin: "3071" }, admin);
      if (!issued.ok) throw new Error(issued.code);
      await store.revokeCard(issued.card.id, admin);
      expect(await store.checkCardPin({ number: issued.card.number, pin: "3071" }, admin)).toMatchObject({ ok: false, code: "card_revoked" });
      expect(await store.findCardByNumber(issued.card.number)).toMatchObject({ status: "revoked" });
    });
  });

  describe("proxies", () => {
    it("act within the granted daily limit and not beyond; revocation stops them at once", async () => {
      const granted = await store.grantProxy({ grantorResidentId: hanako.id, proxyUserId: helperUser.id, dailyLimitYen: 3000n, canViewHistory: true }, admin);
      if (!granted.ok) throw new Error(granted.code);
      const proxy = granted.proxy;
      expect(await store.grantProxy({ grantorResidentId: hanako.id, proxyUserId: helperUser.id, dailyLimitYen: 1n, canViewHistory: false }, admin)).toMatchObject({ ok: false, code: "proxy_exists" });
      expect(await store.rolesOf(helperUser.id)).toEqual(["proxy"]);

      const pay: Parameters<typeof decideAccess>[0] = { roles: ["resident", "proxy"], ownership: { kind: "resident", proxy: "pay" } };
      const helper: Principal = { subject: helperUser.id, roles: await store.rolesOf(helperUser.id) };
      expect(decideAccess(pay, helper, hanako.id, await store.ownershipFacts(helperUser.id, { residentId: hanako.id }))).toEqual({ ok: true, actingAs: "proxy" });

      expect(await store.spendAsProxy({ proxyId: proxy.id, ref: "pay-1", amountYen: 2000n })).toEqual({ ok: true, remainingYen: 1000n, replayed: false });
      expect(await store.spendAsProxy({ proxyId: proxy.id, ref: "pay-1", amountYen: 2000n })).toEqual({ ok: true, remainingYen: 1000n, replayed: true });
      expect(await store.spendAsProxy({ proxyId: proxy.id, ref: "pay-1", amountYen: 500n })).toMatchObject({ ok: false, code: "ref_reused" });
      expect(await store.spendAsProxy({ proxyId: proxy.id, ref: "pay-2", amountYen: 1001n })).toMatchObject({ ok: false, code: "proxy_limit_exceeded", remainingYen: 1000n });
      expect(await store.spendAsProxy({ proxyId: proxy.id, ref: "pay-3", amountYen: 1000n })).toEqual({ ok: true, remainingYen: 0n, replayed: false });
      expect(await store.releaseProxySpend(proxy.id, "pay-3")).toEqual({ ok: true });
      expect(await store.proxySpentToday(proxy.id)).toBe(2000n);

      // A new day in Japan (not UTC) gives the full limit again.
      const untilMidnightJst = 15 * 3600 - ((clock.current.getTime() / 1000) % 86400) + (((clock.current.getTime() / 1000) % 86400) >= 15 * 3600 ? 86400 : 0);
      clock.advance(untilMidnightJst);
      expect(await store.spendAsProxy({ proxyId: proxy.id, ref: "pay-4", amountYen: 3000n })).toEqual({ ok: true, remainingYen: 0n, replayed: false });

      await store.revokeProxy(proxy.id, { actor: hanako.userId!, actorRoles: ["resident"] });
      expect(await store.spendAsProxy({ proxyId: proxy.id, ref: "pay-5", amountYen: 1n })).toMatchObject({ ok: false, code: "proxy_revoked" });
      expect(decideAccess(pay, helper, hanako.id, await store.ownershipFacts(helperUser.id, { residentId: hanako.id }))).toMatchObject({ ok: false, code: "forbidden" });
      expect(await store.rolesOf(helperUser.id)).toEqual([]);
      expect(await store.listProxiesOfResident(hanako.id)).toEqual([]);
      expect(await store.listProxiesOfResident(hanako.id, { includeRevoked: true })).toHaveLength(1);
    });

    it("refuse a resident as their own proxy and limits out of range", async () => {
      expect(await store.grantProxy({ grantorResidentId: hanako.id, proxyUserId: hanako.userId!, dailyLimitYen: 100n, canViewHistory: true }, admin)).toMatchObject({ ok: false, code: "proxy_self" });
      expect(await store.grantProxy({ grantorResidentId: hanako.id, proxyUserId: helperUser.id, dailyLimitYen: -1n, canViewHistory: true }, admin)).toMatchObject({ ok: false, code: "invalid_limit" });
    });
  });

  describe("residents and shops", () => {
    it("verify residents and derive the resident role", async () => {
      expect(hanako).toMatchObject({ verified: false, owner: `resident:${hanako.id}`, birthDate: "1948-04-12" });
      expect(await store.verifyResident(hanako.id, admin)).toMatchObject({ ok: true, resident: { verified: true } });
      expect(await store.rolesOf(hanako.userId!)).toEqual(["resident"]);
      expect(await store.createResident({ name: "x", nameKana: "エックス", birthDate: "1990-01-01", district: "本町", userId: hanako.userId! }, admin)).toMatchObject({ ok: false, code: "user_taken" });
      expect((await store.listResidents({ nameKanaPrefix: "ノノ" })).residents.map((r) => r.id)).toEqual([hanako.id]);
    });

    it("onboard a shop with owner and staff; the last owner stays", async () => {
      const bank = { bankCode: "0144", branchCode: "101", accountType: "ordinary" as const, accountNumber: "1234567", holderKana: "ﾉﾉｲﾁﾍﾞｰｶﾘｰ" };
      const created = await store.createShop({ code: "bakery", nameJa: "ののいちベーカリー", nameLatin: "Nonoichi Bakery", category: "bakery", tier: "small", mcc: "5462", feeRateBasisPoints: 150, bank }, admin);
      if (!created.ok) throw new Error(created.code);
      const shop = created.shop;
      expect(shop).toMatchObject({ status: "applied", bank: { holderKana: "ノノイチベーカリー" }, owner: `shop:${shop.id}` });
      expect(await store.createShop({ code: "bakery", nameJa: "x", nameLatin: "x", category: "x", tier: "large", mcc: "5411", feeRateBasisPoints: 0, bank: null }, admin)).toMatchObject({ ok: false, code: "shop_code_taken" });
      expect(await store.setShopStatus(shop.id, "active", admin)).toMatchObject({ ok: true, shop: { status: "active" } });
      const owner = await store.createUser({ login: "baker", password: "correct horse 3", displayName: "パン屋", kind: "merchant" }, admin);
      const clerk = await store.createUser({ login: "clerk", password: "correct horse 4", displayName: "店員", kind: "merchant" }, admin);
      if (!owner.ok || !clerk.ok) throw new Error("setup");
      await store.setShopStaff(shop.id, owner.user.id, "owner", admin);
      await store.setShopStaff(shop.id, clerk.user.id, "staff", admin);
      expect(await store.rolesOf(owner.user.id)).toEqual(["merchant_owner"]);
      expect(await store.rolesOf(clerk.user.id)).toEqual(["merchant_staff"]);
      expect(await store.removeShopStaff(shop.id, owner.user.id, admin)).toMatchObject({ ok: false, code: "last_owner" });
      expect(await store.setShopStaff(shop.id, owner.user.id, "staff", admin)).toMatchObject({ ok: false, code: "last_owner" });
      expect((await store.listShopStaff(shop.id)).map((m) => m.role)).toEqual(["owner", "staff"]);
      expect((await store.shopsOfUser(clerk.user.id)).map((s) => [s.shop.code, s.role])).toEqual([["bakery", "staff"]]);
      const refund = { roles: ["merchant_owner", "merchant_staff"] as const, ownership: { kind: "shop", staff: "any" } as const };
      const clerkPrincipal: Principal = { subject: clerk.user.id, roles: await store.rolesOf(clerk.user.id) };
      expect(decideAccess(refund, clerkPrincipal, shop.id, await store.ownershipFacts(clerk.user.id, { shopId: shop.id }))).toEqual({ ok: true, actingAs: "shop_staff" });
      expect(await store.removeShopStaff(shop.id, clerk.user.id, admin)).toEqual({ ok: true });
      expect(decideAccess(refund, clerkPrincipal, shop.id, await store.ownershipFacts(clerk.user.id, { shopId: shop.id }))).toMatchObject({ ok: false });

      expect(await store.setShopBank(shop.id, { ...bank, accountNumber: "7654321" }, admin)).toMatchObject({ ok: true, shop: { bank: { accountNumber: "7654321" } } });
      const [change] = (await store.queryAudit({ action: "shop.bank_changed" })).entries;
      expect(change?.details).toEqual({ before: { bank_code: "0144", branch_code: "101", account_type: "ordinary", account_last3: "567" }, after: { bank_code: "0144", branch_code: "101", account_type: "ordinary", account_last3: "321" } });
      expect(await store.setShopBank(shop.id, { ...bank, branchCode: "1" }, admin)).toMatchObject({ ok: false, field: "branch_code" });
      expect((await store.listShops({ status: "active" })).shops.map((s) => s.code)).toEqual(["bakery"]);
      // Search: part of the code or a name, any case, or the whole id; LIKE's wildcards match only themselves.
      expect((await store.listShops({ q: "AKER" })).shops.map((s) => s.code)).toEqual(["bakery"]);
      // As an IME types them: full-width Latin, half-width kana (names are stored NFKC-normalised).
      expect((await store.listShops({ q: "ＡＫＥＲ" })).shops.map((s) => s.code)).toEqual(["bakery"]);
      expect((await store.listShops({ q: "ﾍﾞｰｶﾘｰ" })).shops.map((s) => s.code)).toEqual(["bakery"]);
      expect((await store.listShops({ q: shop.nameJa.slice(1, 3) })).shops.map((s) => s.code)).toEqual(["bakery"]);
      expect((await store.listShops({ q: shop.id })).shops.map((s) => s.code)).toEqual(["bakery"]);
      expect((await store.listShops({ q: "%" })).shops).toEqual([]);
      expect((await store.listShops({ q: "b_kery" })).shops).toEqual([]);
      expect((await store.listShops({ q: "nothing like it" })).shops).toEqual([]);
    });
  });
});
