import type { Feature, FeatureCollection } from 'geojson';
import type { DecodedRecord } from '../geo/record-decode.ts';
import { t } from '../i18n/catalogue.ts';

/** Hypotheses that could not be decoded, with their reason in the user's language. */
export function rejectedWithMessages(decoded: DecodedRecord, locale: string) {
  return decoded.rejected.map((r) => ({ ...r, message: t(r.problem.code, r.problem.params, locale) }));
}

/**
 * The decoded record as one FeatureCollection: for each hypothesis its perimeter, its
 * uncertainty polygon, its rows, its turning points, reference point and landmark, each
 * feature carrying `hypothesis` and `kind`; hypotheses that could not be decoded and the
 * error figures in force are foreign members.
 */
export function decodedToGeoJson(
  decoded: DecodedRecord,
  locale = 'en',
): FeatureCollection & Record<string, unknown> {
  const features: Feature[] = [];
  for (const h of decoded.hypotheses) {
    const common = { hypothesis: h.id, label: h.label };
    features.push({
      type: 'Feature',
      geometry: h.polygon,
      properties: {
        ...common,
        kind: 'perimeter',
        ...h.assumptions,
        adjusted: h.adjusted,
        misclosureEastM: h.misclosure?.eastM ?? null,
        misclosureNorthM: h.misclosure?.northM ?? null,
        misclosureM: h.misclosure?.lengthM ?? null,
        misclosureRatio: h.misclosure?.ratio ?? null,
        perimeterLengthM: h.misclosure?.perimeterLengthM ?? null,
        maxRadius95M: Math.max(...h.vertices.map((v) => v.radius95M)),
        gridCentralMeridianDeg: h.gridCentralMeridianDeg,
      },
    });
    features.push({
      type: 'Feature',
      geometry: h.uncertaintyPolygon,
      properties: { ...common, kind: 'uncertainty', confidence: 0.95 },
    });
    h.rows.forEach((row, i) => {
      features.push({
        type: 'Feature',
        geometry: row.line,
        properties: {
          ...common,
          kind: 'row',
          index: i,
          name: row.name,
          mineModel: row.mineModel,
          mineCount: row.mineCount,
          lengthM: row.lengthM,
          spacingM: row.spacingM,
          startRadius95M: row.startRadius95M,
          endRadius95M: row.endRadius95M,
        },
      });
    });
    for (const v of h.vertices) {
      features.push({
        type: 'Feature',
        geometry: { type: 'Point', coordinates: [v.lon, v.lat] },
        properties: {
          ...common,
          kind: 'turningPoint',
          number: v.number,
          name: v.name,
          radius95M: v.radius95M,
          ellipseSemiMajorM: v.ellipse.semiMajorM,
          ellipseSemiMinorM: v.ellipse.semiMinorM,
          ellipseMajorAzimuthDeg: v.ellipse.majorAzimuthDeg,
          adjustmentEastM: v.adjustmentEastM,
          adjustmentNorthM: v.adjustmentNorthM,
        },
      });
    }
    for (const [kind, p] of [
      ['referencePoint', h.referencePoint],
      ['landmark', h.landmark],
    ] as const) {
      if (!p) continue;
      features.push({
        type: 'Feature',
        geometry: { type: 'Point', coordinates: [p.lon, p.lat] },
        properties: { ...common, kind, name: p.name, radius95M: p.radius95M },
      });
    }
  }
  return {
    type: 'FeatureCollection',
    features,
    hypotheses: decoded.hypotheses.map((h) => ({
      id: h.id,
      label: h.label,
      legs: h.legs,
      misclosure: h.misclosure,
    })),
    notDecoded: rejectedWithMessages(decoded, locale),
    errorModel: decoded.errorModel,
    closureTolerance: decoded.closureTolerance,
  };
}
