import { describe, expect, it } from 'vitest';
import {
  angleToDeg,
  degToMils,
  formatSovietMils,
  milsToDeg,
  normaliseAzimuthDeg,
  parseDegrees,
  parseSovietMils,
} from '../../../src/geo/record-angles.ts';
import { problemOf } from './helpers.ts';

describe('Soviet mil notation', () => {
  it('reads large and small divisions as hundreds and units of mils', () => {
    expect(parseSovietMils('15-50')).toBe(1550);
    expect(parseSovietMils('0-05')).toBe(5);
    expect(parseSovietMils('59-99')).toBe(5999);
    expect(parseSovietMils(' 7–25 ')).toBe(725);
  });

  it('refuses texts that are not the notation', () => {
    expect(parseSovietMils('15-5')).toBeUndefined();
    expect(parseSovietMils('155-00')).toBeUndefined();
    expect(parseSovietMils('1550')).toBeUndefined();
  });

  it('writes mils back in the notation', () => {
    expect(formatSovietMils(1550)).toBe('15-50');
    expect(formatSovietMils(5)).toBe('0-05');
  });

  it('makes "15-50" 93 degrees on the 6000 circle', () => {
    expect(angleToDeg('15-50', 'soviet')).toBeCloseTo(93, 12);
  });
});

describe('mil conversions', () => {
  // One mil of 6400 is 360/6400 = 0.05625°, one of 6000 is 0.06° (definitions of the two circles).
  it('converts by the size of the circle', () => {
    expect(milsToDeg(1, 6400)).toBeCloseTo(0.05625, 15);
    expect(milsToDeg(1, 6000)).toBeCloseTo(0.06, 15);
    expect(milsToDeg(1600, 6400)).toBe(90);
    expect(degToMils(90, 6000)).toBe(1500);
  });

  it('reads the same figure under the other circle when a hypothesis asks', () => {
    expect(angleToDeg('15-50', 'soviet', 6400)).toBeCloseTo(87.1875, 12);
    expect(angleToDeg(1600, 'mil6400')).toBe(90);
    expect(angleToDeg('1600', 'mil6000')).toBeCloseTo(96, 12);
  });
});

describe('degrees', () => {
  it('reads decimal and sexagesimal texts', () => {
    expect(parseDegrees('93.5')).toBe(93.5);
    expect(parseDegrees(`93°30'`)).toBe(93.5);
    expect(parseDegrees(`93°30'36"`)).toBeCloseTo(93.51, 12);
    expect(parseDegrees(`93°75'`)).toBeUndefined();
  });

  it('normalises azimuths into [0, 360)', () => {
    expect(normaliseAzimuthDeg(-3)).toBe(357);
    expect(normaliseAzimuthDeg(723)).toBe(3);
  });
});

describe('bad angles', () => {
  it('reports an angle beyond the circle with the leg index', () => {
    const p = problemOf(() =>
      angleToDeg('62-00', 'soviet', undefined, { pointer: '/perimeter/legs/2/bearing', leg: 2 }),
    );
    expect(p.code).toBe('record.angle_out_of_range');
    expect(p.params.leg).toBe(2);
    expect(p.params.max).toBe(6000);
    expect(p.where?.pointer).toBe('/perimeter/legs/2/bearing');
  });

  it('accepts the full circle as north but nothing beyond, nor negatives', () => {
    expect(angleToDeg('60-00', 'soviet')).toBe(360);
    expect(problemOf(() => angleToDeg(360.5, 'deg')).code).toBe('record.angle_out_of_range');
    expect(problemOf(() => angleToDeg(-1, 'mil6400')).code).toBe('record.angle_out_of_range');
    expect(angleToDeg(6200, 'mil6400')).toBeCloseTo(348.75, 12);
  });

  it('reports a text it cannot read', () => {
    const p = problemOf(() => angleToDeg('15-5a', 'soviet', undefined, { leg: 0 }));
    expect(p.code).toBe('record.angle_unreadable');
    expect(p.params.leg).toBe(0);
  });
});
