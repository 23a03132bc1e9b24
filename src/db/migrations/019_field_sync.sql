-- Field sync (docs/field-sync.md): reports created offline carry the id the device gave them, so
-- a retried upload finds the report it already made; files arrive in resumable chunks; the
-- devices that hold area data are registered and can be revoked.

ALTER TABLE reports ADD COLUMN client_id uuid;
-- One report per (author, device-given id): a retry, or two racing retries, never make a second.
CREATE UNIQUE INDEX reports_client_id_key ON reports (created_by, client_id) WHERE client_id IS NOT NULL;

-- A file sent in chunks. The bytes received so far are kept in <attachments>/uploads/<id>.part;
-- once all `size_bytes` have arrived and their SHA-256 is the declared one, the content is stored
-- like any attachment (named by its hash) and `completed_at` is set.
CREATE TABLE uploads (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  client_id uuid NOT NULL,
  created_by uuid NOT NULL REFERENCES users(id),
  file_name text NOT NULL,
  content_type text NOT NULL,
  size_bytes bigint NOT NULL,
  sha256 text NOT NULL,
  offset_bytes bigint NOT NULL DEFAULT 0,
  completed_at timestamptz,
  -- The report attachment made from it (an upload is attached once, to one report).
  report_id uuid REFERENCES reports(id),
  attachment_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT uploads_size_check CHECK (size_bytes >= 0),
  CONSTRAINT uploads_offset_check CHECK (offset_bytes >= 0 AND offset_bytes <= size_bytes),
  CONSTRAINT uploads_sha256_check CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  CONSTRAINT uploads_name_check CHECK (length(file_name) BETWEEN 1 AND 300)
);
CREATE UNIQUE INDEX uploads_client_id_key ON uploads (created_by, client_id);
CREATE INDEX uploads_stale_idx ON uploads (updated_at) WHERE completed_at IS NULL;

-- A phone or tablet holding a user's area data. Its id is made by the device; a revoked device
-- is refused on every request that names it (X-Safeground-Device) and wipes its data.
CREATE TABLE devices (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users(id),
  label text NOT NULL,
  app_version text NOT NULL,
  area jsonb NOT NULL,
  pending integer NOT NULL DEFAULT 0,
  sent integer NOT NULL DEFAULT 0,
  refused integer NOT NULL DEFAULT 0,
  registered_at timestamptz NOT NULL DEFAULT now(),
  last_sync_at timestamptz,
  revoked_at timestamptz,
  revoked_by uuid REFERENCES users(id),
  CONSTRAINT devices_label_check CHECK (length(label) BETWEEN 1 AND 200),
  CONSTRAINT devices_counts_check CHECK (pending >= 0 AND sent >= 0 AND refused >= 0)
);
CREATE INDEX devices_user_idx ON devices (user_id);

-- The area feed finds what changed after a cursor by the rows' updated_at (every write and
-- archive touches it, whatever path made it).
CREATE INDEX hazards_updated_idx ON hazards (updated_at);
CREATE INDEX land_release_updated_idx ON land_release (updated_at);
CREATE INDEX findings_updated_idx ON findings (updated_at);
CREATE INDEX minefield_records_updated_idx ON minefield_records (updated_at);
CREATE INDEX settlements_updated_idx ON settlements (updated_at);
CREATE INDEX accidents_updated_idx ON accidents (updated_at);
