-- Imports started over HTTP run in the background; the client polls the job for progress and
-- the summary, and downloads the rejects file. `result` holds the summary (without the reject
-- lines, which can number millions: they are kept as the CSV text in `rejects_csv`).
CREATE TABLE import_jobs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  register text NOT NULL,
  filename text NOT NULL,
  options jsonb NOT NULL DEFAULT '{}',
  status text NOT NULL DEFAULT 'queued',
  progress jsonb NOT NULL DEFAULT '{"read": 0}',
  result jsonb,
  error jsonb,
  rejects_csv text,
  locale text NOT NULL DEFAULT 'en',
  created_by uuid REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT import_jobs_status_check CHECK (status IN ('queued', 'running', 'done', 'failed'))
);
CREATE INDEX import_jobs_created_by_idx ON import_jobs (created_by, created_at);
