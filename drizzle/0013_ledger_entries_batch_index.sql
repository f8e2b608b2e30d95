-- Every transfer writes two entries, and each entry paid for a search of the transfer_id index, whose keys
-- arrive in no order. Nothing reads entries by transfer id except the audit, which wants a sealed batch's
-- entries: entries carry their batch id, which only grows, so an index on it takes each insert on its last page.
DROP INDEX "ledger_entries_transfer_idx";--> statement-breakpoint
CREATE INDEX "ledger_entries_batch_idx" ON "ledger_entries" USING btree ("batch_id");