-- Photo and document evidence: what an attachment's own metadata says (EXIF/XMP of a photo), read
-- once on upload and kept beside the attachment, whose file stays byte for byte as uploaded and is
-- named by its SHA-256. The check against the record it is attached to (distance in metres, days
-- apart) is not stored: it is recomputed from the record as it stands whenever it is shown
-- (docs/evidence.md).
CREATE TABLE attachment_metadata (
  attachment_id uuid PRIMARY KEY REFERENCES attachments(id) ON DELETE CASCADE,
  -- What read the file, e.g. 'exifr 7.1.3'; the fields below are null when the file does not say.
  read_with text NOT NULL,
  -- Date and time the camera wrote (DateTimeOriginal), as written: local time without a zone.
  taken_local text,
  -- The camera's offset from UTC (OffsetTimeOriginal), e.g. '+04:00'; null: no time zone in the file.
  taken_offset text,
  -- The time of the GPS fix (GPSDateStamp + GPSTimeStamp), UTC.
  gps_time timestamptz,
  position geometry(Point, 4326),
  altitude_m double precision,
  -- Horizontal accuracy the receiver stated (GPSHPositioningError), metres, and its dilution of precision (GPSDOP).
  horizontal_error_m double precision,
  dop double precision,
  camera_make text,
  camera_model text,
  orientation integer,
  width_px integer,
  height_px integer,
  -- Storage key of the server-made thumbnail (JPEG); null when the file is not an image it can read.
  thumbnail_key text,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT attachment_metadata_orientation_check CHECK (orientation IS NULL OR orientation BETWEEN 1 AND 8)
);

-- Visits to sites: who visited (visitors and their organisations), when, which places and
-- hazards, what they observed and which findings they were shown, on which source. Hazards and
-- findings visited are lists of record ids (checked on every write); attachments and sources link
-- to a visit like to any record.
CREATE SEQUENCE site_visits_code_seq;
CREATE TABLE site_visits (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code text NOT NULL UNIQUE DEFAULT 'SV-' || lpad(nextval('site_visits_code_seq')::text, 6, '0'),
  visited_on date NOT NULL,
  title text NOT NULL,
  host_organisation_id uuid REFERENCES organisations(id),
  visitors jsonb NOT NULL DEFAULT '[]',
  hazard_ids jsonb NOT NULL DEFAULT '[]',
  finding_ids jsonb NOT NULL DEFAULT '[]',
  observations text,
  source_id uuid REFERENCES sources(id),
  geom geometry(MultiPolygon, 4326),
  external_id text UNIQUE,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_by uuid,
  archived_at timestamptz,
  CONSTRAINT site_visits_visitors_check CHECK (jsonb_typeof(visitors) = 'array'),
  CONSTRAINT site_visits_hazard_ids_check CHECK (jsonb_typeof(hazard_ids) = 'array'),
  CONSTRAINT site_visits_finding_ids_check CHECK (jsonb_typeof(finding_ids) = 'array')
);
CREATE INDEX site_visits_geom_idx ON site_visits USING gist (geom);
CREATE INDEX site_visits_visited_on_idx ON site_visits (visited_on);
CREATE INDEX site_visits_hazard_ids_idx ON site_visits USING gin (hazard_ids);
CREATE TRIGGER site_visits_touch BEFORE UPDATE ON site_visits FOR EACH ROW EXECUTE FUNCTION sg_touch();
