-- Saved output definitions (a standard report with its filters and a period rule such as
-- "last month") and every file generated from one, kept with its hashes so that what was sent
-- can be produced again and compared.
CREATE TABLE output_definitions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  output text NOT NULL,
  params jsonb NOT NULL DEFAULT '{}'::jsonb,
  period_rule text NOT NULL DEFAULT 'none',
  locale text NOT NULL DEFAULT 'en',
  created_by uuid REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  archived_at timestamptz,
  CONSTRAINT output_definitions_name_check CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  CONSTRAINT output_definitions_period_check CHECK (
    period_rule IN ('none', 'last_month', 'last_quarter', 'last_year', 'month_to_date', 'year_to_date')
  )
);

CREATE TABLE generated_outputs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  definition_id uuid REFERENCES output_definitions(id),
  output text NOT NULL,
  params jsonb NOT NULL,
  format text NOT NULL,
  locale text NOT NULL,
  content_sha256 text NOT NULL,
  file_sha256 text NOT NULL,
  size_bytes bigint NOT NULL,
  content bytea NOT NULL,
  generated_by uuid REFERENCES users(id),
  generated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT generated_outputs_format_check CHECK (format IN ('pdf', 'xlsx', 'csv', 'json'))
);
CREATE INDEX generated_outputs_definition_idx ON generated_outputs (definition_id, generated_at);
