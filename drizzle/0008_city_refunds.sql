CREATE TABLE "cash_refunds" (
	"id" text PRIMARY KEY NOT NULL,
	"resident_id" text NOT NULL,
	"amount_yen" bigint NOT NULL,
	"reason" text NOT NULL,
	"rule" text NOT NULL,
	"period_reference_date" text NOT NULL,
	"evidence" text,
	"created_by" text NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "cash_refunds_amount" CHECK ("cash_refunds"."amount_yen" > 0),
	CONSTRAINT "cash_refunds_reason" CHECK ("cash_refunds"."reason" IN ('business_ended','moving_away','unavoidable_circumstances','holder_request')),
	CONSTRAINT "cash_refunds_rule" CHECK ("cash_refunds"."rule" IN ('business_ended','unavoidable_circumstances','issuance_20_percent','balance_5_percent'))
);
--> statement-breakpoint
CREATE INDEX "cash_refunds_period_idx" ON "cash_refunds" USING btree ("period_reference_date","created_at");