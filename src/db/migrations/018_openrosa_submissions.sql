-- Submissions received from ODK Collect and KoboCollect (OpenRosa). The instance ID the phone
-- gives each filled form (meta/instanceID) is unique here, so a submission sent twice, or split
-- by the phone over several POSTs, makes one report. The report is an ordinary report: created by
-- the submitting user, submitted at once, its photos attached to it.
CREATE TABLE openrosa_submissions (
  instance_id text PRIMARY KEY,
  report_id uuid NOT NULL REFERENCES reports(id),
  form_id text NOT NULL,
  form_version text,
  submitted_by uuid NOT NULL REFERENCES users(id),
  received_at timestamptz NOT NULL DEFAULT now(),
  last_received_at timestamptz NOT NULL DEFAULT now(),
  -- How many POSTs carried this instance (1, more when split or sent again).
  posts integer NOT NULL DEFAULT 1,
  -- The phone said more parts follow (*isIncomplete* = yes on the latest POST).
  incomplete boolean NOT NULL DEFAULT false,
  CONSTRAINT openrosa_submissions_instance_check CHECK (length(instance_id) BETWEEN 1 AND 200)
);
CREATE INDEX openrosa_submissions_report_idx ON openrosa_submissions (report_id);
