CREATE TABLE "campaign_recipients" (
	"campaign_id" text NOT NULL,
	"resident_id" text NOT NULL,
	"granted_yen" bigint NOT NULL,
	CONSTRAINT "campaign_recipients_campaign_id_resident_id_pk" PRIMARY KEY("campaign_id","resident_id"),
	CONSTRAINT "campaign_recipients_granted" CHECK ("campaign_recipients"."granted_yen" >= 0)
);
--> statement-breakpoint
CREATE TABLE "campaigns" (
	"id" text PRIMARY KEY NOT NULL,
	"name_ja" text NOT NULL,
	"name_en" text NOT NULL,
	"kind" text NOT NULL,
	"restriction_categories" jsonb,
	"restriction_tiers" jsonb,
	"expiry_date" date,
	"expiry_days" integer,
	"cap_per_person_yen" bigint NOT NULL,
	"rate_bps" integer,
	"budget_account_id" text NOT NULL,
	"expired_account_id" text NOT NULL,
	"starts_at" timestamp (3) with time zone NOT NULL,
	"ends_at" timestamp (3) with time zone NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "campaigns_budget_account_id_unique" UNIQUE("budget_account_id"),
	CONSTRAINT "campaigns_expired_account_id_unique" UNIQUE("expired_account_id"),
	CONSTRAINT "campaigns_kind" CHECK ("campaigns"."kind" IN ('grant','premium','event')),
	CONSTRAINT "campaigns_status" CHECK ("campaigns"."status" IN ('draft','active','ended')),
	CONSTRAINT "campaigns_rate" CHECK (("campaigns"."kind" = 'premium') = ("campaigns"."rate_bps" IS NOT NULL) AND ("campaigns"."rate_bps" IS NULL OR ("campaigns"."rate_bps" > 0 AND "campaigns"."rate_bps" <= 10000))),
	CONSTRAINT "campaigns_expiry" CHECK (("campaigns"."expiry_date" IS NULL) <> ("campaigns"."expiry_days" IS NULL) AND ("campaigns"."expiry_days" IS NULL OR ("campaigns"."expiry_days" >= 1 AND "campaigns"."expiry_days" <= 366))),
	CONSTRAINT "campaigns_cap" CHECK ("campaigns"."cap_per_person_yen" > 0),
	CONSTRAINT "campaigns_period" CHECK ("campaigns"."starts_at" < "campaigns"."ends_at")
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"principal" text NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 1 NOT NULL,
	"response_status" integer,
	"response_body" text,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "idempotency_keys_principal_key_pk" PRIMARY KEY("principal","key"),
	CONSTRAINT "idempotency_keys_status" CHECK ("idempotency_keys"."status" IN ('in_progress','done')),
	CONSTRAINT "idempotency_keys_response" CHECK (("idempotency_keys"."status" = 'done') = ("idempotency_keys"."response_status" IS NOT NULL))
);
--> statement-breakpoint
CREATE TABLE "one_time_codes" (
	"code_hash" text PRIMARY KEY NOT NULL,
	"resident_id" text NOT NULL,
	"purpose" text NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL,
	"used_at" timestamp (3) with time zone,
	"used_by_shop" text,
	"used_ref" text,
	CONSTRAINT "one_time_codes_purpose" CHECK ("one_time_codes"."purpose" IN ('pay','receive')),
	CONSTRAINT "one_time_codes_used" CHECK (("one_time_codes"."used_at" IS NULL) = ("one_time_codes"."used_ref" IS NULL))
);
--> statement-breakpoint
CREATE TABLE "payment_requests" (
	"id" text PRIMARY KEY NOT NULL,
	"shop_id" text NOT NULL,
	"amount_yen" bigint NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL,
	"paid_at" timestamp (3) with time zone,
	"paid_by" text,
	"paid_ref" text,
	CONSTRAINT "payment_requests_amount" CHECK ("payment_requests"."amount_yen" > 0),
	CONSTRAINT "payment_requests_paid" CHECK (("payment_requests"."paid_at" IS NULL) = ("payment_requests"."paid_ref" IS NULL))
);
--> statement-breakpoint
CREATE TABLE "payments" (
	"id" text PRIMARY KEY NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "payments_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"ref" text NOT NULL,
	"payer_resident_id" text NOT NULL,
	"shop_id" text NOT NULL,
	"amount_yen" bigint NOT NULL,
	"allocation" jsonb NOT NULL,
	"kind" text NOT NULL,
	"request_id" text,
	"proxy_user_id" text,
	"receipt" text NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"refunded_yen" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "payments_seq_unique" UNIQUE("seq"),
	CONSTRAINT "payments_ref_unique" UNIQUE("ref"),
	CONSTRAINT "payments_kind" CHECK ("payments"."kind" IN ('pay','cpm','card')),
	CONSTRAINT "payments_amount" CHECK ("payments"."amount_yen" > 0),
	CONSTRAINT "payments_refunded" CHECK ("payments"."refunded_yen" >= 0 AND "payments"."refunded_yen" <= "payments"."amount_yen")
);
--> statement-breakpoint
CREATE TABLE "point_lots" (
	"id" text PRIMARY KEY NOT NULL,
	"resident_id" text NOT NULL,
	"campaign_id" text NOT NULL,
	"account_id" text NOT NULL,
	"granted_yen" bigint NOT NULL,
	"granted_at" timestamp (3) with time zone NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL,
	"restriction" jsonb,
	CONSTRAINT "point_lots_account_id_unique" UNIQUE("account_id"),
	CONSTRAINT "point_lots_granted" CHECK ("point_lots"."granted_yen" > 0),
	CONSTRAINT "point_lots_period" CHECK ("point_lots"."granted_at" < "point_lots"."expires_at")
);
--> statement-breakpoint
CREATE TABLE "refunds" (
	"id" text PRIMARY KEY NOT NULL,
	"payment_id" text NOT NULL,
	"shop_id" text NOT NULL,
	"amount_yen" bigint NOT NULL,
	"allocation" jsonb NOT NULL,
	"lapsed" jsonb NOT NULL,
	"reason" text NOT NULL,
	"status" text NOT NULL,
	"receipt" text,
	"created_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "refunds_amount" CHECK ("refunds"."amount_yen" > 0),
	CONSTRAINT "refunds_reason" CHECK ("refunds"."reason" IN ('refund','cancel')),
	CONSTRAINT "refunds_status" CHECK ("refunds"."status" IN ('pending','done'))
);
--> statement-breakpoint
CREATE TABLE "server_secrets" (
	"name" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "spend_totals" (
	"resident_id" text NOT NULL,
	"day" date NOT NULL,
	"kind" text NOT NULL,
	"spent_yen" bigint NOT NULL,
	"limit_yen" bigint NOT NULL,
	CONSTRAINT "spend_totals_resident_id_day_kind_pk" PRIMARY KEY("resident_id","day","kind"),
	CONSTRAINT "spend_totals_kind" CHECK ("spend_totals"."kind" IN ('payment','charge','p2p')),
	CONSTRAINT "spend_totals_spent" CHECK ("spend_totals"."spent_yen" >= 0)
);
--> statement-breakpoint
ALTER TABLE "campaign_recipients" ADD CONSTRAINT "campaign_recipients_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "point_lots" ADD CONSTRAINT "point_lots_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "idempotency_keys_created_idx" ON "idempotency_keys" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "one_time_codes_expires_idx" ON "one_time_codes" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "payment_requests_shop_idx" ON "payment_requests" USING btree ("shop_id","created_at");--> statement-breakpoint
CREATE INDEX "payments_shop_seq_idx" ON "payments" USING btree ("shop_id","seq");--> statement-breakpoint
CREATE INDEX "payments_shop_created_idx" ON "payments" USING btree ("shop_id","created_at");--> statement-breakpoint
CREATE INDEX "payments_payer_created_idx" ON "payments" USING btree ("payer_resident_id","created_at");--> statement-breakpoint
CREATE INDEX "point_lots_resident_idx" ON "point_lots" USING btree ("resident_id","expires_at");--> statement-breakpoint
CREATE INDEX "point_lots_campaign_idx" ON "point_lots" USING btree ("campaign_id");--> statement-breakpoint
CREATE INDEX "refunds_payment_idx" ON "refunds" USING btree ("payment_id");--> statement-breakpoint
CREATE INDEX "refunds_shop_created_idx" ON "refunds" USING btree ("shop_id","created_at");