import type {
  ExpressionSpecification,
  LayerSpecification,
  SourceSpecification,
  StyleSpecification,
} from 'maplibre-gl';
import { HAZARD_POINT_BELOW_M2 } from '../../../src/geo/map-scale.ts';
import type { ServerConfig } from '../api/types.ts';

/**
 * Map styles built from Safeground's own vector tiles. The default basemap is the programme's
 * admin areas (land and boundaries) and settlements on a plain background, labelled in the
 * reader's language; a deployment's PMTiles archive, when there is one, goes underneath. Glyphs
 * and the right-to-left text plugin come from Safeground too: no request leaves the server.
 */
export const TILE_LAYERS = [
  'admin-areas',
  'settlements',
  'hazards',
  'hazard-points',
  'land-release',
  'findings',
  'accidents',
  'minefield-records',
  'site-visits',
] as const;
export type TileLayer = (typeof TILE_LAYERS)[number];

export const COLOURS = {
  background: '#eef0ea',
  adminFill: '#ffffff',
  adminLine: '#8a8f99',
  settlement: '#4d5560',
  hazardSHA: '#e8a317',
  hazardCHA: '#c62828',
  hazardClosed: '#7d8b99',
  hazardCluster: '#8e2a22',
  cancelled: '#5c9bd6',
  reduced: '#44a87a',
  cleared: '#1b7a3d',
  finding: '#6a1b9a',
  findingCluster: '#7b5ea7',
  accident: '#111111',
  minefieldRecord: '#5b2c06',
  siteVisit: '#1f6f8b',
  draft: '#0057b8',
} as const;

export const CATEGORY_COLOURS: Record<string, string> = {
  AP: '#d32f2f',
  AV: '#6a1b9a',
  improvised_mine: '#ef6c00',
  cluster_munition: '#00838f',
  other_erw: '#5d4037',
  booby_trap: '#ad1457',
  ied: '#f9a825',
  unknown: '#616161',
};

const origin = () => (typeof window !== 'undefined' ? window.location.origin : '');

export function tileUrl(layer: TileLayer, filterQuery: string): string {
  return `${origin()}/tiles/${layer}/{z}/{x}/{y}.mvt${filterQuery}`;
}

/** The labels' one font, served by Safeground (/fonts/…) for Latin, Cyrillic and Arabic. */
export const LABEL_FONT = ['Noto Sans Regular'];

export function glyphsUrl(): string {
  return `${origin()}/fonts/{fontstack}/{range}.pbf`;
}

/** A place's name in the reader's language when the record has one, else its name. */
export function labelText(lang: string): ExpressionSpecification {
  return ['coalesce', ['get', `name:${lang}`], ['get', 'name']];
}

// Hazards under HAZARD_POINT_BELOW_M2 at the zoom shown are drawn as points (src/geo/map-scale.ts).
// The hazards' tiles below zoom 13 leave out polygons under 3 px across at their zoom (migration
// 030), at most 6 px when shown over-zoomed: keep that limit at 6 px or more. Below zoom 10 the
// points come as clusters of the hazards under it at the tile's zoom (migration 031).

/** A cluster's radius in px, `base` + `perLn` × ln(count) (a point without a count is 1). */
const byCount = (base: number, perLn: number): ExpressionSpecification => [
  '+',
  base,
  ['*', perLn, ['ln', ['max', 1, ['to-number', ['coalesce', ['get', 'count'], 1]]]]],
];

function vectorSource(layer: TileLayer, filterQuery: string): SourceSpecification {
  return { type: 'vector', tiles: [tileUrl(layer, filterQuery)], minzoom: 0, maxzoom: 16 };
}

const hazardFill: ExpressionSpecification = [
  'case',
  ['==', ['get', 'status'], 'closed'],
  COLOURS.hazardClosed,
  ['==', ['get', 'type'], 'CHA'],
  COLOURS.hazardCHA,
  COLOURS.hazardSHA,
];

const categoryColour: ExpressionSpecification = [
  'match',
  ['get', 'category'],
  ...Object.entries(CATEGORY_COLOURS).flat(),
  CATEGORY_COLOURS.unknown,
] as unknown as ExpressionSpecification;

