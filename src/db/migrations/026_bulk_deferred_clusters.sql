-- Bulk writes (file imports) defer the findings' cluster cells (016, 022) to the end of the write.
-- A transaction that sets `safeground.bulk = 'deferred'` (SET LOCAL, or set_config(…, true))
-- has each inserting statement only note the zoom-11 cells of its new findings in a temporary
-- table of its own (no WAL, no index, no lock on finding_clusters); sg_bulk_finish() then adds
-- those cells to finding_clusters at every zoom in one statement and clears the setting. Cells are
-- sums, so the order does not matter: an update or archive of a deferred finding before the
-- finish subtracts its cell as usual and the finish adds it back, leaving the same cells as the
-- per-statement trigger. Whoever sets the setting must call sg_bulk_finish() before committing
-- (the importer does, after its last batch); what a rollback undoes, the temporary table forgets.
CREATE OR REPLACE FUNCTION sg_finding_clusters_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('safeground.bulk', true) = 'deferred' THEN
    IF to_regclass('pg_temp.sg_deferred_finding_cells') IS NULL THEN
      CREATE TEMP TABLE sg_deferred_finding_cells (
        cx bigint NOT NULL, cy bigint NOT NULL, n bigint NOT NULL,
        sx double precision NOT NULL, sy double precision NOT NULL
      ) ON COMMIT DROP;
    END IF;
    INSERT INTO pg_temp.sg_deferred_finding_cells (cx, cy, n, sx, sy)
    SELECT floor((ST_X(p.g) + 20037508.342789244) / (40075016.68557849 / (32 * 2 ^ 11)))::bigint,
      floor((20037508.342789244 - ST_Y(p.g)) / (40075016.68557849 / (32 * 2 ^ 11)))::bigint,
      count(*), sum(ST_X(p.g)), sum(ST_Y(p.g))
    FROM (SELECT ST_Transform(geom, 3857) AS g FROM new_rows
          WHERE archived_at IS NULL AND geom IS NOT NULL) p
    GROUP BY 1, 2;
    RETURN NULL;
  END IF;
  PERFORM sg_finding_clusters_add(array_agg(ST_Transform(geom, 3857)), array_agg(1))
  FROM new_rows WHERE archived_at IS NULL AND geom IS NOT NULL HAVING count(*) > 0;
  RETURN NULL;
END $$;

-- Adds the cells deferred by this transaction's bulk writes to finding_clusters (zoom 11 summed,
-- then rolled up to zooms 0–10 as 022 does) and ends the deferral.
CREATE FUNCTION sg_bulk_finish() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('safeground.bulk', '', true);
  IF to_regclass('pg_temp.sg_deferred_finding_cells') IS NULL THEN
    RETURN;
  END IF;
  INSERT INTO finding_clusters AS c (z, cx, cy, n, sx, sy)
  SELECT z.z, (f.cx >> (11 - z.z))::int, (f.cy >> (11 - z.z))::int, sum(f.n)::int, sum(f.sx), sum(f.sy)
  FROM (SELECT cx, cy, sum(n) AS n, sum(sx) AS sx, sum(sy) AS sy
        FROM pg_temp.sg_deferred_finding_cells GROUP BY 1, 2) f,
    generate_series(0, 11) AS z(z)
  GROUP BY 1, 2, 3
  ORDER BY 1, 2, 3
  ON CONFLICT (z, cx, cy) DO UPDATE
    SET n = c.n + excluded.n, sx = c.sx + excluded.sx, sy = c.sy + excluded.sy;
  DELETE FROM pg_temp.sg_deferred_finding_cells;
END $$;
