-- The audit entries of bulk writes, by report (a record's history, src/db/repositories/audit.ts).
--
-- An import or the demo's load audits each batch of 1 000 records as one `bulk_create` entry with
-- no record id. A record written so begins its history with the first such entry of its report
-- for its register; without this index that look-up read every record-less entry of the register
-- (one per 1 000 records ever imported). Partial: only those entries, a thousandth of the records.
CREATE INDEX audit_log_bulk_idx ON audit_log (report_id, entity, seq) WHERE action = 'bulk_create';
