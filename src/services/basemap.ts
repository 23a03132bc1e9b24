import { open, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import opentype from 'opentype.js';
import { PMTiles, type Source, TileType } from 'pmtiles';
import { Problem } from '../domain/problem.ts';
import { encodeGlyphs, type PathCommand, type SdfGlyph, sdfGlyph } from '../io/glyphs.ts';
import { parseTileAddress } from './tiles.ts';

/**
 * The map's own basemap and text: a deployment's PMTiles archive served tile by tile, and the
 * glyphs of the labels, so that the map needs nothing from outside the server.
 */

/** The one font family the map's labels use, as a style names it. */
export const FONT_FAMILY = 'Noto Sans Regular';

/**
 * The faces behind FONT_FAMILY, searched in this order for each character: Latin, Cyrillic,
 * Greek, then Arabic with its presentation forms (which the RTL text plugin shapes text into).
 */
const FONT_FILES = [
  '@fontsource/noto-sans/files/noto-sans-latin-400-normal.woff',
  '@fontsource/noto-sans/files/noto-sans-latin-ext-400-normal.woff',
  '@fontsource/noto-sans/files/noto-sans-cyrillic-400-normal.woff',
  '@fontsource/noto-sans/files/noto-sans-cyrillic-ext-400-normal.woff',
  '@fontsource/noto-sans/files/noto-sans-greek-400-normal.woff',
  '@fontsource/noto-sans-arabic/files/noto-sans-arabic-arabic-400-normal.woff',
];

const require = createRequire(import.meta.url);

/** Every font the style may ask for is drawn with FONT_FAMILY ("Noto Sans Bold" included). */
function knownFontstack(fontstack: string): boolean {
  return fontstack
    .split(',')
    .map((f) => f.trim())
    .some((f) => f === FONT_FAMILY || f.startsWith('Noto Sans'));
}

/** A PMTiles source reading a local file by ranges. */
class FileRangeSource implements Source {
  constructor(private readonly path: string) {}
  getKey(): string {
    return this.path;
  }
  async getBytes(offset: number, length: number) {
    const file = await open(this.path, 'r');
    try {
      const buffer = new Uint8Array(length);
      const { bytesRead } = await file.read(buffer, 0, length, offset);
      const data = buffer.buffer.slice(0, bytesRead) as ArrayBuffer;
      return { data };
    } finally {
      await file.close();
    }
  }
}

export interface BasemapTile {
  bytes: Uint8Array;
  mediaType: string;
}

export interface BasemapInfo {
  /** `vector` (MVT, e.g. the Protomaps or OpenMapTiles schema) or `raster`. */
  kind: 'vector' | 'raster';
  tiles: string[];
  minzoom: number;
  maxzoom: number;
  bounds: [number, number, number, number];
  /** The archive's vector layers (ids), which tell the map which schema it follows. */
  vectorLayers: string[];
  attribution: string | null;
}

const MEDIA: Partial<Record<TileType, { ext: string; type: string }>> = {
  [TileType.Mvt]: { ext: 'mvt', type: 'application/vnd.mapbox-vector-tile' },
  [TileType.Png]: { ext: 'png', type: 'image/png' },
  [TileType.Jpeg]: { ext: 'jpg', type: 'image/jpeg' },
  [TileType.Webp]: { ext: 'webp', type: 'image/webp' },
};

export class BasemapService {
  private readonly archive: PMTiles | undefined;
  private fonts: Promise<opentype.Font[]> | undefined;
  private readonly glyphRanges = new Map<number, Promise<Uint8Array>>();

  /** `pmtilesPath`: the deployment's archive (SAFEGROUND_BASEMAP_PMTILES); none: the map draws its own basemap. */
  constructor(pmtilesPath: string | undefined) {
    this.archive = pmtilesPath ? new PMTiles(new FileRangeSource(pmtilesPath)) : undefined;
  }

  private requireArchive(): PMTiles {
    if (!this.archive) throw new Problem('basemap.not_configured', {}, { pointer: '' });
    return this.archive;
  }

  /** What the archive holds, for the web application's style (404 `basemap.not_configured` without one). */
  async info(): Promise<BasemapInfo> {
    const archive = this.requireArchive();
    const header = await archive.getHeader();
    const media = MEDIA[header.tileType];
    if (!media) throw new Problem('basemap.tile_type', { type: header.tileType }, { pointer: '' });
    const metadata = ((await archive.getMetadata()) ?? {}) as {
      vector_layers?: Array<{ id: string }>;
      attribution?: string;
    };
    return {
      kind: header.tileType === TileType.Mvt ? 'vector' : 'raster',
      tiles: [`/basemap/{z}/{x}/{y}.${media.ext}`],
      minzoom: header.minZoom,
      maxzoom: header.maxZoom,
      bounds: [header.minLon, header.minLat, header.maxLon, header.maxLat],
      vectorLayers: (metadata.vector_layers ?? []).map((l) => l.id),
      attribution: metadata.attribution ?? null,
    };
  }

  /** One tile of the archive; undefined when the archive has none there. `y` carries the file extension. */
  async tile(z: string, x: string, y: string): Promise<BasemapTile | undefined> {
    const archive = this.requireArchive();
    const header = await archive.getHeader();
    const media = MEDIA[header.tileType];
    if (!media) throw new Problem('basemap.tile_type', { type: header.tileType }, { pointer: '' });
    if (!y.endsWith(`.${media.ext}`)) throw new Problem('route.not_found', {});
    const address = parseTileAddress(z, x, y.slice(0, -media.ext.length - 1));
    const r = await archive.getZxy(address.z, address.x, address.y);
    if (!r) return undefined;
    return { bytes: new Uint8Array(r.data), mediaType: media.type };
  }

  /**
   * The SDF glyphs of one range of 256 code points (`0-255`, `1536-1791` …) of a fontstack;
   * made once from the Noto outlines and kept.
   */
  async glyphs(fontstack: string, range: string): Promise<Uint8Array> {
    const m = /^(\d{1,5})-(\d{1,5})\.pbf$/.exec(range);
    const start = m ? Number(m[1]) : Number.NaN;
    if (!m || start % 256 !== 0 || Number(m[2]) !== start + 255 || start > 65280) {
      throw new Problem('fonts.range_invalid', { range }, { pointer: '' });
    }
    if (!knownFontstack(fontstack)) {
      throw new Problem('fonts.unknown', { fontstack, known: FONT_FAMILY }, { pointer: '' });
    }
    let made = this.glyphRanges.get(start);
    if (!made) {
      made = this.makeRange(start);
      this.glyphRanges.set(start, made);
    }
    return made;
  }

  private async makeRange(start: number): Promise<Uint8Array> {
    this.fonts ??= Promise.all(
      FONT_FILES.map(async (f) => {
        const bytes = await readFile(require.resolve(f));
        return opentype.parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      }),
    );
    const fonts = await this.fonts;
    const glyphs: SdfGlyph[] = [];
    for (let cp = start; cp < start + 256; cp++) {
      const ch = String.fromCodePoint(cp);
      for (const font of fonts) {
        const index = font.charToGlyphIndex(ch);
        if (!index) continue;
        const glyph = font.glyphs.get(index);
        glyphs.push(
          sdfGlyph({
            codePoint: cp,
            commands: glyph.path.commands as PathCommand[],
            advanceWidth: glyph.advanceWidth ?? 0,
            unitsPerEm: font.unitsPerEm,
          }),
        );
        break;
      }
    }
    return encodeGlyphs(FONT_FAMILY, `${start}-${start + 255}`, glyphs);
  }

  /** MapLibre's right-to-left text plugin (Arabic shaping and bidirectional text), served from here. */
  async rtlTextPlugin(): Promise<Buffer> {
    // The package exports only its sources; the built plugin sits beside them.
    const main = require.resolve('@mapbox/mapbox-gl-rtl-text');
    return readFile(join(dirname(main), '..', 'dist', 'mapbox-gl-rtl-text.js'));
  }
}
