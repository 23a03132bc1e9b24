import type { Feature, FeatureCollection } from 'geojson';
import {
  type GeoJSONSource,
  type LayerSpecification,
  Map as MaplibreMap,
  type Map as MlMap,
  NavigationControl,
  ScaleControl,
  type StyleSpecification,
} from 'maplibre-gl';
import { useEffect, useRef, useState } from 'react';
import type { ServerConfig } from '../api/types.ts';
import { DEFAULT_BOUNDS } from '../components/MapView.tsx';
import { useI18n } from '../i18n/index.tsx';
import { type BasemapArchive, buildStyle, COLOURS } from '../map/style.ts';
import { AREA_REGISTERS } from './area.ts';
import type { Bbox } from './tiles.ts';

/**
 * The field app's map: the same basemap as the web application's map (the deployment's archive
 * or the programme's admin areas and settlements, labelled in the reader's language), with the
 * area's records drawn from the device (GeoJSON from IndexedDB, not tiles from the server), so it
 * works with no network once the area is downloaded; and the draft being made on top.
 */
export type AreaLayers = Partial<Record<(typeof AREA_REGISTERS)[number], Feature[]>>;

const THEMATIC_SOURCES = new Set([
  'hazards',
  'hazard-points',
  'land-release',
  'findings',
  'accidents',
  'minefield-records',
]);

function fieldStyle(
  config: ServerConfig | null,
  archive: BasemapArchive | null,
  lang: string,
): StyleSpecification {
  const base = buildStyle(config, {}, lang, archive);
  const sources = Object.fromEntries(
    Object.entries(base.sources).filter(([id]) => !THEMATIC_SOURCES.has(id)),
  );
  const layers = base.layers.filter((l) => !('source' in l) || !THEMATIC_SOURCES.has(String(l.source)));
  return { ...base, sources, layers };
}

const empty: FeatureCollection = { type: 'FeatureCollection', features: [] };

const AREA_LAYERS: LayerSpecification[] = [
  {
    id: 'f-hazards-fill',
    type: 'fill',
    source: 'f-hazards',
    paint: {
      'fill-color': [
        'case',
        ['==', ['get', 'status'], 'closed'],
        COLOURS.hazardClosed,
        ['==', ['get', 'type'], 'CHA'],
        COLOURS.hazardCHA,
        COLOURS.hazardSHA,
      ],
      'fill-opacity': 0.25,
    },
  },
  {
    id: 'f-hazards-line',
    type: 'line',
    source: 'f-hazards',
    paint: {
      'line-color': ['case', ['==', ['get', 'type'], 'CHA'], COLOURS.hazardCHA, COLOURS.hazardSHA],
      'line-width': 2.5,
    },
  },
  {
    id: 'f-land-release-fill',
    type: 'fill',
    source: 'f-land-release',
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
      'fill-opacity': 0.45,
    },
  },
  {
    id: 'f-minefield-records-line',
    type: 'line',
    source: 'f-minefield-records',
    paint: { 'line-color': COLOURS.minefieldRecord, 'line-width': 2, 'line-dasharray': ['literal', [2, 2]] },
  },
  {
    id: 'f-accidents-circle',
    type: 'circle',
    source: 'f-accidents',
    paint: {
      'circle-color': COLOURS.accident,
      'circle-radius': 6,
      'circle-stroke-color': '#fff',
      'circle-stroke-width': 1.5,
    },
  },
  {
    id: 'f-findings-circle',
    type: 'circle',
    source: 'f-findings',
    paint: {
      'circle-color': COLOURS.finding,
      'circle-radius': ['interpolate', ['linear'], ['zoom'], 10, 2, 16, 6],
      'circle-stroke-color': '#fff',
      'circle-stroke-width': 1,
    },
  },
  {
    id: 'f-draft-fill',
    type: 'fill',
    source: 'f-draft',
    filter: ['==', ['geometry-type'], 'Polygon'],
    paint: { 'fill-color': COLOURS.draft, 'fill-opacity': 0.25 },
  },
  {
    id: 'f-draft-line',
    type: 'line',
    source: 'f-draft',
    filter: ['in', ['geometry-type'], ['literal', ['Polygon', 'LineString']]],
    paint: { 'line-color': COLOURS.draft, 'line-width': 3 },
  },
  {
    id: 'f-draft-point',
    type: 'circle',
    source: 'f-draft',
    filter: ['==', ['geometry-type'], 'Point'],
    paint: {
      'circle-color': COLOURS.draft,
      'circle-radius': 7,
      'circle-stroke-color': '#fff',
      'circle-stroke-width': 2,
    },
  },
];

