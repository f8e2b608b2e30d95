// The payments part of the demo town: the demo residents start with coins charged at the city counter, so a wallet,
// a shop QR and a code can be tried at once after `npm start`. Idempotent: the charges have fixed transfer ids, so
// a second run replays them and moves nothing. DEMO ONLY (seeded only when the Node entry seeds the demo town).
import { accountIdOf } from "@tsubaki/auth";
import type { SeedStep } from "../seed";
import { counterAccounts, ensureAccounts, residentAccounts } from "./accounts";

/** Coins each demo resident starts with. */
export const demoCoinsYen = { hanako: 5000n, taro: 3000n, ume: 2000n } as const;

export const paymentsDemoStep: SeedStep = async (town, { ledger }) => {
  const counter = town.users.counter;
  await ensureAccounts(ledger, counterAccounts(counter));
  for (const [who, yen] of Object.entries(demoCoinsYen) as [keyof typeof demoCoinsYen, bigint][]) {
    const residentId = town.residents[who];
    await ensureAccounts(ledger, residentAccounts(residentId));
    const charged = await ledger.submit({
      op: "transfer",
      id: `demo-charge-${who}`,
      legs: [{ from: accountIdOf.cashIn(counter), to: accountIdOf.residentCoins(residentId), amount: yen }],
      code: "charge",
      metadata: { resident: residentId, counter, demo: true },
    });
    if (!charged.ok) throw new Error(`BUG: the demo charge for ${who} was refused: ${charged.code} ${charged.detail}`);
  }
};
