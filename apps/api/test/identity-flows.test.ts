// Identity as the city's staff, residents, their families and fare terminals use it through the API: cards and
// PINs (five wrong PINs lock the card), proxies within their limits and revoked at once, the operators' user, resident,
// shop and terminal administration, the auditor's view of the audit log. On PGlite and on a real PostgreSQL server.
import { accountIdOf, generateDeviceKeyPair } from "@tsubaki/auth";
import { z } from "zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type TsubakiApp } from "../src/app";
import { actorOf } from "../src/auth/actor";
import { identityProblem } from "../src/auth/problems";
import { createLogger } from "../src/log";
import { routes } from "../src/routes";
import { defineRoute } from "../src/routes/registry";
import { backends, call, expectProblem, openHarness, testAddressHeader, type Harness } from "./harness";
import { makeResident, makeShop, makeUser, pairTerminal, terminalCall, tokensOf } from "./identity-kit";

/** Until a payment route checks card PINs, a shop's PIN check as a route would make it (the store's decision, mapped). */
const pinCheckRoute = defineRoute({
  method: "post",
  path: "/v1/test/card-pin",
  roles: ["merchant_owner", "merchant_staff", "service"],
  summary: "test only",
  request: { body: z.object({ number: z.string(), pin: z.string() }) },
  responses: {},
  async handler({ body, principal, deps, requestId }) {
    const checked = await deps.identity.checkCardPin(body, actorOf(principal, requestId));
    if (!checked.ok) throw identityProblem(checked);
    return { status: 200, json: { resident_id: checked.residentId } };
  },
});

