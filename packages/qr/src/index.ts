// The public entry of @tsubaki/qr: EMV MPM payloads (CRC, parse, encode), the signed Tsubaki shop QR on top of
// them, and QR rendering (SVG, PNG, an A5 poster). Pure TypeScript that runs in Node, browsers and Workers.

export { crc16, crc16Bytes } from "./crc/crc16";

export {
  MPM_AMOUNT_CHARS_MAX,
  MPM_PAYLOAD_CHARS_MAX,
  MPM_VALUE_CHARS_MAX,
  type MerchantAccount,
  type MerchantLanguage,
  type MpmAmountRejection,
  type MpmErrorCode,
  type MpmFields,
  type MpmParseError,
  type MpmParseOptions,
  type MpmParseResult,
  type Tlv,
  type TlvInput,
} from "./mpm/types";
export { checkEmvAmount, isMpmTemplateId, MERCHANT_ACCOUNT_FIELD, mpmValue, parseMpm } from "./mpm/parse";
export { encodeMpm, MpmEncodeError, type MpmEncodeErrorCode } from "./mpm/encode";

export {
  checkAmountYen,
  parseAmountYen,
  SHOP_QR_AMOUNT_YEN_MAX,
  type YenAmountRejection,
} from "./shop/amount";
export {
  base32,
  constantTimeEqual,
  SHOP_KEY_BYTES_MIN,
  SHOP_SIGNATURE_BYTES,
  SHOP_SIGNATURE_CHARS,
  signShop,
  verifyShopSignature,
} from "./shop/signature";
export {
  encodeShopQr,
  MERCHANT_CODE_CHARS_MAX,
  parseShopQr,
  REGISTER_CHARS_MAX,
  REQUEST_ID_CHARS_MAX,
  SHOP_CITY_CHARS_MAX,
  SHOP_ID_PATTERN,
  SHOP_NAME_JA_CHARS_MAX,
  SHOP_NAME_LATIN_CHARS_MAX,
  SHOP_QR_COUNTRY,
  SHOP_QR_CURRENCY_JPY,
  SHOP_QR_LANGUAGE,
  SHOP_QR_TEMPLATE_ID,
  TSUBAKI_QR_IDENTIFIER,
  type ShopQr,
  type ShopQrEncodeResult,
  type ShopQrError,
  type ShopQrErrorCode,
  type ShopQrInput,
  type ShopQrParseResult,
} from "./shop/shop-qr";

export {
  CHECKIN_CODE_CHARS_MAX,
  CHECKIN_PREFIX,
  CHECKIN_SLOT_SECONDS,
  CHECKIN_SLOTS_ACCEPTED,
  checkInSlotExpiresAt,
  checkInSlotOf,
  encodeCheckInCode,
  isCheckInCode,
  verifyCheckInCode,
  type CheckInCodeErrorCode,
  type CheckInCodeResult,
} from "./checkin/checkin-code";

export { qrMatrix, QR_ERROR_CORRECTION, QR_QUIET_ZONE_MODULES, type QrMatrix } from "./render/matrix";
export { renderQrSvg, type QrSvgOptions } from "./render/svg";
export { QR_PNG_MODULE_PX_DEFAULT, QR_PNG_MODULE_PX_MAX, renderQrPng, type QrPngOptions } from "./render/png";
export { escapeXml } from "./escape";
export { qrTextFromBytes } from "./scan";

export {
  POSTER_HEIGHT_MM,
  POSTER_QR_ELEMENT_ID,
  POSTER_QR_SIZE_MM,
  POSTER_WIDTH_MM,
  renderShopPoster,
  type PosterShop,
  type ShopPosterInput,
} from "./poster/poster";
export { POSTER_MESSAGES } from "./poster/messages";
