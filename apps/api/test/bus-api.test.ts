// The bus over HTTP as its callers use it: a resident asks for an allowance (hold + certificate), a paired
// terminal downloads its configuration and uploads signed taps, a counter issues a card, an operator reads rides
// per route and day. Runs on PGlite with the real ledger, identity store and device signatures.
import { ed25519 } from "@noble/curves/ed25519.js";
import { generateDeviceKeyPair, signDeviceRequest } from "@tsubaki/auth";
import { createBusStore } from "@tsubaki/db";
import { encodeRideCode } from "@tsubaki/ride";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type TsubakiApp } from "../src/app";
import { createLogger } from "../src/log";
import { terminalIdOfDevice } from "../src/routes/bus";
import { createBusService, rideDateOf, type BusService } from "../src/services/bus";
import { bytesToHex, hexToBytes, loadIssuerKeyring } from "../src/services/bus-keys";
import { call, expectProblem, openHarness, type Harness } from "./harness";
import { fundRider, phoneTap } from "./bus-kit";
import { admin, newResident, tokenFor, type PaymentsHarness } from "./payments-kit";

let h: Harness;
let app: TsubakiApp;
let bus: BusService;
let device: { id: string; terminalId: string; secretKey: string };

async function signedCall(method: string, path: string, body?: unknown) {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const headers = signDeviceRequest({ deviceId: device.id, secretKey: device.secretKey, method, pathAndQuery: path, body: text ?? null, now: new Date() });
  return call(app, method, path, { token: null, headers: { ...headers, ...(text ? { "Content-Type": "application/json" } : {}) }, ...(text ? { rawBody: text } : {}) });
}

function rider() {
  const secretKey = ed25519.utils.randomSecretKey();
  return { secretKey, publicKeyHex: bytesToHex(ed25519.getPublicKey(secretKey)) };
}


beforeAll(async () => {
  h = await openHarness("pglite");
  const store = createBusStore(h.db);
  const keys = await loadIssuerKeyring({ configured: null, store, now: new Date() });
  bus = createBusService({ ledger: h.ledger, store, keys });
  app = createApp({ ledger: h.ledger, identity: h.identity, auth: h.auth, config: h.config, logger: createLogger("silent"), bus });
  const created = await h.identity.createDevice({ name: "のっティ 1号車", operator: "notty" }, admin);
  if (!created.ok) throw new Error(created.code);
  const pair = generateDeviceKeyPair();
  const paired = await h.identity.pairDevice({ pairingCode: created.pairingCode, publicKey: pair.publicKey });
  if (!paired.ok) throw new Error(paired.code);
  device = { id: created.device.id, terminalId: terminalIdOfDevice(created.device.id), secretKey: pair.secretKey };
});
afterAll(async () => h?.close());

