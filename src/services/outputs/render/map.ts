import type PDFDocument from 'pdfkit';
import type { Geometry } from '../../../io/types.ts';
import type { MapBlock, MapStyle } from '../document.ts';
import { drawLine, type TextStyle, textWidth } from './text.ts';

/**
 * A map drawn into the PDF as vector paths, on the server, from the records' PostGIS
 * geometries (WGS 84 as the register service gives them) projected to Web Mercator: admin-area
 * boundaries as the base, then the hazard, the released land by outcome and the findings, with
 * a scale bar (true metres at the map's middle latitude), a north arrow and a legend. Vector
 * paths print sharp at any resolution, need no browser, no tiles and no outside request.
 */

type Doc = InstanceType<typeof PDFDocument>;

const R = 6378137;
const project = (lon: number, lat: number): [number, number] => [
  (R * lon * Math.PI) / 180,
  R * Math.log(Math.tan(Math.PI / 4 + (Math.max(-85, Math.min(85, lat)) * Math.PI) / 360)),
];

export const MAP_STYLES: Record<
  MapStyle,
  { fill?: string; fillOpacity?: number; stroke: string; lineWidth: number }
> = {
  boundary: { stroke: '#8a8a8a', lineWidth: 0.6 },
  hazard: { fill: '#d32f2f', fillOpacity: 0.12, stroke: '#c62828', lineWidth: 1.4 },
  cancelled: { fill: '#90caf9', fillOpacity: 0.7, stroke: '#1e88e5', lineWidth: 0.5 },
  reduced: { fill: '#ffcc80', fillOpacity: 0.7, stroke: '#fb8c00', lineWidth: 0.5 },
  cleared: { fill: '#a5d6a7', fillOpacity: 0.8, stroke: '#43a047', lineWidth: 0.5 },
  finding: { fill: '#6a1b9a', fillOpacity: 1, stroke: '#ffffff', lineWidth: 0.3 },
};

function eachPosition(g: Geometry, f: (p: number[]) => void): void {
  const walk = (c: unknown) => {
    if (Array.isArray(c) && typeof c[0] === 'number') f(c as number[]);
    else if (Array.isArray(c)) for (const x of c) walk(x);
  };
  walk(g.coordinates);
}

function polygonsOf(g: Geometry): number[][][][] {
  if (g.type === 'Polygon') return [g.coordinates as number[][][]];
  if (g.type === 'MultiPolygon') return g.coordinates as number[][][][];
  return [];
}

/** A round length for the scale bar: 1, 2 or 5 × 10ⁿ metres not above `max`. */
export function niceLength(max: number): number {
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [5, 2, 1]) if (m * p <= max) return m * p;
  return p;
}

