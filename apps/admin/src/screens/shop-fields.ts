// The fields of a shop's forms and the API's word on them. A problem names its field in `field` (the store's
// checks: invalid_field) or at the start of `detail` (the schema's: "bank.bank_code: ..."); either way the
// message goes next to that field, with the code and detail the API gave.
import type { ApiProblem, Messages, Translate } from "@tsubaki/ui";
import type { adminMessages } from "../messages";

export const shopFields = [
  "code",
  "name_ja",
  "name_latin",
  "category",
  "tier",
  "mcc",
  "fee_rate_bp",
  "bank_code",
  "branch_code",
  "account_type",
  "account_number",
  "holder_kana",
  "login",
] as const;
export type ShopField = (typeof shopFields)[number];

export type AdminKey = typeof adminMessages extends Messages<infer K> ? K : never;

export interface Shop {
  id: string;
  code: string;
  name_ja: string;
  name_latin: string;
  category: string;
  tier: "small" | "large";
  mcc: string;
  fee_rate_bp: number;
  status: ShopStatus;
  bank?: Bank | null;
  account: string;
  created_at: string;
  updated_at: string;
}

export type ShopStatus = "applied" | "active" | "suspended";
export type AccountType = "ordinary" | "current" | "savings";

export interface Bank {
  bank_code: string;
  branch_code: string;
  account_type: AccountType;
  account_number: string;
  holder_kana: string;
}

/** The field a problem is about, if it names one of ours. */
export function fieldOf(problem: ApiProblem): ShopField | null {
  const named = typeof problem.body.field === "string" ? problem.body.field : /^(?:bank\.)?([a-z_]+)(?:\.[a-z_]+)*:/.exec(problem.detail)?.[1];
  return (shopFields as readonly string[]).includes(named ?? "") ? (named as ShopField) : null;
}

/** Field → the text shown under it: our words for the field, then the API's code and detail. */
export function fieldErrors(problem: ApiProblem | null, t: Translate<AdminKey>): Partial<Record<ShopField, string>> {
  if (problem === null) return {};
  const field = fieldOf(problem);
  if (field === null) return {};
  return { [field]: t("field.problem", { message: t(`field.${field}`), code: problem.code, detail: problem.detail }) };
}

/** "1.00" (percent) → 100 basis points; null when it is not a number with at most 2 decimals. */
export function basisPointsOf(percent: string): number | null {
  const text = percent.trim().replace(/[０-９．]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
  if (!/^\d{1,2}(\.\d{1,2})?$/.test(text)) return null;
  return Math.round(Number(text) * 100);
}

export function percentOf(basisPoints: number): string {
  return `${(basisPoints / 100).toFixed(2)} %`;
}

/** A moment as Japan's calendar shows it: 2026-11-24 13:05. */
export function japanTime(iso: string): string {
  return new Date(new Date(iso).getTime() + 9 * 3600_000).toISOString().slice(0, 16).replace("T", " ");
}
