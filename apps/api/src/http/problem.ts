// Every error leaves the API as an RFC 9457 problem with a stable `code`. The status of each code is decided in
// one table here (STYLE: errors mapped in one table at the boundary), never in a route.
import { resultTitles, type ResultCode } from "@tsubaki/ledger";

/** Codes that only the HTTP layer produces (the ledger's own codes are ResultCode). */
export type HttpProblemCode =
  | "invalid_request"
  | "malformed_json"
  | "invalid_metadata"
  | "body_too_large"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "account_exists"
  | "idempotency_key_reused"
  | "busy"
  | "internal_error";

/** Codes of identity and access (login, tokens, terminals, residents, cards, proxies, shops). */
export type IdentityProblemCode =
  | "invalid_credentials"
  | "token_invalid"
  | "token_expired"
  | "token_reused"
  | "device_signature_missing"
  | "device_signature_invalid"
  | "device_clock_skew"
  | "device_unknown"
  | "device_replay"
  | "pairing_code_invalid"
  | "no_roles"
  | "user_not_found"
  | "resident_not_found"
  | "card_not_found"
  | "shop_not_found"
  | "device_not_found"
  | "proxy_not_found"
  | "staff_not_found"
  | "login_taken"
  | "user_taken"
  | "shop_code_taken"
  | "proxy_exists"
  | "last_owner"
  | "ref_reused"
  | "pairing_code_expired"
  | "card_revoked"
  | "proxy_revoked"
  | "device_revoked"
  | "pin_incorrect"
  | "pin_format"
  | "pin_too_simple"
  | "password_too_short"
  | "password_too_long"
  | "invalid_login"
  | "invalid_roles"
  | "invalid_role"
  | "invalid_field"
  | "invalid_limit"
  | "invalid_status"
  | "invalid_public_key"
  | "proxy_self"
  | "proxy_limit_exceeded"
  | "login_locked"
  | "address_locked"
  | "card_locked";

/** Codes of payments: idempotency, limits, shop QRs, dynamic requests, one-time codes, refunds, P2P. */
export type PaymentsProblemCode =
  | "idempotency_key_required"
  | "idempotency_in_progress"
  | "insufficient_funds"
  | "limit_exceeded"
  | "daily_limit"
  | "p2p_same_person"
  | "p2p_unverified"
  | "p2p_daily_limit"
  | "refund_window_passed"
  | "refund_exceeds_payment"
  | "cancel_window_passed"
  | "qr_invalid"
  | "qr_forged"
  | "qr_foreign"
  | "amount_required"
  | "amount_mismatch"
  | "shop_inactive"
  | "payment_not_found"
  | "payment_request_not_found"
  | "payment_request_paid"
  | "payment_request_expired"
  | "code_not_found"
  | "code_used"
  | "code_expired"
  | "campaign_not_found"
  | "campaign_inactive";

/** Codes of the community bus: allowances (ride codes) and terminal sync. */
export type BusProblemCode = "allowance_not_found" | "invalid_allowance";

/** Codes of grants by rule and event check-in (a resident scanning an event's rotating QR). */
export type CampaignRuleProblemCode = "cap_reached" | "not_eligible" | "not_an_event" | "checkin_code_invalid" | "checkin_code_forged" | "checkin_code_expired";

/** Codes of the city console: campaigns, grants, approvals. */
export type CityProblemCode =
  | "invalid_campaign"
  | "campaign_not_active"
  | "too_many_recipients"
  | "invalid_csv"
  | "exceeds_budget"
  | "approval_not_found"
  | "approver_role_required"
  | "self_approval"
  | "request_not_pending"
  | "grant_run_not_found"
  | "refund_limit_exceeded"
  | "nothing_to_pay"
  | "invalid_confirmation"
  | "invalid_report_period";

export type ProblemCode = ResultCode | HttpProblemCode | IdentityProblemCode | PaymentsProblemCode | BusProblemCode | CityProblemCode | CampaignRuleProblemCode;

/**
 * code → HTTP status. Bad input is 400 when the request does not fit the schema at all (JSON syntax, unknown
 * fields, wrong types of fields the ledger does not check) and 422 when the ledger's input rules reject a value;
 * missing things are 404; conflicts with what is stored are 409; a sound request the ledger's state refuses is 422.
 */
