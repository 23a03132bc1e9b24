import { validateStyleMin } from '@maplibre/maplibre-gl-style-spec';
import { describe, expect, it } from 'vitest';
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
    ['no basemap, Arabic, filtered', config({ url: null, type: null }), 'ar', null],
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
