// Grants by rule as the city runs them: "everyone in these districts aged 65 to 70 on the grant day" — ages counted
// on the Tokyo date (a birthday counts from 00:00 JST), districts filtered, unverified residents left out, the
// per-person cap and the budget exact, the preview writing nothing, a rerun granting nobody twice, and a grant at
// the threshold waiting for a second approver. Each test uses its own districts, so the town's other residents
// never match.
import type { AuditActor } from "@tsubaki/db";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { budgetAccountId, grantLotId } from "../../src/services/city";
import { approverA, approverB, openCityHarness, operator, type CityHarness } from "./city-harness";

const t0 = new Date("2026-04-10T01:00:00Z"); // 10:00 JST, 2026-04-10
const period = { startsAt: new Date("2026-04-01T00:00:00Z"), endsAt: new Date("2026-09-01T00:00:00Z") };
const setup: AuditActor = { actor: "test-setup", actorRoles: ["admin_operator"], requestId: "test" };

async function available(h: CityHarness, id: string): Promise<bigint> {
  const a = await h.ledger.getAccount(id);
  return a ? a.creditsPosted - a.debitsPosted - a.debitsPending : 0n;
}

async function resident(h: CityHarness, birthDate: string, district: string, verified = true): Promise<string> {
  const created = await h.identity.createResident({ name: "野々市 花子", nameKana: "ノノイチ ハナコ", birthDate, district }, setup);
  if (!created.ok) throw new Error(`${created.code} ${created.detail}`);
  if (verified) await h.identity.verifyResident(created.resident.id, setup);
  return created.resident.id;
}

type CampaignInput = Parameters<CityHarness["city"]["createCampaign"]>[0];

async function ruleCampaign(h: CityHarness, id: string, extra: Partial<CampaignInput>, fundYen: bigint) {
  const r = await h.city.createCampaign({ id, nameJa: `条件 ${id}`, nameEn: `Rule ${id}`, kind: "grant", grantYen: 1000n, capPerPersonYen: 3000n, restriction: null, ...period, ...extra }, operator);
  expect(r.ok).toBe(true);
  if (fundYen > 0n) expect(await h.city.fundCampaign(id, fundYen, `fund-${id}`, operator)).toMatchObject({ ok: true, status: "executed" });
}

