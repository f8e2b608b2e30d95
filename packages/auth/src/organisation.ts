// Input rules for residents and shops, checked before anything is stored. Bank fields follow the Zengin (全銀)
// formats the payout file needs: bank code 4 digits, branch 3, account number 7, holder name in kana of at most
// 30 half-width characters (a voiced kana such as ガ becomes two: ｶﾞ). Names are NFKC-normalised (half-width kana
// become full-width, full-width ASCII becomes ASCII); the payout file converts back to half-width when written.

export const nameLengthMax = 100;
export const districtLengthMax = 64;
/** EMV tag 59 (merchant name, Latin) is at most 25 characters. */
export const shopNameLatinLengthMax = 25;
export const shopCodeLengthMax = 32;
export const bankHolderHalfWidthMax = 30;
/** Fee rates are basis points (1/100 of a percent); 10% is far above any regional currency's fee. */
export const feeRateBasisPointsMax = 1000;
export const shopTiers = ["small", "large"] as const;
export type ShopTier = (typeof shopTiers)[number];
export const bankAccountTypes = ["ordinary", "current", "savings"] as const;
export type BankAccountType = (typeof bankAccountTypes)[number];
export const shopStatuses = ["applied", "active", "suspended"] as const;
export type ShopStatus = (typeof shopStatuses)[number];

export type FieldResult<T> = { ok: true; value: T } | { ok: false; code: "invalid_field"; field: string; detail: string };

function fail<T>(field: string, detail: string): FieldResult<T> {
  return { ok: false, code: "invalid_field", field, detail };
}

function text(value: string): string {
  return value.normalize("NFKC").trim();
}

const katakanaName = /^[\u30A1-\u30FA\u30FC\u30FB ]+$/u;
const voicedKana = /[ガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポヴ]/gu;

/** A calendar date YYYY-MM-DD from 1900-01-01 up to `today` (inclusive). */
export function isValidBirthDate(value: string, today: Date): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value && value >= "1900-01-01" && value <= today.toISOString().slice(0, 10);
}

export interface ResidentInput {
  name: string;
  nameKana: string;
  birthDate: string;
  district: string;
}

export function validateResident(input: ResidentInput, today: Date): FieldResult<ResidentInput> {
  const name = text(input.name);
  const nameKana = text(input.nameKana).replace(/\u3000/g, " ");
  const district = text(input.district);
  if (name.length === 0 || name.length > nameLengthMax) return fail("name", `1 to ${nameLengthMax} characters`);
  if (nameKana.length === 0 || nameKana.length > nameLengthMax || !katakanaName.test(nameKana)) return fail("name_kana", "katakana (カタカナ) and spaces");
  if (!isValidBirthDate(input.birthDate, today)) return fail("birth_date", "a date YYYY-MM-DD, not in the future");
  if (district.length === 0 || district.length > districtLengthMax) return fail("district", `1 to ${districtLengthMax} characters`);
  return { ok: true, value: { name, nameKana, birthDate: input.birthDate, district } };
}

export interface BankAccount {
  bankCode: string;
  branchCode: string;
  accountType: BankAccountType;
  accountNumber: string;
  holderKana: string;
}

/** Length of a kana name once written in half-width kana (the Zengin file's width). */
export function halfWidthLength(kana: string): number {
  return [...kana].length + (kana.match(voicedKana)?.length ?? 0);
}

const holderPattern = /^[\u30A1-\u30FA\u30FC A-Z0-9().,\-/]+$/u;

export function validateBankAccount(input: BankAccount): FieldResult<BankAccount> {
  if (!/^\d{4}$/.test(input.bankCode)) return fail("bank_code", "4 digits");
  if (!/^\d{3}$/.test(input.branchCode)) return fail("branch_code", "3 digits");
  if (!(bankAccountTypes as readonly string[]).includes(input.accountType)) return fail("account_type", bankAccountTypes.join(" | "));
  if (!/^\d{7}$/.test(input.accountNumber)) return fail("account_number", "7 digits");
  const holderKana = text(input.holderKana).replace(/\u3000/g, " ").toUpperCase();
  if (holderKana.length === 0 || !holderPattern.test(holderKana) || halfWidthLength(holderKana) > bankHolderHalfWidthMax) {
    return fail("holder_kana", `katakana, A-Z, 0-9, space and ().,-/; at most ${bankHolderHalfWidthMax} half-width characters`);
  }
  return { ok: true, value: { ...input, holderKana } };
}

export interface ShopInput {
  code: string;
  nameJa: string;
  nameLatin: string;
  category: string;
  tier: ShopTier;
  mcc: string;
  feeRateBasisPoints: number;
  bank: BankAccount | null;
}

export function validateShop(input: ShopInput): FieldResult<ShopInput> {
  if (!/^[A-Za-z0-9._:-]+$/.test(input.code) || input.code.length > shopCodeLengthMax) return fail("code", `1 to ${shopCodeLengthMax} of A-Z a-z 0-9 . _ : -`);
  const nameJa = text(input.nameJa);
  const nameLatin = text(input.nameLatin);
  if (nameJa.length === 0 || nameJa.length > nameLengthMax) return fail("name_ja", `1 to ${nameLengthMax} characters`);
  if (!/^[\x20-\x7E]+$/.test(nameLatin) || nameLatin.length > shopNameLatinLengthMax) return fail("name_latin", `1 to ${shopNameLatinLengthMax} printable ASCII characters`);
  if (!/^[a-z0-9_]{1,32}$/.test(input.category)) return fail("category", "a-z 0-9 _, at most 32");
  if (!(shopTiers as readonly string[]).includes(input.tier)) return fail("tier", shopTiers.join(" | "));
  if (!/^\d{4}$/.test(input.mcc)) return fail("mcc", "4 digits (ISO 18245)");
  if (!Number.isInteger(input.feeRateBasisPoints) || input.feeRateBasisPoints < 0 || input.feeRateBasisPoints > feeRateBasisPointsMax) {
    return fail("fee_rate_bp", `an integer from 0 to ${feeRateBasisPointsMax}`);
  }
  let bank: BankAccount | null = null;
  if (input.bank !== null) {
    const checked = validateBankAccount(input.bank);
    if (!checked.ok) return checked;
    bank = checked.value;
  }
  return { ok: true, value: { ...input, nameJa, nameLatin, bank } };
}