export const problemStatus: Record<ProblemCode, number> = {
  malformed_json: 400,
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  account_not_found: 404,
  transfer_not_found: 404,
  hold_not_found: 404,
  id_reused: 409,
  idempotency_key_reused: 409,
  account_exists: 409,
  already_reversed: 409,
  hold_closed: 409,
  body_too_large: 413,
  invalid_id: 422,
  invalid_legs: 422,
  too_many_legs: 422,
  invalid_amount: 422,
  same_account: 422,
  invalid_timeout: 422,
  hold_multi_leg: 422,
  invalid_code: 422,
  invalid_account: 422,
  invalid_metadata: 422,
  exceeds_balance: 422,
  exceeds_debits: 422,
  hold_expired: 422,
  hold_exceeded: 422,
  not_reversible: 422,
  internal_error: 500,
  busy: 503,
  // Identity and access. 401: the credential itself is wrong (the caller should log in or pair again).
  invalid_credentials: 401,
  token_invalid: 401,
  token_expired: 401,
  token_reused: 401,
  device_signature_missing: 401,
  device_signature_invalid: 401,
  device_clock_skew: 401,
  device_unknown: 401,
  device_replay: 401,
  pairing_code_invalid: 401,
  no_roles: 403,
  user_not_found: 404,
  resident_not_found: 404,
  card_not_found: 404,
  shop_not_found: 404,
  device_not_found: 404,
  proxy_not_found: 404,
  staff_not_found: 404,
  login_taken: 409,
  user_taken: 409,
  shop_code_taken: 409,
  proxy_exists: 409,
  last_owner: 409,
  ref_reused: 409,
  // 410: the thing existed and is gone for good (a new one has to be made).
  pairing_code_expired: 410,
  card_revoked: 410,
  proxy_revoked: 410,
  device_revoked: 410,
  pin_incorrect: 422,
  pin_format: 422,
  pin_too_simple: 422,
  password_too_short: 422,
  password_too_long: 422,
  invalid_login: 422,
  invalid_roles: 422,
  invalid_role: 422,
  invalid_field: 422,
  invalid_limit: 422,
  invalid_status: 422,
  invalid_public_key: 422,
  proxy_self: 422,
  proxy_limit_exceeded: 422,
  // 423: locked against guessing; Retry-After says when, if the lock lifts by itself.
  login_locked: 423,
  address_locked: 423,
  card_locked: 423,
  // Payments. 422: a sound request that the rules or the balances refuse; nothing moved.
  idempotency_key_required: 400,
  idempotency_in_progress: 409,
  insufficient_funds: 422,
  limit_exceeded: 422,
  daily_limit: 422,
  p2p_same_person: 422,
  p2p_unverified: 422,
  p2p_daily_limit: 422,
  refund_window_passed: 422,
  refund_exceeds_payment: 422,
  cancel_window_passed: 422,
  qr_invalid: 422,
  qr_forged: 422,
  qr_foreign: 422,
  amount_required: 422,
  amount_mismatch: 422,
  shop_inactive: 409,
  payment_not_found: 404,
  payment_request_not_found: 404,
  payment_request_paid: 409,
  payment_request_expired: 410,
  code_not_found: 404,
  code_used: 409,
  code_expired: 410,
  campaign_not_found: 404,
  campaign_inactive: 409,
  // Bus.
  allowance_not_found: 404,
  invalid_allowance: 422,
  // Grants by rule and event check-in: 422 the code or the resident does not qualify, 410 the code has rotated away.
  cap_reached: 409,
  not_eligible: 422,
  not_an_event: 422,
  checkin_code_invalid: 422,
  checkin_code_forged: 422,
  checkin_code_expired: 410,
  // City console.
  invalid_campaign: 422,
  campaign_not_active: 409,
  too_many_recipients: 422,
  invalid_csv: 422,
  exceeds_budget: 409,
  approval_not_found: 404,
  approver_role_required: 403,
  self_approval: 403,
  request_not_pending: 409,
  grant_run_not_found: 404,
  refund_limit_exceeded: 422,
  nothing_to_pay: 422,
  invalid_confirmation: 422,
  invalid_report_period: 422,
};

