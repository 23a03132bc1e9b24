-- Task orders: the work plan a national authority issues to operators (docs/planning.md,
-- "Tasking"). An order names one or more hazards, the organisation tasked, the kind of activity,
-- the planned dates, the team and project (optional), and the priority of its first hazard when
-- it was issued (copied from the priorities service, never changed). Its state is moved by the
-- activities linked to it and by the release of its hazards (src/services/register-hooks/).

CREATE SEQUENCE task_orders_code_seq;
CREATE TABLE task_orders (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code text NOT NULL UNIQUE DEFAULT 'TO-' || lpad(nextval('task_orders_code_seq')::text, 6, '0'),
  reference text,
  hazard_ids jsonb NOT NULL DEFAULT '[]',
  organisation_id uuid NOT NULL REFERENCES organisations(id),
  activity_kind text NOT NULL,
  issued_on date,
  planned_start date NOT NULL,
  planned_end date NOT NULL,
  team_id uuid,
  project_id uuid,
  priority_at_issue jsonb,
  state text NOT NULL DEFAULT 'issued',
  notes text,
  external_id text UNIQUE,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_by uuid,
  archived_at timestamptz,
  CONSTRAINT task_orders_hazard_ids_check CHECK (jsonb_typeof(hazard_ids) = 'array' AND jsonb_array_length(hazard_ids) >= 1),
  CONSTRAINT task_orders_state_check CHECK (state IN ('issued', 'started', 'suspended', 'completed', 'cancelled')),
  CONSTRAINT task_orders_dates_check CHECK (planned_end >= planned_start)
);
CREATE INDEX task_orders_hazard_ids_idx ON task_orders USING gin (hazard_ids);
CREATE INDEX task_orders_organisation_idx ON task_orders (organisation_id);
CREATE INDEX task_orders_planned_idx ON task_orders (planned_start, planned_end);
CREATE TRIGGER task_orders_touch BEFORE UPDATE ON task_orders FOR EACH ROW EXECUTE FUNCTION sg_touch();

-- An activity may be done under a task order.
ALTER TABLE activities ADD COLUMN task_order_id uuid REFERENCES task_orders(id);
CREATE INDEX activities_task_order_idx ON activities (task_order_id);
