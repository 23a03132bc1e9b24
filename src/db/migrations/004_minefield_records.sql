-- Minefield laying records handed over by the units that laid the fields, each linked to the
-- document it came from (sources) and to the hazard it describes. `record` holds the record as
-- written, in the JSON of src/domain/minefield-record.ts (docs/minefield-records.md); `geom` is
-- the perimeter of its first decoded hypothesis, computed by the service for maps, and
-- `geometry_hypothesis` says which reading that perimeter is.
CREATE SEQUENCE minefield_records_code_seq;
CREATE TABLE minefield_records (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code text NOT NULL UNIQUE DEFAULT 'MR-' || lpad(nextval('minefield_records_code_seq')::text, 6, '0'),
  name text,
  hazard_id uuid REFERENCES hazards(id),
  source_id uuid REFERENCES sources(id),
  laying_date date,
  laying_unit text,
  record jsonb NOT NULL,
  geom geometry(MultiPolygon, 4326),
  geometry_hypothesis text,
  area_m2 double precision NOT NULL DEFAULT 0,
  external_id text UNIQUE,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_by uuid,
  archived_at timestamptz,
  CONSTRAINT minefield_records_record_check CHECK (jsonb_typeof(record) = 'object')
);
CREATE INDEX minefield_records_geom_idx ON minefield_records USING gist (geom);
CREATE INDEX minefield_records_hazard_idx ON minefield_records (hazard_id);
CREATE INDEX minefield_records_source_idx ON minefield_records (source_id);
CREATE INDEX minefield_records_laying_date_idx ON minefield_records (laying_date);

-- Laying date and unit are the record's own, copied to columns for filtering and sorting so that
-- they can never disagree with it; a record stored without a name is named by its title.
-- The service has checked layingDate is a calendar date before the record gets here.
CREATE FUNCTION sg_minefield_record_fields() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.laying_date := CASE WHEN NEW.record->>'layingDate' ~ '^\d{4}-\d{2}-\d{2}$'
                          THEN (NEW.record->>'layingDate')::date END;
  NEW.laying_unit := NEW.record->>'layingUnit';
  IF TG_OP = 'INSERT' THEN
    NEW.name := coalesce(NEW.name, NEW.record->>'title');
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER minefield_records_fields BEFORE INSERT OR UPDATE OF record ON minefield_records
  FOR EACH ROW EXECUTE FUNCTION sg_minefield_record_fields();
CREATE TRIGGER minefield_records_area BEFORE INSERT OR UPDATE OF geom ON minefield_records
  FOR EACH ROW EXECUTE FUNCTION sg_area();
CREATE TRIGGER minefield_records_touch BEFORE UPDATE ON minefield_records
  FOR EACH ROW EXECUTE FUNCTION sg_touch();
