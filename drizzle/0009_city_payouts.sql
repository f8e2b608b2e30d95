CREATE TABLE "payout_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"trigger" text NOT NULL,
	"transfer_date" text NOT NULL,
	"file_text" text,
	"count" integer NOT NULL,
	"total_yen" bigint NOT NULL,
	"status" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"confirmed_at" timestamp (3) with time zone,
	CONSTRAINT "payout_runs_status" CHECK ("payout_runs"."status" IN ('sent','confirmed')),
	CONSTRAINT "payout_runs_trigger" CHECK ("payout_runs"."trigger" IN ('monthly','on_request'))
);
--> statement-breakpoint
CREATE TABLE "payouts" (
	"id" text PRIMARY KEY NOT NULL,
	"run_id" text NOT NULL,
	"shop_id" text NOT NULL,
	"merchant_account_id" text NOT NULL,
	"gross_yen" bigint NOT NULL,
	"fee_yen" bigint NOT NULL,
	"net_yen" bigint NOT NULL,
	"transfer_id" text NOT NULL,
	"record_no" integer NOT NULL,
	"status" text NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"settled_at" timestamp (3) with time zone,
	CONSTRAINT "payouts_status" CHECK ("payouts"."status" IN ('pending','cleared','returned')),
	CONSTRAINT "payouts_amounts" CHECK ("payouts"."net_yen" > 0 AND "payouts"."fee_yen" >= 0 AND "payouts"."gross_yen" = "payouts"."net_yen" + "payouts"."fee_yen")
);
--> statement-breakpoint
CREATE INDEX "payouts_run_idx" ON "payouts" USING btree ("run_id","record_no");--> statement-breakpoint
CREATE INDEX "payouts_shop_idx" ON "payouts" USING btree ("shop_id","created_at");