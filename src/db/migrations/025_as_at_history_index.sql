-- Reading "as at" a date makes one pass over a register's history (asAtSource): each record's
-- changes in date-of-information order with their operation and approval time. The index of a
-- record's changes carries those two columns, so the pass reads the index alone, already in the
-- order it needs (no sort), and the table only for pages not yet marked all-visible.
DROP INDEX record_changes_record_idx;
CREATE INDEX record_changes_record_idx ON record_changes (entity, record_id, date_of_information, seq)
  INCLUDE (op, created_at);
