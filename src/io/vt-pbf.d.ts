// Types for the `vt-pbf` package (it ships none): the part the tile encoder uses.
declare module 'vt-pbf' {
  interface GeojsonVtFeature {
    /** 1 point, 2 line, 3 polygon. */
    type: number;
    /** Points: [[x, y], …]; polygons: closed rings [[[x, y], …], …] (exterior then its holes, repeated). */
    geometry: unknown;
    tags: Record<string, string | number | boolean>;
    id?: number;
  }
  export function fromGeojsonVt(
    layers: Record<string, { features: GeojsonVtFeature[] }>,
    options?: { version?: number; extent?: number },
  ): Uint8Array;
  const vtpbf: { fromGeojsonVt: typeof fromGeojsonVt };
  export default vtpbf;
}
