// The ledger accounts every person and organisation has (DESIGN §3 "Account kinds"), named by @tsubaki/auth's
// accountIdOf and ownerOf so reports group them by owner. Opened when the resident, shop or counter clerk is
// created (admin routes, the demo seed); opening is idempotent, so opening again is harmless. Payments code reads
// the same ids; keep the kinds and flags here, in one place.
import { accountIdOf, ownerOf } from "@tsubaki/auth";
import { ProblemError } from "../http/problem";
import type { LedgerService } from "./ledger";

export interface AccountSpec {
  id: string;
  kind: string;
  owner: string;
  /** debits_must_not_exceed_credits: the account cannot go below zero. */
  noOverdraft: boolean;
}

/** The city's and the operator's own accounts. */
export const cityAccounts: readonly AccountSpec[] = Object.freeze([
  { id: "fund:city", kind: "funding", owner: "city", noOverdraft: false },
  { id: "mer:bus", kind: "merchant", owner: "operator:bus", noOverdraft: true },
  { id: "fee:operator", kind: "fee", owner: "operator", noOverdraft: false },
  { id: "payout:pending", kind: "payout", owner: "city", noOverdraft: false },
  { id: "refund:payable", kind: "refund", owner: "city", noOverdraft: false },
]);

export const residentAccounts = (residentId: string): AccountSpec[] => [
  { id: accountIdOf.residentCoins(residentId), kind: "resident_coins", owner: ownerOf.resident(residentId), noOverdraft: true },
];

export const shopAccounts = (shopId: string): AccountSpec[] => [{ id: accountIdOf.shop(shopId), kind: "merchant", owner: ownerOf.shop(shopId), noOverdraft: true }];

/** A counter clerk's cash drawer: cash taken, owed to the issuer (may go negative: it only ever pays out). */
export const counterAccounts = (userId: string): AccountSpec[] => [{ id: accountIdOf.cashIn(userId), kind: "cash_in", owner: ownerOf.user(userId), noOverdraft: false }];

/** Opens the accounts (or finds them as they are); one defined differently is a 409 account_exists. */
export async function ensureAccounts(ledger: LedgerService, specs: readonly AccountSpec[]): Promise<void> {
  for (const spec of specs) {
    const result = await ledger.createAccount({
      id: spec.id,
      kind: spec.kind,
      owner: spec.owner,
      asset: "JPY",
      flags: { debitsMustNotExceedCredits: spec.noOverdraft, creditsMustNotExceedDebits: false },
      metadata: null,
    });
    if (!result.ok) throw new ProblemError(result.code, `account ${spec.id}: ${result.detail}`);
  }
}
