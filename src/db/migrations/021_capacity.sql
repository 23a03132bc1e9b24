-- Capacity and funding: the teams of each organisation (with their machines and dogs), the
-- organisations' accreditation (activity kinds and admin areas in scope, valid from/to,
-- suspension), and projects with their donors, funds, period and areas. Activities and risk
-- education sessions name the team and project they were done by and for (docs/planning.md,
-- "Capacity and funding").
CREATE SEQUENCE teams_code_seq;
CREATE TABLE teams (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code text NOT NULL UNIQUE DEFAULT 'TM-' || lpad(nextval('teams_code_seq')::text, 6, '0'),
  organisation_id uuid NOT NULL REFERENCES organisations(id),
  name text NOT NULL,
  kind text NOT NULL,
  size integer,
  active_from date,
  active_to date,
  -- Machines and dogs of the team: [{kind: machine|dog, name, model, serial, from, to}].
  assets jsonb NOT NULL DEFAULT '[]',
  notes text,
  external_id text UNIQUE,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_by uuid,
  archived_at timestamptz,
  CONSTRAINT teams_kind_check CHECK (kind IN ('manual', 'mechanical', 'mdd', 'eod', 'nts', 'eore')),
  CONSTRAINT teams_size_check CHECK (size IS NULL OR size >= 1),
  CONSTRAINT teams_assets_check CHECK (jsonb_typeof(assets) = 'array'),
  CONSTRAINT teams_dates_check CHECK (active_to IS NULL OR active_from IS NULL OR active_to >= active_from)
);
CREATE INDEX teams_organisation_idx ON teams (organisation_id);
CREATE TRIGGER teams_touch BEFORE UPDATE ON teams FOR EACH ROW EXECUTE FUNCTION sg_touch();

CREATE SEQUENCE accreditations_code_seq;
CREATE TABLE accreditations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code text NOT NULL UNIQUE DEFAULT 'ACR-' || lpad(nextval('accreditations_code_seq')::text, 6, '0'),
  organisation_id uuid NOT NULL REFERENCES organisations(id),
  -- Activity kinds in scope (codes of the activities' kinds).
  activity_kinds jsonb NOT NULL DEFAULT '[]',
  -- Admin areas in scope (ids); empty: the whole country.
  admin_area_ids jsonb NOT NULL DEFAULT '[]',
  valid_from date NOT NULL,
  valid_to date,
  suspended boolean NOT NULL DEFAULT false,
  suspended_from date,
  suspended_reason text,
  source_id uuid REFERENCES sources(id),
  notes text,
  external_id text UNIQUE,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_by uuid,
  archived_at timestamptz,
  CONSTRAINT accreditations_kinds_check CHECK (jsonb_typeof(activity_kinds) = 'array'),
  CONSTRAINT accreditations_areas_check CHECK (jsonb_typeof(admin_area_ids) = 'array'),
  CONSTRAINT accreditations_dates_check CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX accreditations_organisation_idx ON accreditations (organisation_id);
CREATE TRIGGER accreditations_touch BEFORE UPDATE ON accreditations
  FOR EACH ROW EXECUTE FUNCTION sg_touch();

CREATE SEQUENCE projects_code_seq;
CREATE TABLE projects (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code text NOT NULL UNIQUE DEFAULT 'PJ-' || lpad(nextval('projects_code_seq')::text, 6, '0'),
  name text NOT NULL,
  -- Donors: [{organisationId, name, amount, currency}].
  donors jsonb NOT NULL DEFAULT '[]',
  funds_amount numeric,
  funds_currency text,
  period_from date,
  period_to date,
  admin_area_ids jsonb NOT NULL DEFAULT '[]',
  organisation_ids jsonb NOT NULL DEFAULT '[]',
  notes text,
  external_id text UNIQUE,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_by uuid,
  archived_at timestamptz,
  CONSTRAINT projects_donors_check CHECK (jsonb_typeof(donors) = 'array'),
  CONSTRAINT projects_areas_check CHECK (jsonb_typeof(admin_area_ids) = 'array'),
  CONSTRAINT projects_organisations_check CHECK (jsonb_typeof(organisation_ids) = 'array'),
  CONSTRAINT projects_funds_check CHECK (funds_amount IS NULL OR funds_amount >= 0),
  CONSTRAINT projects_dates_check CHECK (period_to IS NULL OR period_from IS NULL OR period_to >= period_from)
);
CREATE INDEX projects_organisation_ids_idx ON projects USING gin (organisation_ids);
CREATE TRIGGER projects_touch BEFORE UPDATE ON projects FOR EACH ROW EXECUTE FUNCTION sg_touch();

ALTER TABLE activities ADD COLUMN team_id uuid REFERENCES teams(id);
ALTER TABLE activities ADD COLUMN project_id uuid REFERENCES projects(id);
CREATE INDEX activities_team_idx ON activities (team_id);
CREATE INDEX activities_project_idx ON activities (project_id);
ALTER TABLE risk_education_sessions ADD COLUMN project_id uuid REFERENCES projects(id);
CREATE INDEX risk_education_sessions_project_idx ON risk_education_sessions (project_id);
