import type { Feature, MultiPolygon, Polygon } from 'geojson';
import { IntlMessageFormat } from 'intl-messageformat';
import { kindProblems } from '../../../src/domain/reports.ts';
import { geometryProblems } from '../../../src/geo/validate.ts';
import ar from '../../../src/i18n/messages/ar/geometry.json' with { type: 'json' };
import arTrust from '../../../src/i18n/messages/ar/trust.json' with { type: 'json' };
import en from '../../../src/i18n/messages/en/geometry.json' with { type: 'json' };
import enTrust from '../../../src/i18n/messages/en/trust.json' with { type: 'json' };
import ru from '../../../src/i18n/messages/ru/geometry.json' with { type: 'json' };
import ruTrust from '../../../src/i18n/messages/ru/trust.json' with { type: 'json' };
import type { ReportChange } from '../api/types.ts';
import { countsValue } from '../lib/form-values.ts';
import { type FieldDraft, polygonOf } from './drafts.ts';
import {
  distanceToHazardM,
  FINDING_TOLERANCE_M,
  RELEASE_OUTSIDE_M2,
  RELEASE_TOLERANCE_M,
  releaseFit,
} from './within.ts';

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
  /** The server's problem code when the check is one the server makes too (`land_release.outside_hazard` …). */
  code?: string;
  /** Found by the server when the draft was sent (it refused it), not by the device. */
  server?: boolean;
  params?: Record<string, unknown>;
  text?: string;
}

/** The interface languages (as web/src/i18n names them), kept here so this module stays free of React. */
type Locale = 'en' | 'ru' | 'ar';

/** The server's own messages for the checks made here too: geometry faults and the hazard rules. */
const GEOMETRY: Record<Locale, Record<string, string>> = {
  en: { ...en, ...enTrust },
  ru: { ...ru, ...ruTrust },
  ar: { ...ar, ...arTrust },
};

function geometryText(locale: Locale, code: string, params: Record<string, unknown>): string {
  const source = GEOMETRY[locale][code] ?? GEOMETRY.en[code] ?? code;
  try {
    return String(new IntlMessageFormat(source, locale).format(params as Record<string, string | number>));
  } catch {
    return source;
  }
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
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
      out.push({ level: 'error', at, code: p.code, text: geometryText(locale, p.code, p.params) });
  };
  required('dateOfInformation', /^\d{4}-\d{2}-\d{2}$/.test(draft.dateOfInformation));
  for (const p of kindProblems(draft.kind, changes, draft.reason))
    out.push({
      level: 'error',
      at: p.where?.pointer === '/reason' ? 'reason' : 'report',
      key: `fieldApp.check.${p.code}`,
    });
  const hazardArea = areaOf(hazard);
  const hazardCode = String(hazard?.properties?.code ?? '');
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
      const before = out.length;
      geometry(at, polygon, ['Polygon']);
      // A polygon the geometry checks refuse cannot be compared with the hazard.
      if (hazardArea && out.length === before) {
        const fit = releaseFit(polygon, hazardArea);
        if (fit && fit.outsideM2 > RELEASE_OUTSIDE_M2) {
          const params = {
            hazard: hazardCode,
            outsideM2: round1(fit.outsideM2),
            farthestM: round1(fit.farthestM),
            toleranceM: RELEASE_TOLERANCE_M,
          };
          out.push({
            level: 'error',
            at,
            code: 'land_release.outside_hazard',
            text: geometryText(locale, 'land_release.outside_hazard', params),
          });
        }
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
      const distanceM = hazardArea ? distanceToHazardM(f.position.point.coordinates, hazardArea) : 0;
      if (distanceM > FINDING_TOLERANCE_M)
        out.push({
          level: 'warning',
          at,
          code: 'finding.outside_hazard',
          text: geometryText(locale, 'finding.outside_hazard', {
            distanceM: Math.round(distanceM),
            other: hazardCode,
            toleranceM: FINDING_TOLERANCE_M,
          }),
        });
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
  } else if (draft.kind === 'other_records') {
    if (!c.sessionPosition)
      out.push({ level: 'error', at: 'sessionPosition', key: 'fieldApp.check.noPosition' });
    else geometry('sessionPosition', c.sessionPosition.point, ['Point']);
    required('heldOn', /^\d{4}-\d{2}-\d{2}$/.test(c.heldOn));
    required('deliveryMethod', !!c.deliveryMethod);
    const counted = countsValue(c.beneficiaries);
    if (counted.error) out.push({ level: 'error', at: 'beneficiaries', key: counted.error });
    else if (Object.keys(counted.value).length === 0)
      out.push({ level: 'warning', at: 'beneficiaries', key: 'fieldApp.check.noneCounted' });
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
