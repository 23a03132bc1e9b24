import { PbfWriter } from 'pbf';

/**
 * Signed-distance-field glyphs in the protobuf format MapLibre reads from a style's `glyphs` URL
 * (`{fontstack}/{range}.pbf`, 256 code points a file), made from font outlines in JavaScript, the
 * way the fontnik tool makes them: 24 px glyphs, a 3 px border, distances up to 8 px, the outline
 * at value 192.
 */

/** Glyph size in pixels, the border MapLibre expects around each bitmap, and the SDF's reach. */
export const GLYPH_SIZE_PX = 24;
const BORDER_PX = 3;
const RADIUS_PX = 8;
const CUTOFF = 0.25;

/** One outline command in font units, y up (as opentype.js gives them). */
export type PathCommand =
  | { type: 'M' | 'L'; x: number; y: number }
  | { type: 'Q'; x1: number; y1: number; x: number; y: number }
  | { type: 'C'; x1: number; y1: number; x2: number; y2: number; x: number; y: number }
  | { type: 'Z' };

/** What the encoder needs of a glyph: its outline and advance, in font units. */
export interface GlyphOutline {
  codePoint: number;
  commands: PathCommand[];
  advanceWidth: number;
  unitsPerEm: number;
}

export interface SdfGlyph {
  id: number;
  bitmap: Uint8Array;
  width: number;
  height: number;
  left: number;
  top: number;
  advance: number;
}

type Segment = [number, number, number, number];

/** The outline as straight segments in pixels (curves cut into short chords). */
function segmentsOf(commands: PathCommand[], scale: number): Segment[] {
  const out: Segment[] = [];
  let x = 0;
  let y = 0;
  let sx = 0;
  let sy = 0;
  const line = (nx: number, ny: number) => {
    if (nx !== x || ny !== y) out.push([x, y, nx, ny]);
    x = nx;
    y = ny;
  };
  const STEPS = 8;
  for (const c of commands) {
    if (c.type === 'M') {
      if (x !== sx || y !== sy) line(sx, sy);
      x = sx = c.x * scale;
      y = sy = c.y * scale;
    } else if (c.type === 'L') line(c.x * scale, c.y * scale);
    else if (c.type === 'Q') {
      const [x0, y0] = [x, y];
      for (let i = 1; i <= STEPS; i++) {
        const t = i / STEPS;
        const u = 1 - t;
        line(
          u * u * x0 + 2 * u * t * c.x1 * scale + t * t * c.x * scale,
          u * u * y0 + 2 * u * t * c.y1 * scale + t * t * c.y * scale,
        );
      }
    } else if (c.type === 'C') {
      const [x0, y0] = [x, y];
      for (let i = 1; i <= STEPS; i++) {
        const t = i / STEPS;
        const u = 1 - t;
        line(
          u * u * u * x0 +
            3 * u * u * t * c.x1 * scale +
            3 * u * t * t * c.x2 * scale +
            t * t * t * c.x * scale,
          u * u * u * y0 +
            3 * u * u * t * c.y1 * scale +
            3 * u * t * t * c.y2 * scale +
            t * t * t * c.y * scale,
        );
      }
    } else line(sx, sy);
  }
  if (x !== sx || y !== sy) line(sx, sy);
  return out;
}

function distanceToSegment(px: number, py: number, [x1, y1, x2, y2]: Segment): number {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - x1) * dx + (py - y1) * dy) / len2));
  const ex = x1 + t * dx - px;
  const ey = y1 + t * dy - py;
  return Math.sqrt(ex * ex + ey * ey);
}

/**
 * Whether each pixel centre of a row lies inside the outline (non-zero winding, as TrueType and
 * CFF fill): the row's crossings with the outline, swept from the left.
 */
function insideRow(py: number, x0: number, count: number, segments: Segment[], out: Uint8Array): void {
  const crossings: Array<[number, number]> = [];
  for (const [x1, y1, x2, y2] of segments) {
    if (y1 <= py && y2 > py) crossings.push([x1 + ((py - y1) / (y2 - y1)) * (x2 - x1), 1]);
    else if (y2 <= py && y1 > py) crossings.push([x1 + ((py - y1) / (y2 - y1)) * (x2 - x1), -1]);
  }
  crossings.sort((a, b) => a[0] - b[0]);
  let w = 0;
  let k = 0;
  for (let i = 0; i < count; i++) {
    const px = x0 + i;
    while (k < crossings.length && crossings[k]![0] < px) w += crossings[k++]![1];
    out[i] = w !== 0 ? 1 : 0;
  }
}

