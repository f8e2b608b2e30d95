-- The audit log is append-only: rows are never updated or deleted, and the table is never truncated. This holds
-- even for someone with direct SQL access short of a superuser who disables triggers; the hash chain catches the rest.
CREATE OR REPLACE FUNCTION audit_log_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit table % is append-only (% rejected)', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'restrict_violation';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_reject_change();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_reject_change();
--> statement-breakpoint
-- The head may only move forward along the chain: no delete, no truncate, seq only grows.
CREATE OR REPLACE FUNCTION audit_log_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'UPDATE' OR NEW.seq <> OLD.seq + 1 OR NEW.id <> OLD.id THEN
    RAISE EXCEPTION 'audit_log_head only advances one row at a time (% rejected)', TG_OP
      USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_log_head_forward BEFORE UPDATE OR DELETE ON audit_log_head
  FOR EACH ROW EXECUTE FUNCTION audit_log_head_forward();
--> statement-breakpoint
CREATE TRIGGER audit_log_head_no_truncate BEFORE TRUNCATE ON audit_log_head
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_reject_change();
--> statement-breakpoint
INSERT INTO audit_log_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
