import { describe, expect, it } from "vitest";
import { problemCatalog, problemText } from "./catalog";

describe("problem messages", () => {
  it("give every code a title and an action in both languages", () => {
    for (const [code, entry] of Object.entries(problemCatalog)) {
      for (const lang of ["ja", "en"] as const) {
        expect(entry[lang].title.trim(), `${code} ${lang}`).not.toBe("");
        expect(entry[lang].action.trim(), `${code} ${lang}`).not.toBe("");
      }
    }
  });

  it("fall back to a generic message for an unknown code, and say so", () => {
    expect(problemText("insufficient_funds", "ja")).toEqual({ title: "残高が足りません。", action: "チャージしてから、もう一度お支払いください。", known: true });
    expect(problemText("brand_new_code", "en")).toMatchObject({ title: "Something went wrong.", known: false });
    expect(problemText("toString", "ja").known).toBe(false); // not a prototype property
  });
});
