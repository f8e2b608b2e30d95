// The A5 poster a shop prints: Japanese first, English second, the names escaped, and a QR a phone can scan.
import { describe, expect, test } from "vitest";
import { encodeShopQr, POSTER_MESSAGES, POSTER_QR_ELEMENT_ID, renderShopPoster, type ShopQrInput } from "../src/index";
import { decodeQrSvg } from "./helpers";

const shop: ShopQrInput = {
  merchantCode: "M00042",
  register: "R1",
  mcc: "5812",
  nameLatin: "<script>alert(1)</script>",
  nameJa: `椿&<b>だんご</b>'屋`,
  city: "Nonoichi",
  key: new Uint8Array(32).fill(3),
};

function payloadOf(input: ShopQrInput): string {
  const result = encodeShopQr(input);
  if (!result.ok) throw new Error(result.code);
  return result.payload;
}

describe("renderShopPoster", () => {
  const payload = payloadOf(shop);
  const html = renderShopPoster({ shop, payload });

  test("is an A5 Japanese page with the heading, the steps and the card note", () => {
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toContain('<html lang="ja">');
    expect(html).toContain("size: 148mm 210mm");
    expect(html).toContain(POSTER_MESSAGES.headingJa);
    expect(html).toContain(POSTER_MESSAGES.headingEn);
    for (const step of POSTER_MESSAGES.steps) {
      expect(html).toContain(step.ja);
      expect(html).toContain(step.en);
    }
    expect(html.indexOf(POSTER_MESSAGES.headingJa)).toBeLessThan(html.indexOf(POSTER_MESSAGES.headingEn));
    expect(html).toContain(POSTER_MESSAGES.cardJa);
    expect(html).toContain("M00042");
  });

  test("escapes the shop's names", () => {
    expect(html).toContain("椿&amp;&lt;b&gt;だんご&lt;/b&gt;&#39;屋");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<b>");
  });

  test("holds a QR that scans back to the payload", () => {
    const svg = new RegExp(`<svg[^>]*id="${POSTER_QR_ELEMENT_ID}"[\\s\\S]*?</svg>`).exec(html)?.[0];
    expect(svg).toBeDefined();
    expect(decodeQrSvg(svg ?? "")?.utf8).toBe(payload);
  });

  test("has no external resources or scripts", () => {
    expect(html).not.toMatch(/<(script|link|img|iframe)\b/);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });

  test("refuses a dynamic QR (it pays once; it belongs on a screen)", () => {
    const dynamic = payloadOf({ ...shop, amountYen: 500, requestId: "REQ1" });
    expect(() => renderShopPoster({ shop, payload: dynamic })).toThrow(/static/);
  });
});
