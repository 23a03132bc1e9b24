/** A square polygon of `d` degrees with its south-west corner at lon, lat (GeoJSON, WGS 84). */
export function square(lon: number, lat: number, d = 0.001) {
  return {
    type: 'Polygon' as const,
    coordinates: [
      [
        [lon, lat],
        [lon + d, lat],
        [lon + d, lat + d],
        [lon, lat + d],
        [lon, lat],
      ],
    ],
  };
}

/** The address of the Web Mercator tile at zoom `z` that holds lon, lat (the slippy-map formulas). */
export function tileOf(
  [lon, lat]: readonly [number, number],
  z: number,
): { z: number; x: number; y: number } {
  const n = 2 ** z;
  const phi = (lat * Math.PI) / 180;
  return {
    z,
    x: Math.floor(((lon + 180) / 360) * n),
    y: Math.floor(((1 - Math.log(Math.tan(phi) + 1 / Math.cos(phi)) / Math.PI) / 2) * n),
  };
}