describe.each(backends)("identity flows on %s", (backend) => {
  let h: Harness;
  let app: TsubakiApp;
  let operator: string;
  let counter: string;
  let auditor: string;
  beforeAll(async () => {
    h = await openHarness(backend);
    app = createApp({
      ledger: h.ledger,
      identity: h.identity,
      auth: h.auth,
      config: h.config,
      logger: createLogger(process.env.TEST_LOG === "1" ? "error" : "silent"),
      routes: [...routes, pinCheckRoute],
      clientAddress: (c) => c.req.header(testAddressHeader) ?? null,
    });
    operator = (await tokensOf(app, (await makeUser(h.identity, { roles: ["admin_operator"] })).login)).access_token;
    counter = (await tokensOf(app, (await makeUser(h.identity, { roles: ["counter_staff"] })).login)).access_token;
    auditor = (await tokensOf(app, (await makeUser(h.identity, { roles: ["admin_auditor"] })).login)).access_token;
  });
  afterAll(async () => {
    await h?.close();
  });

  it("locks a card at the fifth wrong PIN in a row, refuses even the right PIN, and unlocks it at the counter", async () => {
    const resident = await call(app, "POST", "/v1/admin/residents", { token: counter, body: { name: "押野 ウメ", name_kana: "オシノ ウメ", birth_date: "1938-03-20", district: "押野" } });
    expect(resident.status, resident.text).toBe(201);
    const rid = resident.body.id;
    expectProblem(await call(app, "POST", `/v1/admin/residents/${rid}/cards`, { token: operator, body: { pin: "0320" } }), 422, "pin_too_simple");
    expectProblem(await call(app, "POST", `/v1/admin/residents/${rid}/cards`, { token: operator, body: { pin: "12" } }), 422, "pin_format");
    expectProblem(await call(app, "POST", `/v1/admin/residents/${rid}/cards`, { token: counter, body: { pin: "7391" } }), 403, "forbidden");
    const card = await call(app, "POST", `/v1/admin/residents/${rid}/cards`, { token: operator, body: { pin: "7391" } });
    expect(card.status, card.text).toBe(201);
    expect(card.body).toMatchObject({ resident_id: rid, status: "active", locked: false, pin_failures: 0 });
    expect(card.text).not.toContain("7391");
    const number: string = card.body.number;

    const tries: number[] = [];
    for (let n = 1; n <= 4; n++) {
      const wrong = await call(app, "POST", "/v1/test/card-pin", { body: { number, pin: "1357" } });
      expectProblem(wrong, 422, "pin_incorrect");
      tries.push(wrong.body.tries_left);
    }
    expect(tries).toEqual([4, 3, 2, 1]);
    expectProblem(await call(app, "POST", "/v1/test/card-pin", { body: { number, pin: "1357" } }), 423, "card_locked");
    expectProblem(await call(app, "POST", "/v1/test/card-pin", { body: { number, pin: "7391" } }), 423, "card_locked");
    expect((await call(app, "GET", `/v1/admin/cards/${card.body.id}`, { token: counter })).body).toMatchObject({ locked: true, pin_failures: 5 });

    expectProblem(await call(app, "POST", `/v1/admin/cards/${card.body.id}/unlock`, { token: counter }), 403, "forbidden");
    const unlocked = await call(app, "POST", `/v1/admin/cards/${card.body.id}/unlock`, { token: operator, headers: { "X-Request-Id": `unlock-${backend}` } });
    expect(unlocked.status, unlocked.text).toBe(200);
    expect(unlocked.body).toMatchObject({ locked: false, pin_failures: 0 });
    expect((await call(app, "POST", "/v1/test/card-pin", { body: { number, pin: "7391" } })).body).toEqual({ resident_id: rid });
    const audit = await h.identity.queryAudit({ target: rid, actionPrefix: "card." });
    expect(audit.entries.map((e) => e.action)).toEqual(["card.unlocked", "card.locked", "card.issued"]);
    expect(audit.entries[0]!.requestId).toBe(`unlock-${backend}`);

    expect((await call(app, "POST", `/v1/admin/cards/${card.body.id}/revoke`, { token: operator })).body.status).toBe("revoked");
    expectProblem(await call(app, "POST", "/v1/test/card-pin", { body: { number, pin: "7391" } }), 410, "card_revoked");
  });

  it("lets a family member act within the limit the resident granted, and not a yen beyond; revocation is immediate", async () => {
    const grantor = await makeUser(h.identity);
    const rid = await makeResident(h.identity, grantor.id);
    const family = await makeUser(h.identity, { name: "押野 健一" });
    const residentToken = (await tokensOf(app, grantor.login)).access_token;
    const granted = await call(app, "POST", "/v1/wallet/proxies", { token: residentToken, body: { login: family.login, daily_limit_yen: 3000, can_view_history: true } });
    expect(granted.status, granted.text).toBe(201);
    expect(granted.body).toMatchObject({ resident_id: rid, proxy_user_id: family.id, daily_limit_yen: 3000, can_view_history: true, revoked_at: null });
    expectProblem(await call(app, "POST", "/v1/wallet/proxies", { token: residentToken, body: { login: family.login, daily_limit_yen: 100, can_view_history: false } }), 409, "proxy_exists");
    expectProblem(await call(app, "POST", "/v1/wallet/proxies", { token: residentToken, body: { login: "no-such-login", daily_limit_yen: 100, can_view_history: false } }), 404, "user_not_found");
    expectProblem(await call(app, "POST", "/v1/wallet/proxies", { token: residentToken, body: { login: grantor.login, daily_limit_yen: 100, can_view_history: false } }), 422, "proxy_self");
    const listed = await call(app, "GET", "/v1/wallet/proxies", { token: residentToken });
    expect(listed.body.proxies.map((p: { id: string }) => p.id)).toEqual([granted.body.id]);

    // The family member logs in after the grant: their token carries `proxy`, and /v1/me names whom they act for.
    const proxyToken = (await tokensOf(app, family.login)).access_token;
    const me = (await call(app, "GET", "/v1/me", { token: proxyToken })).body;
    expect(me.roles).toEqual(["proxy"]);
    expect(me.proxy_for).toEqual([expect.objectContaining({ proxy_id: granted.body.id, resident_id: rid, daily_limit_yen: 3000, can_view_history: true })]);
    const seen = await call(app, "GET", `/v1/residents/${rid}`, { token: proxyToken });
    expect(seen.status, seen.text).toBe(200);
    expect(seen.body).toMatchObject({ id: rid, acting_as: "proxy", coins_account: accountIdOf.residentCoins(rid) });

    const allowance = () => call(app, "GET", `/v1/residents/${rid}/proxy-allowance`, { token: proxyToken });
    expect((await allowance()).body).toEqual({ proxy_id: granted.body.id, daily_limit_yen: 3000, spent_today_yen: 0, remaining_yen: 3000 });
    const spend = (ref: string, yen: bigint) => h.identity.spendAsProxy({ proxyId: granted.body.id, ref, amountYen: yen });
    expect(await spend("pay-1", 2000n)).toMatchObject({ ok: true, remainingYen: 1000n });
    const over = await spend("pay-2", 1001n);
    expect(over).toMatchObject({ ok: false, code: "proxy_limit_exceeded", remainingYen: 1000n });
    if (over.ok) throw new Error("unreachable");
    const problem = identityProblem(over);
    expect({ status: problem.status, code: problem.code, remaining: problem.extensions.remaining_yen }).toEqual({ status: 422, code: "proxy_limit_exceeded", remaining: 1000 });
    expect(await spend("pay-3", 1000n)).toMatchObject({ ok: true, remainingYen: 0n });
    expect((await allowance()).body).toMatchObject({ spent_today_yen: 3000, remaining_yen: 0 });
    expect(await spend("pay-4", 1n)).toMatchObject({ ok: false, code: "proxy_limit_exceeded" });

    // Another resident cannot end this grant; the grantor can, and the proxy's next request is refused.
    const stranger = await makeUser(h.identity);
    await makeResident(h.identity, stranger.id);
    const strangerToken = (await tokensOf(app, stranger.login)).access_token;
    expectProblem(await call(app, "DELETE", `/v1/wallet/proxies/${granted.body.id}`, { token: strangerToken }), 403, "forbidden");
    expectProblem(await call(app, "GET", `/v1/residents/${rid}`, { token: strangerToken }), 403, "forbidden");
    const revoked = await call(app, "DELETE", `/v1/wallet/proxies/${granted.body.id}`, { token: residentToken });
    expect(revoked.status, revoked.text).toBe(200);
    expect(revoked.body.revoked_at).not.toBeNull();
    expectProblem(await call(app, "GET", `/v1/residents/${rid}`, { token: proxyToken }), 403, "forbidden");
    expectProblem(await allowance(), 403, "forbidden");
    expect(await spend("pay-5", 1n)).toMatchObject({ ok: false, code: "proxy_revoked" });

    // A grant to see only: history yes, paying no.
    const viewer = await call(app, "POST", "/v1/wallet/proxies", { token: residentToken, body: { login: family.login, daily_limit_yen: 0, can_view_history: true } });
    expect(viewer.status, viewer.text).toBe(201);
    expect((await call(app, "GET", `/v1/residents/${rid}`, { token: proxyToken })).status).toBe(200);
    expectProblem(await allowance(), 403, "forbidden");
  });

  it("administers users: granted roles only, never one's own, a counter clerk's cash account, disabling ends sessions", async () => {
    const created = await call(app, "POST", "/v1/admin/users", {
      token: operator,
      body: { login: `clerk-${backend}`, password: "a long enough password", display_name: "窓口 一郎", kind: "city", roles: ["counter_staff"] },
      headers: { "X-Request-Id": `create-clerk-${backend}` },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({ login: `clerk-${backend}`, granted_roles: ["counter_staff"], roles: ["counter_staff"], disabled: false, login_lock: null });
    const clerk = created.body.id as string;
    expect(await h.ledger.getAccount(accountIdOf.cashIn(clerk))).toMatchObject({ kind: "cash_in", owner: `user:${clerk}` });
    expectProblem(await call(app, "POST", "/v1/admin/users", { token: operator, body: { login: `clerk-${backend}`, password: "another long password", display_name: "x", kind: "city" } }), 409, "login_taken");
    expectProblem(await call(app, "POST", "/v1/admin/users", { token: operator, body: { login: "x", display_name: "x", kind: "city" } }), 422, "invalid_login");
    expectProblem(await call(app, "POST", "/v1/admin/users", { token: operator, body: { login: "short-pw", password: "short", display_name: "x", kind: "city" } }), 422, "password_too_short");
    expectProblem(await call(app, "POST", "/v1/admin/users", { token: operator, body: { login: "res", display_name: "x", kind: "city", roles: ["resident"] } }), 400, "invalid_request");
    expectProblem(await call(app, "POST", "/v1/admin/users", { token: operator, body: { login: "kind", display_name: "x", kind: 7 } }), 400, "invalid_request");
    expectProblem(await call(app, "POST", "/v1/admin/users", { token: counter, body: { login: "nope", display_name: "x", kind: "city" } }), 403, "forbidden");

    const found = await call(app, "GET", `/v1/admin/users?login=CLERK-${backend}`, { token: auditor });
    expect(found.body.users.map((u: { id: string }) => u.id)).toEqual([clerk]);
    const roles = await call(app, "PUT", `/v1/admin/users/${clerk}/roles`, { token: operator, body: { roles: ["counter_staff", "admin_auditor"] } });
    expect(roles.status, roles.text).toBe(200);
    expect(roles.body.granted_roles).toEqual(["counter_staff", "admin_auditor"]);
    const me = (await call(app, "GET", "/v1/me", { token: operator })).body;
    expectProblem(await call(app, "PUT", `/v1/admin/users/${me.id}/roles`, { token: operator, body: { roles: ["admin_operator", "admin_approver"] } }), 403, "forbidden");
    expectProblem(await call(app, "POST", `/v1/admin/users/${me.id}/disable`, { token: operator }), 403, "forbidden");

    const clerkTokens = await tokensOf(app, `clerk-${backend}`, "a long enough password");
    expect((await call(app, "POST", `/v1/admin/users/${clerk}/disable`, { token: operator })).body.disabled).toBe(true);
    expectProblem(await call(app, "POST", "/v1/auth/refresh", { token: null, body: { refresh_token: clerkTokens.refresh_token } }), 401, "token_invalid");
    expectProblem(await call(app, "GET", "/v1/me", { token: clerkTokens.access_token }), 401, "token_invalid");
    expectProblem(await call(app, "POST", "/v1/auth/login", { token: null, body: { login: `clerk-${backend}`, password: "a long enough password" } }), 401, "invalid_credentials");
    expect((await call(app, "POST", `/v1/admin/users/${clerk}/enable`, { token: operator })).body.disabled).toBe(false);
    expect((await call(app, "POST", `/v1/admin/users/${clerk}/password`, { token: operator, body: { password: "a brand new password" } })).status).toBe(200);
    await tokensOf(app, `clerk-${backend}`, "a brand new password");

    const audit = await call(app, "GET", `/v1/admin/audit?request_id=create-clerk-${backend}`, { token: auditor });
    expect(audit.status, audit.text).toBe(200);
    expect(audit.body.entries).toEqual([expect.objectContaining({ action: "user.created", target: clerk, request_id: `create-clerk-${backend}`, actor: me.id })]);
    expectProblem(await call(app, "GET", "/v1/admin/audit", { token: operator }), 403, "forbidden");
  });

  it("lets a resident change their own password (checked like a login) and nobody else's", async () => {
    const u = await makeUser(h.identity);
    await makeResident(h.identity, u.id);
    const other = await makeUser(h.identity);
    const tokens = await tokensOf(app, u.login);
    const body = { current_password: "correct horse battery staple", new_password: "a new resident password" };
    expectProblem(await call(app, "PUT", `/v1/users/${other.id}/password`, { token: tokens.access_token, body }), 403, "forbidden");
    expectProblem(await call(app, "PUT", `/v1/users/${u.id}/password`, { token: tokens.access_token, body: { ...body, current_password: "wrong" } }), 401, "invalid_credentials");
    expectProblem(await call(app, "PUT", `/v1/users/${u.id}/password`, { token: tokens.access_token, body: { ...body, new_password: "short" } }), 422, "password_too_short");
    expect((await call(app, "PUT", `/v1/users/${u.id}/password`, { token: tokens.access_token, body })).status).toBe(200);
    expectProblem(await call(app, "POST", "/v1/auth/refresh", { token: null, body: { refresh_token: tokens.refresh_token } }), 401, "token_invalid");
    await tokensOf(app, u.login, "a new resident password");
  });

  it("registers residents at the counter with their coins account; only an operator verifies them", async () => {
    const r = await call(app, "POST", "/v1/admin/residents", { token: counter, body: { name: "御経塚 太郎", name_kana: "オキョウヅカ タロウ", birth_date: "1992-08-03", district: "御経塚" } });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({ verified: false, coins_account: accountIdOf.residentCoins(r.body.id) });
    const coins = await h.ledger.getAccount(accountIdOf.residentCoins(r.body.id));
    expect(coins).toMatchObject({ kind: "resident_coins", owner: `resident:${r.body.id}`, flags: { debitsMustNotExceedCredits: true } });
    expectProblem(await call(app, "POST", "/v1/admin/residents", { token: counter, body: { name: "x", name_kana: "not kana", birth_date: "1992-08-03", district: "x" } }), 422, "invalid_field");
    const page = await call(app, "GET", "/v1/admin/residents?name_kana=オキョウ&limit=1", { token: counter });
    expect(page.body.residents.map((x: { id: string }) => x.id)).toContain(r.body.id);
    expectProblem(await call(app, "POST", `/v1/admin/residents/${r.body.id}/verify`, { token: counter }), 403, "forbidden");
    expect((await call(app, "POST", `/v1/admin/residents/${r.body.id}/verify`, { token: operator })).body.verified).toBe(true);
    expectProblem(await call(app, "GET", "/v1/admin/residents?limit=101", { token: counter }), 400, "invalid_request");
  });

  it("onboards a shop with its account and people; owners see the bank account, staff do not; a shop keeps an owner", async () => {
    const bank = { bank_code: "0146", branch_code: "101", account_type: "ordinary", account_number: "7654321", holder_kana: "ツバキヤ" };
    const shop = await call(app, "POST", "/v1/admin/shops", {
      token: operator,
      body: { code: `tsubakiya-${backend}`, name_ja: "和菓子 椿屋", name_latin: "Wagashi Tsubakiya", category: "wagashi", tier: "small", mcc: "5441", fee_rate_bp: 100, bank, status: "active" },
    });
    expect(shop.status, shop.text).toBe(201);
    const sid = shop.body.id;
    expect(await h.ledger.getAccount(accountIdOf.shop(sid))).toMatchObject({ kind: "merchant", flags: { debitsMustNotExceedCredits: true } });
    expectProblem(await call(app, "POST", "/v1/admin/shops", { token: operator, body: { ...shop.body, id: undefined } }), 400, "invalid_request");
    expectProblem(await call(app, "POST", "/v1/admin/shops", { token: operator, body: { code: 5, name_ja: "x", name_latin: "x", category: "x", tier: "small", mcc: "5441", fee_rate_bp: 0 } }), 400, "invalid_request");
    expectProblem(
      await call(app, "POST", "/v1/admin/shops", { token: operator, body: { code: `tsubakiya-${backend}`, name_ja: "x", name_latin: "x", category: "x", tier: "small", mcc: "5441", fee_rate_bp: 0 } }),
      409,
      "shop_code_taken",
    );

    // Found by a part of its name, in any case; an empty or overlong search is bad input.
    const found = await call(app, "GET", `/v1/admin/shops?q=${encodeURIComponent("TSUBAKIYA")}`, { token: operator });
    expect(found.body.shops.map((x: { id: string }) => x.id)).toContain(sid);
    expect((await call(app, "GET", `/v1/admin/shops?q=${encodeURIComponent("椿屋")}`, { token: operator })).body.shops.map((x: { id: string }) => x.id)).toContain(sid);
    expect((await call(app, "GET", `/v1/admin/shops?q=zzz-no-such-shop`, { token: operator })).body.shops).toEqual([]);
    expectProblem(await call(app, "GET", `/v1/admin/shops?q=${"x".repeat(65)}`, { token: operator }), 400, "invalid_request");

    const owner = await makeUser(h.identity, { kind: "merchant" });
    const staff = await makeUser(h.identity, { kind: "merchant" });
    expect((await call(app, "PUT", `/v1/admin/shops/${sid}/staff/${owner.id}`, { token: operator, body: { role: "owner" } })).status).toBe(200);
    expect((await call(app, "PUT", `/v1/admin/shops/${sid}/staff/${staff.id}`, { token: operator, body: { role: "staff" } })).status).toBe(200);
    expectProblem(await call(app, "PUT", `/v1/admin/shops/${sid}/staff/${owner.id}`, { token: operator, body: { role: "staff" } }), 409, "last_owner");
    expectProblem(await call(app, "DELETE", `/v1/admin/shops/${sid}/staff/${owner.id}`, { token: operator }), 409, "last_owner");

    const ownerToken = (await tokensOf(app, owner.login)).access_token;
    const staffToken = (await tokensOf(app, staff.login)).access_token;
    expect((await call(app, "GET", `/v1/shops/${sid}`, { token: ownerToken })).body.bank).toEqual(bank);
    const asStaff = await call(app, "GET", `/v1/shops/${sid}`, { token: staffToken });
    expect(asStaff.status).toBe(200);
    expect(asStaff.body).not.toHaveProperty("bank");
    expect((await call(app, "GET", `/v1/shops/${sid}/staff`, { token: ownerToken })).body.staff).toHaveLength(2);
    expectProblem(await call(app, "GET", `/v1/shops/${sid}/staff`, { token: staffToken }), 403, "forbidden");
    expectProblem(await call(app, "GET", `/v1/shops/${await makeShop(h.identity)}`, { token: ownerToken }), 403, "forbidden");
    const me = (await call(app, "GET", "/v1/me", { token: ownerToken })).body;
    expect(me.shops).toEqual([{ id: sid, code: `tsubakiya-${backend}`, name_ja: "和菓子 椿屋", status: "active", role: "owner", account: accountIdOf.shop(sid) }]);

    expect((await call(app, "PUT", `/v1/admin/shops/${sid}/status`, { token: operator, body: { status: "suspended" } })).body.status).toBe("suspended");
    expectProblem(await call(app, "PUT", `/v1/admin/shops/${sid}/bank`, { token: operator, body: { bank: { ...bank, account_number: "12" } } }), 422, "invalid_field");
    const audit = await call(app, "GET", `/v1/admin/audit?target=${sid}&action_prefix=shop.`, { token: auditor });
    expect(audit.body.entries.map((e: { action: string }) => e.action)).toEqual(["shop.status_changed", "shop.staff_added", "shop.staff_added", "shop.created"]);
    expect(JSON.stringify(audit.body)).not.toContain("7654321");
  });

  it("pairs a terminal once with a code shown once; it then signs every request, and replays and revocation are refused", async () => {
    const created = await call(app, "POST", "/v1/admin/devices", { token: operator, body: { name: "のっティ 2号車", operator: "のっティ" } });
    expect(created.status, created.text).toBe(201);
    expect(created.headers.get("cache-control")).toBe("no-store");
    expect(created.body.pairing_code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    const keys = generateDeviceKeyPair();
    const pair = (code: string, address = "192.0.2.10") =>
      call(app, "POST", "/v1/devices/pair", { token: null, body: { pairing_code: code, public_key: keys.publicKey }, headers: { [testAddressHeader]: address } });
    expectProblem(await call(app, "POST", "/v1/devices/pair", { token: null, body: { pairing_code: created.body.pairing_code, public_key: "not-a-key" } }), 422, "invalid_public_key");
    const paired = await pair(created.body.pairing_code.toLowerCase());
    expect(paired.status, paired.text).toBe(200);
    expect(paired.body.device).toMatchObject({ id: created.body.device.id, status: "active", public_key: keys.publicKey });
    expectProblem(await pair(created.body.pairing_code), 401, "pairing_code_invalid");
    expect((await h.identity.queryAudit({ action: "device.paired", target: created.body.device.id })).entries).toHaveLength(1);

    const terminal = { id: created.body.device.id as string, secretKey: keys.secretKey };
    const self = await terminalCall(app, terminal, "GET", `/v1/devices/${terminal.id}`);
    expect(self.status, self.text).toBe(200);
    const other = await pairTerminal(app, h.identity, "のっティ 3号車");
    expectProblem(await terminalCall(app, terminal, "GET", `/v1/devices/${other.id}`), 403, "forbidden");

    const { signDeviceRequest } = await import("@tsubaki/auth");
    const headers = signDeviceRequest({ deviceId: terminal.id, secretKey: terminal.secretKey, method: "GET", pathAndQuery: `/v1/devices/${terminal.id}`, now: new Date() });
    expect((await call(app, "GET", `/v1/devices/${terminal.id}`, { token: null, headers })).status).toBe(200);
    expectProblem(await call(app, "GET", `/v1/devices/${terminal.id}`, { token: null, headers }), 401, "device_replay");
    const stale = signDeviceRequest({ deviceId: terminal.id, secretKey: terminal.secretKey, method: "GET", pathAndQuery: `/v1/devices/${terminal.id}`, now: new Date(Date.now() - 3600_000) });
    expectProblem(await call(app, "GET", `/v1/devices/${terminal.id}`, { token: null, headers: stale }), 401, "device_clock_skew");
    const elsewhere = signDeviceRequest({ deviceId: terminal.id, secretKey: terminal.secretKey, method: "GET", pathAndQuery: `/v1/devices/${other.id}`, now: new Date() });
    expectProblem(await call(app, "GET", `/v1/devices/${terminal.id}`, { token: null, headers: elsewhere }), 401, "device_signature_invalid");
    expectProblem(await call(app, "GET", `/v1/devices/${terminal.id}`, { token: null, headers: { "X-Tsubaki-Device": terminal.id } }), 401, "device_signature_missing");

    expect((await call(app, "POST", `/v1/admin/devices/${terminal.id}/revoke`, { token: operator })).body.status).toBe("revoked");
    expectProblem(await terminalCall(app, terminal, "GET", `/v1/devices/${terminal.id}`), 401, "device_unknown");
    expectProblem(await call(app, "POST", `/v1/admin/devices/${terminal.id}/pairing-code`, { token: operator }), 410, "device_revoked");
  });

  it("throttles wrong pairing codes per address, and only that address", async () => {
    const keys = generateDeviceKeyPair();
    const from = { [testAddressHeader]: "192.0.2.77" };
    for (let n = 0; n < 10; n++) {
      expectProblem(await call(app, "POST", "/v1/devices/pair", { token: null, body: { pairing_code: `AAAA-AA${n}A`.slice(0, 9), public_key: keys.publicKey }, headers: from }), 401, "pairing_code_invalid");
    }
    const created = await call(app, "POST", "/v1/admin/devices", { token: operator, body: { name: "のっティ 4号車", operator: "のっティ" } });
    const locked = await call(app, "POST", "/v1/devices/pair", { token: null, body: { pairing_code: created.body.pairing_code, public_key: keys.publicKey }, headers: from });
    expectProblem(locked, 423, "address_locked");
    expect(locked.headers.get("retry-after")).toBe("60");
    // Another address is not affected.
    expect((await call(app, "POST", "/v1/devices/pair", { token: null, body: { pairing_code: created.body.pairing_code, public_key: keys.publicKey }, headers: { [testAddressHeader]: "192.0.2.78" } })).status).toBe(200);
  });

  it("lets only the auditor read the audit log, page by page, and verifies its chain", async () => {
    const first = await call(app, "GET", "/v1/admin/audit?limit=2", { token: auditor });
    expect(first.status, first.text).toBe(200);
    expect(first.body.entries).toHaveLength(2);
    expect(first.body.next_cursor).toMatch(/^\d+$/);
    const second = await call(app, "GET", `/v1/admin/audit?limit=2&cursor=${first.body.next_cursor}`, { token: auditor });
    expect(second.body.entries[0].seq).toBeLessThan(first.body.entries[1].seq);
    const logins = await call(app, "GET", "/v1/admin/audit?action=auth.login_succeeded&limit=100", { token: auditor });
    expect(logins.body.entries.length).toBeGreaterThan(0);
    expect(logins.body.entries.every((e: { action: string }) => e.action === "auth.login_succeeded")).toBe(true);
    const verify = await call(app, "GET", "/v1/admin/audit/verify", { token: auditor });
    expect(verify.body).toMatchObject({ ok: true });
    expectProblem(await call(app, "GET", "/v1/admin/audit/verify", { token: counter }), 403, "forbidden");
    expectProblem(await call(app, "GET", "/v1/admin/audit?limit=500", { token: auditor }), 400, "invalid_request");
  });
});


