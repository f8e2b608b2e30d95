// What a city clerk types when registering a resident or onboarding a shop, and what is refused.
import { describe, expect, it } from "vitest";
import { accountIdOf, halfWidthLength, isValidBirthDate, newId, ownerOf, tokyoDay, validateResident, validateShop, type ShopInput } from "../src";

const today = new Date("2026-04-01T00:00:00Z");

const shop: ShopInput = {
  code: "nonoichi-bakery",
  nameJa: "ののいちベーカリー",
  nameLatin: "Nonoichi Bakery",
  category: "bakery",
  tier: "small",
  mcc: "5462",
  feeRateBasisPoints: 150,
  bank: { bankCode: "0144", branchCode: "101", accountType: "ordinary", accountNumber: "1234567", holderKana: "ﾉﾉｲﾁﾍﾞｰｶﾘｰ" },
};

describe("residents", () => {
  it("normalise kana and accept a valid record", () => {
    const r = validateResident({ name: "野々市 花子", nameKana: "ﾉﾉｲﾁ　ﾊﾅｺ", birthDate: "1948-04-12", district: "本町" }, today);
    expect(r).toEqual({ ok: true, value: { name: "野々市 花子", nameKana: "ノノイチ ハナコ", birthDate: "1948-04-12", district: "本町" } });
  });

  it("refuse hiragana kana, impossible or future birth dates", () => {
    expect(validateResident({ name: "a", nameKana: "ののいち", birthDate: "1948-04-12", district: "本町" }, today)).toMatchObject({ ok: false, field: "name_kana" });
    expect(isValidBirthDate("1948-02-30", today)).toBe(false);
    expect(isValidBirthDate("2026-04-02", today)).toBe(false);
    expect(isValidBirthDate("1899-12-31", today)).toBe(false);
  });
});

describe("shops", () => {
  it("accept a valid shop and normalise the holder name", () => {
    const r = validateShop(shop);
    expect(r.ok && r.value.bank?.holderKana).toBe("ノノイチベーカリー");
  });

  it("refuse bad codes, names, MCC, fee and bank fields with the field named", () => {
    const cases: [Partial<ShopInput>, string][] = [
      [{ code: "no spaces" }, "code"],
      [{ nameLatin: "Ｎｏｎｏｉｃｈｉ ベーカリー" }, "name_latin"],
      [{ nameLatin: "A very long latin shop name indeed" }, "name_latin"],
      [{ mcc: "54" }, "mcc"],
      [{ feeRateBasisPoints: 1.5 }, "fee_rate_bp"],
      [{ tier: "medium" as never }, "tier"],
      [{ bank: { ...shop.bank!, bankCode: "144" } }, "bank_code"],
      [{ bank: { ...shop.bank!, accountNumber: "123456" } }, "account_number"],
      [{ bank: { ...shop.bank!, holderKana: "ののいち" } }, "holder_kana"],
      [{ bank: { ...shop.bank!, holderKana: "ガ".repeat(16) } }, "holder_kana"],
    ];
    for (const [change, field] of cases) expect(validateShop({ ...shop, ...change }), field).toMatchObject({ ok: false, field });
    expect(halfWidthLength("ガス")).toBe(3);
  });
});

describe("ids and owners", () => {
  it("make ids that fit in ledger account ids", () => {
    const rid = newId("resident");
    expect(rid).toMatch(/^r_[0-9a-hjkmnp-tv-z]{16}$/);
    expect(accountIdOf.residentCoins(rid)).toMatch(/^[A-Za-z0-9\-_:.]{1,64}$/);
    expect(ownerOf.shop("s_1")).toBe("shop:s_1");
  });

  it("count days in Japan time", () => {
    expect(tokyoDay(new Date("2026-03-31T14:59:59Z"))).toBe("2026-03-31");
    expect(tokyoDay(new Date("2026-03-31T15:00:00Z"))).toBe("2026-04-01");
  });
});
