ALTER TABLE "campaigns" ADD COLUMN "grant_yen" bigint;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "eligibility" jsonb;--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_grant_yen" CHECK ("campaigns"."grant_yen" IS NULL OR ("campaigns"."grant_yen" > 0 AND "campaigns"."grant_yen" <= "campaigns"."cap_per_person_yen"));