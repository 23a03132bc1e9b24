-- When the released polygons cover their hazard exactly, GEOS 3.14 (the embedded database's)
-- can fail inside ST_Difference; land that is fully released has nothing remaining, so that
-- case no longer computes a difference at all.
CREATE OR REPLACE FUNCTION sg_hazard_remaining(hid uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  released geometry;
  released_m2 double precision;
  hazard geometry;
  rest geometry;
  rest_m2 double precision;
BEGIN
  SELECT ST_Union(geom), coalesce(sum(area_m2), 0) INTO released, released_m2
    FROM land_release WHERE hazard_id = hid AND archived_at IS NULL;
  SELECT geom INTO hazard FROM hazards WHERE id = hid;
  IF released IS NULL THEN
    rest := hazard;
  ELSIF ST_Covers(released, hazard) THEN
    rest := NULL;
  ELSE
    rest := ST_Multi(ST_CollectionExtract(ST_Difference(hazard, released), 3));
  END IF;
  rest_m2 := CASE WHEN rest IS NULL OR ST_IsEmpty(rest) THEN 0 ELSE ST_Area(rest::geography, true) END;
  UPDATE hazards SET
    remaining_geom = CASE WHEN rest_m2 < 1 THEN NULL ELSE rest END,
    remaining_area_m2 = CASE WHEN rest_m2 < 1 THEN 0 ELSE rest_m2 END,
    released_area_m2 = released_m2,
    status = CASE WHEN rest_m2 < 1 THEN 'closed' ELSE status END
  WHERE id = hid
    AND (remaining_area_m2 IS DISTINCT FROM CASE WHEN rest_m2 < 1 THEN 0 ELSE rest_m2 END
      OR released_area_m2 IS DISTINCT FROM released_m2
      OR (rest_m2 < 1 AND status <> 'closed'));
END $$;
