import type { Feature, FeatureCollection, Geometry } from 'geojson';
import {
  type GeoJSONSource,
  type LngLatBoundsLike,
  Map as MaplibreMap,
  type Map as MlMap,
  NavigationControl,
  ScaleControl,
  type StyleSpecification,
  setRTLTextPlugin,
  setWorkerUrl,
  type VectorTileSource,
} from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import maplibreWorkerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { useEffect, useRef, useState } from 'react';
import { apiHeaders } from '../api/client.ts';
import { useI18n } from '../i18n/index.tsx';
import { useConfig } from '../lib/config.tsx';
import {
  type BasemapArchive,
  buildStyle,
  COLOURS,
  layerIdsOf,
  layerQuery,
  type MapFilters,
  TILE_LAYERS,
  type TileLayer,
  tileUrl,
} from '../map/style.ts';

// MapLibre finds its worker next to its own module, which a bundle does not keep: name it.
setWorkerUrl(maplibreWorkerUrl);
// Arabic labels need shaping and right-to-left layout: the plugin comes from Safeground itself
// (as a module, which the worker imports without eval) and loads only when such text appears.
if (typeof window !== 'undefined')
  setRTLTextPlugin(`${window.location.origin}/basemap/rtl-text.mjs`, true).catch(() => undefined);

export type Bbox = [number, number, number, number];

/** Fallback view (the South Caucasus) until the programme's own extent is known. */
export const DEFAULT_BOUNDS: Bbox = [43.4, 38.3, 50.9, 42.0];

export function bboxOf(geoms: (Geometry | null | undefined)[]): Bbox | null {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  const visit = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') {
      const [x, y] = c as number[];
      if (x < minX) minX = x;
      if (y < minY) minY = y;
      if (x > maxX) maxX = x;
      if (y > maxY) maxY = y;
    } else if (Array.isArray(c)) for (const x of c) visit(x);
  };
  for (const g of geoms) {
    if (!g) continue;
    if (g.type === 'GeometryCollection')
      for (const x of g.geometries) visit('coordinates' in x ? x.coordinates : null);
    else visit(g.coordinates);
  }
  return Number.isFinite(minX) ? [minX, minY, maxX, maxY] : null;
}

export interface MapViewProps {
  filters?: MapFilters;
  /** Thematic groups shown; all when omitted. */
  visible?: ReadonlySet<TileLayer>;
  /** Geometry drawn on top (a record on its page, the form's draft). */
  overlay?: FeatureCollection | Feature | null;
  fitTo?: Bbox | null;
  onReady?: (map: MlMap) => void;
  className?: string;
  label: string;
  /** Show thematic layers (hazards, findings …); a record's small map shows only its own geometry on the basemap. */
  thematic?: boolean;
}

function padBbox(b: Bbox): LngLatBoundsLike {
  // A point's bbox has no size; widen it to about a kilometre so the map can zoom to it.
  const dx = Math.max(b[2] - b[0], 0.01) * 0.1;
  const dy = Math.max(b[3] - b[1], 0.01) * 0.1;
  return [
    [b[0] - dx, b[1] - dy],
    [b[2] + dx, b[3] + dy],
  ];
}

async function styleFor(
  config: ReturnType<typeof useConfig>,
  filters: MapFilters,
  lang: string,
): Promise<StyleSpecification> {
  const basemap = config?.basemap;
  let archive: BasemapArchive | null = null;
  if (basemap?.archive) {
    try {
      const res = await fetch(`${window.location.origin}/basemap/tiles.json`);
      if (res.ok) archive = (await res.json()) as BasemapArchive;
    } catch {
      archive = null;
    }
  }
  const own = buildStyle(config, filters, lang, archive);
  if (basemap?.url && basemap.type === 'vector') {
    // A vector basemap is a whole style: its layers go underneath ours.
    try {
      const res = await fetch(basemap.url);
      const ext = (await res.json()) as StyleSpecification;
      return {
        ...ext,
        sources: { ...ext.sources, ...own.sources },
        layers: [
          ...ext.layers,
          ...own.layers.filter((l) => l.id !== 'background' && l.id !== 'admin-areas-fill'),
        ],
      };
    } catch {
      return own;
    }
  }
  return own;
}

