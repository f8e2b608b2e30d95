CREATE TABLE "approval_requests" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"campaign_id" text NOT NULL,
	"amount_yen" bigint NOT NULL,
	"payload" jsonb NOT NULL,
	"requested_by" text NOT NULL,
	"requested_at" timestamp (3) with time zone NOT NULL,
	"status" text NOT NULL,
	"approved_by" text,
	"approved_at" timestamp (3) with time zone,
	"result" jsonb,
	CONSTRAINT "approval_requests_kind" CHECK ("approval_requests"."kind" IN ('fund','grant')),
	CONSTRAINT "approval_requests_status" CHECK ("approval_requests"."status" IN ('pending','approved','executed','failed')),
	CONSTRAINT "approval_requests_approved" CHECK (("approval_requests"."status" = 'pending') = ("approval_requests"."approved_by" IS NULL)),
	CONSTRAINT "approval_requests_amount" CHECK ("approval_requests"."amount_yen" > 0)
);
--> statement-breakpoint
CREATE TABLE "grant_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"campaign_id" text NOT NULL,
	"status" text NOT NULL,
	"total_count" integer NOT NULL,
	"done_count" integer DEFAULT 0 NOT NULL,
	"granted_count" integer DEFAULT 0 NOT NULL,
	"granted_yen" bigint DEFAULT 0 NOT NULL,
	"skipped" jsonb,
	"started_by" text NOT NULL,
	"started_at" timestamp (3) with time zone NOT NULL,
	"finished_at" timestamp (3) with time zone,
	"error" text,
	CONSTRAINT "grant_runs_status" CHECK ("grant_runs"."status" IN ('running','done','failed')),
	CONSTRAINT "grant_runs_counts" CHECK ("grant_runs"."done_count" >= 0 AND "grant_runs"."done_count" <= "grant_runs"."total_count")
);
--> statement-breakpoint
CREATE INDEX "approval_requests_status_idx" ON "approval_requests" USING btree ("status","requested_at");--> statement-breakpoint
CREATE INDEX "grant_runs_campaign_idx" ON "grant_runs" USING btree ("campaign_id","started_at");