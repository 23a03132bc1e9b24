import type { FeatureCollection, MultiPolygon, Point } from 'geojson';
import { Type } from 'typebox';
import { Value } from 'typebox/value';
import type { Database } from '../db/connect.ts';
import { findingsOfHazard } from '../db/repositories/minefield-records.ts';
import { MinefieldRecord, statedHypothesisId } from '../domain/minefield-record.ts';
import { isProblem, Problem } from '../domain/problem.ts';
import { schemaProblems, withOthers } from '../domain/schema-check.ts';
import { type DecodedRecord, decodeRecord } from '../geo/record-decode.ts';
import { type Finding, findingsFromGeoJson, type Scores, scoreRecord } from '../geo/record-score.ts';
import { geometryProblems } from '../geo/validate.ts';
import { t } from '../i18n/catalogue.ts';
import type { Actor } from './actor.ts';
import { decodedToGeoJson } from './minefield-geojson.ts';
import type { RegisterService } from './registers.ts';

/**
 * Minefield records beyond plain storage: the geometry computed from a record on every write
 * (called from the one write path, src/services/changes.ts), and decoding and scoring a stored
 * record on request.
 */

type Row = Record<string, unknown>;

/** What the write path stores besides the record: its map polygon and which reading that is. */
export interface ComputedGeometry {
  values: Row;
  problems: Problem[];
}

/**
 * The geometry of a minefield record, computed from `properties.record` when the write carries
 * one: the perimeter of the adopted hypothesis (`properties.adoptedHypothesis`) or, without one,
 * of the first hypothesis that decodes (the stated reading unless it fails), as a MultiPolygon,
 * with that hypothesis's id. Decoding faults come back as problems located under
 * `<propertiesPointer>/record`. A write without a record (an update of other fields) computes
 * nothing, and may not adopt a reading (`minefield.adopt_needs_record`: the reading is decoded
 * from the record sent with it); a write of the record without an adopted reading clears the
 * adoption, since the perimeter is then the first reading's. A record that breaks the schema is
 * left to the schema problems.
 *
 * @example minefieldRecordGeometry({ record }, '/properties').values.geometry // { type: 'MultiPolygon', … }
 */
export function minefieldRecordGeometry(properties: Row, propertiesPointer: string): ComputedGeometry {
  const record = properties.record;
  const adopted = properties.adoptedHypothesis;
  if (record === undefined && adopted !== undefined) {
    return {
      values: {},
      problems: [
        new Problem(
          'minefield.adopt_needs_record',
          {},
          { pointer: `${propertiesPointer}/adoptedHypothesis`, field: 'adoptedHypothesis' },
        ),
      ],
    };
  }
  if (record === undefined || !Value.Check(MinefieldRecord, record)) return { values: {}, problems: [] };
  const at = `${propertiesPointer}/record`;
  if (record.layingDate !== undefined && !isCalendarDate(record.layingDate)) {
    return {
      values: {},
      problems: [
        new Problem(
          'validation.format',
          { field: 'layingDate', value: record.layingDate, format: 'date' },
          { pointer: `${at}/layingDate`, field: 'layingDate' },
        ),
      ],
    };
  }
  let decoded: DecodedRecord;
  try {
    // The map needs only the perimeters; the uncertainty polygons are the costly part.
    decoded = decodeRecord(record, { uncertaintyPolygon: false });
  } catch (e) {
    if (!isProblem(e)) throw e;
    return { values: {}, problems: [e.under(at), ...e.others.map((o) => o.under(at))] };
  }
  const first =
    typeof adopted === 'string' ? decoded.hypotheses.find((h) => h.id === adopted) : decoded.hypotheses[0]!;
  if (!first) {
    return {
      values: {},
      problems: [unknownHypothesis(String(adopted), decoded, `${propertiesPointer}/adoptedHypothesis`)],
    };
  }
  const geometry: MultiPolygon = { type: 'MultiPolygon', coordinates: [first.polygon.coordinates] };
  // A perimeter that crosses itself must not reach the database (GEOS faults can stop PGlite).
  const faults = geometryProblems(geometry, ['MultiPolygon']);
  if (faults.length) {
    return {
      values: {},
      problems: [
        new Problem(
          'minefield.perimeter_invalid',
          { hypothesis: first.id, reason: faults[0]!.code },
          { pointer: `${at}/perimeter/legs` },
        ),
      ],
    };
  }
  return {
    values: {
      geometry,
      geometryHypothesis: first.id,
      adoptedHypothesis: typeof adopted === 'string' ? adopted : null,
    },
    problems: [],
  };
}

