-- Hazard outlines already on their band's tile grid (issue 16 item 2).
--
-- A hazards tile of zooms 0 to 12 reads the outlines of its band (030), and until now turned each
-- one into tile units on every request: affine to the tile, snap to the integer grid, drop
-- collinear points (ST_Affine, ST_SnapToGrid, ST_Simplify(…, 0), the steps of ST_AsMVTGeom before
-- clipping). For the densest zoom 8 tile (1 600 outlines) that was about a third of its statement
-- on the JS encoder's path (docs/benchmarks.md). Each band but the first is one zoom, and every
-- tile of a zoom lies on the same grid of the world (4096 units a tile, from the Web Mercator
-- origin at the top left), so the same steps made once against the world's grid give each tile of
-- the band's zoom its outlines by a whole-unit translation, which keeps the snapping and the
-- dropped points as they are. Zooms 0–4 (band 5 read at a coarser zoom) still make them per tile.
--
-- `grid` is the outline in tile units of the band's zoom Z counted over the whole world (x from
-- the west edge, y down from the north edge; SRID 0); a tile x, y of zoom Z is `grid` translated by
-- (−4096·x, −4096·y). NULL where the outline collapses on the grid. The triggers of 030 make it
-- with the outline, through the one function below.

ALTER TABLE hazard_outlines ADD COLUMN grid geometry;

-- An outline in Web Mercator → the world's grid of tile units at zoom `z` (4096 units a tile).
CREATE FUNCTION sg_tile_grid(m geometry, z integer) RETURNS geometry
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT ST_Simplify(ST_SnapToGrid(
    ST_SetSRID(ST_Affine(m, f, 0, 0, -f, 20037508.342789244 * f, 20037508.342789244 * f), 0), 1), 0)
  FROM (SELECT 4096 * 2 ^ z / 40075016.68557849 AS f) s
$$;

CREATE OR REPLACE FUNCTION sg_hazard_outlines_add(ids uuid[], geoms geometry[]) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO hazard_outlines (band, hazard_id, geom, grid)
  SELECT s.band, s.id, s.g, sg_tile_grid(s.g, s.band)
  FROM (
    SELECT b.band, h.id, ST_SimplifyPreserveTopology(h.m, b.px / 16) AS g
    FROM (SELECT t.id, t.m, ST_Area(t.m) AS a
          FROM (SELECT u.id, ST_Transform(u.geom, 3857) AS m FROM unnest(ids, geoms) AS u(id, geom)) t) h
    JOIN (SELECT z AS band, 40075016.68557849 / 512 / 2 ^ z AS px
          FROM unnest(ARRAY[5, 6, 7, 8, 9, 10, 11, 12]) AS z) b ON h.a >= 9 * b.px * b.px
  ) s
$$;

-- The outlines already there, made again (a new table file: no row left behind to vacuum).
TRUNCATE hazard_outlines;
SELECT sg_hazard_outlines_add(array_agg(id), array_agg(geom))
FROM hazards WHERE archived_at IS NULL AND geom IS NOT NULL HAVING count(*) > 0;
