-- Safeground core registers. Runs on PostgreSQL 15+ with PostGIS 3 and on PGlite (PostgreSQL 18) with PostGIS.
-- Geometry is stored in WGS 84 (SRID 4326); areas are computed on the ellipsoid (geography).
CREATE EXTENSION IF NOT EXISTS postgis;

-- Keeps updated_at current on every update.
CREATE FUNCTION sg_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END $$;

-- Area on the WGS 84 ellipsoid in m², for tables with a MultiPolygon `geom` and an `area_m2` column.
CREATE FUNCTION sg_area() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.area_m2 := CASE WHEN NEW.geom IS NULL THEN 0 ELSE ST_Area(NEW.geom::geography, true) END;
  RETURN NEW;
END $$;

CREATE TABLE organisations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  acronym text,
  kind text NOT NULL,
  country text,
  external_id text UNIQUE,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_by uuid,
  archived_at timestamptz
);

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL,
  name text,
  role text NOT NULL,
  organisation_id uuid REFERENCES organisations(id),
  password_hash text NOT NULL,
  locale text NOT NULL DEFAULT 'en',
  disabled_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_by uuid,
  archived_at timestamptz
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- Browser sessions and API tokens; only the SHA-256 of a token is stored.
CREATE TABLE sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users(id),
  token_hash text NOT NULL UNIQUE,
  kind text NOT NULL DEFAULT 'session',
  name text,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz,
  last_used_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE admin_areas (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  pcode text NOT NULL UNIQUE,
  name text NOT NULL,
  names jsonb NOT NULL DEFAULT '{}',
  level integer NOT NULL,
  parent_id uuid REFERENCES admin_areas(id),
  geom geometry(MultiPolygon, 4326) NOT NULL,
  area_m2 double precision NOT NULL DEFAULT 0,
  external_id text UNIQUE,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_by uuid,
  archived_at timestamptz
);
CREATE INDEX admin_areas_geom_idx ON admin_areas USING gist (geom);
CREATE INDEX admin_areas_parent_idx ON admin_areas (parent_id);

CREATE TABLE settlements (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  names jsonb NOT NULL DEFAULT '{}',
  pcode text,
  kind text NOT NULL DEFAULT 'village',
  admin_area_id uuid REFERENCES admin_areas(id),
  geom geometry(Point, 4326) NOT NULL,
  population integer,
  households integer,
  displaced_households integer,
  returned_households integer,
  external_id text UNIQUE,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_by uuid,
  archived_at timestamptz
);
CREATE INDEX settlements_geom_idx ON settlements USING gist (geom);

CREATE SEQUENCE hazards_code_seq;
CREATE TABLE hazards (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code text NOT NULL UNIQUE DEFAULT 'HA-' || lpad(nextval('hazards_code_seq')::text, 6, '0'),
  name text,
  type text NOT NULL,
  status text NOT NULL DEFAULT 'open',
  geom geometry(MultiPolygon, 4326) NOT NULL,
  area_m2 double precision NOT NULL DEFAULT 0,
  released_area_m2 double precision NOT NULL DEFAULT 0,
  remaining_area_m2 double precision,
  remaining_geom geometry(MultiPolygon, 4326),
  benchmark geometry(Point, 4326),
  device_categories jsonb NOT NULL DEFAULT '[]',
  evidence jsonb NOT NULL DEFAULT '[]',
  blocked_land_use jsonb NOT NULL DEFAULT '[]',
  beneficiaries integer,
  organisation_id uuid REFERENCES organisations(id),
  date_of_information date,
  description text,
  external_id text UNIQUE,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_by uuid,
  archived_at timestamptz,
  CONSTRAINT hazards_type_check CHECK (type IN ('SHA', 'CHA')),
  CONSTRAINT hazards_status_check CHECK (status IN ('open', 'in_progress', 'closed'))
);
CREATE INDEX hazards_geom_idx ON hazards USING gist (geom);
CREATE INDEX hazards_status_idx ON hazards (status);

CREATE SEQUENCE activities_code_seq;
CREATE TABLE activities (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code text NOT NULL UNIQUE DEFAULT 'AC-' || lpad(nextval('activities_code_seq')::text, 6, '0'),
  kind text NOT NULL,
  organisation_id uuid NOT NULL REFERENCES organisations(id),
  hazard_id uuid REFERENCES hazards(id),
  method text NOT NULL DEFAULT 'not_applicable',
  status text NOT NULL DEFAULT 'planned',
  start_date date,
  end_date date,
  geom geometry(Point, 4326),
  description text,
  external_id text UNIQUE,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_by uuid,
  archived_at timestamptz,
  CONSTRAINT activities_dates_check CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date)
);
CREATE INDEX activities_geom_idx ON activities USING gist (geom);
CREATE INDEX activities_hazard_idx ON activities (hazard_id);

