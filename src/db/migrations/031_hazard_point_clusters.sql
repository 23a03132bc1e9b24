-- Hazard point clusters, for the `hazard-points` vector tiles below zoom 10 (issue 16 item 2).
--
-- The map marks with a point every hazard too small to see as a polygon at the zoom shown
-- (HAZARD_POINT_BELOW_M2 in src/geo/map-scale.ts: geodesic area × 4^zoom under
-- (6 × 40 075 017 / 512)² m², six pixels across). At a national view that is every hazard: one
-- point each made a zoom 5 tile of 100 000 hazards 2.4 MB and over a second to make. Below zoom 10 (HAZARD_CLUSTER_BELOW_ZOOM in
-- src/db/repositories/tiles.ts) the layer is drawn as clusters instead, as the findings' are (016):
-- cells of 32 × 32 per tile aligned on the Web Mercator origin, each with the number of hazards in
-- it and the sums of the Web Mercator coordinates of their points on surface (the cluster is drawn
-- at their mean). A cell of zoom z counts only the hazards the map would draw as points there
-- (area_m2 × 4^z under the limit above); the larger ones are drawn as polygons by the hazards layer.
--
-- From zoom 10 on the layer draws one point per hazard, and making a point on the surface of each
-- of thousands of polygons and projecting it cost ~15 µs a hazard (over 100 ms for a dense zoom 10
-- tile on PostgreSQL). `hazard_points` keeps each live hazard's point on surface already in Web Mercator, with a
-- spatial index: the layer's tiles (and the live aggregation of a filtered cluster tile) read it
-- instead, except a tile as at a date, which reads the register as it stood.
--
-- Statement triggers over the changed rows keep both tables equal to a fresh computation from the
-- register: inserts add, changes of geometry or of archiving move, deletes subtract. area_m2
-- follows geom (001), so a change of geometry covers it; each point is made once, when its hazard
-- is written, and the cells are summed from the points kept. The tile cache needs no generation of
-- its own: both change only in a statement that writes the hazards, which bumps their generation
-- (016).
CREATE TABLE hazard_points (
  hazard_id uuid PRIMARY KEY,
  geom geometry NOT NULL
);
CREATE INDEX hazard_points_geom ON hazard_points USING gist (geom);

CREATE TABLE hazard_point_clusters (
  z integer NOT NULL,
  cx integer NOT NULL,
  cy integer NOT NULL,
  n integer NOT NULL,
  sx double precision NOT NULL,
  sy double precision NOT NULL,
  PRIMARY KEY (z, cx, cy)
);

-- Adds (sign 1) or removes (sign -1) hazards to the cells of zooms 0–9: `points` their points on
-- surface in Web Mercator, `areas` their area_m2.
CREATE FUNCTION sg_hazard_point_clusters_add(points geometry[], areas double precision[], signs integer[])
RETURNS void LANGUAGE sql AS $$
  INSERT INTO hazard_point_clusters AS c (z, cx, cy, n, sx, sy)
  SELECT z.z,
    floor((ST_X(p.g) + 20037508.342789244) / (40075016.68557849 / (32 * 2 ^ z.z)))::int,
    floor((20037508.342789244 - ST_Y(p.g)) / (40075016.68557849 / (32 * 2 ^ z.z)))::int,
    sum(p.s)::int, sum(p.s * ST_X(p.g)), sum(p.s * ST_Y(p.g))
  FROM unnest(points, areas, signs) AS p(g, a, s), generate_series(0, 9) AS z(z)
  WHERE p.a * 4 ^ z.z < 220551496703.3783
  GROUP BY 1, 2, 3
  ORDER BY 1, 2, 3
  ON CONFLICT (z, cx, cy) DO UPDATE
    SET n = c.n + excluded.n, sx = c.sx + excluded.sx, sy = c.sy + excluded.sy
$$;

CREATE FUNCTION sg_hazard_points_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO hazard_points (hazard_id, geom)
  SELECT id, ST_Transform(ST_PointOnSurface(geom), 3857)
  FROM new_rows WHERE archived_at IS NULL AND geom IS NOT NULL;
  PERFORM sg_hazard_point_clusters_add(array_agg(p.geom), array_agg(n.area_m2), array_agg(1))
  FROM new_rows n JOIN hazard_points p ON p.hazard_id = n.id HAVING count(*) > 0;
  RETURN NULL;
END $$;

CREATE FUNCTION sg_hazard_points_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  moved uuid[];
BEGIN
  -- Only rows whose geometry or liveness changed leave their point and cells and take new ones.
  SELECT array_agg(n.id) INTO moved FROM old_rows o JOIN new_rows n ON n.id = o.id
  WHERE (o.archived_at IS NULL) <> (n.archived_at IS NULL) OR o.geom IS DISTINCT FROM n.geom;
  IF moved IS NULL THEN
    RETURN NULL;
  END IF;
  PERFORM sg_hazard_point_clusters_add(array_agg(p.geom), array_agg(o.area_m2), array_agg(-1))
  FROM unnest(moved) AS m(id) JOIN hazard_points p ON p.hazard_id = m.id JOIN old_rows o ON o.id = m.id
  HAVING count(*) > 0;
  DELETE FROM hazard_points p USING unnest(moved) AS m(id) WHERE p.hazard_id = m.id;
  INSERT INTO hazard_points (hazard_id, geom)
  SELECT n.id, ST_Transform(ST_PointOnSurface(n.geom), 3857)
  FROM unnest(moved) AS m(id) JOIN new_rows n ON n.id = m.id
  WHERE n.archived_at IS NULL AND n.geom IS NOT NULL;
  PERFORM sg_hazard_point_clusters_add(array_agg(p.geom), array_agg(n.area_m2), array_agg(1))
  FROM unnest(moved) AS m(id) JOIN hazard_points p ON p.hazard_id = m.id JOIN new_rows n ON n.id = m.id
  HAVING count(*) > 0;
  RETURN NULL;
END $$;

CREATE FUNCTION sg_hazard_points_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM sg_hazard_point_clusters_add(array_agg(p.geom), array_agg(o.area_m2), array_agg(-1))
  FROM old_rows o JOIN hazard_points p ON p.hazard_id = o.id HAVING count(*) > 0;
  DELETE FROM hazard_points WHERE hazard_id IN (SELECT id FROM old_rows);
  RETURN NULL;
END $$;

CREATE FUNCTION sg_hazard_points_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM hazard_points;
  DELETE FROM hazard_point_clusters;
  RETURN NULL;
END $$;

CREATE TRIGGER b_hazard_points_insert AFTER INSERT ON hazards REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sg_hazard_points_insert();
CREATE TRIGGER b_hazard_points_update AFTER UPDATE ON hazards
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sg_hazard_points_update();
CREATE TRIGGER b_hazard_points_delete AFTER DELETE ON hazards REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sg_hazard_points_delete();
CREATE TRIGGER b_hazard_points_truncate AFTER TRUNCATE ON hazards
  FOR EACH STATEMENT EXECUTE FUNCTION sg_hazard_points_truncate();

-- The hazards already there.
INSERT INTO hazard_points (hazard_id, geom)
SELECT id, ST_Transform(ST_PointOnSurface(geom), 3857)
FROM hazards WHERE archived_at IS NULL AND geom IS NOT NULL;
SELECT sg_hazard_point_clusters_add(array_agg(p.geom), array_agg(h.area_m2), array_agg(1))
FROM hazards h JOIN hazard_points p ON p.hazard_id = h.id HAVING count(*) > 0;
