// @tsubaki/db: the schema, the SQL surface shared by PGlite and postgres.js, the ledger store and the identity store.
// Node-only pieces (PGlite, migrations from files) live in "@tsubaki/db/node" so Worker bundles stay small.
export * from "./client";
export * as schema from "./schema";
export { fromPostgresJs, openPostgres, type PostgresOptions } from "./postgres";
export { createLedgerStore, type LedgerStoreOptions } from "./ledger-store";
export { paymentAttachmentKind, type PaymentRecordItem } from "./payment-records";
export { auditLedger } from "./audit";
export * from "./identity-store";
export { auditLogChain, auditEntryDigest } from "./audit-log-check";
export * from "./payments-store";
export * from "./city-store";
export * from "./bus-store";
