// A shop's bank account is checked when it is registered, not when the payout file is built: a name the bank
// cannot read, or a 6-digit account number, is then fixed by the shop owner at the counter, not found by the city
// on payout day. The output is exactly what goes into a Zengin data record.
//
// Decisions:
//   - account numbers shorter than 7 digits are left-padded with zeros: that is the Zengin rule (7桁未満は右詰め・
//     前ゼロ), and passbooks of some banks print 6 digits; more than 7 digits is refused (it is not a Japanese
//     bank account number, or it includes a branch number);
//   - full-width digits (１２３) are accepted and surrounding spaces ignored, as people type them from a passbook;
//   - all-zero account numbers are refused;
//   - the holder name is converted with toZenginKana and must fit the 30-character 受取人名 field after conversion
//     (ガ counts as two: ｶﾞ).
import type { Failure } from "./codes";
import type { ZenginAccountType } from "./zengin-file";
import { toZenginKana } from "./zengin-kana";

/** 受取人名 is 30 half-width characters in the data record. */
export const holderNameLengthMax = 30;

export type BankAccountKind = "ordinary" | "current" | "savings";

/** 普通 → 1, 当座 → 2, 貯蓄 → 4 (Zengin 預金種目). */
export const zenginAccountTypeOf: Readonly<Record<BankAccountKind, ZenginAccountType>> = { ordinary: 1, current: 2, savings: 4 };

const kindByLabel: ReadonlyMap<string, BankAccountKind> = new Map([
  ["ordinary", "ordinary"],
  ["current", "current"],
  ["savings", "savings"],
  ["普通", "ordinary"],
  ["当座", "current"],
  ["貯蓄", "savings"],
]);

export interface BankAccountInput {
  bankCode: string;
  branchCode: string;
  /** "ordinary" | "current" | "savings", or 普通 | 当座 | 貯蓄 */
  accountType: string;
  accountNumber: string;
  holderName: string;
}

/** A checked account, in the form a Zengin data record takes. */
export interface BankAccount {
  bankCode: string;
  branchCode: string;
  accountKind: BankAccountKind;
  accountType: ZenginAccountType;
  /** Exactly 7 digits. */
  accountNumber: string;
  /** Zengin text, 1–30 characters. */
  holderNameKana: string;
}

export type BankAccountErrorCode =
  | "invalid_bank_code"
  | "invalid_branch_code"
  | "invalid_account_type"
  | "invalid_account_number"
  | "holder_name_empty"
  | "holder_name_unconvertible"
  | "holder_name_too_long";

export interface BankAccountError {
  field: keyof BankAccountInput;
  code: BankAccountErrorCode;
  detail: string;
}

export type BankAccountResult =
  | { ok: true; account: BankAccount }
  | (Failure<"invalid_bank_account"> & { errors: BankAccountError[] });

/** Every problem is reported (a form shows them all), in field order: bank, branch, type, number, holder. */
export function validateZenginBankAccount(input: BankAccountInput): BankAccountResult {
  const errors: BankAccountError[] = [];
  const bankCode = asciiDigits(input.bankCode);
  if (!/^\d{4}$/.test(bankCode)) errors.push({ field: "bankCode", code: "invalid_bank_code", detail: "the bank code is 4 digits (金融機関コード)" });
  const branchCode = asciiDigits(input.branchCode);
  if (!/^\d{3}$/.test(branchCode)) errors.push({ field: "branchCode", code: "invalid_branch_code", detail: "the branch code is 3 digits (支店番号)" });
  const accountKind = kindByLabel.get(input.accountType.trim());
  if (!accountKind) errors.push({ field: "accountType", code: "invalid_account_type", detail: "普通 (ordinary), 当座 (current) or 貯蓄 (savings)" });
  const number = asciiDigits(input.accountNumber);
  if (!/^\d{1,7}$/.test(number) || /^0+$/.test(number)) {
    errors.push({ field: "accountNumber", code: "invalid_account_number", detail: "the account number is up to 7 digits, not all zeros" });
  }
  const holder = checkHolderName(input.holderName);
  if (!holder.ok) errors.push(holder.error);
  if (errors.length > 0 || !accountKind || !holder.ok) {
    return { ok: false, code: "invalid_bank_account", detail: errors.map((e) => `${e.field}: ${e.detail}`).join("; "), errors };
  }
  return {
    ok: true,
    account: {
      bankCode,
      branchCode,
      accountKind,
      accountType: zenginAccountTypeOf[accountKind],
      accountNumber: number.padStart(7, "0"),
      holderNameKana: holder.kana,
    },
  };
}

function checkHolderName(name: string): { ok: true; kana: string } | { ok: false; error: BankAccountError } {
  const converted = toZenginKana(name.trim());
  if (!converted.ok) return { ok: false, error: { field: "holderName", code: "holder_name_unconvertible", detail: converted.detail } };
  const kana = converted.text.trim();
  if (kana === "") return { ok: false, error: { field: "holderName", code: "holder_name_empty", detail: "the account holder's name (カナ) is required" } };
  if (kana.length > holderNameLengthMax) {
    return {
      ok: false,
      error: { field: "holderName", code: "holder_name_too_long", detail: `${kana.length} half-width characters (${kana}); at most ${holderNameLengthMax}` },
    };
  }
  return { ok: true, kana };
}

/** Trims and turns full-width digits into ASCII; anything else is left for the pattern to refuse. */
function asciiDigits(value: string): string {
  return value.trim().replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0));
}