describe("bus allowances and terminal sync", () => {
  it("holds ¥1,000 of a resident's coins for a ride code, captures each tap once into mer:bus, and releases the rest on renewal", async () => {
    const person = await newResident(h as unknown as PaymentsHarness);
    const coins = await fundRider(h.ledger, person.residentId, 5_000);
    const r = rider();
    const created = await call(app, "POST", "/v1/bus/allowances", { token: person.token, body: { rider_public_key: r.publicKeyHex } });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({ kind: "phone", holdYen: 1000, remainingYen: 1000, maxTotalYen: 1000, maxTaps: 10, status: "active" });
    expect((await h.ledger.getAccount(coins))!.debitsPending).toBe(1000n);

    const config = await signedCall("GET", "/v1/bus/terminal/config?deny_since=0");
    expect(config.status, config.text).toBe(200);
    expect(config.body.terminal_id).toBe(device.terminalId);
    expect(config.body.fare_table).toMatchObject({ adultYen: 100 });
    expect(config.body.issuer_keys).toHaveLength(1);
    expect(config.body.routes).toHaveLength(4);

    const now = Math.floor(Date.now() / 1000);
    const taps = [1, 2, 3].map((n) => phoneTap(created.body, r.secretKey, n, now + n, n, device.terminalId));
    const sync = await signedCall("POST", "/v1/bus/taps:sync", { terminalId: device.terminalId, routeId: "north", taps });
    expect(sync.status, sync.text).toBe(200);
    expect(sync.body.results).toEqual(taps.map((t) => ({ tapId: t.tapId, result: "captured", captureYen: 100, debtYen: 0 })));

    // The same upload again (a lost answer): the original results, nothing moves.
    const again = await signedCall("POST", "/v1/bus/taps:sync", { terminalId: device.terminalId, routeId: "north", taps: [taps[2], taps[0]] });
    expect(again.body.results).toEqual([taps[2]!, taps[0]!].map((t) => ({ tapId: t.tapId, result: "duplicate", captureYen: 0, debtYen: 0, original: { result: "captured", captureYen: 100, debtYen: 0 } })));
    expect((await h.ledger.getAccount("mer:bus"))!.creditsPosted).toBe(300n);

    // Same counter, other time: a double spend; the allowance goes on the deny list the terminals download.
    const clone = phoneTap(created.body, r.secretKey, 2, now + 50, 9, device.terminalId);
    const spent = await signedCall("POST", "/v1/bus/taps:sync", { terminalId: device.terminalId, taps: [clone] });
    expect(spent.body.results).toEqual([{ tapId: clone.tapId, result: "double_spend", captureYen: 0, debtYen: 0, original: { result: "captured", captureYen: 100, debtYen: 0 } }]);
    const delta = await signedCall("GET", "/v1/bus/terminal/config?deny_since=0");
    expect(delta.body.deny.entries).toEqual([{ allowance_id: created.body.id, reason: "double_spend" }]);
    expect(delta.body.deny.next).toBeGreaterThan(0);

    // Renewal voids the rest; a late tap of the old allowance becomes recorded debt.
    const renewed = await call(app, "POST", "/v1/bus/allowances", { token: person.token, body: { rider_public_key: r.publicKeyHex, total_yen: 500, taps: 5 } });
    expect(renewed.status, renewed.text).toBe(201);
    const late = phoneTap(created.body, r.secretKey, 4, now + 60, 10, device.terminalId);
    const lateSync = await signedCall("POST", "/v1/bus/taps:sync", { terminalId: device.terminalId, taps: [late] });
    expect(lateSync.body.results).toEqual([{ tapId: late.tapId, result: "debt", captureYen: 0, debtYen: 100 }]);
    const account = (await h.ledger.getAccount(coins))!;
    expect({ posted: account.creditsPosted - account.debitsPosted, pending: account.debitsPending }).toEqual({ posted: 5_000n - 300n, pending: 500n });
    const list = await call(app, "GET", "/v1/bus/allowances", { token: person.token });
    expect(list.body.debt_yen).toBe(100);
    expect(list.body.items.map((a: { status: string; closedReason: string | null }) => [a.status, a.closedReason])).toEqual([["active", null], ["closed", "renewed"]]);

    const report = await call(app, "GET", `/v1/bus/reports/rides?from=${rideDateOf(now)}&to=${rideDateOf(now + 60)}`);
    expect(report.status, report.text).toBe(200);
    expect(report.body.items).toEqual(
      expect.arrayContaining([{ rideDate: rideDateOf(now), routeId: "north", rides: 3, fareYen: 300, debtYen: 0 }]),
    );
    const audit = await call(app, "GET", "/v1/ledger/audit");
    expect(audit.body.ok, JSON.stringify(audit.body.checks)).toBe(true);
  });

  it("refuses what a terminal cannot vouch for: another terminal's taps, forged codes, unsigned requests", async () => {
    const person = await newResident(h as unknown as PaymentsHarness);
    await fundRider(h.ledger, person.residentId, 2_000);
    const r = rider();
    const created = await call(app, "POST", "/v1/bus/allowances", { token: person.token, body: { rider_public_key: r.publicKeyHex } });
    const now = Math.floor(Date.now() / 1000);
    const tap = phoneTap(created.body, r.secretKey, 1, now, 1, device.terminalId);

    const unsigned = await call(app, "POST", "/v1/bus/taps:sync", { token: null, body: { terminalId: device.terminalId, taps: [tap] } });
    expectProblem(unsigned, 401, "unauthorized");
    const residentCall = await call(app, "POST", "/v1/bus/taps:sync", { token: person.token, body: { terminalId: device.terminalId, taps: [tap] } });
    expectProblem(residentCall, 403, "forbidden");
    const other = await signedCall("POST", "/v1/bus/taps:sync", { terminalId: "someoneelse", taps: [{ ...tap, terminalId: "someoneelse" }] });
    expectProblem(other, 403, "forbidden");

    const forgedSig = { ...tap, rideCode: encodeRideCode({ kind: "phone", cert: hexToBytes(created.body.certificate), tap: { counter: 1, time: now }, sig: new Uint8Array(64).fill(7) }) };
    const forged = await signedCall("POST", "/v1/bus/taps:sync", { terminalId: device.terminalId, taps: [forgedSig] });
    expect(forged.body.results).toEqual([{ tapId: tap.tapId, result: "invalid", captureYen: 0, debtYen: 0, code: "tap_bad_signature" }]);
    const bad = await signedCall("POST", "/v1/bus/taps:sync", { terminalId: device.terminalId, taps: [{ ...tap, fareYen: -1 }] });
    expectProblem(bad, 400, "invalid_request");
    expect((await h.ledger.getAccount("mer:bus"))!.creditsPosted).toBeGreaterThanOrEqual(0n);
  });

  it("refuses an allowance the coins cannot cover and a card only a counter may issue", async () => {
    const person = await newResident(h as unknown as PaymentsHarness);
    await fundRider(h.ledger, person.residentId, 300);
    const r = rider();
    const poor = await call(app, "POST", "/v1/bus/allowances", { token: person.token, body: { rider_public_key: r.publicKeyHex } });
    expectProblem(poor, 422, "insufficient_funds");
    const tooLong = await call(app, "POST", "/v1/bus/allowances", { token: person.token, body: { rider_public_key: r.publicKeyHex, total_yen: 200, hours: 73 } });
    expectProblem(tooLong, 400, "invalid_request");
    const selfCard = await call(app, "POST", "/v1/bus/cards", { token: person.token, body: { resident_id: person.residentId, fare_class: "adult" } });
    expectProblem(selfCard, 403, "forbidden");
    const card = await call(app, "POST", "/v1/bus/cards", { body: { resident_id: person.residentId, fare_class: "disability", daily_yen: 100, daily_taps: 2 } });
    expect(card.status, card.text).toBe(201);
    expect(card.body).toMatchObject({ kind: "card", fareClass: "disability", holdYen: 100, maxTaps: 2 });
    expect(card.body.rideCode).toMatch(/^TSBKR1:/);
    expect(await tokenFor(h as unknown as PaymentsHarness, person.userId)).toBeTruthy();
  });

  it("releases the rest of a lapsed allowance and renews a card's standing hold in the sweep", async () => {
    const store = createBusStore(h.db);
    const clock = { ms: Date.now() };
    const swept = createBusService({ ledger: h.ledger, store, keys: await loadIssuerKeyring({ configured: null, store, now: new Date() }), now: () => new Date(clock.ms) });
    const person = await newResident(h as unknown as PaymentsHarness);
    const coins = await fundRider(h.ledger, person.residentId, 2_000);
    const phone = await swept.requestAllowance({ residentId: person.residentId, coinsAccountId: coins, riderPublicKeyHex: rider().publicKeyHex, totalYen: 500 });
    const card = await swept.issueCardAllowance({ residentId: person.residentId, coinsAccountId: coins, fareClass: "adult", dailyYen: 200 });
    expect(phone.ok && card.ok).toBe(true);
    expect((await h.ledger.getAccount(coins))!.debitsPending).toBe(700n);

    clock.ms += 6 * 86_400_000 + 1000; // past the phone's 72 h + 24 h grace and the card hold's 6 days
    await swept.sweep();
    const views = await swept.allowancesOf(person.residentId);
    expect(views.map((v) => [v.kind, v.status, v.closedReason, v.remainingYen]).sort()).toEqual([
      ["card", "active", null, 200],
      ["phone", "closed", "expired", 0],
    ]);
    const account = (await h.ledger.getAccount(coins))!;
    expect({ pending: account.debitsPending, posted: account.creditsPosted - account.debitsPosted }).toEqual({ pending: 200n, posted: 2_000n });
    const renewed = await store.getAllowance(card.ok ? card.allowance.id : "");
    expect(renewed?.holdSeq).toBe(2);
  });
});