const httpTitles: Record<HttpProblemCode, string> = {
  invalid_request: "The request does not match the schema",
  malformed_json: "The body is not valid JSON",
  invalid_metadata: "Metadata must be a JSON object of at most 4 KiB",
  body_too_large: "The body is too large",
  unauthorized: "Authentication is required",
  forbidden: "Your role may not call this endpoint",
  not_found: "No such endpoint",
  account_exists: "An account with this id exists with a different definition",
  idempotency_key_reused: "This idempotency key was already used with a different request",
  busy: "The ledger is busy; retry shortly",
  internal_error: "Internal error",
};

const identityTitles: Record<IdentityProblemCode, string> = {
  invalid_credentials: "The login or the password is wrong",
  token_invalid: "The token is not valid",
  token_expired: "The token has expired",
  token_reused: "This refresh token was already used; the session is ended",
  device_signature_missing: "The terminal's request is not signed",
  device_signature_invalid: "The terminal's signature does not verify",
  device_clock_skew: "The terminal's clock is too far from the server's",
  device_unknown: "No active terminal with this id",
  device_replay: "This terminal request was already received",
  pairing_code_invalid: "Unknown pairing code",
  no_roles: "This account has no role yet",
  user_not_found: "No such user",
  resident_not_found: "No such resident",
  card_not_found: "No such card",
  shop_not_found: "No such shop",
  device_not_found: "No such terminal",
  proxy_not_found: "No such proxy",
  staff_not_found: "This user is not on the shop's staff",
  login_taken: "This login is taken",
  user_taken: "This user already has a resident record",
  shop_code_taken: "A shop with this code exists",
  proxy_exists: "This user is already a proxy of this resident",
  last_owner: "A shop keeps at least one owner",
  ref_reused: "This payment id was used with another amount",
  pairing_code_expired: "The pairing code has expired",
  card_revoked: "This card is no longer valid",
  proxy_revoked: "This proxy was revoked",
  device_revoked: "This terminal is revoked",
  pin_incorrect: "Wrong PIN",
  pin_format: "A PIN is 4 to 6 digits",
  pin_too_simple: "The PIN is too easy to guess",
  password_too_short: "The password is too short",
  password_too_long: "The password is too long",
  invalid_login: "Not a valid login name",
  invalid_roles: "These roles cannot be granted",
  invalid_role: "Not a valid staff role",
  invalid_field: "A field is not valid",
  invalid_limit: "Not a valid daily limit",
  invalid_status: "Not a valid status",
  invalid_public_key: "Not an Ed25519 public key",
  proxy_self: "A resident cannot be their own proxy",
  proxy_limit_exceeded: "Over the proxy's daily limit",
  login_locked: "Too many failed logins for this account",
  address_locked: "Too many failed attempts from this address",
  card_locked: "This card is locked",
};

const paymentsTitles: Record<PaymentsProblemCode, string> = {
  idempotency_key_required: "Send an Idempotency-Key header (1 to 255 visible ASCII characters) with this request",
  idempotency_in_progress: "A request with this idempotency key is still being processed",
  insufficient_funds: "Not enough points usable at this shop and coins to pay this amount",
  limit_exceeded: "The amount is above the limit for one transaction",
  daily_limit: "This would go over today's limit",
  p2p_same_person: "Coins cannot be sent to oneself",
  p2p_unverified: "Both residents must be verified to send coins",
  p2p_daily_limit: "This would go over today's limit for sending coins",
  refund_window_passed: "The refund period for this payment has ended",
  refund_exceeds_payment: "The refund is larger than what remains of the payment",
  cancel_window_passed: "The last payment is too old to cancel; refund it instead",
  qr_invalid: "This is not a readable payment QR code",
  qr_forged: "This shop QR code was not issued by Tsubaki",
  qr_foreign: "This QR code belongs to another payment service",
  amount_required: "This shop QR code has no amount; enter the amount",
  amount_mismatch: "The amount does not match the shop's payment request",
  shop_inactive: "This shop does not accept payments now",
  payment_not_found: "No such payment",
  payment_request_not_found: "No such payment request",
  payment_request_paid: "This payment request has already been paid",
  payment_request_expired: "This payment request has expired",
  code_not_found: "Unknown code",
  code_used: "This code has already been used",
  code_expired: "This code has expired",
  campaign_not_found: "No such campaign",
  campaign_inactive: "This campaign is not running",
};

