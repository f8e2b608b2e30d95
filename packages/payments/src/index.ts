// Public surface of @tsubaki/payments: the pure payments domain. The API loads state from the ledger store, calls
// these to decide, and submits the resulting ledger transfers; nothing here does I/O.
export * from "./types";
export * from "./codes";
export * from "./limits";
export * from "./tokyo-day";
export * from "./spend";
export * from "./refund";
export * from "./charge";
export * from "./expiry";
export * from "./one-time-code";
export * from "./receipt";
