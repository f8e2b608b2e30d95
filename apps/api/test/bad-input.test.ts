// Bad input on every endpoint: each one gets a 4xx problem+json with a stable code, and nothing is written —
// balances, entries and the audit are the same before and after, and a refused id is not remembered.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { routes } from "../src/routes";
import { backends, balances, call, createAccount, expectAuditOk, expectProblem, openHarness, serviceToken, transfer, uid, type Harness } from "./harness";

/** The configured maximum in this file (lower than the default, to prove the setting is used). */
const amountMaxYen = 1_000_000;

describe.each(backends)("bad input on %s", (backend) => {
  let h: Harness;
  let cash: string;
  let wallet: string;
  let shop: string;
  let holdId: string;
  let paymentId: string;
  let before: string;

  /** Everything a bad request could have changed, as one comparable string. */
  async function snapshot(): Promise<string> {
    const parts: unknown[] = [];
    for (const id of [cash, wallet, shop]) {
      parts.push(await balances(h.app, id));
      parts.push((await call(h.app, "GET", `/v1/ledger/accounts/${id}/entries?limit=100`)).body.entries.length);
    }
    parts.push((await call(h.app, "GET", `/v1/ledger/transfers/${holdId}`)).body.hold);
    return JSON.stringify(parts);
  }

  beforeAll(async () => {
    h = await openHarness(backend, { TSUBAKI_AMOUNT_MAX_YEN: String(amountMaxYen) });
    [cash, wallet, shop] = [uid("cashin"), uid("res"), uid("mer")];
    await createAccount(h.app, cash, { noOverdraft: false });
    await createAccount(h.app, wallet);
    await createAccount(h.app, shop);
    expect((await transfer(h.app, uid("charge"), cash, wallet, 10_000)).status).toBe(201);
    holdId = uid("hold");
    expect((await call(h.app, "POST", "/v1/ledger/transfers", { body: { id: holdId, legs: [{ from: wallet, to: shop, amount: 1000 }], pending: { timeout_s: 3600 } } })).status).toBe(201);
    paymentId = uid("pay");
    expect((await transfer(h.app, paymentId, wallet, shop, 500)).status).toBe(201);
    before = await snapshot();
  });
  afterAll(async () => {
    await h?.close();
  });

  const badAmounts: [string, string][] = [
    ["zero", "0"],
    ["negative", "-5"],
    ["fractional", "1.5"],
    ["a string", '"100"'],
    ["null", "null"],
    ["2^53", "9007199254740992"],
    ["beyond 2^53", "9007199254740993"],
    ["1e21", "1e21"],
    ["over the configured maximum", String(amountMaxYen + 1)],
  ];

  /** Ids of refused transfer requests: none may exist afterwards, and each can still be used. */
  const refusedIds: string[] = [];
  const leg = () => ({ from: wallet, to: shop, amount: 10 });
  const post = (path: string, rawBody: string) => call(h.app, "POST", path, { rawBody });

  describe("POST /v1/ledger/transfers", () => {
    it.each(badAmounts)("refuses an amount that is %s (422 invalid_amount)", async (_, amount) => {
      const id = uid("bad");
      refusedIds.push(id);
      const r = await post("/v1/ledger/transfers", `{"id":"${id}","legs":[{"from":"${wallet}","to":"${shop}","amount":${amount}}]}`);
      expectProblem(r, 422, "invalid_amount");
      expect(r.body.detail).toMatch(/^legs\[0\]/);
    });

    it("says exactly what is wrong with an amount", async () => {
      const detail = async (amount: string) =>
        (await post("/v1/ledger/transfers", `{"id":"${uid("bad")}","legs":[{"from":"${wallet}","to":"${shop}","amount":${amount}}]}`)).body.detail;
      expect(await detail('"100"')).toBe("legs[0].amount: amount must be an integer");
      expect(await detail("1.5")).toBe("legs[0]: amount must be an integer");
      expect(await detail("9007199254740993")).toBe("legs[0]: amount must be at most 9007199254740991 (2^53 − 1)");
      expect(await detail(String(amountMaxYen + 1))).toBe(`legs[0]: amount exceeds the maximum of ${amountMaxYen}`);
    });

    const cases: [string, (id: string) => unknown, number, string][] = [
      ["a leg from an account to itself", (id) => ({ id, legs: [{ from: wallet, to: wallet, amount: 10 }] }), 422, "same_account"],
      ["17 legs", (id) => ({ id, legs: Array.from({ length: 17 }, leg) }), 422, "too_many_legs"],
      ["no legs", (id) => ({ id, legs: [] }), 422, "invalid_legs"],
      ["legs missing", (id) => ({ id }), 422, "invalid_legs"],
      ["legs not a list", (id) => ({ id, legs: "all" }), 422, "invalid_legs"],
      ["a leg that is not an object", (id) => ({ id, legs: [7] }), 422, "invalid_legs"],
      ["a hold of two legs", (id) => ({ id, legs: [leg(), leg()], pending: { timeout_s: 60 } }), 422, "hold_multi_leg"],
      ["a hold timeout of 0", (id) => ({ id, legs: [leg()], pending: { timeout_s: 0 } }), 422, "invalid_timeout"],
      ["a hold timeout over a week", (id) => ({ id, legs: [leg()], pending: { timeout_s: 604_801 } }), 422, "invalid_timeout"],
      ["a fractional hold timeout", (id) => ({ id, legs: [leg()], pending: { timeout_s: 1.5 } }), 422, "invalid_timeout"],
      ["a hold timeout as a string", (id) => ({ id, legs: [leg()], pending: { timeout_s: "60" } }), 422, "invalid_timeout"],
      ["a malformed code", (id) => ({ id, legs: [leg()], code: "Not A Code" }), 422, "invalid_code"],
      ["a malformed id", () => ({ id: "bad id!", legs: [leg()] }), 422, "invalid_id"],
      ["an id of 65 characters", () => ({ id: "x".repeat(65), legs: [leg()] }), 422, "invalid_id"],
      ["a numeric id", () => ({ id: 42, legs: [leg()] }), 422, "invalid_id"],
      ["no id", () => ({ legs: [leg()] }), 422, "invalid_id"],
      ["a malformed account id in a leg", (id) => ({ id, legs: [{ from: "no such/id", to: shop, amount: 1 }] }), 422, "invalid_id"],
      ["metadata that is a list", (id) => ({ id, legs: [leg()], metadata: [1, 2] }), 422, "invalid_metadata"],
      ["metadata over 4 KiB", (id) => ({ id, legs: [leg()], metadata: { note: "x".repeat(4100) } }), 422, "invalid_metadata"],
      ["an unknown field", (id) => ({ id, legs: [leg()], amount: 10 }), 400, "invalid_request"],
      ["an unknown field in a leg", (id) => ({ id, legs: [{ ...leg(), memo: "x" }] }), 400, "invalid_request"],
      ["pending that is not an object", (id) => ({ id, legs: [leg()], pending: "soon" }), 400, "invalid_request"],
      ["a body that is a list", () => [leg()], 400, "invalid_request"],
      ["a body that is a string", () => "pay", 400, "invalid_request"],
    ];
    it.each(cases)("refuses %s", async (_, body, status, code) => {
      const id = uid("bad");
      refusedIds.push(id);
      expectProblem(await call(h.app, "POST", "/v1/ledger/transfers", { body: body(id) }), status, code);
    });

    it("answers 404 account_not_found for an unknown account (and moves nothing)", async () => {
      expectProblem(await call(h.app, "POST", "/v1/ledger/transfers", { body: { id: uid("bad"), legs: [{ from: wallet, to: uid("ghost"), amount: 1 }] } }), 404, "account_not_found");
    });
  });

  describe("POST /v1/ledger/transfers/{id}/capture", () => {
    it.each(badAmounts)("refuses an amount that is %s (422 invalid_amount)", async (_, amount) => {
      const r = await post(`/v1/ledger/transfers/${holdId}/capture`, `{"id":"${uid("cap")}","amount":${amount}}`);
      expectProblem(r, 422, "invalid_amount");
    });
    it("refuses a missing id, a malformed hold id, an unknown hold and an unknown field", async () => {
      expectProblem(await call(h.app, "POST", `/v1/ledger/transfers/${holdId}/capture`, { body: { amount: 1 } }), 422, "invalid_id");
      expectProblem(await call(h.app, "POST", `/v1/ledger/transfers/bad!hold/capture`, { body: { id: uid("cap"), amount: 1 } }), 422, "invalid_id");
      expectProblem(await call(h.app, "POST", `/v1/ledger/transfers/${uid("ghost")}/capture`, { body: { id: uid("cap"), amount: 1 } }), 404, "hold_not_found");
      expectProblem(await call(h.app, "POST", `/v1/ledger/transfers/${holdId}/capture`, { body: { id: uid("cap"), amount: 1, to: shop } }), 400, "invalid_request");
    });
  });

  describe("POST /v1/ledger/transfers/{id}/void and /reversal", () => {
    it("refuses bad voids", async () => {
      expectProblem(await call(h.app, "POST", `/v1/ledger/transfers/${holdId}/void`, { body: {} }), 422, "invalid_id");
      expectProblem(await call(h.app, "POST", `/v1/ledger/transfers/${holdId}/void`, { body: { id: uid("v"), amount: 5 } }), 400, "invalid_request");
      expectProblem(await call(h.app, "POST", `/v1/ledger/transfers/${uid("ghost")}/void`, { body: { id: uid("v") } }), 404, "hold_not_found");
    });
    it("refuses bad reversals", async () => {
      expectProblem(await call(h.app, "POST", `/v1/ledger/transfers/${paymentId}/reversal`, { body: { id: uid("r"), code: "BAD CODE" } }), 422, "invalid_code");
      expectProblem(await call(h.app, "POST", `/v1/ledger/transfers/${paymentId}/reversal`, { body: { id: uid("r"), metadata: "why" } }), 422, "invalid_metadata");
      expectProblem(await call(h.app, "POST", `/v1/ledger/transfers/${uid("ghost")}/reversal`, { body: { id: uid("r") } }), 404, "transfer_not_found");
      expectProblem(await call(h.app, "POST", `/v1/ledger/transfers/${holdId}/reversal`, { body: { id: uid("r") } }), 422, "not_reversible");
    });
  });

  describe("POST /v1/ledger/accounts", () => {
    const cases: [string, unknown, number, string][] = [
      ["a malformed id", { id: "a b", kind: "wallet" }, 422, "invalid_id"],
      ["a malformed kind", { kind: "Wallet!" }, 422, "invalid_account"],
      ["no kind", {}, 422, "invalid_account"],
      ["an empty owner", { kind: "wallet", owner: "" }, 422, "invalid_account"],
      ["a lowercase asset", { kind: "wallet", asset: "jpy" }, 422, "invalid_account"],
      ["both limit flags", { kind: "wallet", flags: { debits_must_not_exceed_credits: true, credits_must_not_exceed_debits: true } }, 422, "invalid_account"],
      ["a flag that is not a boolean", { kind: "wallet", flags: { debits_must_not_exceed_credits: "yes" } }, 400, "invalid_request"],
      ["metadata over 4 KiB", { kind: "wallet", metadata: { note: "あ".repeat(1400) } }, 422, "invalid_metadata"],
      ["an unknown field", { kind: "wallet", balance: 100 }, 400, "invalid_request"],
    ];
    it.each(cases)("refuses %s", async (_, body, status, code) => {
      expectProblem(await call(h.app, "POST", "/v1/ledger/accounts", { body }), status, code);
    });
  });

  describe("GET endpoints", () => {
    it.each([
      ["limit=0", "invalid_request"],
      ["limit=101", "invalid_request"],
      ["limit=ten", "invalid_request"],
      ["as_of=yesterday", "invalid_request"],
      ["as_of=2025-01-01", "invalid_request"],
      ["cursor=%3Cscript%3E", "invalid_request"],
    ])("refuses entries?%s (400 %s)", async (query, code) => {
      expectProblem(await call(h.app, "GET", `/v1/ledger/accounts/${wallet}/entries?${query}`), 400, code);
    });
    it("refuses malformed ids in paths", async () => {
      expectProblem(await call(h.app, "GET", "/v1/ledger/transfers/bad!id"), 422, "invalid_id");
      expectProblem(await call(h.app, "GET", `/v1/ledger/accounts/${"x".repeat(65)}`), 422, "invalid_id");
    });
  });

  const writes = () => [
    "/v1/ledger/accounts",
    "/v1/ledger/transfers",
    `/v1/ledger/transfers/${holdId}/capture`,
    `/v1/ledger/transfers/${holdId}/void`,
    `/v1/ledger/transfers/${paymentId}/reversal`,
  ];

  describe("every write endpoint", () => {
    it("answers 400 malformed_json to broken JSON, and 400 invalid_request to an empty body", async () => {
      for (const path of writes()) {
        expectProblem(await post(path, '{"id": "x", "legs": ['), 400, "malformed_json");
        expectProblem(await post(path, "{'id': 1}"), 400, "malformed_json");
        expectProblem(await post(path, ""), 400, "invalid_request");
      }
    });

    it("answers 413 body_too_large to a body over the limit, before reading it as JSON", async () => {
      const huge = `{"id":"x","metadata":{"pad":"${"x".repeat(h.config.bodyLimitBytes)}"}}`;
      for (const path of writes()) expectProblem(await post(path, huge), 413, "body_too_large");
    });

    it("decides by a declared Content-Length without reading the body: 413 over the limit, read as usual within it", async () => {
      const declared = (rawBody: string) => ({ rawBody, headers: { "Content-Length": String(new TextEncoder().encode(rawBody).length) } });
      const huge = `{"id":"x","metadata":{"pad":"${"x".repeat(h.config.bodyLimitBytes)}"}}`;
      for (const path of writes()) expectProblem(await call(h.app, "POST", path, declared(huge)), 413, "body_too_large");
      for (const path of writes()) expectProblem(await call(h.app, "POST", path, declared('{"id": "x", "legs": [')), 400, "malformed_json");
    });
  });

  describe("authentication on every endpoint", () => {
    const guarded = routes.filter((r) => r.roles !== "public");
    const concrete = (path: string) => path.replace("{id}", "some-id");

    it.each([
      ["no Authorization header", null, undefined],
      ["a wrong token", "wrong-token-0123456789abcdef0123456789", undefined],
      ["the token with one character changed", `${serviceToken.slice(0, -1)}X`, undefined],
      ["the token with a suffix", `${serviceToken}x`, undefined],
      ["Basic auth", null, { Authorization: `Basic ${btoa(`service:${serviceToken}`)}` }],
      ["a bare token without Bearer", null, { Authorization: serviceToken }],
    ] as [string, string | null, Record<string, string> | undefined][])("answers 401 unauthorized to %s", async (_, token, headers) => {
      for (const route of guarded) {
        const r = await call(h.app, route.method.toUpperCase(), concrete(route.path), { token, ...(headers ? { headers } : {}), ...(route.method === "post" ? { body: { id: uid("x"), kind: "wallet", legs: [leg()], amount: 1 } } : {}) });
        expectProblem(r, 401, "unauthorized");
        expect(r.headers.get("www-authenticate")).toMatch(/^Bearer/);
        expect(r.text).not.toContain(serviceToken.slice(4, 20));
      }
    });
  });

  it("wrote nothing: balances, entries and the hold are as before, the audit passes, refused ids are free", async () => {
    expect(await snapshot()).toBe(before);
    await expectAuditOk(h.app);
    for (const id of refusedIds.slice(0, 5)) expectProblem(await call(h.app, "GET", `/v1/ledger/transfers/${id}`), 404, "transfer_not_found");
    // A request refused on its input is not remembered: the same id then works.
    const reused = refusedIds[0]!;
    expect((await transfer(h.app, reused, wallet, shop, 1)).status).toBe(201);
  });
});