/** Layers of each thematic tile source; the ids start with the source name, so the switcher can hide them together. */
export function thematicLayers(): LayerSpecification[] {
  return [
    {
      id: 'hazards-fill',
      type: 'fill',
      source: 'hazards',
      'source-layer': 'hazards',
      paint: {
        'fill-color': hazardFill,
        'fill-opacity': ['case', ['==', ['get', 'status'], 'in_progress'], 0.25, 0.4],
      },
    },
    {
      id: 'hazards-line',
      type: 'line',
      source: 'hazards',
      'source-layer': 'hazards',
      paint: {
        'line-color': hazardFill,
        'line-width': 1.5,
        'line-dasharray': [
          'case',
          ['==', ['get', 'status'], 'in_progress'],
          ['literal', [2, 1]],
          ['literal', [1, 0]],
        ],
      },
    },
    {
      id: 'hazard-points-circle',
      type: 'circle',
      source: 'hazard-points',
      'source-layer': 'hazard-points',
      filter: [
        '<',
        ['*', ['to-number', ['coalesce', ['get', 'areaM2'], 0]], ['^', 4, ['zoom']]],
        HAZARD_POINT_BELOW_M2,
      ],
      paint: {
        // Clusters (below zoom 10) carry a count and no status: one colour, sized by it, never
        // smaller than a single hazard's point (hazards are what the map is read for).
        'circle-color': ['case', ['has', 'count'], COLOURS.hazardCluster, hazardFill],
        // (A zoom expression must be the outermost: the case sits inside each stop.)
        'circle-radius': [
          'interpolate',
          ['linear'],
          ['zoom'],
          4,
          ['case', ['has', 'count'], byCount(3.5, 1.5), 3],
          10,
          ['case', ['has', 'count'], byCount(5.5, 1.8), 5],
        ],
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 1,
        'circle-opacity': ['case', ['has', 'count'], 0.8, 0.9],
      },
    },
    {
      id: 'land-release-fill',
      type: 'fill',
      source: 'land-release',
      'source-layer': 'land-release',
      paint: {
        'fill-color': [
          'match',
          ['get', 'outcome'],
          'cancelled',
          COLOURS.cancelled,
          'reduced',
          COLOURS.reduced,
          COLOURS.cleared,
        ],
        'fill-opacity': 0.5,
      },
    },
    {
      id: 'land-release-line',
      type: 'line',
      source: 'land-release',
      'source-layer': 'land-release',
      paint: { 'line-color': '#ffffff', 'line-width': 0.8 },
    },
    {
      // A legacy record's decoded perimeter: an outline over the hazards, never a fill that hides them.
      id: 'minefield-records-fill',
      type: 'fill',
      source: 'minefield-records',
      'source-layer': 'minefield-records',
      paint: { 'fill-color': COLOURS.minefieldRecord, 'fill-opacity': 0.08 },
    },
    {
      id: 'minefield-records-line',
      type: 'line',
      source: 'minefield-records',
      'source-layer': 'minefield-records',
      paint: {
        'line-color': COLOURS.minefieldRecord,
        'line-width': 2,
        'line-dasharray': ['literal', [4, 2]],
      },
    },
    {
      // A visit's places: a light outline, so the hazards and findings shown stay readable.
      id: 'site-visits-fill',
      type: 'fill',
      source: 'site-visits',
      'source-layer': 'site-visits',
      paint: { 'fill-color': COLOURS.siteVisit, 'fill-opacity': 0.06 },
    },
    {
      id: 'site-visits-line',
      type: 'line',
      source: 'site-visits',
      'source-layer': 'site-visits',
      paint: { 'line-color': COLOURS.siteVisit, 'line-width': 1.5, 'line-dasharray': ['literal', [1, 1.5]] },
    },
    {
      id: 'accidents-circle',
      type: 'circle',
      source: 'accidents',
      'source-layer': 'accidents',
      paint: {
        'circle-color': COLOURS.accident,
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 5, 3, 12, 6, 16, 9],
        'circle-stroke-color': '#ffeb3b',
        'circle-stroke-width': 1.5,
      },
    },
    {
      id: 'findings-circle',
      type: 'circle',
      source: 'findings',
      'source-layer': 'findings',
      paint: {
        // Clusters (low zoom) carry a count and no category: one neutral colour, see-through.
        'circle-color': ['case', ['has', 'count'], COLOURS.findingCluster, categoryColour],
        // Tiles may aggregate findings at low zoom into points with a `count`; size follows it.
        'circle-radius': [
          'interpolate',
          ['linear'],
          ['zoom'],
          5,
          byCount(2, 1.2),
          12,
          byCount(3, 1.5),
          16,
          7,
        ],
        'circle-opacity': ['case', ['has', 'count'], 0.55, 0.85],
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': ['interpolate', ['linear'], ['zoom'], 8, 0, 12, 1],
      },
    },
  ];
}

