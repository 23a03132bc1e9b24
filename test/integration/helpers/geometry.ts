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
