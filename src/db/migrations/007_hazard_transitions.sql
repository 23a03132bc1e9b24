-- The allowed changes of a hazard's status and type, as a table the trigger reads: the same rows
-- as HAZARD_TRANSITIONS in src/domain/reports.ts (a test compares the two). Until now the
-- trigger listed every pair of statuses, so no status change could be refused.
-- A transition with reason_required needs the reason of an approved report, which the service
-- passes in the transaction setting safeground.reopen_reason.
CREATE TABLE hazard_transitions (
  field text NOT NULL,
  from_value text NOT NULL,
  to_value text NOT NULL,
  reason_required boolean NOT NULL,
  PRIMARY KEY (field, from_value, to_value),
  CONSTRAINT hazard_transitions_field_check CHECK (field IN ('status', 'type'))
);
INSERT INTO hazard_transitions (field, from_value, to_value, reason_required) VALUES
  ('status', 'open', 'in_progress', false),
  ('status', 'open', 'closed', false),
  ('status', 'in_progress', 'closed', false),
  ('status', 'in_progress', 'open', false),
  ('status', 'closed', 'open', true),
  ('type', 'SHA', 'CHA', false),
  ('type', 'CHA', 'SHA', true);

CREATE OR REPLACE FUNCTION sg_hazard_rules() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  reason text := coalesce(current_setting('safeground.reopen_reason', true), '');
  allowed hazard_transitions%ROWTYPE;
BEGIN
  IF NEW.status IS DISTINCT FROM OLD.status THEN
    SELECT * INTO allowed FROM hazard_transitions
      WHERE field = 'status' AND from_value = OLD.status AND to_value = NEW.status;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'hazard % cannot move from % to %', OLD.code, OLD.status, NEW.status
        USING ERRCODE = 'P0001', HINT = 'hazard.status_transition';
    END IF;
    IF allowed.reason_required AND reason = '' THEN
      RAISE EXCEPTION 'hazard % cannot leave status % without an approved report giving a reason', OLD.code, OLD.status
        USING ERRCODE = 'P0001', HINT = 'hazard.reopen_reason_required';
    END IF;
  END IF;
  IF NEW.type IS DISTINCT FROM OLD.type THEN
    SELECT * INTO allowed FROM hazard_transitions
      WHERE field = 'type' AND from_value = OLD.type AND to_value = NEW.type;
    IF NOT FOUND OR (allowed.reason_required AND reason = '') THEN
      RAISE EXCEPTION 'hazard % cannot change type from % to % without an approved report giving a reason', OLD.code, OLD.type, NEW.type
        USING ERRCODE = 'P0001', HINT = 'hazard.type_transition';
    END IF;
  END IF;
  RETURN NEW;
END $$;