/** Names of settlements and admin areas, over everything else. */
export function labelLayers(lang: string): LayerSpecification[] {
  const halo = { 'text-halo-color': '#ffffff', 'text-halo-width': 1.5 };
  return [
    {
      id: 'admin-areas-label',
      type: 'symbol',
      source: 'admin-areas',
      'source-layer': 'admin-areas',
      // a country's name when it fills the view, provinces and districts as one zooms in
      filter: [
        'step',
        ['zoom'],
        ['<=', ['to-number', ['get', 'level']], 1],
        8,
        ['>=', ['to-number', ['get', 'level']], 1],
        10,
        ['>=', ['to-number', ['get', 'level']], 2],
      ],
      layout: {
        'text-field': labelText(lang),
        'text-font': LABEL_FONT,
        'text-size': ['match', ['to-number', ['get', 'level']], 0, 15, 1, 13, 11],
        'text-max-width': 8,
        'text-padding': 6,
        'symbol-sort-key': ['to-number', ['get', 'level']],
      },
      paint: { 'text-color': '#5a6170', ...halo },
    },
    {
      id: 'settlements-label',
      type: 'symbol',
      source: 'settlements',
      'source-layer': 'settlements',
      minzoom: 6,
      layout: {
        'text-field': labelText(lang),
        'text-font': LABEL_FONT,
        'text-size': ['interpolate', ['linear'], ['zoom'], 6, 11, 12, 13, 16, 15],
        'text-variable-anchor': ['top', 'bottom', 'right', 'left'],
        'text-radial-offset': 0.6,
        'text-max-width': 9,
        // bigger places keep their names where there is room for few
        'symbol-sort-key': ['-', 0, ['to-number', ['coalesce', ['get', 'population'], 0]]],
      },
      paint: { 'text-color': '#20242b', ...halo },
    },
  ];
}

/** What a deployment's PMTiles archive holds (GET /basemap/tiles.json). */
export interface BasemapArchive {
  kind: 'vector' | 'raster';
  tiles: string[];
  minzoom: number;
  maxzoom: number;
  vectorLayers: string[];
  attribution: string | null;
}

/**
 * The archive's layers under Safeground's own: land, water, roads, boundaries and place names,
 * for the Protomaps schema (`earth`, `water`, `roads`, `boundaries`, `places`) and the
 * OpenMapTiles one (`water`, `transportation`, `boundary`, `place`); a raster archive as it is.
 */
export function archiveLayers(
  archive: BasemapArchive,
  lang: string,
): { source: SourceSpecification; layers: LayerSpecification[] } {
  const tiles = archive.tiles.map((t) => `${origin()}${t}`);
  const common = {
    minzoom: archive.minzoom,
    maxzoom: archive.maxzoom,
    attribution: archive.attribution ?? undefined,
  };
  if (archive.kind === 'raster')
    return {
      source: { type: 'raster', tiles, tileSize: 256, ...common },
      layers: [{ id: 'basemap-raster', type: 'raster', source: 'basemap' }],
    };
  const has = (l: string) => archive.vectorLayers.includes(l);
  const protomaps = has('earth');
  const layers: LayerSpecification[] = [];
  const layer = (id: string, sourceLayer: string, rest: Record<string, unknown>) => {
    if (has(sourceLayer))
      layers.push({
        id: `basemap-${id}`,
        source: 'basemap',
        'source-layer': sourceLayer,
        ...rest,
      } as LayerSpecification);
  };
  layer('earth', 'earth', { type: 'fill', paint: { 'fill-color': COLOURS.background } });
  layer('water', 'water', { type: 'fill', paint: { 'fill-color': '#b9d3e3' } });
  layer('roads', protomaps ? 'roads' : 'transportation', {
    type: 'line',
    paint: { 'line-color': '#ffffff', 'line-width': ['interpolate', ['linear'], ['zoom'], 6, 0.5, 14, 3] },
  });
  layer('boundaries', protomaps ? 'boundaries' : 'boundary', {
    type: 'line',
    paint: { 'line-color': '#9a8fa8', 'line-width': 1, 'line-dasharray': ['literal', [3, 2]] },
  });
  layer('places', protomaps ? 'places' : 'place', {
    type: 'symbol',
    layout: { 'text-field': labelText(lang), 'text-font': LABEL_FONT, 'text-size': 11 },
    paint: { 'text-color': '#6b7280', 'text-halo-color': '#ffffff', 'text-halo-width': 1 },
  });
  return { source: { type: 'vector', tiles, ...common }, layers };
}

