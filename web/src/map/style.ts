import type {
  ExpressionSpecification,
  LayerSpecification,
  SourceSpecification,
  StyleSpecification,
} from 'maplibre-gl';
import type { ServerConfig } from '../api/types.ts';

/**
 * Map styles built from Safeground's own vector tiles. The default basemap is the programme's
 * admin areas and settlements on a plain background: no request leaves the server, and no
 * text layer is used (text needs glyph files); names appear in the record panel instead.
 */
export const TILE_LAYERS = [
  'admin-areas',
  'settlements',
  'hazards',
  'land-release',
  'findings',
  'accidents',
  'minefield-records',
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
  cancelled: '#5c9bd6',
  reduced: '#44a87a',
  cleared: '#1b7a3d',
  finding: '#6a1b9a',
  accident: '#111111',
  minefieldRecord: '#5b2c06',
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

export function tileUrl(layer: TileLayer, filterQuery: string): string {
  const origin = typeof window !== 'undefined' ? window.location.origin : '';
  return `${origin}/tiles/${layer}/{z}/{x}/{y}.mvt${filterQuery}`;
}

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
        'circle-color': ['case', ['has', 'count'], '#7b5ea7', categoryColour],
        // Tiles may aggregate findings at low zoom into points with a `count`; size follows it.
        'circle-radius': [
          'interpolate',
          ['linear'],
          ['zoom'],
          5,
          ['+', 2, ['*', 1.2, ['ln', ['max', 1, ['to-number', ['coalesce', ['get', 'count'], 1]]]]]],
          12,
          ['+', 3, ['*', 1.5, ['ln', ['max', 1, ['to-number', ['coalesce', ['get', 'count'], 1]]]]]],
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

export function buildStyle(config: ServerConfig | null, filters: MapFilters): StyleSpecification {
  const sources: Record<string, SourceSpecification> = {};
  for (const l of TILE_LAYERS) sources[l] = vectorSource(l, layerQuery(l, filters));
  const basemap = config?.basemap;
  const layers: LayerSpecification[] = [];
  if (basemap?.url && basemap.type === 'raster') {
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
  return { version: 8, sources, layers };
}

/** Layer ids belonging to a switchable group. */
export function layerIdsOf(group: TileLayer): string[] {
  return [`${group}-fill`, `${group}-line`, `${group}-circle`];
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
  'land-release': ['from', 'to', 'adminArea'],
  findings: ['from', 'to', 'category', 'adminArea'],
  accidents: ['from', 'to', 'category', 'adminArea'],
  'minefield-records': ['from', 'to', 'adminArea'],
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
