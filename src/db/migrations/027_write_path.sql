-- The audit chain's head in one statement: the advisory lock that makes appends take turns, then
-- the last entry. A VOLATILE function takes a new snapshot for each statement it runs, so under
-- READ COMMITTED the entry it reads is the last one committed before the lock was granted (the
-- same as the lock and the read sent one after the other, one round trip fewer).
CREATE FUNCTION sg_audit_head() RETURNS TABLE (seq bigint, hash text)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(7400001);
  RETURN QUERY SELECT a.seq::bigint, a.hash::text FROM audit_log a ORDER BY a.seq DESC LIMIT 1;
END $$;