export function MapView({
  filters,
  visible,
  overlay,
  fitTo,
  onReady,
  className,
  label,
  thematic = true,
}: MapViewProps) {
  const { t, locale } = useI18n();
  const config = useConfig();
  const container = useRef<HTMLDivElement>(null);
  const mapRef = useRef<MlMap | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [failed, setFailed] = useState(false);
  const filterKey = JSON.stringify(filters ?? {});
  const firstFilters = useRef(filters ?? {});

  // biome-ignore lint/correctness/useExhaustiveDependencies: the map is created once per config; later prop changes are applied below
  useEffect(() => {
    if (!container.current || !config) return;
    let map: MlMap | null = null;
    let cancelled = false;
    styleFor(config, firstFilters.current, locale).then((style) => {
      if (cancelled || !container.current) return;
      try {
        map = new MaplibreMap({
          container: container.current,
          style,
          bounds: padBbox(fitTo ?? DEFAULT_BOUNDS),
          attributionControl:
            config.basemap?.attribution || config.basemap?.archive ? { compact: true } : false,
          // The controls' words in the reader's language (the scale's units above all).
          locale: {
            'ScaleControl.Meters': t('map.scaleMetres'),
            'ScaleControl.Kilometers': t('map.scaleKilometres'),
            'NavigationControl.ZoomIn': t('map.zoomIn'),
            'NavigationControl.ZoomOut': t('map.zoomOut'),
          },
          // Kept after drawing, so a printed page shows the map too.
          canvasContextAttributes: { preserveDrawingBuffer: true },
          transformRequest: (url: string) => {
            if (url.startsWith(`${window.location.origin}/tiles/`)) {
              return { url, headers: apiHeaders(), credentials: 'same-origin' };
            }
            return { url };
          },
        });
      } catch {
        setFailed(true);
        return;
      }
      const m = map;
      // The map's own handle on its element, for scripted checks of what it draws.
      (container.current as HTMLDivElement & { maplibre?: MlMap }).maplibre = m;
      const rtl = document.documentElement.dir === 'rtl';
      m.addControl(new NavigationControl({ showCompass: false }), rtl ? 'top-left' : 'top-right');
      m.addControl(new ScaleControl({ unit: 'metric', maxWidth: 120 }), rtl ? 'bottom-left' : 'bottom-right');
      // Tile errors (a filter the server rejects, a tile outside data) must not become console noise.
      m.on('error', () => {});
      m.on('load', () => {
        if (!map) return;
        map.addSource('overlay', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
        map.addLayer({
          id: 'overlay-fill',
          type: 'fill',
          source: 'overlay',
          filter: ['in', ['geometry-type'], ['literal', ['Polygon', 'MultiPolygon']]],
          paint: { 'fill-color': ['coalesce', ['get', 'colour'], COLOURS.draft], 'fill-opacity': 0.2 },
        });
        map.addLayer({
          id: 'overlay-line',
          type: 'line',
          source: 'overlay',
          filter: [
            'in',
            ['geometry-type'],
            ['literal', ['Polygon', 'MultiPolygon', 'LineString', 'MultiLineString']],
          ],
          paint: { 'line-color': ['coalesce', ['get', 'colour'], COLOURS.draft], 'line-width': 2.5 },
        });
        map.addLayer({
          id: 'overlay-point',
          type: 'circle',
          source: 'overlay',
          filter: ['in', ['geometry-type'], ['literal', ['Point', 'MultiPoint']]],
          paint: {
            'circle-color': ['coalesce', ['get', 'colour'], COLOURS.draft],
            'circle-radius': ['coalesce', ['get', 'radius'], 6],
            'circle-stroke-color': '#fff',
            'circle-stroke-width': 2,
          },
        });
        mapRef.current = map;
        setLoaded(true);
        onReady?.(map);
      });
      mapRef.current = map;
    });
    return () => {
      cancelled = true;
      map?.remove();
      mapRef.current = null;
      setLoaded(false);
    };
  }, [config, locale]);

  // Filters go to the tile URLs, so the server filters and the map stays light.
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !loaded) return;
    for (const l of TILE_LAYERS) {
      if (l === 'admin-areas' || l === 'settlements') continue;
      // hazard points follow the hazards' filters
      (map.getSource(l) as VectorTileSource | undefined)?.setTiles([
        tileUrl(l, layerQuery(l, JSON.parse(filterKey))),
      ]);
    }
  }, [filterKey, loaded]);

  useEffect(() => {
    const map = mapRef.current;
    if (!map || !loaded) return;
    for (const l of TILE_LAYERS) {
      const show =
        thematic || l === 'admin-areas' || l === 'settlements' ? (visible ? visible.has(l) : true) : false;
      for (const id of layerIdsOf(l))
        if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', show ? 'visible' : 'none');
    }
  }, [visible, loaded, thematic]);

  useEffect(() => {
    const map = mapRef.current;
    if (!map || !loaded) return;
    const data: FeatureCollection = !overlay
      ? { type: 'FeatureCollection', features: [] }
      : overlay.type === 'Feature'
        ? { type: 'FeatureCollection', features: [overlay] }
        : overlay;
    (map.getSource('overlay') as GeoJSONSource | undefined)?.setData(data);
  }, [overlay, loaded]);

  // Refit only when the extent really changes, not on every new array of the same numbers.
  const fitKey = fitTo ? fitTo.join(',') : '';
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !loaded || !fitKey) return;
    const b = fitKey.split(',').map(Number) as Bbox;
    map.fitBounds(padBbox(b), { duration: 0, padding: 20, maxZoom: 16 });
  }, [fitKey, loaded]);

  return (
    <section className={`map-view ${className ?? ''}`} aria-label={label}>
      <div ref={container} className="map-canvas" data-testid="map" data-loaded={loaded ? 'true' : 'false'} />
      {!loaded && !failed && <div className="map-status">{t('map.loading')}</div>}
      {failed && <div className="map-status">{t('map.webglMissing')}</div>}
    </section>
  );
}
