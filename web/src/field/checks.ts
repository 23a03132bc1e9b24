import type { Feature, Position as GeoPosition, MultiPolygon, Polygon } from 'geojson';
import { IntlMessageFormat } from 'intl-messageformat';
import { kindProblems } from '../../../src/domain/reports.ts';
import { geometryProblems } from '../../../src/geo/validate.ts';
import ar from '../../../src/i18n/messages/ar/geometry.json' with { type: 'json' };
import en from '../../../src/i18n/messages/en/geometry.json' with { type: 'json' };
import ru from '../../../src/i18n/messages/ru/geometry.json' with { type: 'json' };
import type { ReportChange } from '../api/types.ts';
import { type FieldDraft, polygonOf } from './drafts.ts';

/**
 * The checks a draft can have with no network, the same code the server runs where it can be
 * the same: geometry validity (src/geo/validate.ts, with the server's own messages), what the
 * report kind may contain (src/domain/reports.ts `kindProblems`), the fields each change needs,
 * and whether land-release polygons and findings lie inside the hazard as kept on the device.
 * What needs the whole register (overlaps with earlier release, duplicates) is checked by the
 * server when the draft is sent.
 */
export interface Finding {
  /** `error` blocks sending; `warning` is shown and sent. */
  level: 'error' | 'warning';
  /** Where in the form: `released.0`, `found.2`, `hazard`, `corners` … */
  at: string;
  /** A key of the web catalogue with its parameters, or a text already in the user's language. */
  key?: string;
  params?: Record<string, unknown>;
  text?: string;
}

/** The interface languages (as web/src/i18n names them), kept here so this module stays free of React. */
type Locale = 'en' | 'ru' | 'ar';

const GEOMETRY: Record<Locale, Record<string, string>> = { en, ru, ar };

function geometryText(locale: Locale, code: string, params: Record<string, unknown>): string {
  const source = GEOMETRY[locale][code] ?? GEOMETRY.en[code] ?? code;
  try {
    return String(new IntlMessageFormat(source, locale).format(params as Record<string, string | number>));
  } catch {
    return source;
  }
}

/** Metres between two positions, on a local plane (enough for the 1 m tolerance at field scale). */
function metres(a: GeoPosition, b: GeoPosition): number {
  const k = Math.cos((((a[1] + b[1]) / 2) * Math.PI) / 180);
  const dx = (a[0] - b[0]) * 111_320 * k;
  const dy = (a[1] - b[1]) * 110_540;
  return Math.hypot(dx, dy);
}

function distanceToSegment(p: GeoPosition, a: GeoPosition, b: GeoPosition): number {
  const k = Math.cos((p[1] * Math.PI) / 180);
  const ax = (a[0] - p[0]) * k;
  const ay = a[1] - p[1];
  const bx = (b[0] - p[0]) * k;
  const by = b[1] - p[1];
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, -(ax * dx + ay * dy) / len2));
  return metres([0, 0], [(ax + t * dx) / k, ay + t * dy]);
}

function inRing(p: GeoPosition, ring: GeoPosition[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Whether a position lies inside an area, or within `toleranceM` of its boundary. */
export function insideArea(p: GeoPosition, area: Polygon | MultiPolygon, toleranceM = 1): boolean {
  const polygons = area.type === 'Polygon' ? [area.coordinates] : area.coordinates;
  for (const rings of polygons) {
    const [shell, ...holes] = rings;
    if (inRing(p, shell) && !holes.some((h) => inRing(p, h))) return true;
  }
  for (const rings of polygons)
    for (const ring of rings)
      for (let i = 1; i < ring.length; i++)
        if (distanceToSegment(p, ring[i - 1], ring[i]) <= toleranceM) return true;
  return false;
}

function areaOf(f: Feature | null): Polygon | MultiPolygon | null {
  const g = f?.geometry;
  return g && (g.type === 'Polygon' || g.type === 'MultiPolygon') ? g : null;
}

/** Every check of a draft that can be made on the device. */
export function checkDraft(
  draft: FieldDraft,
  changes: ReportChange[],
  hazard: Feature | null,
  locale: Locale,
): Finding[] {
  const out: Finding[] = [];
  const c = draft.content;
  const required = (at: string, ok: boolean) => {
    if (!ok) out.push({ level: 'error', at, key: 'fieldApp.check.required' });
  };
  const geometry = (at: string, value: unknown, types: Array<'Polygon' | 'Point'>) => {
    for (const p of geometryProblems(value, types))
      out.push({ level: 'error', at, text: geometryText(locale, p.code, p.params) });
  };
  required('dateOfInformation', /^\d{4}-\d{2}-\d{2}$/.test(draft.dateOfInformation));
  for (const p of kindProblems(draft.kind, changes, draft.reason))
    out.push({
      level: 'error',
      at: p.where?.pointer === '/reason' ? 'reason' : 'report',
      key: `fieldApp.check.${p.code}`,
    });
  const hazardArea = areaOf(hazard);
  if (draft.kind === 'activity') {
    required('hazard', !!c.hazardId);
    required('released', c.released.length > 0 || c.found.length > 0);
    c.released.forEach((r, i) => {
      const at = `released.${i}`;
      required(at, !!r.outcome);
      const polygon = polygonOf(r.corners);
      if (!polygon) {
        required(at, false);
        return;
      }
      geometry(at, polygon, ['Polygon']);
      if (hazardArea) {
        const outside = r.corners.findIndex((corner) => !insideArea(corner, hazardArea));
        if (outside >= 0)
          out.push({
            level: 'error',
            at,
            key: 'fieldApp.check.outsideHazard',
            params: { corner: outside + 1 },
          });
      }
    });
    c.found.forEach((f, i) => {
      const at = `found.${i}`;
      required(at, !!f.category && f.quantity >= 1);
      if (!f.position) {
        out.push({ level: 'error', at, key: 'fieldApp.check.noPosition' });
        return;
      }
      geometry(at, f.position.point, ['Point']);
      if (hazardArea && !insideArea(f.position.point.coordinates, hazardArea, 50))
        out.push({ level: 'warning', at, key: 'fieldApp.check.findingOutside' });
    });
  } else if (draft.kind === 'new_hazard') {
    required('hazardType', !!c.hazardType);
    const polygon = polygonOf(c.corners);
    if (!polygon) required('corners', false);
    else geometry('corners', polygon, ['Polygon']);
  } else if (draft.kind === 'accident') {
    if (!c.accidentPosition) out.push({ level: 'error', at: 'position', key: 'fieldApp.check.noPosition' });
    else geometry('position', c.accidentPosition.point, ['Point']);
    required('occurredOn', /^\d{4}-\d{2}-\d{2}$/.test(c.occurredOn));
  } else {
    required('hazard', !!c.hazardId);
    required('status', !!c.status);
  }
  const seen = new Set<string>();
  return out.filter((f) => {
    const id = `${f.at}|${f.key ?? ''}|${f.text ?? ''}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