/** `minefield.hypothesis_unknown`: the reading asked for is not one the record decodes to (or it fails). */
function unknownHypothesis(id: string, decoded: DecodedRecord, pointer: string): Problem {
  const rejected = decoded.rejected.find((r) => r.id === id);
  return new Problem(
    'minefield.hypothesis_unknown',
    {
      hypothesis: id,
      decoded: rejected ? 'no' : 'unknown',
      readings: decoded.hypotheses.map((h) => h.id).join('; '),
    },
    { pointer },
  );
}

function isCalendarDate(s: string): boolean {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

const Hypotheses = MinefieldRecord.properties.hypotheses;

/** Body of POST …/{id}/decode. */
export const DecodeRequest = Type.Object(
  {
    hypotheses: Type.Optional(
      Type.Union([Hypotheses, Type.Null()], {
        description:
          'Alternative readings to decode instead of those stored with the record; null: the stated reading only',
      }),
    ),
  },
  { additionalProperties: false },
);

/** Body of POST …/{id}/score. */
export const ScoreRequest = Type.Object(
  {
    hypotheses: DecodeRequest.properties.hypotheses,
    findings: Type.Optional(
      Type.Object(
        { type: Type.Literal('FeatureCollection'), features: Type.Array(Type.Unknown()) },
        {
          additionalProperties: true,
          description:
            "Found devices (WGS 84 points, properties model and quantity); default: the findings of the record's hazard",
        },
      ),
    ),
    fitScale: Type.Optional(Type.Boolean({ description: 'Let the rigid fit scale the record too' })),
  },
  { additionalProperties: false },
);

/** Body of POST …/{id}/adopt. */
export const AdoptRequest = Type.Object(
  {
    hypothesis: Type.String({
      minLength: 1,
      maxLength: 200,
      description:
        'Id of the hypothesis to adopt as the reading of the record, e.g. ref=magnetic,angle=mil6000,dist=pace,dir=forward',
    }),
  },
  { additionalProperties: false },
);

export type ScoreOut = Scores & {
  findingsFrom: 'request' | 'hazard';
  hazardId: string | null;
  notDecoded: Array<Row>;
  /** The findings the scores were computed from, as WGS 84 points (for the map). */
  findings: FeatureCollection<Point>;
};

/** Decoding and scoring of stored records; reads go through the register service (permissions, not found). */
export class MinefieldRecordService {
  constructor(
    private readonly database: Database,
    private readonly register: RegisterService,
  ) {}

  /**
   * The stored record decoded, as the CLI's `record decode` prints it, with each reading's
   * assumptions (`reading`) and whether it is the one the record states and the one adopted.
   */
  async decode(actor: Actor, id: string, body: unknown, locale: string) {
    const options = checkBody(DecodeRequest, body);
    const stored = await this.register.get(actor, id);
    const decoded = this.decodeStored(stored, options.hypotheses, locale);
    const out = decodedToGeoJson(decoded, locale);
    const stated = statedHypothesisId(stored.record as MinefieldRecord);
    const adopted = (stored.adoptedHypothesis as string | null | undefined) ?? null;
    const marks = (hypothesisId: string) => ({
      stated: hypothesisId === stated,
      adopted: hypothesisId === adopted,
    });
    return {
      ...out,
      hypotheses: decoded.hypotheses.map((h, i) => ({
        ...(out.hypotheses as Row[])[i],
        reading: h.assumptions,
        ...marks(h.id),
      })),
      notDecoded: (out.notDecoded as Array<Row & { id: string; assumptions: unknown }>).map(
        ({ assumptions, ...r }) => ({ ...r, reading: assumptions, ...marks(r.id) }),
      ),
      statedHypothesis: stated,
      adoptedHypothesis: adopted,
      geometryHypothesis: (stored.geometryHypothesis as string | null | undefined) ?? null,
      minefieldRecordId: id,
      code: stored.code,
    };
  }

  /**
   * Adopts one of the readings the stored record decodes to as its reading: an update of the
   * record through the one write path (a direct report approved at once, so the adoption is in
   * the record's history and the audit log), which makes that reading's perimeter the record's
   * geometry. Refused when the record changed since `expectedVersion` (`record.version_conflict`)
   * and for a reading the record does not decode to (`minefield.hypothesis_unknown`).
   */
  async adopt(actor: Actor, id: string, expectedVersion: number, hypothesis: string) {
    await this.register.authoriseWrite(actor, id);
    const stored = await this.register.get(actor, id);
    if (stored.version !== expectedVersion) {
      throw new Problem(
        'record.version_conflict',
        { expected: expectedVersion, current: stored.version as number },
        { pointer: '' },
      );
    }
    const record = stored.record as MinefieldRecord;
    let decoded: DecodedRecord;
    try {
      decoded = decodeRecord(record, { uncertaintyPolygon: false });
    } catch (e) {
      throw isProblem(e) ? e.under('/properties/record') : e;
    }
    if (!decoded.hypotheses.some((h) => h.id === hypothesis)) {
      throw unknownHypothesis(hypothesis, decoded, '/hypothesis');
    }
    return this.register.update(actor, id, expectedVersion, {
      type: 'Feature',
      properties: { record, adoptedHypothesis: hypothesis },
    });
  }

  /**
   * Scores the stored record against the findings posted with the request or, without them,
   * the live findings linked to the record's hazard (model from the ordnance catalogue, else
   * the model as reported). With `asAt`, the record as it stood at the end of that day.
   */
  async score(actor: Actor, id: string, body: unknown, locale: string, asAt?: string): Promise<ScoreOut> {
    const options = checkBody(ScoreRequest, body);
    const stored = await this.register.get(actor, id, { asAt });
    const hazardId = (stored.hazardId as string | null) ?? null;
    let findings: Finding[];
    if (options.findings) {
      try {
        findings = findingsFromGeoJson(options.findings);
      } catch (e) {
        throw isProblem(e) ? e.under('/findings') : e;
      }
    } else {
      if (!hazardId)
        throw new Problem('minefield.no_hazard', { code: String(stored.code) }, { pointer: '/findings' });
      findings = await findingsOfHazard(this.database.db, hazardId);
    }
    if (findings.length === 0) {
      throw new Problem(
        'minefield.no_findings',
        { source: options.findings ? 'request' : 'hazard' },
        { pointer: '/findings' },
      );
    }
    const decoded = this.decodeStored(stored, options.hypotheses, locale);
    const scores = scoreRecord(decoded, findings, { fitScale: options.fitScale === true });
    return {
      ...scores,
      findings: {
        type: 'FeatureCollection',
        features: findings.map((f) => ({
          type: 'Feature',
          geometry: { type: 'Point', coordinates: [f.lon, f.lat] },
          properties: { model: f.model ?? null, quantity: f.quantity ?? 1 },
        })),
      },
      findingsFrom: options.findings ? 'request' : 'hazard',
      hazardId,
      notDecoded: decoded.rejected.map((r) => ({
        ...r,
        message: t(r.problem.code, r.problem.params, locale),
      })),
    };
  }

  private decodeStored(stored: Row, hypotheses: unknown, locale: string): DecodedRecord {
    const record = { ...(stored.record as MinefieldRecord) };
    if (hypotheses === null) delete record.hypotheses;
    else if (hypotheses !== undefined) record.hypotheses = hypotheses as MinefieldRecord['hypotheses'];
    try {
      return decodeRecord(record, { translate: (key, params) => t(key, params, locale) });
    } catch (e) {
      // A stored record decoded when it was written; a fault now comes from the chosen readings.
      throw isProblem(e) ? e.under(`/properties/record`) : e;
    }
  }
}

function checkBody<T extends typeof DecodeRequest | typeof ScoreRequest>(schema: T, body: unknown) {
  const value = body === undefined || body === null ? {} : body;
  const problems = schemaProblems(schema, value);
  if (problems.length) throw withOthers(problems);
  return value as {
    hypotheses?: MinefieldRecord['hypotheses'] | null;
    findings?: unknown;
    fitScale?: boolean;
  };
}
