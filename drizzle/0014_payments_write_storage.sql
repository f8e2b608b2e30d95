-- Payments are written inside the ledger's write statement, on its one ordered connection, so every cost of a
-- payments row is paid on the ledger's critical path.
-- seq is an identity column (GENERATED ALWAYS): unique by construction, and read only together with shop_id
-- (payments_shop_seq_idx). Its unique index was a sixth index insert per payment that nothing read.
ALTER TABLE "payments" DROP CONSTRAINT "payments_seq_unique";--> statement-breakpoint
-- A row with its receipt is about 2.2 kB, just past the 2 kB at which PostgreSQL tries to compress the largest
-- value: pglz on every receipt was 6% of the writer's time (perf). Rows up to a page are now stored as they are
-- (larger pages of payments, slightly more WAL, no compression).
ALTER TABLE "payments" SET (toast_tuple_target = 8160);
