// Every result code this package returns, with an English title (the admin console translates by code). Codes are
// stable strings and part of the public API; each function documents the order in which it checks them.

export type CityResultCode =
  // Zengin file, kana and bank accounts
  | "unconvertible_character"
  | "field_too_long"
  | "invalid_field"
  | "no_records"
  | "too_many_records"
  | "amount_too_large"
  | "invalid_zengin_file"
  | "invalid_bank_account"
  | "invalid_confirmation"
  // payouts
  | "invalid_amount"
  | "nothing_to_pay"
  | "below_minimum"
  | "fee_exceeds_balance"
  // 資金決済法
  | "refund_limit_exceeded"
  // campaigns and grants
  | "invalid_campaign"
  | "campaign_not_active"
  | "too_many_recipients"
  | "invalid_csv"
  | "not_verified"
  | "below_age_min"
  | "above_age_max"
  | "district_not_eligible"
  | "burn_down_mismatch"
  // approvals
  | "approver_role_required"
  | "self_approval"
  | "request_not_pending";

export const cityResultTitles: Record<CityResultCode, string> = {
  unconvertible_character: "The text has a character that cannot be written in bank kana (全銀カナ)",
  field_too_long: "The text is longer than its field in the bank file",
  invalid_field: "A field of the bank file is malformed",
  no_records: "A transfer file needs at least one transfer",
  too_many_records: "Too many transfers for one file",
  amount_too_large: "The amount does not fit the bank file's field",
  invalid_zengin_file: "The file is not a valid Zengin bulk-transfer file",
  invalid_bank_account: "The bank account details are invalid",
  invalid_confirmation: "The bank confirmation file is invalid",
  invalid_amount: "The amount must be a positive whole number of yen",
  nothing_to_pay: "The shop has no balance to pay out",
  below_minimum: "The balance is below the minimum payout",
  fee_exceeds_balance: "The fees would take the whole balance",
  refund_limit_exceeded: "A cash refund now would exceed the legal small-amount limits",
  invalid_campaign: "The campaign settings are invalid",
  campaign_not_active: "The campaign is not running at this time",
  too_many_recipients: "Too many residents for one grant; split the list",
  invalid_csv: "The CSV file has errors",
  not_verified: "The resident's identity has not been verified",
  below_age_min: "The resident is younger than the campaign allows",
  above_age_max: "The resident is older than the campaign allows",
  district_not_eligible: "The resident's district is not part of the campaign",
  burn_down_mismatch: "Issued points do not equal used + expired + remaining",
  approver_role_required: "Only an approving administrator (admin_approver) may approve",
  self_approval: "A request must be approved by someone other than the requester",
  request_not_pending: "The request is not waiting for approval",
};

/** The failure shape shared by every function here; some add fields (field, line, limits, ...). */
export interface Failure<C extends CityResultCode> {
  ok: false;
  code: C;
  detail: string;
}

/** One problem in one line of an uploaded file. Line numbers count from 1 and include the header line. */
export interface LineError {
  line: number;
  code: string;
  detail: string;
}
