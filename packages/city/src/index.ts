// Public surface of @tsubaki/city: the pure core of the city console — point campaigns and bulk grants, shop
// payouts and the Zengin transfer file, reports, and the 資金決済法 figures. The API loads state, calls these to
// decide, and submits the resulting ledger transfers or files; nothing here does I/O.
export * from "./codes";
export * from "./calendar";
export * from "./zengin-kana";
export * from "./shift-jis";
export * from "./zengin-file";
export * from "./bank-account";
export * from "./bank-confirmation";
export * from "./payout";
export * from "./payment-services-act";
export * from "./campaign";
export * from "./grant-csv";
export * from "./grant";
export * from "./rule-grant";
export * from "./approval";
export * from "./reports";
export * from "./csv";