function padded(b: Bbox): [[number, number], [number, number]] {
  const dx = Math.max(b[2] - b[0], 0.002) * 0.1;
  const dy = Math.max(b[3] - b[1], 0.002) * 0.1;
  return [
    [b[0] - dx, b[1] - dy],
    [b[2] + dx, b[3] + dy],
  ];
}

export function FieldMap({
  config,
  archive,
  layers,
  draft,
  fitTo,
  onMapClick,
  onMove,
  label,
}: {
  config: ServerConfig | null;
  archive: BasemapArchive | null;
  layers: AreaLayers;
  draft?: Feature[];
  fitTo: Bbox | null;
  onMapClick?: (lon: number, lat: number) => void;
  /** The map's view, as it moves (to choose an area by it). */
  onMove?: (bbox: Bbox) => void;
  label: string;
}) {
  const { t, locale } = useI18n();
  const container = useRef<HTMLDivElement>(null);
  const mapRef = useRef<MlMap | null>(null);
  const [loaded, setLoaded] = useState(false);
  const clickRef = useRef(onMapClick);
  clickRef.current = onMapClick;
  const moveRef = useRef(onMove);
  moveRef.current = onMove;

  // biome-ignore lint/correctness/useExhaustiveDependencies: the map is made once per basemap and language; data follows below
  useEffect(() => {
    if (!container.current) return;
    let map: MlMap;
    try {
      map = new MaplibreMap({
        container: container.current,
        style: fieldStyle(config, archive, locale),
        bounds: padded(fitTo ?? DEFAULT_BOUNDS),
        attributionControl: false,
        locale: {
          'ScaleControl.Meters': t('map.scaleMetres'),
          'ScaleControl.Kilometers': t('map.scaleKilometres'),
          'NavigationControl.ZoomIn': t('map.zoomIn'),
          'NavigationControl.ZoomOut': t('map.zoomOut'),
        },
      });
    } catch {
      return;
    }
    (container.current as HTMLDivElement & { maplibre?: MlMap }).maplibre = map;
    const rtl = document.documentElement.dir === 'rtl';
    map.addControl(new NavigationControl({ showCompass: false }), rtl ? 'top-left' : 'top-right');
    map.addControl(new ScaleControl({ unit: 'metric', maxWidth: 120 }), rtl ? 'bottom-left' : 'bottom-right');
    map.on('error', () => {});
    map.on('click', (e) =>
      clickRef.current?.(Number(e.lngLat.lng.toFixed(7)), Number(e.lngLat.lat.toFixed(7))),
    );
    const moved = () => {
      const b = map.getBounds();
      moveRef.current?.([b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]);
    };
    map.on('moveend', moved);
    map.on('load', () => {
      for (const r of [...AREA_REGISTERS, 'draft']) map.addSource(`f-${r}`, { type: 'geojson', data: empty });
      for (const l of AREA_LAYERS) map.addLayer(l);
      mapRef.current = map;
      setLoaded(true);
      moved();
    });
    return () => {
      map.remove();
      mapRef.current = null;
      setLoaded(false);
    };
  }, [config, archive, locale]);

  useEffect(() => {
    const map = mapRef.current;
    if (!map || !loaded) return;
    for (const r of AREA_REGISTERS)
      (map.getSource(`f-${r}`) as GeoJSONSource | undefined)?.setData({
        type: 'FeatureCollection',
        features: layers[r] ?? [],
      });
  }, [layers, loaded]);

  useEffect(() => {
    const map = mapRef.current;
    if (!map || !loaded) return;
    (map.getSource('f-draft') as GeoJSONSource | undefined)?.setData({
      type: 'FeatureCollection',
      features: draft ?? [],
    });
  }, [draft, loaded]);

  const fitKey = fitTo ? fitTo.join(',') : '';
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !loaded || !fitKey) return;
    map.fitBounds(padded(fitKey.split(',').map(Number) as Bbox), { duration: 0, padding: 16, maxZoom: 17 });
  }, [fitKey, loaded]);

  return (
    <section className="field-map" aria-label={label}>
      <div
        ref={container}
        className="field-map-canvas"
        data-testid="field-map"
        data-loaded={loaded ? 'true' : 'false'}
      />
      {!loaded && <div className="map-status">{t('map.loading')}</div>}
    </section>
  );
}
