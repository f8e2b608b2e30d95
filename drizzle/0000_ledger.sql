CREATE SEQUENCE "public"."ledger_batch_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "ledger_accounts" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"owner" text,
	"asset" text DEFAULT 'JPY' NOT NULL,
	"debits_must_not_exceed_credits" boolean DEFAULT false NOT NULL,
	"credits_must_not_exceed_debits" boolean DEFAULT false NOT NULL,
	"debits_posted" bigint DEFAULT 0 NOT NULL,
	"credits_posted" bigint DEFAULT 0 NOT NULL,
	"debits_pending" bigint DEFAULT 0 NOT NULL,
	"credits_pending" bigint DEFAULT 0 NOT NULL,
	"entry_seq" integer DEFAULT 0 NOT NULL,
	"metadata" jsonb,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ledger_accounts_totals_nonneg" CHECK ("ledger_accounts"."debits_posted" >= 0 AND "ledger_accounts"."credits_posted" >= 0 AND "ledger_accounts"."debits_pending" >= 0 AND "ledger_accounts"."credits_pending" >= 0),
	CONSTRAINT "ledger_accounts_one_limit" CHECK (NOT ("ledger_accounts"."debits_must_not_exceed_credits" AND "ledger_accounts"."credits_must_not_exceed_debits")),
	CONSTRAINT "ledger_accounts_debit_limit" CHECK (NOT "ledger_accounts"."debits_must_not_exceed_credits" OR "ledger_accounts"."debits_posted" + "ledger_accounts"."debits_pending" <= "ledger_accounts"."credits_posted"),
	CONSTRAINT "ledger_accounts_credit_limit" CHECK (NOT "ledger_accounts"."credits_must_not_exceed_debits" OR "ledger_accounts"."credits_posted" + "ledger_accounts"."credits_pending" <= "ledger_accounts"."debits_posted")
);
--> statement-breakpoint
CREATE TABLE "ledger_chain" (
	"id" integer PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "ledger_chain_single" CHECK ("ledger_chain"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "ledger_entries" (
	"account_id" text NOT NULL,
	"seq" integer NOT NULL,
	"transfer_id" text NOT NULL,
	"side" text NOT NULL,
	"phase" text NOT NULL,
	"amount" bigint NOT NULL,
	"balance_after" bigint NOT NULL,
	"debits_pending_after" bigint NOT NULL,
	"credits_pending_after" bigint NOT NULL,
	"batch_id" bigint NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "ledger_entries_account_id_seq_pk" PRIMARY KEY("account_id","seq"),
	CONSTRAINT "ledger_entries_amount_pos" CHECK ("ledger_entries"."amount" > 0),
	CONSTRAINT "ledger_entries_side" CHECK ("ledger_entries"."side" IN ('debit','credit')),
	CONSTRAINT "ledger_entries_phase" CHECK ("ledger_entries"."phase" IN ('posted','pending','release'))
);
--> statement-breakpoint
CREATE TABLE "ledger_holds" (
	"id" text PRIMARY KEY NOT NULL,
	"from_account" text NOT NULL,
	"to_account" text NOT NULL,
	"amount" bigint NOT NULL,
	"captured" bigint NOT NULL,
	"status" text NOT NULL,
	"timeout_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "ledger_holds_captured" CHECK ("ledger_holds"."captured" >= 0 AND "ledger_holds"."captured" <= "ledger_holds"."amount"),
	CONSTRAINT "ledger_holds_status" CHECK ("ledger_holds"."status" IN ('pending','posted','voided','expired'))
);
--> statement-breakpoint
CREATE TABLE "ledger_rejections" (
	"id" text PRIMARY KEY NOT NULL,
	"op" text NOT NULL,
	"code" text NOT NULL,
	"detail" text NOT NULL,
	"request_hash" text NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ledger_seals" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"batch_id" bigint NOT NULL,
	"digest" text NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	"transfer_count" integer NOT NULL,
	"entry_count" integer NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "ledger_seals_batch_id_unique" UNIQUE("batch_id")
);
--> statement-breakpoint
CREATE TABLE "ledger_transfers" (
	"id" text PRIMARY KEY NOT NULL,
	"op" text NOT NULL,
	"status" text NOT NULL,
	"legs" jsonb NOT NULL,
	"code" text,
	"metadata" jsonb,
	"hold_id" text,
	"reversal_of" text,
	"timeout_at" timestamp (3) with time zone,
	"request_hash" text NOT NULL,
	"batch_id" bigint NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "ledger_transfers_op" CHECK ("ledger_transfers"."op" IN ('transfer','reversal','capture','void','expire')),
	CONSTRAINT "ledger_transfers_status" CHECK ("ledger_transfers"."status" IN ('posted','pending','voided','expired'))
);
--> statement-breakpoint
CREATE INDEX "ledger_accounts_owner_idx" ON "ledger_accounts" USING btree ("owner");--> statement-breakpoint
CREATE INDEX "ledger_accounts_kind_idx" ON "ledger_accounts" USING btree ("kind");--> statement-breakpoint
CREATE INDEX "ledger_entries_transfer_idx" ON "ledger_entries" USING btree ("transfer_id");--> statement-breakpoint
CREATE INDEX "ledger_holds_due_idx" ON "ledger_holds" USING btree ("timeout_at") WHERE "ledger_holds"."status" = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_transfers_reversal_of_uq" ON "ledger_transfers" USING btree ("reversal_of") WHERE "ledger_transfers"."reversal_of" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "ledger_transfers_hold_idx" ON "ledger_transfers" USING btree ("hold_id");--> statement-breakpoint
CREATE INDEX "ledger_transfers_batch_idx" ON "ledger_transfers" USING btree ("batch_id");