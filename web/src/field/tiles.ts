/**
 * Web Mercator tile arithmetic for keeping an area's basemap on the device: which tiles of which
 * zooms cover a box, capped so an area never fills the phone.
 * Example: `tilesOf([46.8, 40.1, 46.82, 40.12], 12, 12)` → the few tiles of zoom 12 over the box.
 */
export type Bbox = [number, number, number, number];

export function lonToTileX(lon: number, z: number): number {
  return Math.floor(((lon + 180) / 360) * 2 ** z);
}

export function latToTileY(lat: number, z: number): number {
  const r = (Math.max(Math.min(lat, 85.0511), -85.0511) * Math.PI) / 180;
  return Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * 2 ** z);
}

export interface TileAddress {
  z: number;
  x: number;
  y: number;
}

/** Tiles covering a box for each zoom from `minZoom` to `maxZoom`, stopping before a zoom would pass `maxTiles`. */
export function tilesOf(bbox: Bbox, minZoom: number, maxZoom: number, maxTiles = 1500): TileAddress[] {
  const out: TileAddress[] = [];
  for (let z = minZoom; z <= maxZoom; z++) {
    const x0 = lonToTileX(bbox[0], z);
    const x1 = lonToTileX(bbox[2], z);
    const y0 = latToTileY(bbox[3], z);
    const y1 = latToTileY(bbox[1], z);
    const count = (x1 - x0 + 1) * (y1 - y0 + 1);
    if (out.length + count > maxTiles) break;
    for (let x = x0; x <= x1; x++) for (let y = y0; y <= y1; y++) out.push({ z, x, y });
  }
  return out;
}

/** The zoom at which a box fits in about one tile: the first zoom worth keeping. */
export function fitZoom(bbox: Bbox): number {
  const span = Math.max(bbox[2] - bbox[0], (bbox[3] - bbox[1]) * 1.3, 1e-6);
  return Math.max(0, Math.min(14, Math.floor(Math.log2(360 / span))));
}
