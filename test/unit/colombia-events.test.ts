import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  circlePolygon,
  decimalPlaces,
  EVENT_TYPES,
  eventExternalId,
  mapColombiaEvent,
  pointPrecisionOf,
  SUSPECTED_MINEFIELD_RADIUS_M,
} from '../../src/domain/colombia-events.ts';
import { polygonAreaM2 } from '../../src/geo/geodesic.ts';
import { validateArea } from '../../src/geo/validate.ts';
import { testdata } from '../fixtures/testdata.ts';

const dataDir = `${testdata('colombia-events')}/`;

function feature(props: Record<string, unknown>, coordinates: unknown = [-75.147222, 7.073333]) {
  return {
    type: 'Feature',
    properties: { DEPARTAMENTO: 'ANTIOQUIA', MUNICIPIO: 'ANORÍ', TIPO_AREA: 'Rural', AÑO: '2005', ...props },
    geometry: coordinates === null ? null : { type: 'Point', coordinates },
  };
}
const ref = { fileStem: '2005', index: 1 };

describe('mapColombiaEvent', () => {
  it('makes an anti-personnel mine accident (type 1) dated the first of January with year precision', () => {
    const out = mapColombiaEvent(feature({ TIPO_EVENTO: '1' }), ref);
    expect(out.ok).toBe(true);
    if (!out.ok || out.record.register !== 'accidents') throw new Error('expected an accident');
    expect(out.record.deviceCategory).toBe('AP');
    expect(out.record.occurredOn).toBe('2005-01-01');
    expect(out.record.datePrecision).toBe('year');
    expect(out.record.geometry.coordinates).toEqual([-75.147222, 7.073333]);
    expect(out.record.description).toContain('ANORÍ, ANTIOQUIA (rural area)');
    expect(out.record.externalId).toBe('co-events:2005:1');
  });

  it('sends each event type to the register its code-list entry names', () => {
    const registers: Record<string, string> = {};
    for (const code of Object.keys(EVENT_TYPES)) {
      const out = mapColombiaEvent(feature({ TIPO_EVENTO: code }), ref);
      if (!out.ok) throw out.problem;
      registers[code] = out.record.register;
    }
    expect(registers).toEqual({
      '1': 'accidents',
      '2': 'accidents',
      '3': 'findings',
      '4': 'findings',
      '5': 'findings',
      '6': 'findings',
      '7': 'findings',
      '8': 'hazards',
    });
  });

  it('records a mine factory (type 7) as an improvised-mine finding and a UXO accident (type 2) as other ERW', () => {
    const factory = mapColombiaEvent(feature({ TIPO_EVENTO: '7' }), ref);
    const uxo = mapColombiaEvent(feature({ TIPO_EVENTO: '2' }), ref);
    expect(factory.ok && factory.record.register === 'findings' && factory.record.category).toBe(
      'improvised_mine',
    );
    expect(uxo.ok && uxo.record.register === 'accidents' && uxo.record.deviceCategory).toBe('other_erw');
  });

  it('turns a suspected minefield (type 8) into an open SHA with a valid 50 m circle around the point', () => {
    const out = mapColombiaEvent(feature({ TIPO_EVENTO: '8' }), ref);
    if (!out.ok || out.record.register !== 'hazards') throw new Error('expected a hazard');
    expect(out.record.type).toBe('SHA');
    expect(out.record.status).toBe('open');
    expect(() => validateArea(out.record.geometry)).not.toThrow();
    // Area of a regular n-gon inscribed in a circle of radius r: (n/2) r² sin(2π/n).
    const n = out.record.geometry.coordinates[0]![0]!.length - 1;
    const r = SUSPECTED_MINEFIELD_RADIUS_M;
    const expected = (n / 2) * r * r * Math.sin((2 * Math.PI) / n);
    const area = polygonAreaM2(out.record.geometry.coordinates[0]![0]! as [number, number][]);
    expect(Math.abs(area - expected) / expected).toBeLessThan(1e-3);
    expect(out.record.description).toContain('perimeter is unknown');
  });

  it('rejects a point outside Colombia (the Bogotá record with a positive longitude)', () => {
    const out = mapColombiaEvent(feature({ TIPO_EVENTO: '4' }, [74.23416667, 4.197777778]), ref);
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.problem.code).toBe('import.events.outside_colombia');
  });

  it('rejects an unknown event type, a missing year and a missing geometry with their own codes', () => {
    const codes = [
      mapColombiaEvent(feature({ TIPO_EVENTO: '9' }), ref),
      mapColombiaEvent(feature({ TIPO_EVENTO: '1', AÑO: '' }), ref),
      mapColombiaEvent(feature({ TIPO_EVENTO: '1' }, null), ref),
      mapColombiaEvent({ type: 'Nonsense' }, ref),
    ].map((o) => (o.ok ? 'ok' : o.problem.code));
    expect(codes).toEqual([
      'import.events.unknown_type',
      'import.events.missing_year',
      'import.events.no_geometry',
      'import.events.not_a_feature',
    ]);
  });
});

describe('point precision', () => {
  it('counts decimals in the shortest form of a coordinate', () => {
    expect(decimalPlaces(-75.25)).toBe(2);
    expect(decimalPlaces(4.197777778)).toBe(9);
    expect(decimalPlaces(-74)).toBe(0);
  });

  it('calls a coordinate shared by many events of a municipality a settlement reference point', () => {
    expect(pointPrecisionOf(-73.752373, 3.125088, 212)).toBe('settlement');
    expect(pointPrecisionOf(-73.752373, 3.125088, 1)).toBe('unknown');
  });

  it('bounds coarse coordinates by their resolution', () => {
    expect(pointPrecisionOf(-75.1, 6.2, 1)).toBe('admin_area');
    expect(pointPrecisionOf(-75.12, 6.25, 1)).toBe('within_1km');
  });
});

describe('circlePolygon', () => {
  it('closes its ring and puts every vertex at the radius', () => {
    const ring = circlePolygon(-75, 6, 50, 16).coordinates[0]![0]!;
    expect(ring).toHaveLength(17);
    expect(ring[0]).toEqual(ring[16]);
  });
});

describe('the real Colombian files', () => {
  it('map every one of the 36 527 features to a record or a reject, ids unique', () => {
    const files = readdirSync(dataDir).filter((f) => f.endsWith('.json'));
    let read = 0;
    let ok = 0;
    const rejected: string[] = [];
    const ids = new Set<string>();
    for (const f of files) {
      const features = JSON.parse(readFileSync(dataDir + f, 'utf8')).features as unknown[];
      features.forEach((feat, index) => {
        read++;
        const out = mapColombiaEvent(feat, { fileStem: f.replace('.json', ''), index });
        if (out.ok) {
          ok++;
          ids.add(out.record.externalId);
        } else rejected.push(`${f}:${index}:${out.problem.code}`);
      });
    }
    expect(read).toBe(36527);
    expect(ok + rejected.length).toBe(read);
    expect(ids.size).toBe(ok);
    expect(rejected).toEqual(['2004.json:1374:import.events.outside_colombia']);
    expect(eventExternalId({ fileStem: '2004', index: 1374 })).toBe('co-events:2004:1374');
  });
});
