// The terminal's screen texts by code, Japanese first (DESIGN §1: nobody left behind), English second. The
// driver reads them at a glance, so each is one short sentence that says what to do where there is something
// to do.
import type { DoorCode } from "./codes";

export interface DoorMessage {
  ja: string;
  en: string;
}

export const DOOR_MESSAGES: Record<DoorCode, DoorMessage> = {
  ride_code_foreign: { ja: "のっティの乗車コードではありません", en: "This is not a bus ride code." },
  ride_code_malformed: { ja: "乗車コードを読み取れません。もう一度かざしてください", en: "The ride code could not be read. Please try again." },
  cert_malformed: { ja: "乗車券の内容が正しくありません", en: "The ride pass is not valid." },
  cert_unknown_key: { ja: "この乗車券は確認できません。アプリで更新してください", en: "This ride pass cannot be checked. Please renew it in the app." },
  cert_bad_signature: { ja: "乗車券が改ざんされています", en: "The ride pass has been altered." },
  cert_not_yet_valid: { ja: "乗車券の利用開始前です", en: "The ride pass is not valid yet." },
  cert_expired: { ja: "乗車券の有効期限が切れています。アプリで更新してください", en: "The ride pass has expired. Please renew it in the app." },
  tap_bad_signature: { ja: "乗車コードの署名が正しくありません", en: "The ride code signature is not valid." },
  tap_stale: { ja: "乗車コードの時刻が合いません。画面を開き直してください", en: "The ride code is out of date. Please reopen the screen." },
  tap_replayed: { ja: "この乗車コードは使用済みです", en: "This ride code has already been used." },
  allowance_denied: { ja: "この乗車券は利用停止中です", en: "This ride pass has been stopped." },
  allowance_exhausted: { ja: "乗車券の残りの金額または回数が足りません", en: "Not enough left on this ride pass." },
  offline_limit_reached: { ja: "通信できないため、この乗車券の利用上限に達しました", en: "Offline limit reached for this ride pass." },
  already_paid: { ja: "お支払い済みです（二重読み取り）", en: "Already paid (read twice)." },
};