/** One glyph's SDF bitmap and metrics (an empty bitmap for a glyph without outline, e.g. a space). */
export function sdfGlyph(g: GlyphOutline): SdfGlyph {
  const scale = GLYPH_SIZE_PX / g.unitsPerEm;
  const advance = Math.round(g.advanceWidth * scale);
  const segments = segmentsOf(g.commands, scale);
  if (segments.length === 0)
    return { id: g.codePoint, bitmap: new Uint8Array(0), width: 0, height: 0, left: 0, top: 0, advance };
  let xMin = Infinity;
  let yMin = Infinity;
  let xMax = -Infinity;
  let yMax = -Infinity;
  for (const [x1, y1, x2, y2] of segments) {
    xMin = Math.min(xMin, x1, x2);
    xMax = Math.max(xMax, x1, x2);
    yMin = Math.min(yMin, y1, y2);
    yMax = Math.max(yMax, y1, y2);
  }
  const left = Math.floor(xMin);
  const top = Math.ceil(yMax);
  const width = Math.max(1, Math.ceil(xMax) - left);
  const height = Math.max(1, top - Math.floor(yMin));
  const w = width + 2 * BORDER_PX;
  const h = height + 2 * BORDER_PX;
  // Distances beyond the SDF's reach all clamp to the same value: each segment only updates the
  // pixels within RADIUS_PX of it.
  const distance = new Float32Array(w * h).fill(RADIUS_PX);
  const x0 = left - BORDER_PX + 0.5;
  const y0 = top + BORDER_PX - 0.5;
  for (const s of segments) {
    const iMin = Math.max(0, Math.floor(Math.min(s[0], s[2]) - RADIUS_PX - x0));
    const iMax = Math.min(w - 1, Math.ceil(Math.max(s[0], s[2]) + RADIUS_PX - x0));
    const jMin = Math.max(0, Math.floor(y0 - Math.max(s[1], s[3]) - RADIUS_PX));
    const jMax = Math.min(h - 1, Math.ceil(y0 - Math.min(s[1], s[3]) + RADIUS_PX));
    for (let j = jMin; j <= jMax; j++) {
      for (let i = iMin; i <= iMax; i++) {
        const d = distanceToSegment(x0 + i, y0 - j, s);
        if (d < distance[j * w + i]!) distance[j * w + i] = d;
      }
    }
  }
  const bitmap = new Uint8Array(w * h);
  const inside = new Uint8Array(w);
  for (let j = 0; j < h; j++) {
    insideRow(y0 - j, x0, w, segments, inside);
    for (let i = 0; i < w; i++) {
      const d = distance[j * w + i]!;
      const signed = inside[i] ? -d : d;
      const v = 255 - 255 * (signed / RADIUS_PX + CUTOFF);
      bitmap[j * w + i] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  return { id: g.codePoint, bitmap, width, height, left, top, advance };
}

/** The `glyphs` protobuf message of one fontstack and range. */
export function encodeGlyphs(fontstack: string, range: string, glyphs: SdfGlyph[]): Uint8Array {
  const pbf = new PbfWriter();
  pbf.writeMessage(
    1,
    (_: unknown, p: PbfWriter) => {
      p.writeStringField(1, fontstack);
      p.writeStringField(2, range);
      for (const g of glyphs) {
        p.writeMessage(
          3,
          (_g: unknown, q: PbfWriter) => {
            q.writeVarintField(1, g.id);
            if (g.bitmap.length) q.writeBytesField(2, g.bitmap);
            q.writeVarintField(3, g.width);
            q.writeVarintField(4, g.height);
            q.writeSVarintField(5, g.left);
            q.writeSVarintField(6, g.top);
            q.writeVarintField(7, g.advance);
          },
          undefined,
        );
      }
    },
    undefined,
  );
  return pbf.finish();
}
