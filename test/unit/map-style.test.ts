import { readFileSync } from 'node:fs';
import { validateStyleMin } from '@maplibre/maplibre-gl-style-spec';
import { describe, expect, it } from 'vitest';
import { HAZARD_POINT_BELOW_M2 } from '../../src/geo/map-scale.ts';
import type { ServerConfig } from '../../web/src/api/types.ts';
import { type BasemapArchive, buildStyle } from '../../web/src/map/style.ts';

// The map's style as MapLibre reads it: a style the specification refuses (a zoom expression
// inside a `case`, a misspelt property) leaves the map page on "Loading the map…" for good.
const config = (basemap: ServerConfig['basemap']): ServerConfig => ({
  basemap,
  locales: ['en', 'ru', 'ar'],
  version: 'test',
});
const vectorArchive: BasemapArchive = {
  kind: 'vector',
  tiles: ['/basemap/{z}/{x}/{y}.mvt'],
  minzoom: 0,
  maxzoom: 14,
  vectorLayers: ['earth', 'water', 'roads', 'boundaries', 'places'],
  attribution: '© OpenStreetMap',
};

describe('map style', () => {
  it.each([
    ['no basemap, English', null, 'en', null],
    ['no basemap, Arabic', config({ url: null, type: null }), 'ar', null],
    [
      'raster basemap, Russian',
      config({ url: 'https://tiles.example.org/{z}/{x}/{y}.png', type: 'raster' }),
      'ru',
      null,
    ],
    ['vector archive', config({ url: null, type: null, archive: true }), 'en', vectorArchive],
    [
      'raster archive',
      config({ url: null, type: null, archive: true }),
      'en',
      { ...vectorArchive, kind: 'raster' },
    ],
  ] as const)('is valid MapLibre style: %s', (_, cfg, lang, archive) => {
    const style = buildStyle(
      cfg,
      { status: 'open', from: '2020-01-01' },
      lang,
      archive as BasemapArchive | null,
    );
    const errors = validateStyleMin(style).map((e) => e.message);
    expect(errors).toEqual([]);
    // The hazards' points layer draws clusters and single points.
    expect(style.layers.some((l) => l.id === 'hazard-points-circle')).toBe(true);
  });
});

describe('the hazards drawn as points', () => {
  it('are counted in the hazard clusters by the same limit the map draws them by', () => {
    // Migration 031 writes the limit as a literal; a change to one without the other would
    // count in a cluster hazards the map draws as polygons, or leave out ones it draws as points.
    const sql = readFileSync(
      new URL('../../src/db/migrations/031_hazard_point_clusters.sql', import.meta.url),
      'utf8',
    );
    const literals = [...sql.matchAll(/\* 4 \^ z\.z < ([0-9.]+)/g)].map((m) => Number(m[1]));
    expect(literals.length).toBeGreaterThan(0);
    for (const v of literals)
      expect(Math.abs(v - HAZARD_POINT_BELOW_M2) / HAZARD_POINT_BELOW_M2).toBeLessThan(1e-12);
  });
});
