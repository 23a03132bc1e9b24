-- Reading the registers "as at" a date: a record's state then is the fold of its approved changes
-- (record_changes) in date-of-information order, approval order within one date. This aggregate
-- merges the patches in the order given (later keys win), so the fold runs in the database:
--   sg_jsonb_merge(patch ORDER BY date_of_information, seq)
CREATE AGGREGATE sg_jsonb_merge(jsonb) (SFUNC = jsonb_concat, STYPE = jsonb, INITCOND = '{}');

-- The changes of one register approved by a time, read by the as-at fold.
CREATE INDEX record_changes_entity_time_idx ON record_changes (entity, created_at);
