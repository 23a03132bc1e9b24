/**
 * The map's scale rules, shared by the web map's style (web/src/map/style.ts) and the vector
 * tiles made for it (src/db/repositories/tiles.ts), so that what a tile leaves out and what the
 * map draws agree.
 */

/**
 * Where the map draws a hazard as a point on its surface instead of its polygon: while its area
 * (m², geodesic) × 4^zoom is under this, the area of a square six pixels across at zoom 0 on
 * 512-pixel tiles (40 075 017 m around the equator). Hazard clusters (below zoom 10) count only
 * these; migration 031 writes the same value as a literal (test/unit/map-style.test.ts holds them equal).
 * @example 1 ha at zoom 10: 10 000 × 4^10 ≈ 1.05e10, under ≈ 2.2e11, so a point.
 */
export const HAZARD_POINT_BELOW_M2 = ((6 * 40_075_017) / 512) ** 2;
