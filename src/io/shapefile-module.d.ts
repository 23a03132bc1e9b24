// Types for the `shapefile` package (it ships none): the part of its API src/io uses.
declare module 'shapefile' {
  interface Source {
    bbox: number[];
    read(): Promise<{
      done: boolean;
      value: { type: 'Feature'; geometry: any; properties: Record<string, unknown> };
    }>;
  }
  export function open(
    shp: string | ArrayBuffer | Uint8Array,
    dbf?: string | ArrayBuffer | Uint8Array,
    options?: { encoding?: string },
  ): Promise<Source>;
}
