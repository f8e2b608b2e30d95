CREATE TABLE "audit_log" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	"actor" text NOT NULL,
	"actor_roles" jsonb NOT NULL,
	"action" text NOT NULL,
	"target" text,
	"request_id" text,
	"details" jsonb NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_log_head" (
	"id" integer PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "audit_log_head_single" CHECK ("audit_log_head"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "auth_throttle" (
	"key" text PRIMARY KEY NOT NULL,
	"failures" integer NOT NULL,
	"last_failure_at" timestamp (3) with time zone,
	"locked_until" timestamp (3) with time zone,
	"updated_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cards" (
	"id" text PRIMARY KEY NOT NULL,
	"number" text NOT NULL,
	"resident_id" text NOT NULL,
	"pin_hash" text NOT NULL,
	"pin_failures" integer DEFAULT 0 NOT NULL,
	"locked_at" timestamp (3) with time zone,
	"status" text DEFAULT 'active' NOT NULL,
	"issued_at" timestamp (3) with time zone NOT NULL,
	"revoked_at" timestamp (3) with time zone,
	CONSTRAINT "cards_number_unique" UNIQUE("number"),
	CONSTRAINT "cards_status" CHECK ("cards"."status" IN ('active','revoked')),
	CONSTRAINT "cards_pin_failures" CHECK ("cards"."pin_failures" >= 0 AND "cards"."pin_failures" <= 5)
);
--> statement-breakpoint
CREATE TABLE "device_nonces" (
	"device_id" text NOT NULL,
	"nonce" text NOT NULL,
	"seen_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "device_nonces_device_id_nonce_pk" PRIMARY KEY("device_id","nonce")
);
--> statement-breakpoint
CREATE TABLE "devices" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"operator" text NOT NULL,
	"public_key" text,
	"status" text DEFAULT 'pending' NOT NULL,
	"pairing_code_hash" text,
	"pairing_expires_at" timestamp (3) with time zone,
	"paired_at" timestamp (3) with time zone,
	"owner" text GENERATED ALWAYS AS ('device:' || id) STORED,
	"created_at" timestamp (3) with time zone NOT NULL,
	"revoked_at" timestamp (3) with time zone,
	CONSTRAINT "devices_pairing_code_hash_unique" UNIQUE("pairing_code_hash"),
	CONSTRAINT "devices_status" CHECK ("devices"."status" IN ('pending','active','revoked')),
	CONSTRAINT "devices_active_key" CHECK ("devices"."status" <> 'active' OR "devices"."public_key" IS NOT NULL)
);
--> statement-breakpoint
CREATE TABLE "proxies" (
	"id" text PRIMARY KEY NOT NULL,
	"grantor_resident_id" text NOT NULL,
	"proxy_user_id" text NOT NULL,
	"daily_limit_yen" bigint NOT NULL,
	"can_view_history" boolean NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"revoked_at" timestamp (3) with time zone,
	CONSTRAINT "proxies_daily_limit" CHECK ("proxies"."daily_limit_yen" >= 0 AND "proxies"."daily_limit_yen" <= 1000000)
);
--> statement-breakpoint
CREATE TABLE "proxy_spends" (
	"proxy_id" text NOT NULL,
	"ref" text NOT NULL,
	"day" date NOT NULL,
	"amount_yen" bigint NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"released_at" timestamp (3) with time zone,
	CONSTRAINT "proxy_spends_proxy_id_ref_pk" PRIMARY KEY("proxy_id","ref"),
	CONSTRAINT "proxy_spends_amount" CHECK ("proxy_spends"."amount_yen" > 0)
);
--> statement-breakpoint
CREATE TABLE "refresh_tokens" (
	"id" text PRIMARY KEY NOT NULL,
	"family_id" text NOT NULL,
	"user_id" text NOT NULL,
	"token_hash" text NOT NULL,
	"parent_id" text,
	"session_started_at" timestamp (3) with time zone NOT NULL,
	"issued_at" timestamp (3) with time zone NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL,
	"used_at" timestamp (3) with time zone,
	"revoked_at" timestamp (3) with time zone,
	CONSTRAINT "refresh_tokens_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "residents" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text,
	"name" text NOT NULL,
	"name_kana" text NOT NULL,
	"birth_date" date NOT NULL,
	"district" text NOT NULL,
	"verified_at" timestamp (3) with time zone,
	"verified_by" text,
	"owner" text GENERATED ALWAYS AS ('resident:' || id) STORED,
	"created_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "residents_user_id_unique" UNIQUE("user_id")
);
--> statement-breakpoint
CREATE TABLE "shop_staff" (
	"shop_id" text NOT NULL,
	"user_id" text NOT NULL,
	"role" text NOT NULL,
	"added_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "shop_staff_shop_id_user_id_pk" PRIMARY KEY("shop_id","user_id"),
	CONSTRAINT "shop_staff_role" CHECK ("shop_staff"."role" IN ('owner','staff'))
);
--> statement-breakpoint
CREATE TABLE "shops" (
	"id" text PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"name_ja" text NOT NULL,
	"name_latin" text NOT NULL,
	"category" text NOT NULL,
	"tier" text NOT NULL,
	"mcc" text NOT NULL,
	"fee_rate_bp" integer NOT NULL,
	"bank_code" text,
	"bank_branch_code" text,
	"bank_account_type" text,
	"bank_account_number" text,
	"bank_holder_kana" text,
	"status" text DEFAULT 'applied' NOT NULL,
	"owner" text GENERATED ALWAYS AS ('shop:' || id) STORED,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "shops_code_unique" UNIQUE("code"),
	CONSTRAINT "shops_tier" CHECK ("shops"."tier" IN ('small','large')),
	CONSTRAINT "shops_status" CHECK ("shops"."status" IN ('applied','active','suspended')),
	CONSTRAINT "shops_fee_rate" CHECK ("shops"."fee_rate_bp" >= 0 AND "shops"."fee_rate_bp" <= 1000),
	CONSTRAINT "shops_mcc" CHECK ("shops"."mcc" ~ '^[0-9]{4}$'),
	CONSTRAINT "shops_bank" CHECK (("shops"."bank_code" IS NULL AND "shops"."bank_branch_code" IS NULL AND "shops"."bank_account_type" IS NULL AND "shops"."bank_account_number" IS NULL AND "shops"."bank_holder_kana" IS NULL)
        OR ("shops"."bank_code" ~ '^[0-9]{4}$' AND "shops"."bank_branch_code" ~ '^[0-9]{3}$' AND "shops"."bank_account_type" IN ('ordinary','current','savings')
            AND "shops"."bank_account_number" ~ '^[0-9]{7}$' AND "shops"."bank_holder_kana" IS NOT NULL))
);
--> statement-breakpoint
CREATE TABLE "signing_keys" (
	"kid" text PRIMARY KEY NOT NULL,
	"public_jwk" jsonb NOT NULL,
	"private_jwk" jsonb,
	"created_at" timestamp (3) with time zone NOT NULL,
	"retired_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" text PRIMARY KEY NOT NULL,
	"login" text NOT NULL,
	"password_hash" text,
	"roles" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"display_name" text NOT NULL,
	"kind" text NOT NULL,
	"owner" text GENERATED ALWAYS AS ('user:' || id) STORED,
	"disabled_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "users_login_unique" UNIQUE("login"),
	CONSTRAINT "users_kind" CHECK ("users"."kind" IN ('resident','merchant','city')),
	CONSTRAINT "users_roles_array" CHECK (jsonb_typeof("users"."roles") = 'array')
);
--> statement-breakpoint
ALTER TABLE "cards" ADD CONSTRAINT "cards_resident_id_residents_id_fk" FOREIGN KEY ("resident_id") REFERENCES "public"."residents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "proxies" ADD CONSTRAINT "proxies_grantor_resident_id_residents_id_fk" FOREIGN KEY ("grantor_resident_id") REFERENCES "public"."residents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "proxies" ADD CONSTRAINT "proxies_proxy_user_id_users_id_fk" FOREIGN KEY ("proxy_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "proxy_spends" ADD CONSTRAINT "proxy_spends_proxy_id_proxies_id_fk" FOREIGN KEY ("proxy_id") REFERENCES "public"."proxies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refresh_tokens" ADD CONSTRAINT "refresh_tokens_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "residents" ADD CONSTRAINT "residents_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shop_staff" ADD CONSTRAINT "shop_staff_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shop_staff" ADD CONSTRAINT "shop_staff_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_actor_idx" ON "audit_log" USING btree ("actor","seq");--> statement-breakpoint
CREATE INDEX "audit_log_action_idx" ON "audit_log" USING btree ("action","seq");--> statement-breakpoint
CREATE INDEX "audit_log_target_idx" ON "audit_log" USING btree ("target","seq");--> statement-breakpoint
CREATE INDEX "audit_log_at_idx" ON "audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "cards_resident_idx" ON "cards" USING btree ("resident_id");--> statement-breakpoint
CREATE INDEX "device_nonces_seen_idx" ON "device_nonces" USING btree ("seen_at");--> statement-breakpoint
CREATE UNIQUE INDEX "proxies_live_uq" ON "proxies" USING btree ("grantor_resident_id","proxy_user_id") WHERE "proxies"."revoked_at" IS NULL;--> statement-breakpoint
CREATE INDEX "proxies_proxy_user_idx" ON "proxies" USING btree ("proxy_user_id");--> statement-breakpoint
CREATE INDEX "proxy_spends_day_idx" ON "proxy_spends" USING btree ("proxy_id","day");--> statement-breakpoint
CREATE INDEX "refresh_tokens_family_idx" ON "refresh_tokens" USING btree ("family_id");--> statement-breakpoint
CREATE INDEX "refresh_tokens_user_idx" ON "refresh_tokens" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "residents_name_kana_idx" ON "residents" USING btree ("name_kana");--> statement-breakpoint
CREATE INDEX "shop_staff_user_idx" ON "shop_staff" USING btree ("user_id");