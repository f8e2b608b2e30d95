// A printable A5 poster for a shop's static QR, in Japanese first and English second, so a shop can put the
// sticker's QR on the counter with instructions that an elderly customer can follow. Self-contained HTML:
// no fonts, images or scripts to fetch, so it prints the same offline.

import { escapeXml } from "../escape";
import { parseMpm } from "../mpm/parse";
import { renderQrSvg } from "../render/svg";
import { POSTER_MESSAGES as M } from "./messages";

/** A5 portrait, in millimetres. */
export const POSTER_WIDTH_MM = 148;
export const POSTER_HEIGHT_MM = 210;
/** The QR's printed side: well above the ~2 cm a phone needs at arm's length, small enough for A5. */
export const POSTER_QR_SIZE_MM = 72;
/** The id of the QR's <svg> inside the poster. */
export const POSTER_QR_ELEMENT_ID = "tsubaki-shop-qr";

export interface PosterShop {
  readonly merchantCode: string;
  readonly register?: string | null;
  readonly nameJa: string;
  readonly nameLatin: string;
}

export interface ShopPosterInput {
  readonly shop: PosterShop;
  /** The shop's static QR payload (from encodeShopQr). */
  readonly payload: string;
}

const FONT_STACK = `"Hiragino Sans", "Hiragino Kaku Gothic ProN", "Noto Sans JP", "Noto Sans CJK JP", "Yu Gothic", "Meiryo", sans-serif`;

const STYLE = `
@page { size: ${POSTER_WIDTH_MM}mm ${POSTER_HEIGHT_MM}mm; margin: 0; }
* { box-sizing: border-box; }
html, body { margin: 0; padding: 0; background: #fff; }
body { font-family: ${FONT_STACK}; color: #1a1a1a; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.poster { width: ${POSTER_WIDTH_MM}mm; height: ${POSTER_HEIGHT_MM}mm; padding: 8mm 10mm 6mm; display: flex;
  flex-direction: column; align-items: center; overflow: hidden; border-top: 6mm solid #c8102e; }
.brand { font-size: 5mm; font-weight: 700; color: #c8102e; letter-spacing: 0.1em; margin: 0; }
.brand span { font-size: 3.2mm; color: #555; font-weight: 400; margin-left: 2mm; letter-spacing: 0; }
h1 { font-size: 7.4mm; line-height: 1.25; margin: 2mm 0 0; text-align: center; }
.en { color: #555; font-size: 3.4mm; margin: 0.8mm 0 0; text-align: center; }
.shop { margin: 3mm 0 0; text-align: center; }
.shop-ja { font-size: 6.4mm; font-weight: 700; margin: 0; }
.shop-latin { font-size: 3.8mm; color: #333; margin: 0.6mm 0 0; }
.qr { margin: 3mm 0 0; padding: 1mm; border: 0.6mm solid #c8102e; border-radius: 3mm; line-height: 0; }
.hint { font-size: 3.6mm; margin: 1.5mm 0 0; text-align: center; }
.steps { width: 100%; margin: 3mm 0 0; }
.steps h2 { font-size: 4mm; margin: 0 0 1mm; }
.steps h2 span { font-size: 3mm; color: #555; font-weight: 400; margin-left: 2mm; }
ol { margin: 0; padding-left: 6mm; }
li { font-size: 3.5mm; line-height: 1.35; margin: 0 0 0.8mm; }
li .en { text-align: left; font-size: 2.8mm; margin: 0; }
.card { width: 100%; font-size: 3.2mm; background: #f6f0f0; border-radius: 2mm; padding: 1.5mm 2.5mm; margin: 1.5mm 0 0; }
.card .en { text-align: left; font-size: 2.7mm; margin: 0.3mm 0 0; }
.code { margin-top: auto; font-size: 2.6mm; color: #666; align-self: flex-end; }
`;

/**
 * The poster as a self-contained A5 HTML page. Every piece of shop text is escaped. Throws if `payload` is not
 * a valid static MPM payload (posters are for stickers; a dynamic QR is for one payment and belongs on a screen).
 */
export function renderShopPoster(input: ShopPosterInput): string {
  const parsed = parseMpm(input.payload);
  if (!parsed.ok) throw new Error(`BUG: renderShopPoster: the payload is not valid MPM (${parsed.code})`);
  if (parsed.fields.pointOfInitiation !== "static") {
    throw new Error("BUG: renderShopPoster: a poster needs a static QR (01 = 11)");
  }
  const { shop } = input;
  const e = escapeXml;
  const qr = renderQrSvg(input.payload, {
    size: `${POSTER_QR_SIZE_MM}mm`,
    title: `${M.qrTitleJa}: ${shop.nameJa}`,
    id: POSTER_QR_ELEMENT_ID,
  });
  const steps = M.steps.map((s) => `<li>${e(s.ja)}<p class="en" lang="en">${e(s.en)}</p></li>`).join("");
  const register = shop.register ? ` · ${e(M.registerJa)} ${e(M.registerEn)}: ${e(shop.register)}` : "";
  return `<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(shop.nameJa)} — ${e(M.headingJa)}</title>
<style>${STYLE}</style>
</head>
<body>
<main class="poster">
<p class="brand">${e(M.brandJa)}<span lang="en">${e(M.brandEn)}</span></p>
<h1>${e(M.headingJa)}</h1>
<p class="en" lang="en">${e(M.headingEn)}</p>
<div class="shop">
<p class="shop-ja">${e(shop.nameJa)}</p>
<p class="shop-latin" lang="en">${e(shop.nameLatin)}</p>
</div>
<div class="qr">${qr}</div>
<p class="hint">${e(M.scanHintJa)} <span class="en" lang="en">${e(M.scanHintEn)}</span></p>
<section class="steps">
<h2>${e(M.stepsTitleJa)}<span lang="en">${e(M.stepsTitleEn)}</span></h2>
<ol>${steps}</ol>
</section>
<div class="card">${e(M.cardJa)}<p class="en" lang="en">${e(M.cardEn)}</p></div>
<p class="code">${e(M.merchantCodeJa)} ${e(M.merchantCodeEn)}: ${e(shop.merchantCode)}${register}</p>
</main>
</body>
</html>
`;
}
