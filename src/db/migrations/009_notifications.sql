-- Comments on a report, and the in-app notifications of a report's workflow (submitted, reviewed,
-- approved, rejected, commented), each for one user, unread until that user marks it read.
CREATE TABLE report_comments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  report_id uuid NOT NULL REFERENCES reports(id),
  author_id uuid NOT NULL REFERENCES users(id),
  text text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT report_comments_text_check CHECK (length(btrim(text)) BETWEEN 1 AND 4000)
);
CREATE INDEX report_comments_report_idx ON report_comments (report_id, created_at);

CREATE TABLE notifications (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  recipient_id uuid NOT NULL REFERENCES users(id),
  kind text NOT NULL,
  report_id uuid NOT NULL REFERENCES reports(id),
  actor_id uuid REFERENCES users(id),
  comment_id uuid REFERENCES report_comments(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  read_at timestamptz,
  CONSTRAINT notifications_kind_check CHECK (
    kind IN ('report.submitted', 'report.reviewed', 'report.approved', 'report.rejected', 'report.commented')
  )
);
CREATE INDEX notifications_recipient_idx ON notifications (recipient_id, created_at);
CREATE INDEX notifications_unread_idx ON notifications (recipient_id) WHERE read_at IS NULL;
