CREATE TABLE "scheduled_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"claimed_by" text NOT NULL,
	"claimed_until" timestamp (3) with time zone NOT NULL,
	"attempts" integer DEFAULT 1 NOT NULL,
	"finished_at" timestamp (3) with time zone,
	"result" jsonb,
	"created_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "scheduled_runs_attempts" CHECK ("scheduled_runs"."attempts" >= 1)
);
