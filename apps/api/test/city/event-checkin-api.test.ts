// Event check-in through the API, as the city and residents use it: an administrator opens an event campaign and
// shows its rotating QR; a resident scans it and gets the event's points once, however often they scan; a code
// that was forged, mangled or photographed more than two minutes ago, an event not running, a resident the rule
// leaves out and an exhausted budget are refused with their own problem codes and write nothing. Also the console's
// grant by rule through the API: the preview, the grant, and the eligibility rule set on creation.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createApp } from "../../src/app";
import { createLogger } from "../../src/log";
import { createCityService, grantLotId, type CityService } from "../../src/services/city";
import { expectProblem } from "../harness";
import { available, call, newResident, newUser, openPaymentsHarness, tokenFor, uniq, type PaymentsHarness } from "../payments-kit";

for (const backend of ["pglite", "postgres"] as const) {
  describe(`event check-in API (${backend})`, () => {
    let h: PaymentsHarness;
    let operator: string;
    let auditor: string;
    let city: CityService;
    beforeAll(async () => {
      h = await openPaymentsHarness(backend);
      city = createCityService({ db: h.db, ledger: h.ledger, identity: h.identity, now: h.clock.now });
      h.app = createApp({ ledger: h.ledger, identity: h.identity, auth: h.auth, payments: h.payments, city, config: h.config, logger: createLogger("silent") });
      operator = await tokenFor(h, await newUser(h, "city", ["admin_operator"]));
      auditor = await tokenFor(h, await newUser(h, "city", ["admin_auditor"]));
    });
    afterAll(async () => {
      await h?.close();
    });

    /** An event running from yesterday for a month (or as told), funded with `fundYen`. */
    async function event(options: { fundYen: number; checkInYen?: number; capYen?: number; eligibility?: unknown; startsInDays?: number; kind?: "event" | "grant" }): Promise<string> {
      const id = uniq("ev").toLowerCase();
      const now = h.clock.now().getTime();
      const starts = now + (options.startsInDays ?? -1) * 86_400_000;
      const created = await call(h, "POST", "/v1/admin/campaigns", {
        token: operator,
        body: {
          id,
          name_ja: "のっティ感謝祭",
          name_en: "Notty festival",
          kind: options.kind ?? "event",
          grant_yen: options.checkInYen ?? 500,
          cap_per_person_yen: options.capYen ?? 500,
          starts_at: new Date(starts).toISOString(),
          ends_at: new Date(starts + 30 * 86_400_000).toISOString(),
          ...(options.eligibility === undefined ? {} : { eligibility: options.eligibility }),
        },
      });
      expect(created.status, created.text).toBe(201);
      if (options.fundYen > 0) {
        const funded = await call(h, "POST", `/v1/admin/campaigns/${id}/fund`, { token: operator, key: uniq("k"), body: { amount: options.fundYen } });
        expect(funded.status, funded.text).toBe(201);
      }
      return id;
    }

    async function codeOf(id: string): Promise<string> {
      const r = await call(h, "GET", `/v1/admin/campaigns/${id}/checkin-code`, { token: operator });
      expect(r.status, r.text).toBe(200);
      return r.body.payload as string;
    }

    const checkIn = (token: string, code: string) => call(h, "POST", "/v1/wallet/checkins", { token, body: { code } });

    test("a resident scans the event's QR and gets its points once; scanning again returns the same lot", async () => {
      const id = await event({ fundYen: 1500, eligibility: { age_min: 65, districts: ["本町"] } });
      const shown = await call(h, "GET", `/v1/admin/campaigns/${id}/checkin-code`, { token: operator });
      expect(shown.status, shown.text).toBe(200);
      expect(shown.body.payload).toMatch(new RegExp(`^tsubaki-checkin:1:${id}:\\d+:[A-Z2-7]{16}$`));
      expect(Date.parse(shown.body.expires_at) - Date.parse(shown.body.rotates_at)).toBe(60_000);
      expect(shown.body.campaign).toMatchObject({ id, kind: "event", grant_yen: 500, eligibility: { age_min: 65, age_max: null, districts: ["本町"], verified_required: true } });

      const taro = await newResident(h); // born 1950-04-01, 本町, verified
      const first = await checkIn(taro.token, shown.body.payload);
      expect(first.status, first.text).toBe(201);
      expect(first.body).toMatchObject({ campaign_id: id, campaign_name_ja: "のっティ感謝祭", amount_yen: 500, already_checked_in: false, lot_id: grantLotId(id, taro.residentId) });
      const wallet = await call(h, "GET", "/v1/wallet", { token: taro.token });
      expect(wallet.body.lots.find((l: { campaign_id: string }) => l.campaign_id === id)).toMatchObject({ balance_yen: 500 });

      const again = await checkIn(taro.token, shown.body.payload);
      expect(again.status, again.text).toBe(200);
      expect(again.body).toMatchObject({ lot_id: first.body.lot_id, amount_yen: 500, already_checked_in: true });
      // A fresh code a minute later: still once.
      h.clock.advance(61_000);
      expect((await checkIn(taro.token, await codeOf(id))).status).toBe(200);
      expect(await available(h, `cmp:${id}:budget`)).toBe(1000);
      expect(await available(h, first.body.account_id)).toBe(500);
    });

    test("a resident scanning twice at the same moment gets one lot (the cap leaves room for two)", async () => {
      const id = await event({ fundYen: 5000, checkInYen: 300, capYen: 1000 });
      const shiro = await newResident(h);
      const code = await codeOf(id);
      const both = await Promise.all([checkIn(shiro.token, code), checkIn(shiro.token, code), checkIn(shiro.token, code)]);
      expect(both.map((r) => r.status).sort()).toEqual([200, 200, 201]);
      expect(new Set(both.map((r) => r.body.lot_id)).size).toBe(1);
      expect(await available(h, `cmp:${id}:budget`)).toBe(4700);
      expect(await city.store.grantedTo(id, [shiro.residentId])).toEqual(new Map([[shiro.residentId, 300n]]));
    });

    test("forged, malformed and expired codes are refused, with nothing written", async () => {
      const id = await event({ fundYen: 1000 });
      const hanako = await newResident(h);
      const code = await codeOf(id);
      const mac = code.slice(-16);
      const forgedMac = code.slice(0, -16) + (mac[0] === "A" ? "B" : "A") + mac.slice(1);
      expectProblem(await checkIn(hanako.token, forgedMac), 422, "checkin_code_forged");
      // A code made up for another campaign id, or for a later slot, with the same MAC: forged too.
      expectProblem(await checkIn(hanako.token, code.replace(`:${id}:`, ":other-event:")), 422, "checkin_code_forged");
      const slot = Number(code.split(":")[3]);
      expectProblem(await checkIn(hanako.token, code.replace(`:${slot}:`, `:${slot + 5}:`)), 422, "checkin_code_forged");
      for (const bad of ["hello", "tsubaki-checkin:1:", `tsubaki-checkin:1:${id}:x:${mac}`, `tsubaki-checkin:2:${id}:${slot}:${mac}`, `${code}:extra`]) {
        expectProblem(await checkIn(hanako.token, bad), 422, "checkin_code_invalid");
      }
      // A photo of the code: accepted in its own and the next minute, then expired.
      h.clock.advance(121_000);
      expectProblem(await checkIn(hanako.token, code), 410, "checkin_code_expired");
      expect(await available(h, `cmp:${id}:budget`)).toBe(1000);
      expect(await available(h, `res:${hanako.residentId}:pts:${grantLotId(id, hanako.residentId)}`)).toBe(0);
      const wallet = await call(h, "GET", "/v1/wallet", { token: hanako.token });
      expect(wallet.body.lots).toEqual([]);
    });

    test("a code from the previous minute still works (a resident scanning as it rotates is not refused)", async () => {
      const id = await event({ fundYen: 1000 });
      const jiro = await newResident(h);
      const code = await codeOf(id);
      h.clock.advance(60_000);
      const r = await checkIn(jiro.token, code);
      expect(r.status, r.text).toBe(201);
    });

    test("outside the event's period, for a resident the rule leaves out, or for a grant campaign: refused, nothing written", async () => {
      const later = await event({ fundYen: 1000, startsInDays: 2 });
      const saburo = await newResident(h);
      expectProblem(await checkIn(saburo.token, await codeOf(later)), 409, "campaign_not_active");

      const elsewhere = await event({ fundYen: 1000, eligibility: { districts: ["押野"] } });
      const r = await checkIn(saburo.token, await codeOf(elsewhere));
      expectProblem(r, 422, "not_eligible");
      expect(r.body.reason).toBe("district_not_eligible");
      const young = await event({ fundYen: 1000, eligibility: { age_max: 60 } });
      expect((await checkIn(saburo.token, await codeOf(young))).body.reason).toBe("above_age_max");
      const open = await event({ fundYen: 1000 });
      const unverified = await newResident(h, { verified: false });
      const u = await checkIn(unverified.token, await codeOf(open));
      expectProblem(u, 422, "not_eligible");
      expect(u.body.reason).toBe("not_verified");
      for (const id of [later, elsewhere, young, open]) expect(await available(h, `cmp:${id}:budget`)).toBe(1000);

      const grant = await event({ fundYen: 0, kind: "grant" });
      expectProblem(await call(h, "GET", `/v1/admin/campaigns/${grant}/checkin-code`, { token: operator }), 422, "not_an_event");
      expectProblem(await call(h, "GET", `/v1/admin/campaigns/nope/checkin-code`, { token: operator }), 404, "campaign_not_found");
      // An auditor reads but may not show a live code (it gives points).
      expectProblem(await call(h, "GET", `/v1/admin/campaigns/${open}/checkin-code`, { token: auditor }), 403, "forbidden");
    });

    test("when the budget runs out, the next resident is refused and nothing is written for them", async () => {
      const id = await event({ fundYen: 500 });
      const [a, b] = [await newResident(h), await newResident(h)];
      const code = await codeOf(id);
      expect((await checkIn(a.token, code)).status).toBe(201);
      expectProblem(await checkIn(b.token, code), 409, "exceeds_budget");
      expect(await available(h, `cmp:${id}:budget`)).toBe(0);
      expect((await call(h, "GET", "/v1/wallet", { token: b.token })).body.lots).toEqual([]);
      expect((await h.ledger.audit()).ok).toBe(true);
    });

    test("the console's grant by rule: eligibility on creation, a preview, then the grant (idempotent per key)", async () => {
      const district = uniq("d");
      const id = uniq("rule").toLowerCase();
      const now = h.clock.now().getTime();
      const created = await call(h, "POST", "/v1/admin/campaigns", {
        token: operator,
        body: {
          id,
          name_ja: "敬老ポイント",
          name_en: "Senior points",
          kind: "grant",
          grant_yen: 2000,
          cap_per_person_yen: 2000,
          starts_at: new Date(now - 86_400_000).toISOString(),
          ends_at: new Date(now + 30 * 86_400_000).toISOString(),
          eligibility: { age_min: 70, districts: [district] },
        },
      });
      expect(created.status, created.text).toBe(201);
      const invalid = await call(h, "POST", "/v1/admin/campaigns", { token: operator, body: { ...created.body, id: `${id}x`, eligibility: { age_min: 80, age_max: 70 } } });
      expect(invalid.status).toBe(400); // campaignToJson's fields are not the create body's
      const wrongAges = await call(h, "POST", "/v1/admin/campaigns", {
        token: operator,
        body: { id: `${id}y`, name_ja: "x", name_en: "x", kind: "grant", cap_per_person_yen: 1, starts_at: new Date(now).toISOString(), ends_at: new Date(now + 86_400_000).toISOString(), eligibility: { age_min: 80, age_max: 70 } },
      });
      expectProblem(wrongAges, 422, "invalid_campaign");
      await call(h, "POST", `/v1/admin/campaigns/${id}/fund`, { token: operator, key: uniq("k"), body: { amount: 10_000 } });
      const people = await Promise.all([0, 1, 2].map(async (i) => {
        const r = await h.identity.createResident({ name: "試験", nameKana: "シケン", birthDate: i === 2 ? "1990-01-01" : "1940-01-01", district }, { actor: "t", actorRoles: [], requestId: null });
        if (!r.ok) throw new Error(r.code);
        await h.identity.verifyResident(r.resident.id, { actor: "t", actorRoles: [], requestId: null });
        return r.resident.id;
      }));
      const preview = await call(h, "GET", `/v1/admin/campaigns/${id}/rule-grant/preview`, { token: auditor });
      expect(preview.status, preview.text).toBe(200);
      expect(preview.body).toMatchObject({ campaign_id: id, amount_yen: 2000, matched_count: 2, grant_count: 2, total_yen: 4000, needs_approval: false, budget_available_yen: 10_000 });
      expect(preview.body.skipped.below_age_min).toBe(1);
      expectProblem(await call(h, "POST", `/v1/admin/campaigns/${id}/rule-grants`, { token: auditor, key: uniq("k"), body: {} }), 403, "forbidden");
      expectProblem(await call(h, "POST", `/v1/admin/campaigns/${id}/rule-grants`, { token: operator, body: {} }), 400, "idempotency_key_required");
      const key = uniq("k");
      const granted = await call(h, "POST", `/v1/admin/campaigns/${id}/rule-grants`, { token: operator, key, body: {} });
      expect(granted.status, granted.text).toBe(201);
      expect(granted.body).toMatchObject({ status: "executed", granted_count: 2, granted_yen: 4000, matched_count: 2, rule_skipped: { below_age_min: 1 } });
      const run = await call(h, "GET", `/v1/admin/grant-runs/${granted.body.run_id}`, { token: auditor });
      expect(run.body).toMatchObject({ status: "done", done_count: 2, total_count: 2, granted_count: 2, granted_yen: 4000 });
      const again = await call(h, "POST", `/v1/admin/campaigns/${id}/rule-grants`, { token: operator, key: uniq("k"), body: {} });
      expect(again.body).toMatchObject({ status: "executed", granted_count: 0, replayed_count: 2 });
      expect(await available(h, `cmp:${id}:budget`)).toBe(6000);
      expect(await available(h, `res:${people[0]}:pts:${grantLotId(id, people[0]!)}`)).toBe(2000);
    });
  });
}
