// The demo town's payments step: the demo residents start with coins, and seeding again moves nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemoTown } from "../src/seed";
import { demoCoinsYen, paymentsDemoStep } from "../src/services/payments-demo";
import { available, openPaymentsHarness, type PaymentsHarness } from "./payments-kit";

describe("the demo town's coins", () => {
  let h: PaymentsHarness;
  beforeAll(async () => {
    h = await openPaymentsHarness("pglite");
  });
  afterAll(async () => {
    await h?.close();
  });

  it("charges each demo resident once, however often the town is seeded", async () => {
    const town = await seedDemoTown({ identity: h.identity, ledger: h.ledger }, { steps: [paymentsDemoStep] });
    await seedDemoTown({ identity: h.identity, ledger: h.ledger }, { steps: [paymentsDemoStep] });
    for (const [who, yen] of Object.entries(demoCoinsYen) as [keyof typeof demoCoinsYen, bigint][]) {
      expect(await available(h, `res:${town.residents[who]}:coins`)).toBe(Number(yen));
    }
    const report = await h.ledger.audit();
    expect(report.ok).toBe(true);
  });
});
