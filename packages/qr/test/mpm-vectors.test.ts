// Every payload others publish (Thailand, Singapore, a card scheme) must parse, expose the right values and
// re-encode to exactly the same characters.
import { describe, expect, test } from "vitest";
import { encodeMpm, parseMpm, type MpmFields } from "../src/index";
import { loadVectors, vectorsPath } from "./helpers";

const vectors = loadVectors();

function parsed(payload: string): MpmFields {
  const result = parseMpm(payload);
  if (!result.ok) throw new Error(`${payload}: ${result.code} ${result.detail}`);
  return result.fields;
}

describe("published EMV MPM vectors", () => {
  test(`are read from ${vectorsPath}`, () => {
    expect(vectors.length).toBeGreaterThanOrEqual(4);
  });

  test.each(vectors)("%s parses and re-encodes to the same payload", (payload) => {
    const fields = parsed(payload);
    expect(fields.tlvs[0]).toEqual({ id: "00", value: "01" });
    expect(fields.tlvs.at(-1)).toEqual({ id: "63", value: payload.slice(-4) });
    expect(encodeMpm(fields)).toBe(payload);
    expect(encodeMpm(fields.tlvs)).toBe(payload);
  });

  test("PromptPay static (no 52/59/60) exposes its template 29", () => {
    const fields = parsed("00020101021129370016A000000677010111011300668012345675802TH530376463046197");
    expect(fields.pointOfInitiation).toBe("static");
    expect(fields.merchantAccounts["29"]).toEqual({
      id: "29",
      value: "0016A00000067701011101130066801234567",
      globallyUniqueId: "A000000677010111",
      subFields: { "00": "A000000677010111", "01": "0066801234567" },
    });
    expect([fields.country, fields.currency, fields.mcc, fields.name, fields.city]).toEqual(["TH", "764", null, null, null]);
    expect(fields.amount).toBeNull();
    expect(fields.crc).toBe("6197");
  });

  test("PromptPay dynamic keeps its decimal amount as written", () => {
    const fields = parsed("00020101021229370016A000000677010111011300660000000005802TH530376454044.226304E469");
    expect(fields.pointOfInitiation).toBe("dynamic");
    expect(fields.amount).toBe("4.22");
  });

  test("PayNow exposes template 26 and name and city", () => {
    const fields = parsed(vectors[2] ?? "");
    expect(fields.merchantAccounts["26"]?.globallyUniqueId).toBe("SG.PAYNOW");
    expect(fields.merchantAccounts["26"]?.subFields).toEqual({ "00": "SG.PAYNOW", "01": "2", "02": "200002150HWCF", "03": "1" });
    expect([fields.mcc, fields.currency, fields.country, fields.name, fields.city]).toEqual([
      "0000",
      "702",
      "SG",
      "NATIONAL HEALTHCARE GRO",
      "Singapore",
    ]);
  });

  test("the card-scheme example has a primitive merchant account 05 and additional data 62", () => {
    const fields = parsed(vectors[3] ?? "");
    expect(fields.merchantAccounts["05"]).toEqual({
      id: "05",
      value: "04736a2f41a3-c54c-fce8-32d2-0324e1c32e22*3440e5bf-81ca-4c5f-a1b2-cf989f09a039",
      globallyUniqueId: null,
      subFields: null,
    });
    expect(fields.additionalData).toEqual({ "03": "1234" });
    expect([fields.mcc, fields.currency, fields.amount, fields.country, fields.name, fields.city]).toEqual([
      "5024",
      "840",
      "100",
      "US",
      "Test Merchant",
      "New York",
    ]);
    expect(fields.language).toBeNull();
  });

  test("strict mode asks for EMVCo's 52, 59 and 60, which PromptPay leaves out", () => {
    expect(parseMpm(vectors[0] ?? "", { strict: true })).toEqual({
      ok: false,
      code: "mandatory_field_missing",
      detail: "52",
      field: "52",
    });
    expect(parseMpm(vectors[2] ?? "", { strict: true }).ok).toBe(true);
    expect(parseMpm(vectors[3] ?? "", { strict: true }).ok).toBe(true);
  });
});