const busTitles: Record<BusProblemCode, string> = {
  allowance_not_found: "No such bus allowance",
  invalid_allowance: "This bus allowance cannot be issued as asked",
};

const campaignRuleTitles: Record<CampaignRuleProblemCode, string> = {
  cap_reached: "The resident has already received the most this campaign gives one person",
  not_eligible: "The resident is not eligible for this campaign (see reason)",
  not_an_event: "This campaign is not an event; it has no check-in",
  checkin_code_invalid: "This is not a Tsubaki event check-in code",
  checkin_code_forged: "This check-in code was not issued by Tsubaki",
  checkin_code_expired: "This check-in code has expired; scan the code shown at the venue now",
};

const cityTitles: Record<CityProblemCode, string> = {
  invalid_campaign: "The campaign settings are invalid",
  campaign_not_active: "The campaign is not running at this time",
  too_many_recipients: "Too many residents for one grant; split the list",
  invalid_csv: "The CSV file has errors",
  exceeds_budget: "The campaign budget cannot cover this grant; nothing was granted",
  approval_not_found: "No such approval request",
  approver_role_required: "Only an approving administrator (admin_approver) may approve",
  self_approval: "A request must be approved by someone other than the requester",
  request_not_pending: "The request is not waiting for approval",
  grant_run_not_found: "No such grant run",
  refund_limit_exceeded: "A cash refund now would exceed the legal small-amount limits (資金決済法)",
  nothing_to_pay: "No shop has a balance to pay out",
  invalid_confirmation: "The bank confirmation file is invalid; nothing was applied",
  invalid_report_period: "The report period is invalid (from ≤ to, at most 400 days)",
};

export const problemTitles: Record<ProblemCode, string> = { ...resultTitles, ...httpTitles, ...identityTitles, ...paymentsTitles, ...busTitles, ...cityTitles, ...campaignRuleTitles };

export const problemCodes = Object.keys(problemStatus) as ProblemCode[];

export function isProblemCode(code: string): code is ProblemCode {
  return Object.hasOwn(problemStatus, code);
}

/** The `type` URI of a code: its entry in the API docs, so a developer can follow it. */
export function problemType(code: ProblemCode): string {
  return `/v1/docs#problem-${code}`;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ProblemCode;
  request_id: string;
  /** RFC 9457 extension members, e.g. `tries_left` of pin_incorrect. */
  [extension: string]: unknown;
}

/** Extension members a problem may carry (never a secret; never one of the standard member names). */
export type ProblemExtensions = Readonly<Record<string, string | number | boolean | null>>;

/** Thrown (or returned) by routes and middleware; the app's one error handler turns it into a response. */
export class ProblemError extends Error {
  override name = "ProblemError";
  readonly status: number;
  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    readonly headers: Readonly<Record<string, string>> = {},
    readonly extensions: ProblemExtensions = {},
  ) {
    super(`${code}: ${detail}`);
    this.status = problemStatus[code];
  }
}

const standardMembers = new Set(["type", "title", "status", "detail", "code", "request_id"]);

export function problemBody(code: ProblemCode, detail: string, requestId: string, extensions: ProblemExtensions = {}): ProblemBody {
  const body: ProblemBody = { type: problemType(code), title: problemTitles[code], status: problemStatus[code], detail, code, request_id: requestId };
  for (const [name, value] of Object.entries(extensions)) if (!standardMembers.has(name)) body[name] = value;
  return body;
}

export function problemResponse(
  code: ProblemCode,
  detail: string,
  requestId: string,
  headers: Readonly<Record<string, string>> = {},
  extensions: ProblemExtensions = {},
): Response {
  const body = problemBody(code, detail, requestId, extensions);
  return new Response(JSON.stringify(body), {
    status: body.status,
    headers: { ...headers, "Content-Type": "application/problem+json", "X-Request-Id": requestId },
  });
}