CREATE SEQUENCE land_release_code_seq;
CREATE TABLE land_release (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code text NOT NULL UNIQUE DEFAULT 'LR-' || lpad(nextval('land_release_code_seq')::text, 6, '0'),
  outcome text NOT NULL,
  hazard_id uuid NOT NULL REFERENCES hazards(id),
  activity_id uuid REFERENCES activities(id),
  method text NOT NULL DEFAULT 'not_applicable',
  depth_cm integer,
  geom geometry(MultiPolygon, 4326) NOT NULL,
  area_m2 double precision NOT NULL DEFAULT 0,
  benchmark geometry(Point, 4326),
  released_on date,
  external_id text UNIQUE,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_by uuid,
  archived_at timestamptz,
  CONSTRAINT land_release_outcome_check CHECK (outcome IN ('cancelled', 'reduced', 'cleared'))
);
CREATE INDEX land_release_geom_idx ON land_release USING gist (geom);
CREATE INDEX land_release_hazard_idx ON land_release (hazard_id);

CREATE TABLE ordnance_models (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  model text NOT NULL UNIQUE,
  category text NOT NULL,
  country_of_origin text,
  description text,
  aliases jsonb NOT NULL DEFAULT '[]',
  external_id text UNIQUE,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_by uuid,
  archived_at timestamptz
);

CREATE SEQUENCE findings_code_seq;
CREATE TABLE findings (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code text NOT NULL UNIQUE DEFAULT 'EO-' || lpad(nextval('findings_code_seq')::text, 7, '0'),
  category text NOT NULL,
  ordnance_id uuid REFERENCES ordnance_models(id),
  model_text text,
  quantity integer NOT NULL DEFAULT 1,
  condition text NOT NULL DEFAULT 'unknown',
  depth_cm integer,
  disposition text NOT NULL DEFAULT 'unknown',
  found_on date NOT NULL,
  hazard_id uuid REFERENCES hazards(id),
  activity_id uuid REFERENCES activities(id),
  marking text,
  manufacturer text,
  lot text,
  year_of_manufacture integer,
  geom geometry(Point, 4326) NOT NULL,
  external_id text UNIQUE,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_by uuid,
  archived_at timestamptz,
  CONSTRAINT findings_quantity_check CHECK (quantity >= 1)
);
CREATE INDEX findings_geom_idx ON findings USING gist (geom);
CREATE INDEX findings_hazard_idx ON findings (hazard_id);
CREATE INDEX findings_found_on_idx ON findings (found_on);

CREATE SEQUENCE accidents_code_seq;
CREATE TABLE accidents (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code text NOT NULL UNIQUE DEFAULT 'AX-' || lpad(nextval('accidents_code_seq')::text, 6, '0'),
  occurred_on date NOT NULL,
  date_precision text NOT NULL DEFAULT 'day',
  point_precision text NOT NULL DEFAULT 'unknown',
  device_category text NOT NULL DEFAULT 'unknown',
  ordnance_id uuid REFERENCES ordnance_models(id),
  demining text NOT NULL DEFAULT 'unknown',
  hazard_id uuid REFERENCES hazards(id),
  geom geometry(Point, 4326) NOT NULL,
  description text,
  external_id text UNIQUE,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_by uuid,
  archived_at timestamptz
);
CREATE INDEX accidents_geom_idx ON accidents USING gist (geom);
CREATE INDEX accidents_occurred_on_idx ON accidents (occurred_on);

-- Identity fields (name, date of birth, address) live in their own columns so that they can be
-- encrypted at rest and left out of lists and exports.
CREATE SEQUENCE casualties_code_seq;
CREATE TABLE casualties (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code text NOT NULL UNIQUE DEFAULT 'CS-' || lpad(nextval('casualties_code_seq')::text, 6, '0'),
  accident_id uuid NOT NULL REFERENCES accidents(id),
  sex text NOT NULL,
  age integer,
  age_band text NOT NULL DEFAULT 'unknown',
  casualty_status text NOT NULL,
  outcome text NOT NULL,
  activity_at_time text NOT NULL DEFAULT 'unknown',
  tampered_with_device text NOT NULL DEFAULT 'unknown',
  displacement_status text NOT NULL DEFAULT 'unknown',
  referral text,
  identity_name text,
  identity_date_of_birth text,
  identity_address text,
  external_id text UNIQUE,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_by uuid,
  archived_at timestamptz
);
CREATE INDEX casualties_accident_idx ON casualties (accident_id);

CREATE SEQUENCE risk_education_code_seq;
CREATE TABLE risk_education_sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code text NOT NULL UNIQUE DEFAULT 'RE-' || lpad(nextval('risk_education_code_seq')::text, 6, '0'),
  organisation_id uuid NOT NULL REFERENCES organisations(id),
  held_on date NOT NULL,
  delivery_method text NOT NULL,
  settlement_id uuid REFERENCES settlements(id),
  beneficiaries jsonb NOT NULL DEFAULT '{}',
  beneficiaries_total integer NOT NULL DEFAULT 0,
  geom geometry(Point, 4326) NOT NULL,
  description text,
  external_id text UNIQUE,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_by uuid,
  archived_at timestamptz
);
CREATE INDEX risk_education_geom_idx ON risk_education_sessions USING gist (geom);

