-- Vector tiles that never wait (src/services/tiles.ts):
--
-- 1. A generation per map table, bumped by every statement that writes the table (approved
--    changes, imports, archiving, the demo, restores: whatever path the write takes). The tile
--    cache keys every tile by the generations it depends on, so a tile cached before a change is
--    never served after it. The bump updates one row per table, so the generation a reader sees
--    always comes with the data it covers. It runs BEFORE each statement and first locks the row
--    '*': every transaction that writes a map table takes that one lock before any map row lock
--    and holds it to its commit, so writers of map tables queue in one line and can never wait on
--    each other in a cycle (per-table rows locked in the order of the writes could deadlock).
-- 2. The findings' cluster cells of every zoom below 12 (CLUSTER_BELOW_ZOOM), kept up to date by
--    statement triggers over the changed rows: an unfiltered cluster tile reads a few hundred cells
--    instead of aggregating every finding under it. Cells are CLUSTER_CELL = 128 tile units on a
--    side (32 per tile), aligned on the Web Mercator origin, as the live aggregation makes them.
CREATE TABLE tile_generations (
  table_name text PRIMARY KEY,
  generation bigint NOT NULL DEFAULT 0
);
INSERT INTO tile_generations (table_name) VALUES
  ('admin_areas'), ('settlements'), ('hazards'), ('land_release'), ('findings'), ('accidents'),
  ('minefield_records'), ('*');

CREATE FUNCTION sg_tile_generation_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM tile_generations WHERE table_name = '*' FOR UPDATE;
  UPDATE tile_generations SET generation = generation + 1 WHERE table_name = TG_TABLE_NAME;
  RETURN NULL;
END $$;

-- BEFORE the statement: the lock is taken before the statement locks any row of the table.
CREATE TRIGGER a_tile_generation BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON admin_areas
  FOR EACH STATEMENT EXECUTE FUNCTION sg_tile_generation_bump();
CREATE TRIGGER a_tile_generation BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON settlements
  FOR EACH STATEMENT EXECUTE FUNCTION sg_tile_generation_bump();
CREATE TRIGGER a_tile_generation BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON hazards
  FOR EACH STATEMENT EXECUTE FUNCTION sg_tile_generation_bump();
CREATE TRIGGER a_tile_generation BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON land_release
  FOR EACH STATEMENT EXECUTE FUNCTION sg_tile_generation_bump();
CREATE TRIGGER a_tile_generation BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON findings
  FOR EACH STATEMENT EXECUTE FUNCTION sg_tile_generation_bump();
CREATE TRIGGER a_tile_generation BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON accidents
  FOR EACH STATEMENT EXECUTE FUNCTION sg_tile_generation_bump();
CREATE TRIGGER a_tile_generation BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON minefield_records
  FOR EACH STATEMENT EXECUTE FUNCTION sg_tile_generation_bump();

-- One row per non-empty cell: zoom, cell column and row (from the world's north-west corner),
-- number of live findings in it and the sums of their Web Mercator coordinates (the cluster is
-- drawn at their mean). Cells emptied by archiving or moving findings keep n = 0 and are skipped.
CREATE TABLE finding_clusters (
  z integer NOT NULL,
  cx integer NOT NULL,
  cy integer NOT NULL,
  n integer NOT NULL,
  sx double precision NOT NULL,
  sy double precision NOT NULL,
  PRIMARY KEY (z, cx, cy)
);

-- Adds (sign 1) or removes (sign -1) points to the cells of zooms 0–11; `points` holds the
-- Web Mercator positions of live findings.
CREATE FUNCTION sg_finding_clusters_add(points geometry[], signs integer[]) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO finding_clusters AS c (z, cx, cy, n, sx, sy)
  SELECT z.z,
    floor((ST_X(p.g) + 20037508.342789244) / (40075016.68557849 / (32 * 2 ^ z.z)))::int,
    floor((20037508.342789244 - ST_Y(p.g)) / (40075016.68557849 / (32 * 2 ^ z.z)))::int,
    sum(p.s)::int, sum(p.s * ST_X(p.g)), sum(p.s * ST_Y(p.g))
  FROM unnest(points, signs) AS p(g, s), generate_series(0, 11) AS z(z)
  GROUP BY 1, 2, 3
  ORDER BY 1, 2, 3
  ON CONFLICT (z, cx, cy) DO UPDATE
    SET n = c.n + excluded.n, sx = c.sx + excluded.sx, sy = c.sy + excluded.sy
$$;

CREATE FUNCTION sg_finding_clusters_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM sg_finding_clusters_add(array_agg(ST_Transform(geom, 3857)), array_agg(1))
  FROM new_rows WHERE archived_at IS NULL AND geom IS NOT NULL HAVING count(*) > 0;
  RETURN NULL;
END $$;

CREATE FUNCTION sg_finding_clusters_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Only rows whose position or liveness changed move between cells.
  PERFORM sg_finding_clusters_add(array_agg(g), array_agg(s)) FROM (
    SELECT ST_Transform(o.geom, 3857) AS g, -1 AS s
    FROM old_rows o JOIN new_rows n ON n.id = o.id
    WHERE o.archived_at IS NULL AND o.geom IS NOT NULL
      AND (n.archived_at IS NOT NULL OR n.geom IS NULL OR NOT ST_Equals(n.geom, o.geom))
    UNION ALL
    SELECT ST_Transform(n.geom, 3857), 1
    FROM old_rows o JOIN new_rows n ON n.id = o.id
    WHERE n.archived_at IS NULL AND n.geom IS NOT NULL
      AND (o.archived_at IS NOT NULL OR o.geom IS NULL OR NOT ST_Equals(n.geom, o.geom))
  ) d HAVING count(*) > 0;
  RETURN NULL;
END $$;

CREATE FUNCTION sg_finding_clusters_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM sg_finding_clusters_add(array_agg(ST_Transform(geom, 3857)), array_agg(-1))
  FROM old_rows WHERE archived_at IS NULL AND geom IS NOT NULL HAVING count(*) > 0;
  RETURN NULL;
END $$;

CREATE FUNCTION sg_finding_clusters_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM finding_clusters;
  RETURN NULL;
END $$;

CREATE TRIGGER b_finding_clusters_insert AFTER INSERT ON findings REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sg_finding_clusters_insert();
CREATE TRIGGER b_finding_clusters_update AFTER UPDATE ON findings
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sg_finding_clusters_update();
CREATE TRIGGER b_finding_clusters_delete AFTER DELETE ON findings REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sg_finding_clusters_delete();
CREATE TRIGGER b_finding_clusters_truncate AFTER TRUNCATE ON findings
  FOR EACH STATEMENT EXECUTE FUNCTION sg_finding_clusters_truncate();

-- The findings already there.
SELECT sg_finding_clusters_add(array_agg(ST_Transform(geom, 3857)), array_agg(1))
FROM findings WHERE archived_at IS NULL AND geom IS NOT NULL HAVING count(*) > 0;
