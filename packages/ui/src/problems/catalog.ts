// What each API problem `code` means to a resident or a shop, and what to do about it, in both languages.
// Keyed by the stable codes of DESIGN §6 (ledger, HTTP, auth, payments) plus the client's own (network_error,
// invalid_response). A code missing here still shows: the generic message with the code, so support can help.
import type { Lang } from "../i18n/i18n";

export interface ProblemText {
  /** What happened, in one short sentence. */
  title: string;
  /** What the user can do now. */
  action: string;
}

type Entry = Readonly<Record<Lang, ProblemText>>;

const e = (jaTitle: string, jaAction: string, enTitle: string, enAction: string): Entry => ({
  ja: { title: jaTitle, action: jaAction },
  en: { title: enTitle, action: enAction },
});

const tryAgain = e("", "しばらく待ってから、もう一度お試しください。", "", "Wait a moment and try again.");
const contact = e("", "解決しない場合は、問い合わせ番号を添えて窓口にお問い合わせください。", "", "If this keeps happening, contact the help desk with the reference number.");

export const problemCatalog: Readonly<Record<string, Entry>> = {
  // The client's own
  network_error: e("サーバーにつながりません。", "インターネット接続を確認して、もう一度お試しください。", "Cannot reach the server.", "Check your internet connection and try again."),
  invalid_response: e("サーバーから予期しない応答がありました。", tryAgain.ja.action, "The server sent an unexpected answer.", tryAgain.en.action),
  // Sign-in and session
  invalid_credentials: e("ログインIDまたはパスワードが違います。", "入力内容を確かめて、もう一度入力してください。", "The login ID or password is wrong.", "Check what you typed and try again."),
  login_failed: e("ログインIDまたはパスワードが違います。", "入力内容を確かめて、もう一度入力してください。", "The login ID or password is wrong.", "Check what you typed and try again."),
  locked: e("間違いが続いたため、一時的にログインできません。", "時間をおいてからお試しください。お急ぎの場合は窓口にご相談ください。", "Too many wrong attempts: sign-in is paused for a while.", "Try again later, or ask at the help desk if it is urgent."),
  too_many_attempts: e("試行回数が多すぎます。", "時間をおいてからお試しください。", "Too many attempts.", "Please try again later."),
  rate_limited: e("操作が多すぎます。", tryAgain.ja.action, "Too many requests.", tryAgain.en.action),
  unauthorized: e("ログインが必要です。", "もう一度ログインしてください。", "You need to sign in.", "Please sign in again."),
  session_expired: e("ログインの有効期限が切れました。", "もう一度ログインしてください。", "Your session has ended.", "Please sign in again."),
  token_expired: e("ログインの有効期限が切れました。", "もう一度ログインしてください。", "Your session has ended.", "Please sign in again."),
  token_invalid: e("ログイン情報が無効です。", "もう一度ログインしてください。", "Your sign-in is no longer valid.", "Please sign in again."),
  token_reused: e("安全のため、ログインを解除しました。", "もう一度ログインしてください。", "You were signed out for your safety.", "Please sign in again."),
  forbidden: e("この操作をする権限がありません。", "必要な場合は、管理者に権限を依頼してください。", "You are not allowed to do this.", "Ask an administrator for access if you need it."),
  password_too_short: e("パスワードが短すぎます。", "もっと長いパスワードにしてください。", "The password is too short.", "Choose a longer password."),
  password_too_long: e("パスワードが長すぎます。", "短いパスワードにしてください。", "The password is too long.", "Choose a shorter password."),
  pin_too_simple: e("暗証番号が単純すぎます。", "同じ数字や連続した数字を避けてください。", "The PIN is too simple.", "Avoid repeated or consecutive digits."),
  pin_format: e("暗証番号は数字4桁で入力してください。", "数字だけで入力してください。", "Enter the PIN as 4 digits.", "Use digits only."),
  // Money
  insufficient_funds: e("残高が足りません。", "チャージしてから、もう一度お支払いください。", "Not enough balance.", "Charge your wallet, then pay again."),
  exceeds_balance: e("残高が足りません。", "チャージしてから、もう一度お試しください。", "Not enough balance.", "Charge your wallet, then try again."),
  exceeds_debits: e("この操作はできません（上限を超えます）。", contact.ja.action, "This cannot be done (it passes a limit).", contact.en.action),
  invalid_amount: e("金額が正しくありません。", "1円以上の整数で入力してください。", "The amount is not valid.", "Enter a whole number of yen, 1 or more."),
  limit_exceeded: e("1回の上限額を超えています。", "金額を減らしてください。", "The amount is above the limit for one payment.", "Enter a smaller amount."),
  daily_limit: e("今日の上限額を超えます。", "明日以降にお試しください。", "This would go over today's limit.", "Try again tomorrow."),
  proxy_limit: e("代理で支払える上限を超えています。", "ご本人に上限の変更を頼むか、金額を減らしてください。", "This is above the limit the resident set for you.", "Ask the resident to raise the limit, or enter a smaller amount."),
  proxy_daily_limit: e("代理で支払える1日の上限を超えます。", "明日以降にお試しください。", "This would go over the daily limit the resident set for you.", "Try again tomorrow."),
  p2p_same_person: e("自分自身には送れません。", "送り先を確かめてください。", "You cannot send coins to yourself.", "Check the recipient."),
  p2p_unverified: e("本人確認が済んでいないため送れません。", "窓口で本人確認を済ませてください。", "Sending needs both residents to be verified.", "Complete identity verification at the help desk."),
  p2p_daily_limit: e("今日送れる上限を超えます。", "明日以降にお試しください。", "This would go over today's sending limit.", "Try again tomorrow."),
  refund_window_passed: e("返金できる期間を過ぎています。", "お店の方は窓口にご相談ください。", "The refund period has ended.", "Shops: please contact the help desk."),
  refund_exceeds_payment: e("返金額が支払額を超えています。", "返金額を確かめてください。", "The refund is larger than the payment.", "Check the refund amount."),
  already_reversed: e("この取引はすでに取り消されています。", "履歴を確認してください。", "This transaction was already reversed.", "Check the history."),
  not_reversible: e("この取引は取り消せません。", contact.ja.action, "This transaction cannot be reversed.", contact.en.action),
  hold_expired: e("有効期限が切れています。", "もう一度やり直してください。", "This has expired.", "Please start again."),
  hold_exceeded: e("利用できる残りの額を超えています。", "金額を確かめてください。", "This is more than what remains.", "Check the amount."),
  hold_closed: e("この手続きはすでに終わっています。", "履歴を確認してください。", "This has already been completed.", "Check the history."),
  account_not_found: e("口座が見つかりません。", contact.ja.action, "The account was not found.", contact.en.action),
  transfer_not_found: e("取引が見つかりません。", "履歴を確認してください。", "The transaction was not found.", "Check the history."),
  merchant_not_found: e("お店が見つかりません。", "QRコードを読み直すか、お店の方に確認してください。", "The shop was not found.", "Scan the QR code again or ask the shop."),
  qr_invalid: e("このQRコードは使えません。", "お店の方に確認してください。", "This QR code cannot be used.", "Please ask the shop."),
  qr_signature_invalid: e("このQRコードは正しいものではない可能性があります。", "支払わずに、お店の方に確認してください。", "This QR code may not be genuine.", "Do not pay; ask the shop."),
  code_expired: e("コードの有効期限が切れています。", "新しいコードを表示してください。", "The code has expired.", "Show a new code."),
  code_used: e("このコードはすでに使われています。", "新しいコードを表示してください。", "This code has already been used.", "Show a new code."),
  // Requests
  idempotency_key_reused: e("同じ操作が別の内容で送られました。", "画面を開き直してから、もう一度操作してください。", "The same operation was sent with different details.", "Reopen the screen and try again."),
  id_reused: e("同じ操作が別の内容で送られました。", "画面を開き直してから、もう一度操作してください。", "The same operation was sent with different details.", "Reopen the screen and try again."),
  invalid_request: e("入力内容に誤りがあります。", "入力内容を確かめてください。", "Some of the input is not valid.", "Check what you entered."),
  malformed_json: e("送信内容を読み取れませんでした。", tryAgain.ja.action, "The request could not be read.", tryAgain.en.action),
  body_too_large: e("送信内容が大きすぎます。", "内容を減らしてお試しください。", "The request is too large.", "Send less and try again."),
  not_found: e("見つかりません。", "画面を開き直してください。", "Not found.", "Reopen the screen."),
  busy: e("ただいま混み合っています。", tryAgain.ja.action, "The service is busy.", tryAgain.en.action),
  // Payments and identity (apps/api/src/http/problem.ts and the payment routes)
  qr_forged: e("このQRコードは偽物の可能性があります。支払わないでください。", "お店の方に知らせて、レジの正しいQRコードで支払ってください。", "This QR code may be forged. Do not pay with it.", "Tell the shop staff and pay with the QR code at the register."),
  qr_foreign: e("つばきで支払えないQRコードです。", "つばきのQRコードを読み取ってください。", "This QR code is not for Tsubaki.", "Scan a Tsubaki QR code."),
  shop_not_found: e("お店が見つかりません。", "お店の方にQRコードを確かめてもらってください。", "The shop was not found.", "Ask the shop to check its QR code."),
  shop_inactive: e("このお店では現在つばきを使えません。", "ほかの方法で支払ってください。", "This shop cannot take Tsubaki right now.", "Please pay another way."),
  amount_required: e("金額を入力してください。", "金額を入力してから、もう一度押してください。", "Enter the amount.", "Enter the amount, then press again."),
  amount_mismatch: e("金額がQRコードと合いません。", "QRコードを読み取り直してください。", "The amount does not match the QR code.", "Scan the QR code again."),
  payment_request_not_found: e("この金額QRコードは見つかりません。", "お店の方に新しいQRコードを出してもらってください。", "This payment QR code was not found.", "Ask the shop for a new QR code."),
  payment_request_paid: e("このQRコードはもう支払い済みです。", "二重には支払われていません。別の支払いならお店の方に新しいQRコードを出してもらってください。", "This QR code has already been paid.", "You were not charged twice. For another payment, ask the shop for a new QR code."),
  payment_request_expired: e("このQRコードは期限切れです。", "お店の方に新しいQRコードを出してもらってください。", "This QR code has expired.", "Ask the shop for a new QR code."),
  payment_not_found: e("この支払いは見つかりません。", "履歴を確かめてください。", "This payment was not found.", "Check the history."),
  proxy_limit_exceeded: e("代理で支払える上限を超えています。", "ご本人に上限の変更を頼むか、金額を減らしてください。", "This is above the limit the resident set for you.", "Ask the resident to raise the limit, or enter a smaller amount."),
  idempotency_key_required: e("操作を受け付けられませんでした。", tryAgain.ja.action, "The request could not be accepted.", tryAgain.en.action),
  idempotency_in_progress: e("前の操作をまだ処理しています。", "少し待ってから、もう一度押してください。二重には支払われません。", "The previous attempt is still being processed.", "Wait a moment and press again. You will not be charged twice."),
  code_not_found: e("このコードは見つかりません。", "お客様に新しいコードを出してもらってください。", "This code was not found.", "Ask the customer to show a new code."),
  card_not_found: e("このカードは見つかりません。", "カード番号を確かめてください。", "This card was not found.", "Check the card number."),
  card_revoked: e("このカードは使えません（停止中）。", "市役所の窓口にご相談ください。", "This card has been stopped.", "Please ask at the city hall counter."),
  card_locked: e("暗証番号の間違いが続いたため、カードを一時的に止めました。", "時間をおいてから使うか、市役所の窓口にご相談ください。", "The card is paused after too many wrong PINs.", "Try again later, or ask at the city hall counter."),
  pin_incorrect: e("暗証番号が違います。", "もう一度入力してください。続けて間違えるとカードが止まります。", "The PIN is wrong.", "Enter it again. Too many wrong PINs pause the card."),
  resident_not_found: e("住民が見つかりません。", contact.ja.action, "The resident was not found.", contact.en.action),
  login_locked: e("間違いが続いたため、一時的にログインできません。", "時間をおいてからお試しください。お急ぎの場合は窓口にご相談ください。", "Too many wrong attempts: sign-in is paused for a while.", "Try again later, or ask at the help desk if it is urgent."),
  invalid_login: e("ログインIDまたはパスワードが違います。", "入力内容を確かめて、もう一度入力してください。", "The login ID or password is wrong.", "Check what you typed and try again."),
  cancel_window_passed: e("取り消せる時間を過ぎています。", "返金の画面から返金してください。", "The time to cancel has passed.", "Use a refund instead."),
  refund_limit_exceeded: e("返金の上限を超えています。", "返金額を確かめてください。", "This is above the refund limit.", "Check the refund amount."),
  nothing_to_pay: e("支払う金額がありません。", "金額を確かめてください。", "There is nothing to pay.", "Check the amount."),
  campaign_inactive: e("このキャンペーンは今は使えません。", "期間を確かめてください。", "This campaign is not running now.", "Check its dates."),
  campaign_not_found: e("キャンペーンが見つかりません。", contact.ja.action, "The campaign was not found.", contact.en.action),
  // Event check-in (the wallet scans the event's QR) and grants
  checkin_code_invalid: e("イベント受付のQRコードではありません。", "会場の画面に表示されている受付QRコードを読み取ってください。", "This is not an event check-in QR code.", "Scan the check-in QR code shown on the screen at the venue."),
  checkin_code_forged: e("このQRコードは市が発行したものではありません。", "会場の画面に表示されている受付QRコードを読み取ってください。", "This QR code was not issued by the city.", "Scan the check-in QR code shown on the screen at the venue."),
  checkin_code_expired: e("このQRコードは有効期限が切れています。", "受付QRコードは1分ごとに変わります。会場の画面をもう一度読み取ってください。", "This QR code has expired.", "The check-in code changes every minute. Scan the screen at the venue again."),
  not_eligible: e("このイベントのポイントの対象ではありません。", "対象の条件（年齢・地区・本人確認）を確かめてください。本人確認は窓口でできます。", "You are not eligible for this event's points.", "Check who it is for (age, district, verified identity). Identity is verified at a city counter."),
  not_an_event: e("このキャンペーンはイベント受付ではありません。", contact.ja.action, "This campaign has no event check-in.", contact.en.action),
  campaign_not_active: e("このキャンペーンは今は受け付けていません。", "期間を確かめてください。", "This campaign is not running now.", "Check its dates."),
  cap_reached: e("1人あたりの上限まで受け取り済みです。", "このキャンペーンではこれ以上受け取れません。", "You have received the most this campaign gives one person.", "You cannot receive more from this campaign."),
  exceeds_budget: e("予算に達したため、受け付けを終了しました。", "ほかのキャンペーンをご利用ください。", "The campaign's budget has run out.", "Look out for other campaigns."),
  invalid_field: e("入力内容に誤りがあります。", "赤く示された項目を直してください。", "Something you entered is not valid.", "Correct the marked fields."),
  internal_error: e("システムでエラーが起きました。", contact.ja.action, "Something went wrong on our side.", contact.en.action),
};

export const problemFallback: Entry = e("エラーが起きました。", contact.ja.action, "Something went wrong.", contact.en.action);

/** The words for a code in a language: the catalog's, or the generic ones (the screen then shows the code). */
export function problemText(code: string, lang: Lang): ProblemText & { known: boolean } {
  const entry = Object.hasOwn(problemCatalog, code) ? problemCatalog[code] : undefined;
  return { ...(entry ?? problemFallback)[lang], known: entry !== undefined };
}