CREATE SEQUENCE qa_visits_code_seq;
CREATE TABLE qa_visits (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code text NOT NULL UNIQUE DEFAULT 'QA-' || lpad(nextval('qa_visits_code_seq')::text, 6, '0'),
  visited_on date NOT NULL,
  activity_id uuid REFERENCES activities(id),
  inspected_organisation_id uuid NOT NULL REFERENCES organisations(id),
  inspecting_organisation_id uuid NOT NULL REFERENCES organisations(id),
  non_conformities jsonb NOT NULL DEFAULT '[]',
  measures_taken text,
  external_id text UNIQUE,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_by uuid,
  archived_at timestamptz
);

CREATE SEQUENCE sources_code_seq;
CREATE TABLE sources (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code text NOT NULL UNIQUE DEFAULT 'SRC-' || lpad(nextval('sources_code_seq')::text, 5, '0'),
  kind text NOT NULL,
  title text NOT NULL,
  issuing_body text,
  document_symbol text,
  url text,
  published_on date,
  language text,
  notes text,
  external_id text UNIQUE,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_by uuid,
  archived_at timestamptz
);

-- Which sources support which record (any register).
CREATE TABLE record_sources (
  record_type text NOT NULL,
  record_id uuid NOT NULL,
  source_id uuid NOT NULL REFERENCES sources(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  PRIMARY KEY (record_type, record_id, source_id)
);

CREATE TABLE attachments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  record_type text NOT NULL,
  record_id uuid NOT NULL,
  filename text NOT NULL,
  media_type text NOT NULL,
  size_bytes bigint NOT NULL,
  sha256 text NOT NULL,
  storage_key text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid
);
CREATE INDEX attachments_record_idx ON attachments (record_type, record_id);

-- Append-only, hash-chained log of every change: hash = SHA-256(prev_hash || canonical JSON of the entry).
CREATE TABLE audit_log (
  seq bigint PRIMARY KEY,
  at timestamptz NOT NULL,
  actor_id uuid,
  action text NOT NULL,
  entity text NOT NULL,
  record_id uuid,
  report_id uuid,
  before jsonb,
  after jsonb,
  prev_hash text NOT NULL,
  hash text NOT NULL UNIQUE
);
CREATE INDEX audit_log_record_idx ON audit_log (entity, record_id);

CREATE FUNCTION sg_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'P0001', HINT = 'audit.append_only';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION sg_audit_append_only();

CREATE TRIGGER hazards_area BEFORE INSERT OR UPDATE OF geom ON hazards FOR EACH ROW EXECUTE FUNCTION sg_area();
CREATE TRIGGER land_release_area BEFORE INSERT OR UPDATE OF geom ON land_release FOR EACH ROW EXECUTE FUNCTION sg_area();
CREATE TRIGGER admin_areas_area BEFORE INSERT OR UPDATE OF geom ON admin_areas FOR EACH ROW EXECUTE FUNCTION sg_area();
CREATE TRIGGER organisations_touch BEFORE UPDATE ON organisations FOR EACH ROW EXECUTE FUNCTION sg_touch();
CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION sg_touch();
CREATE TRIGGER admin_areas_touch BEFORE UPDATE ON admin_areas FOR EACH ROW EXECUTE FUNCTION sg_touch();
CREATE TRIGGER settlements_touch BEFORE UPDATE ON settlements FOR EACH ROW EXECUTE FUNCTION sg_touch();
CREATE TRIGGER hazards_touch BEFORE UPDATE ON hazards FOR EACH ROW EXECUTE FUNCTION sg_touch();
CREATE TRIGGER activities_touch BEFORE UPDATE ON activities FOR EACH ROW EXECUTE FUNCTION sg_touch();
CREATE TRIGGER land_release_touch BEFORE UPDATE ON land_release FOR EACH ROW EXECUTE FUNCTION sg_touch();
CREATE TRIGGER ordnance_models_touch BEFORE UPDATE ON ordnance_models FOR EACH ROW EXECUTE FUNCTION sg_touch();
CREATE TRIGGER findings_touch BEFORE UPDATE ON findings FOR EACH ROW EXECUTE FUNCTION sg_touch();
CREATE TRIGGER accidents_touch BEFORE UPDATE ON accidents FOR EACH ROW EXECUTE FUNCTION sg_touch();
CREATE TRIGGER casualties_touch BEFORE UPDATE ON casualties FOR EACH ROW EXECUTE FUNCTION sg_touch();
CREATE TRIGGER risk_education_sessions_touch BEFORE UPDATE ON risk_education_sessions FOR EACH ROW EXECUTE FUNCTION sg_touch();
CREATE TRIGGER qa_visits_touch BEFORE UPDATE ON qa_visits FOR EACH ROW EXECUTE FUNCTION sg_touch();
CREATE TRIGGER sources_touch BEFORE UPDATE ON sources FOR EACH ROW EXECUTE FUNCTION sg_touch();
