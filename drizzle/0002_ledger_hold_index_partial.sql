DROP INDEX "ledger_transfers_hold_idx";--> statement-breakpoint
CREATE INDEX "ledger_transfers_hold_idx" ON "ledger_transfers" USING btree ("hold_id") WHERE "ledger_transfers"."hold_id" IS NOT NULL;