function baseLayers(withOwnBasemap: boolean): LayerSpecification[] {
  const layers: LayerSpecification[] = [];
  if (withOwnBasemap)
    layers.push({ id: 'background', type: 'background', paint: { 'background-color': COLOURS.background } });
  layers.push(
    {
      id: 'admin-areas-fill',
      type: 'fill',
      source: 'admin-areas',
      'source-layer': 'admin-areas',
      paint: {
        'fill-color': COLOURS.adminFill,
        'fill-opacity': withOwnBasemap ? ['interpolate', ['linear'], ['zoom'], 4, 0.9, 12, 0.6] : 0,
      },
    },
    {
      id: 'admin-areas-line',
      type: 'line',
      source: 'admin-areas',
      'source-layer': 'admin-areas',
      paint: {
        'line-color': COLOURS.adminLine,
        'line-width': ['match', ['to-number', ['coalesce', ['get', 'level'], 1]], 0, 2.2, 1, 1.4, 0.7],
        'line-dasharray': ['literal', [3, 2]],
      },
    },
    {
      id: 'settlements-circle',
      type: 'circle',
      source: 'settlements',
      'source-layer': 'settlements',
      paint: {
        'circle-color': '#ffffff',
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 5, 2, 12, 5],
        'circle-stroke-color': COLOURS.settlement,
        'circle-stroke-width': 1.5,
      },
    },
  );
  return layers;
}

export function buildStyle(
  config: ServerConfig | null,
  filters: MapFilters,
  lang = 'en',
  archive: BasemapArchive | null = null,
): StyleSpecification {
  const sources: Record<string, SourceSpecification> = {};
  for (const l of TILE_LAYERS) sources[l] = vectorSource(l, layerQuery(l, filters));
  const basemap = config?.basemap;
  const layers: LayerSpecification[] = [];
  if (archive) {
    const own = archiveLayers(archive, lang);
    sources.basemap = own.source;
    layers.push({ id: 'background', type: 'background', paint: { 'background-color': '#b9d3e3' } });
    if (archive.kind === 'vector' && !archive.vectorLayers.includes('earth'))
      layers[0] = { id: 'background', type: 'background', paint: { 'background-color': COLOURS.background } };
    layers.push(...own.layers);
    layers.push(...baseLayers(false));
  } else if (basemap?.url && basemap.type === 'raster') {
    sources.basemap = {
      type: 'raster',
      tiles: [basemap.url],
      tileSize: 256,
      attribution: basemap.attribution ?? undefined,
    };
    layers.push({ id: 'background', type: 'background', paint: { 'background-color': COLOURS.background } });
    layers.push({ id: 'basemap', type: 'raster', source: 'basemap' });
    layers.push(...baseLayers(false));
  } else {
    layers.push(...baseLayers(true));
  }
  layers.push(...thematicLayers());
  layers.push(...labelLayers(lang));
  return { version: 8, glyphs: glyphsUrl(), sources, layers };
}

/** Layer ids belonging to a switchable group (hazards' points go with the hazards). */
export function layerIdsOf(group: TileLayer): string[] {
  if (group === 'hazard-points') return [];
  const ids = [`${group}-fill`, `${group}-line`, `${group}-circle`, `${group}-label`];
  return group === 'hazards' ? [...ids, 'hazard-points-circle'] : ids;
}

/** Map filters as chosen in the explorer; each layer gets only the ones its register understands. */
export interface MapFilters {
  from?: string;
  to?: string;
  organisation?: string;
  category?: string;
  status?: string;
  adminArea?: string;
}

const LAYER_PARAMS: Record<TileLayer, (keyof MapFilters)[]> = {
  hazards: ['from', 'to', 'organisation', 'status', 'adminArea'],
  'hazard-points': ['from', 'to', 'organisation', 'status', 'adminArea'],
  'land-release': ['from', 'to', 'adminArea'],
  findings: ['from', 'to', 'category', 'adminArea'],
  accidents: ['from', 'to', 'category', 'adminArea'],
  'minefield-records': ['from', 'to', 'adminArea'],
  'site-visits': ['from', 'to', 'adminArea'],
  settlements: [],
  'admin-areas': [],
};

export function layerQuery(layer: TileLayer, filters: MapFilters): string {
  const sp = new URLSearchParams();
  for (const k of LAYER_PARAMS[layer]) {
    const v = filters[k];
    if (v) sp.set(k, v);
  }
  const s = sp.toString();
  return s ? `?${s}` : '';
}