/** Draws the map in the box and its legend below; returns the height used. */
export function drawMap(
  doc: Doc,
  block: MapBlock,
  x: number,
  y: number,
  width: number,
  height: number,
  text: TextStyle,
  metresLabel: (m: number) => string,
): number {
  const focus = block.layers.filter((l) => l.style !== 'boundary');
  let box = [Infinity, Infinity, -Infinity, -Infinity];
  for (const l of focus.length ? focus : block.layers)
    for (const g of l.geometries)
      if (g)
        eachPosition(g, (p) => {
          const [mx, my] = project(p[0]!, p[1]!);
          box = [Math.min(box[0]!, mx), Math.min(box[1]!, my), Math.max(box[2]!, mx), Math.max(box[3]!, my)];
        });
  doc.save();
  doc.rect(x, y, width, height).fillColor('#f7f5ef').fill();
  if (!Number.isFinite(box[0])) {
    doc.restore();
    return height;
  }
  const padX = (box[2]! - box[0]!) * 0.1 + 50;
  const padY = (box[3]! - box[1]!) * 0.1 + 50;
  box = [box[0]! - padX, box[1]! - padY, box[2]! + padX, box[3]! + padY];
  const scale = Math.min(width / (box[2]! - box[0]!), height / (box[3]! - box[1]!));
  const ox = x + (width - (box[2]! - box[0]!) * scale) / 2;
  const oy = y + (height - (box[3]! - box[1]!) * scale) / 2;
  const toPage = (lon: number, lat: number): [number, number] => {
    const [mx, my] = project(lon, lat);
    return [ox + (mx - box[0]!) * scale, oy + (box[3]! - my) * scale];
  };
  doc.rect(x, y, width, height).clip();
  for (const layer of block.layers) {
    const st = MAP_STYLES[layer.style];
    for (const g of layer.geometries) {
      if (!g) continue;
      if (g.type === 'Point' || g.type === 'MultiPoint') {
        const points = g.type === 'Point' ? [g.coordinates as number[]] : (g.coordinates as number[][]);
        for (const p of points) {
          const [px, py] = toPage(p[0]!, p[1]!);
          doc
            .circle(px, py, 1.8)
            .lineWidth(st.lineWidth)
            .fillOpacity(st.fillOpacity ?? 1)
            .fillAndStroke(st.fill ?? st.stroke, st.stroke);
        }
        continue;
      }
      for (const rings of polygonsOf(g)) {
        for (const ring of rings) {
          ring.forEach((p, i) => {
            const [px, py] = toPage(p[0]!, p[1]!);
            if (i === 0) doc.moveTo(px, py);
            else doc.lineTo(px, py);
          });
          doc.closePath();
        }
        doc.lineWidth(st.lineWidth);
        if (st.fill) doc.fillOpacity(st.fillOpacity ?? 1).fillAndStroke(st.fill, st.stroke, 'even-odd');
        else doc.strokeOpacity(1).stroke(st.stroke);
      }
    }
  }
  doc.restore();
  doc.save();
  doc.rect(x, y, width, height).lineWidth(0.8).strokeOpacity(1).stroke('#333333');
  // Scale bar: true metres at the middle latitude (Mercator stretches by 1/cos φ).
  const midLat = (Math.atan(Math.sinh((box[1]! + box[3]!) / 2 / R)) * 180) / Math.PI;
  const metresPerPoint = Math.cos((midLat * Math.PI) / 180) / scale;
  const length = niceLength(metresPerPoint * width * 0.25);
  const barWidth = length / metresPerPoint;
  const bx = x + 12;
  const by = y + height - 16;
  doc
    .rect(bx - 4, by - 14, barWidth + 60, 24)
    .fillOpacity(0.8)
    .fill('#ffffff');
  doc.fillOpacity(1);
  doc.rect(bx, by, barWidth / 2, 4).fill('#222222');
  doc
    .rect(bx + barWidth / 2, by, barWidth / 2, 4)
    .lineWidth(0.5)
    .stroke('#222222');
  drawLine(doc, metresLabel(length), bx, by - 11, barWidth + 50, { ...text, size: 7, rtl: false });
  // North arrow (Web Mercator: north is up).
  const nx = x + width - 20;
  const ny = y + 14;
  doc.polygon([nx, ny], [nx - 6, ny + 18], [nx, ny + 13], [nx + 6, ny + 18]).fill('#222222');
  drawLine(doc, 'N', nx - 10, ny + 19, 20, { ...text, size: 8, weight: 'bold', rtl: false }, 'center');
  doc.restore();
  // Legend
  let ly = y + height + 6;
  let lx = 0;
  const items = block.layers.filter((l) => l.geometries.length > 0);
  const labelStyle = { ...text, size: 8 };
  for (const l of items) {
    const st = MAP_STYLES[l.style];
    // Each entry as wide as its label (swatch, label, a gap), at most the whole width.
    const w = Math.min(width, 14 + textWidth(doc, l.label, labelStyle) + 16);
    if (lx > 0 && lx + w > width) {
      lx = 0;
      ly += 13;
    }
    const sx = text.rtl ? x + width - lx - 10 : x + lx;
    doc.save();
    if (l.style === 'finding') doc.circle(sx + 5, ly + 5, 2.5).fill(st.fill!);
    else
      doc
        .rect(sx, ly + 1, 10, 8)
        .lineWidth(st.lineWidth)
        .fillOpacity(st.fill ? (st.fillOpacity ?? 1) : 0)
        .fillAndStroke(st.fill ?? '#ffffff', st.stroke);
    doc.restore();
    drawLine(doc, l.label, text.rtl ? x + width - lx - w : x + lx + 14, ly, w - 14, labelStyle);
    lx += w;
  }
  return ly + 14 - y;
}
