-- Hazard outlines per zoom band, for the hazards' vector tiles below zoom 13 (issue 16 item 2).
--
-- A national view covers thousands of hazards per tile, most smaller than a pixel there: made from
-- the register, every one is projected to Web Mercator, snapped and encoded for nothing.
-- `hazard_outlines` keeps, for each live hazard and each band of zooms, its polygon already in Web
-- Mercator (SRID 3857), simplified, and leaves it out where it is too small to see. A band is
-- named by its deepest zoom Z: 5 (zooms 0–5), then one band for each zoom from 6 to 12
-- (TILE_OUTLINE_BANDS in src/db/repositories/tiles.ts); in band Z a hazard is
--
--   kept when its Web Mercator area is at least that of a square three pixels across at zoom Z
--   (a 512-pixel tile: one pixel is 40 075 016.69 m / 512 / 2^Z, 305.7 m at zoom 8, 19.1 m at
--   zoom 12), and simplified within half a tile unit of zoom Z (a tile unit is 1/4096 of a tile:
--   1/16 pixel).
--
-- Zoom 13 and beyond read the register's own geometry, as before. Every tile geometry is snapped
-- to whole tile units, so half a unit at the band's deepest zoom moves a vertex less than the
-- snapping itself at any zoom of the band. A hazard left out is one the map draws as a point
-- anyway: the band's tiles are shown up to twice their size (at a map zoom just under Z + 1),
-- where a hazard left out is still under six pixels across, and web/src/map/style.ts draws the
-- point of every hazard under six pixels across (from its geodesic area, never more than its Web
-- Mercator area). Simplification keeps the rings valid (ST_SimplifyPreserveTopology).
--
-- Statement triggers over the changed rows keep the outlines equal to a fresh computation from the
-- register: inserts add, changes of geometry or of archiving replace, deletes remove. The tile
-- cache needs no generation of its own: an outline changes only in the statement that changes its
-- hazard, which bumps the hazards' generation (016).
CREATE TABLE hazard_outlines (
  band integer NOT NULL,
  hazard_id uuid NOT NULL,
  geom geometry NOT NULL,
  PRIMARY KEY (band, hazard_id)
);
CREATE INDEX hazard_outlines_band5_geom ON hazard_outlines USING gist (geom) WHERE band = 5;
CREATE INDEX hazard_outlines_band6_geom ON hazard_outlines USING gist (geom) WHERE band = 6;
CREATE INDEX hazard_outlines_band7_geom ON hazard_outlines USING gist (geom) WHERE band = 7;
CREATE INDEX hazard_outlines_band8_geom ON hazard_outlines USING gist (geom) WHERE band = 8;
CREATE INDEX hazard_outlines_band9_geom ON hazard_outlines USING gist (geom) WHERE band = 9;
CREATE INDEX hazard_outlines_band10_geom ON hazard_outlines USING gist (geom) WHERE band = 10;
CREATE INDEX hazard_outlines_band11_geom ON hazard_outlines USING gist (geom) WHERE band = 11;
CREATE INDEX hazard_outlines_band12_geom ON hazard_outlines USING gist (geom) WHERE band = 12;

-- Adds the outlines of these hazards (WGS 84 geometries) in every band they are big enough for.
CREATE FUNCTION sg_hazard_outlines_add(ids uuid[], geoms geometry[]) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO hazard_outlines (band, hazard_id, geom)
  SELECT b.band, h.id, ST_SimplifyPreserveTopology(h.m, b.px / 16)
  FROM (SELECT t.id, t.m, ST_Area(t.m) AS a
        FROM (SELECT u.id, ST_Transform(u.geom, 3857) AS m FROM unnest(ids, geoms) AS u(id, geom)) t) h
  JOIN (SELECT z AS band, 40075016.68557849 / 512 / 2 ^ z AS px
        FROM unnest(ARRAY[5, 6, 7, 8, 9, 10, 11, 12]) AS z) b ON h.a >= 9 * b.px * b.px
$$;

CREATE FUNCTION sg_hazard_outlines_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM sg_hazard_outlines_add(array_agg(id), array_agg(geom))
  FROM new_rows WHERE archived_at IS NULL AND geom IS NOT NULL HAVING count(*) > 0;
  RETURN NULL;
END $$;

CREATE FUNCTION sg_hazard_outlines_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Only rows whose geometry or liveness changed are drawn otherwise: their outlines are removed,
  -- then made again for those still live.
  DELETE FROM hazard_outlines h USING old_rows o JOIN new_rows n ON n.id = o.id
  WHERE h.hazard_id = n.id
    AND ((o.archived_at IS NULL) <> (n.archived_at IS NULL) OR (o.geom IS NULL) <> (n.geom IS NULL)
         OR NOT (o.geom = n.geom));
  PERFORM sg_hazard_outlines_add(array_agg(n.id), array_agg(n.geom))
  FROM old_rows o JOIN new_rows n ON n.id = o.id
  WHERE n.archived_at IS NULL AND n.geom IS NOT NULL
    AND ((o.archived_at IS NULL) <> (n.archived_at IS NULL) OR o.geom IS NULL OR NOT (o.geom = n.geom))
  HAVING count(*) > 0;
  RETURN NULL;
END $$;

CREATE FUNCTION sg_hazard_outlines_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM hazard_outlines WHERE hazard_id IN (SELECT id FROM old_rows);
  RETURN NULL;
END $$;

CREATE FUNCTION sg_hazard_outlines_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM hazard_outlines;
  RETURN NULL;
END $$;

CREATE TRIGGER b_hazard_outlines_insert AFTER INSERT ON hazards REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sg_hazard_outlines_insert();
CREATE TRIGGER b_hazard_outlines_update AFTER UPDATE ON hazards
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sg_hazard_outlines_update();
CREATE TRIGGER b_hazard_outlines_delete AFTER DELETE ON hazards REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sg_hazard_outlines_delete();
CREATE TRIGGER b_hazard_outlines_truncate AFTER TRUNCATE ON hazards
  FOR EACH STATEMENT EXECUTE FUNCTION sg_hazard_outlines_truncate();

-- The hazards already there.
SELECT sg_hazard_outlines_add(array_agg(id), array_agg(geom))
FROM hazards WHERE archived_at IS NULL AND geom IS NOT NULL HAVING count(*) > 0;