for (const backend of ["pglite", "postgres"] as const) {
  describe(`grants by rule (${backend})`, () => {
    let h: CityHarness;
    beforeAll(async () => {
      h = await openCityHarness(backend, t0);
    });
    afterAll(async () => {
      await h?.close();
    });

    test("ages 65–70 on the Tokyo grant day, birthdays included, in the listed districts, verified only", async () => {
      h.clock.now = t0;
      const turns65Today = await resident(h, "1961-04-10", "age-a");
      const turns65Tomorrow = await resident(h, "1961-04-11", "age-a");
      const is70 = await resident(h, "1955-04-11", "age-b"); // 71 tomorrow: still 70 today
      const turned71Today = await resident(h, "1955-04-10", "age-b");
      const unverified = await resident(h, "1958-01-01", "age-a", false);
      const otherDistrict = await resident(h, "1958-01-01", "age-elsewhere");
      await ruleCampaign(h, "ages", { eligibility: { ageMin: 65, ageMax: 70, districts: ["age-a", "age-b"] } }, 100_000n);

      const preview = await h.city.previewRuleGrant("ages", null);
      expect(preview).toMatchObject({ ok: true, grantDate: "2026-04-10", amountYen: 1000n, matchedCount: 2, grantCount: 2, totalYen: 2000n, needsApproval: false });
      expect(preview.ok && preview.skipped).toMatchObject({ below_age_min: 1, above_age_max: 1, not_verified: 1 });
      expect(preview.ok && preview.skipped.district_not_eligible).toBeGreaterThanOrEqual(1); // the town's other residents too
      expect(await available(h, budgetAccountId("ages"))).toBe(100_000n); // the preview wrote nothing
      expect((await h.city.store.existingLots([grantLotId("ages", turns65Today)])).size).toBe(0);

      const granted = await h.city.requestRuleGrant("ages", null, "ages-1", operator);
      expect(granted).toMatchObject({ ok: true, status: "executed", grantedCount: 2, grantedYen: 2000n, matchedCount: 2 });
      for (const rid of [turns65Today, is70]) expect(await available(h, `res:${rid}:pts:${grantLotId("ages", rid)}`)).toBe(1000n);
      for (const rid of [turns65Tomorrow, turned71Today, unverified, otherDistrict]) expect((await h.city.store.existingLots([grantLotId("ages", rid)])).size).toBe(0);
      expect(await available(h, budgetAccountId("ages"))).toBe(98_000n);
      expect((await h.ledger.audit()).ok).toBe(true);
    });

    test("the birthday counts from 00:00 JST: at 15:30 UTC the day before, the resident is already 65", async () => {
      h.clock.now = new Date("2026-05-19T15:30:00Z"); // 2026-05-20 00:30 JST
      const birthdayToday = await resident(h, "1961-05-20", "jst-a");
      await ruleCampaign(h, "jst", { eligibility: { ageMin: 65, districts: ["jst-a"] } }, 10_000n);
      const preview = await h.city.previewRuleGrant("jst", null);
      expect(preview).toMatchObject({ ok: true, grantDate: "2026-05-20", matchedCount: 1 });
      h.clock.now = new Date("2026-05-19T14:59:59Z"); // 23:59:59 JST the day before: still 64
      expect(await h.city.previewRuleGrant("jst", null)).toMatchObject({ ok: true, grantDate: "2026-05-19", matchedCount: 0 });
      h.clock.now = new Date("2026-05-19T15:00:00Z");
      expect(await h.city.requestRuleGrant("jst", null, "jst-1", operator)).toMatchObject({ ok: true, grantedCount: 1 });
      expect(await available(h, `res:${birthdayToday}:pts:${grantLotId("jst", birthdayToday)}`)).toBe(1000n);
      h.clock.now = t0;
    });

    test("running the rule grant again grants nobody twice; a newcomer who matches later gets theirs", async () => {
      h.clock.now = t0;
      const first = [await resident(h, "1990-01-01", "rerun-a"), await resident(h, "1991-01-01", "rerun-a")];
      await ruleCampaign(h, "rerun", { eligibility: { districts: ["rerun-a"] } }, 10_000n);
      expect(await h.city.requestRuleGrant("rerun", null, "rerun-1", operator)).toMatchObject({ ok: true, grantedCount: 2, grantedYen: 2000n });
      const preview = await h.city.previewRuleGrant("rerun", null);
      expect(preview).toMatchObject({ ok: true, matchedCount: 2, grantCount: 0, totalYen: 0n });
      expect(preview.ok && preview.skipped.already_granted).toBe(2);
      // The same key (a retry) and a new key (run again next week) both grant nobody twice.
      expect(await h.city.requestRuleGrant("rerun", null, "rerun-1", operator)).toMatchObject({ ok: true, grantedCount: 0, replayedCount: 2 });
      const newcomer = await resident(h, "1992-01-01", "rerun-a");
      expect(await h.city.requestRuleGrant("rerun", null, "rerun-2", operator)).toMatchObject({ ok: true, grantedCount: 1, grantedYen: 1000n, replayedCount: 2 });
      for (const rid of [...first, newcomer]) expect(await available(h, `res:${rid}:pts:${grantLotId("rerun", rid)}`)).toBe(1000n);
      expect(await available(h, budgetAccountId("rerun"))).toBe(7000n);
      expect(await h.city.store.grantedTo("rerun", first)).toEqual(new Map(first.map((rid) => [rid, 1000n])));
    });

    test("the per-person cap limits the amount; a budget too small for everyone refuses the whole grant", async () => {
      h.clock.now = t0;
      const rids = [await resident(h, "1980-01-01", "cap-a"), await resident(h, "1981-01-01", "cap-a"), await resident(h, "1982-01-01", "cap-a")];
      await ruleCampaign(h, "capr", { eligibility: { districts: ["cap-a"] }, capPerPersonYen: 1500n, grantYen: 1500n }, 4000n);
      // ¥2,000 asked, the cap is ¥1,500: 3 × 1,500 = 4,500 > ¥4,000 of budget.
      const preview = await h.city.previewRuleGrant("capr", 2000n);
      expect(preview).toMatchObject({ ok: true, matchedCount: 3, grantCount: 2, totalYen: 3000n, budgetExhaustedAt: 2 });
      expect(preview.ok && preview.skipped.budget_exhausted).toBe(1);
      expect(await h.city.requestRuleGrant("capr", 2000n, "capr-1", operator)).toMatchObject({ ok: false, code: "exceeds_budget" });
      expect(await available(h, budgetAccountId("capr"))).toBe(4000n);
      expect((await h.city.store.existingLots(rids.map((rid) => grantLotId("capr", rid)))).size).toBe(0);
      await h.city.fundCampaign("capr", 500n, "fund-capr-2", operator);
      expect(await h.city.requestRuleGrant("capr", 2000n, "capr-2", operator)).toMatchObject({ ok: true, grantedCount: 3, grantedYen: 4500n });
      for (const rid of rids) expect(await available(h, `res:${rid}:pts:${grantLotId("capr", rid)}`)).toBe(1500n);
      expect(await available(h, budgetAccountId("capr"))).toBe(0n);
      // Everyone is at the cap now: nothing more to give.
      const after = await h.city.previewRuleGrant("capr", 2000n);
      expect(after).toMatchObject({ ok: true, grantCount: 0, totalYen: 0n });
      expect((await h.ledger.audit()).ok).toBe(true);
    });

    test("a rule grant of ¥1,000,000 or more waits for a second approver, who executes exactly the previewed list", async () => {
      h.clock.now = t0;
      const rids = [await resident(h, "1970-01-01", "big-a"), await resident(h, "1971-01-01", "big-a")];
      await ruleCampaign(h, "bigr", { eligibility: { districts: ["big-a"] }, capPerPersonYen: 500_000n, grantYen: 500_000n }, 0n);
      const fund = await h.city.fundCampaign("bigr", 1_000_000n, "fund-bigr", operator);
      expect(fund).toMatchObject({ ok: true, status: "pending_approval" });
      if (!fund.ok || fund.status !== "pending_approval") throw new Error("funding");
      expect(await h.city.approveRequest(fund.request.id, approverB)).toMatchObject({ ok: true });

      expect(await h.city.previewRuleGrant("bigr", null)).toMatchObject({ ok: true, grantCount: 2, totalYen: 1_000_000n, needsApproval: true });
      const asked = await h.city.requestRuleGrant("bigr", null, "bigr-1", approverA);
      expect(asked).toMatchObject({ ok: true, status: "pending_approval", plannedYen: 1_000_000n, plannedCount: 2 });
      if (!asked.ok || asked.status !== "pending_approval") throw new Error("approval");
      expect(await available(h, budgetAccountId("bigr"))).toBe(1_000_000n);
      // A resident who matches after the request is not in the approved list.
      const late = await resident(h, "1972-01-01", "big-a");
      expect(await h.city.approveRequest(asked.request.id, approverA)).toMatchObject({ ok: false, code: "self_approval" });
      expect(await h.city.approveRequest(asked.request.id, approverB)).toMatchObject({ ok: true, result: { granted_count: 2 } });
      for (const rid of rids) expect(await available(h, `res:${rid}:pts:${grantLotId("bigr", rid)}`)).toBe(500_000n);
      expect((await h.city.store.existingLots([grantLotId("bigr", late)])).size).toBe(0);
      expect(await available(h, budgetAccountId("bigr"))).toBe(0n);
    });

    test("only grant campaigns are granted by rule", async () => {
      h.clock.now = t0;
      await ruleCampaign(h, "prem", { kind: "premium", rateBps: 2000 }, 0n);
      expect(await h.city.previewRuleGrant("prem", null)).toMatchObject({ ok: false, code: "invalid_campaign" });
      expect(await h.city.requestRuleGrant("nope", null, "x", operator)).toMatchObject({ ok: false, code: "campaign_not_found" });
    });
  });
}
