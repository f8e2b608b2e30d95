CREATE TABLE "bus_allowances" (
	"id" text PRIMARY KEY NOT NULL,
	"resident_id" text NOT NULL,
	"kind" text NOT NULL,
	"fare_class" text NOT NULL,
	"cert" text NOT NULL,
	"coins_account_id" text NOT NULL,
	"hold_id" text NOT NULL,
	"hold_seq" integer DEFAULT 1 NOT NULL,
	"hold_yen" bigint NOT NULL,
	"remaining_yen" bigint NOT NULL,
	"captured_yen" bigint DEFAULT 0 NOT NULL,
	"debt_yen" bigint DEFAULT 0 NOT NULL,
	"max_total_yen" integer NOT NULL,
	"max_taps" integer NOT NULL,
	"not_before" timestamp (3) with time zone NOT NULL,
	"not_after" timestamp (3) with time zone NOT NULL,
	"hold_until" timestamp (3) with time zone NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"closed_reason" text,
	"denied" boolean DEFAULT false NOT NULL,
	"card_use" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"version" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "bus_allowances_hold_id_unique" UNIQUE("hold_id"),
	CONSTRAINT "bus_allowances_kind" CHECK ("bus_allowances"."kind" IN ('phone','card')),
	CONSTRAINT "bus_allowances_status" CHECK ("bus_allowances"."status" IN ('active','closed')),
	CONSTRAINT "bus_allowances_amounts" CHECK ("bus_allowances"."remaining_yen" >= 0 AND "bus_allowances"."remaining_yen" <= "bus_allowances"."hold_yen" AND "bus_allowances"."captured_yen" >= 0 AND "bus_allowances"."debt_yen" >= 0)
);
--> statement-breakpoint
CREATE TABLE "bus_debts" (
	"id" text PRIMARY KEY NOT NULL,
	"allowance_id" text NOT NULL,
	"resident_id" text NOT NULL,
	"tap_id" text NOT NULL,
	"amount_yen" bigint NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"settled_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "bus_deny_list" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"allowance_id" text NOT NULL,
	"reason" text NOT NULL,
	"added_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "bus_deny_list_allowance_id_unique" UNIQUE("allowance_id")
);
--> statement-breakpoint
CREATE TABLE "bus_issuer_keys" (
	"kid" integer PRIMARY KEY NOT NULL,
	"public_key" text NOT NULL,
	"secret_key" text NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"retired_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "bus_tap_conflicts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tap_id" text NOT NULL,
	"allowance_id" text NOT NULL,
	"terminal_id" text NOT NULL,
	"tap_hash" text NOT NULL,
	"received_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "bus_taps" (
	"tap_id" text PRIMARY KEY NOT NULL,
	"allowance_id" text NOT NULL,
	"terminal_id" text NOT NULL,
	"route_id" text,
	"kind" text NOT NULL,
	"counter" bigint NOT NULL,
	"tapped_at" timestamp (3) with time zone NOT NULL,
	"ride_date" text NOT NULL,
	"fare_class" text NOT NULL,
	"tap_hash" text NOT NULL,
	"result" text NOT NULL,
	"capture_yen" bigint NOT NULL,
	"debt_yen" bigint NOT NULL,
	"settled_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "bus_taps_result" CHECK ("bus_taps"."result" IN ('captured','debt'))
);
--> statement-breakpoint
CREATE INDEX "bus_allowances_resident" ON "bus_allowances" USING btree ("resident_id","created_at");--> statement-breakpoint
CREATE INDEX "bus_allowances_active_until" ON "bus_allowances" USING btree ("hold_until") WHERE "bus_allowances"."status" = 'active';--> statement-breakpoint
CREATE INDEX "bus_debts_resident" ON "bus_debts" USING btree ("resident_id");--> statement-breakpoint
CREATE INDEX "bus_taps_allowance" ON "bus_taps" USING btree ("allowance_id");--> statement-breakpoint
CREATE INDEX "bus_taps_route_day" ON "bus_taps" USING btree ("ride_date","route_id");