-- Control periods, markings of found devices and production dates of catalogue models: the
-- inputs of device provenance (docs/provenance.md). Nothing inferred is stored: flags, groups
-- by lot and completeness figures are computed from these on every read.

-- Periods during which an area was controlled by a given administration or was not accessible
-- to the authority. The area is a polygon, or an admin area when `geom` is left empty.
CREATE SEQUENCE control_periods_code_seq;
CREATE TABLE control_periods (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code text NOT NULL UNIQUE DEFAULT 'CP-' || lpad(nextval('control_periods_code_seq')::text, 6, '0'),
  name text,
  kind text NOT NULL,
  controlled_by text,
  admin_area_id uuid REFERENCES admin_areas(id),
  start_date date,
  end_date date,
  accessible_from date,
  source_id uuid REFERENCES sources(id),
  description text,
  geom geometry(MultiPolygon, 4326),
  area_m2 double precision NOT NULL DEFAULT 0,
  external_id text UNIQUE,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_by uuid,
  archived_at timestamptz,
  CONSTRAINT control_periods_kind_check CHECK (kind IN ('controlled_by', 'inaccessible')),
  CONSTRAINT control_periods_area_check CHECK (geom IS NOT NULL OR admin_area_id IS NOT NULL),
  CONSTRAINT control_periods_dates_check CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date)
);
CREATE INDEX control_periods_geom_idx ON control_periods USING gist (geom);
CREATE INDEX control_periods_admin_area_idx ON control_periods (admin_area_id);
CREATE TRIGGER control_periods_area BEFORE INSERT OR UPDATE OF geom ON control_periods
  FOR EACH ROW EXECUTE FUNCTION sg_area();
CREATE TRIGGER control_periods_touch BEFORE UPDATE ON control_periods
  FOR EACH ROW EXECUTE FUNCTION sg_touch();

-- Markings of a found device beyond those of 001 (marking text, manufacturer, lot, year).
ALTER TABLE findings ADD COLUMN factory_code text;
ALTER TABLE findings ADD COLUMN manufactured_on date;
CREATE INDEX findings_lot_idx ON findings (lot) WHERE lot IS NOT NULL;
CREATE INDEX findings_year_of_manufacture_idx ON findings (year_of_manufacture);

-- Known manufacturers and production years of catalogue models (empty until the authority
-- enters them from its references; the catalogue seeded in 002 states no dates).
ALTER TABLE ordnance_models ADD COLUMN manufacturers jsonb NOT NULL DEFAULT '[]';
ALTER TABLE ordnance_models ADD COLUMN production_start_year integer;
ALTER TABLE ordnance_models ADD COLUMN production_end_year integer;
