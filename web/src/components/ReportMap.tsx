import type { Feature, FeatureCollection, Geometry, Point, Polygon } from 'geojson';
import type { MapGeoJSONFeature, MapMouseEvent, MapTouchEvent, Map as MlMap } from 'maplibre-gl';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { TerraDraw, TerraDrawPolygonMode } from 'terra-draw';
import { TerraDrawMapLibreGLAdapter } from 'terra-draw-maplibre-gl-adapter';
import { useI18n } from '../i18n/index.tsx';
import type { TileLayer } from '../map/style.ts';
import { type Bbox, bboxOf, MapView } from './MapView.tsx';

/**
 * The one map of a report, in its form and in its review: the register around the report's
 * hazard(s) as context (Safeground's own tiles), and every change of the report drawn on top
 * from GeoJSON. A page holds one WebGL context however many changes the report has.
 */

/** What a drawn item is: the hazard (context), the record before the report, or the report's own change. */
export type MapItemRole = 'hazard' | 'before' | 'released' | 'found' | 'after' | 'evidence';

export interface MapItem {
  /** Selection key shared with the list beside the map; context items have their own key. */
  key: string;
  geometry: Geometry;
  role: MapItemRole;
  /** Points of the report that may be dragged to a new position. */
  movable?: boolean;
  /** A change the check of the report found a problem or warning in: drawn in the problem colour. */
  problem?: boolean;
}

export const ROLE_COLOURS: Record<MapItemRole, string> = {
  hazard: '#6b7280',
  before: '#6b7280',
  released: '#0057b8',
  found: '#0057b8',
  after: '#d9480f',
  evidence: '#7048e8',
};
export const SELECTED_COLOUR = '#f59f00';
export const PROBLEM_COLOUR = '#c92a2a';

/** The register's layers shown around a report. */
const CONTEXT_LAYERS: ReadonlySet<TileLayer> = new Set<TileLayer>([
  'admin-areas',
  'settlements',
  'hazards',
  'land-release',
  'findings',
  'minefield-records',
]);

const SELECTABLE: MapItemRole[] = ['released', 'found', 'after', 'evidence'];

/**
 * Where each piece of a record's evidence was seen (the `location` points of a hazard's
 * `evidence`), drawn with the change that holds them. Example: a mine sign and an accident
 * report each located → two points.
 */
export function evidencePoints(props: Record<string, unknown> | undefined): Point[] {
  const items = props?.evidence;
  if (!Array.isArray(items)) return [];
  return items.flatMap((e) => {
    const at = (e as { location?: unknown } | null)?.location as Point | null | undefined;
    return at?.type === 'Point' && Array.isArray(at.coordinates) ? [at] : [];
  });
}
const OVERLAY_LAYERS = ['overlay-point', 'overlay-line', 'overlay-fill'];

const roundPoint = (lng: number, lat: number): Point => ({
  type: 'Point',
  coordinates: [Number(lng.toFixed(7)), Number(lat.toFixed(7))],
});

export interface ReportMapProps {
  items: MapItem[];
  selected: string | null;
  onSelect: (key: string) => void;
  /** Where the map looks: the hazard, or all of the report; refitted when the extent changes. */
  fitTo: Bbox | null;
  /** A finding being placed: the next click on the map puts it there. */
  placing?: string | null;
  onPlace?: (key: string, p: Point) => void;
  onMove?: (key: string, p: Point) => void;
  /** A land-release polygon being drawn (terra-draw), and what to do with the drawn ring. */
  drawing?: string | null;
  onDrawn?: (key: string, polygon: Polygon) => void;
  label: string;
}

function padded(e: MapMouseEvent | MapTouchEvent): [[number, number], [number, number]] {
  const { x, y } = e.point;
  return [
    [x - 6, y - 6],
    [x + 6, y + 6],
  ];
}

export function ReportMap({
  items,
  selected,
  onSelect,
  fitTo,
  placing = null,
  onPlace,
  onMove,
  drawing = null,
  onDrawn,
  label,
}: ReportMapProps) {
  const { t } = useI18n();
  const mapRef = useRef<MlMap | null>(null);
  const [ready, setReady] = useState(false);
  // The newest props, read by the map's event handlers (bound once, when the map is ready).
  const live = useRef({ placing, drawing, onSelect, onPlace, onMove, onDrawn });
  live.current = { placing, drawing, onSelect, onPlace, onMove, onDrawn };
  const [drag, setDrag] = useState<{ key: string; point: Point } | null>(null);
  const movable = useRef(new Set<string>());
  movable.current = new Set(items.filter((i) => i.movable).map((i) => i.key));

  const overlay = useMemo<FeatureCollection>(() => {
    const features: Feature[] = [];
    let chosen: Feature[] = [];
    for (const it of items) {
      const isSelected = it.key === selected;
      const geometry = drag && drag.key === it.key ? drag.point : it.geometry;
      const f: Feature = {
        type: 'Feature',
        geometry,
        properties: {
          key: it.key,
          role: it.role,
          colour: isSelected ? SELECTED_COLOUR : it.problem ? PROBLEM_COLOUR : ROLE_COLOURS[it.role],
          radius: isSelected ? 9 : it.role === 'found' ? 6 : 5,
        },
      };
      if (isSelected) chosen = [...chosen, f];
      else features.push(f);
    }
    // Context first (underneath), the selected change last (on top).
    features.sort(
      (a, b) => Number(a.properties?.role !== 'hazard') - Number(b.properties?.role !== 'hazard'),
    );
    return { type: 'FeatureCollection', features: [...features, ...chosen] };
  }, [items, selected, drag]);

  const onReady = useCallback((map: MlMap) => {
    mapRef.current = map;
    const keyAt = (e: MapMouseEvent | MapTouchEvent): MapGeoJSONFeature | undefined =>
      map
        .queryRenderedFeatures(padded(e), { layers: OVERLAY_LAYERS.filter((l) => map.getLayer(l)) })
        .find((f) => SELECTABLE.includes(f.properties?.role as MapItemRole));
    map.on('click', (e: MapMouseEvent) => {
      const now = live.current;
      if (now.drawing) return;
      if (now.placing) {
        now.onPlace?.(now.placing, roundPoint(e.lngLat.lng, e.lngLat.lat));
        return;
      }
      const f = keyAt(e);
      if (f) now.onSelect(String(f.properties.key));
    });
    // Points of the report are moved by dragging them (mouse or one finger).
    const startDrag = (e: MapMouseEvent | MapTouchEvent, key: string) => {
      e.preventDefault();
      live.current.onSelect(key);
      let last: Point | null = null;
      const move = (ev: MapMouseEvent | MapTouchEvent) => {
        last = roundPoint(ev.lngLat.lng, ev.lngLat.lat);
        setDrag({ key, point: last });
      };
      const end = () => {
        map.off('mousemove', move);
        map.off('touchmove', move);
        map.getCanvas().style.cursor = '';
        if (last) live.current.onMove?.(key, last);
        setDrag(null);
      };
      map.getCanvas().style.cursor = 'grabbing';
      map.on('mousemove', move);
      map.on('touchmove', move);
      map.once('mouseup', end);
      map.once('touchend', end);
    };
    const movableAt = (e: MapMouseEvent | MapTouchEvent): string | null => {
      if (live.current.placing || live.current.drawing || !map.getLayer('overlay-point')) return null;
      const f = map
        .queryRenderedFeatures(padded(e), { layers: ['overlay-point'] })
        .find((x) => movable.current.has(String(x.properties?.key)));
      return f ? String(f.properties.key) : null;
    };
    map.on('mousedown', (e) => {
      const key = movableAt(e);
      if (key) startDrag(e, key);
    });
    map.on('touchstart', (e) => {
      if (e.originalEvent.touches.length !== 1) return;
      const key = movableAt(e);
      if (key) startDrag(e, key);
    });
    for (const id of OVERLAY_LAYERS) {
      map.on('mouseenter', id, () => {
        if (!live.current.placing && !live.current.drawing) map.getCanvas().style.cursor = 'pointer';
      });
      map.on('mouseleave', id, () => {
        if (!live.current.placing && !live.current.drawing) map.getCanvas().style.cursor = '';
      });
    }
    setReady(true);
  }, []);

  // terra-draw runs only while a polygon is drawn: it takes the pointer events, which would
  // keep points from being dragged the rest of the time.
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !ready || !drawing) return;
    const draw = new TerraDraw({
      adapter: new TerraDrawMapLibreGLAdapter({ map }),
      modes: [
        new TerraDrawPolygonMode({
          styles: {
            fillColor: '#0057b8',
            outlineColor: '#0057b8',
            closingPointColor: '#ffffff',
            closingPointOutlineColor: '#0057b8',
          },
        }),
      ],
    });
    draw.start();
    draw.setMode('polygon');
    draw.on('finish', (featureId) => {
      const f = draw.getSnapshotFeature(featureId);
      const key = live.current.drawing;
      if (f?.geometry.type === 'Polygon' && key) live.current.onDrawn?.(key, f.geometry as Polygon);
    });
    return () => {
      try {
        draw.stop();
      } catch {
        // the map may already be gone
      }
    };
  }, [drawing, ready]);

  useEffect(() => {
    const map = mapRef.current;
    if (map) map.getCanvas().style.cursor = placing || drawing ? 'crosshair' : '';
  }, [placing, drawing]);

  // A change chosen in the list comes into view if it is outside it.
  const selectedItem = items.find((i) => i.key === selected);
  const selectedBox = selectedItem ? bboxOf([selectedItem.geometry])?.join(',') : undefined;
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !selectedBox) return;
    const [w, s, e, n] = selectedBox.split(',').map(Number);
    const b = map.getBounds();
    if (b.contains([w, s]) && b.contains([e, n])) return;
    map.easeTo({ center: [(w + e) / 2, (s + n) / 2], duration: 300 });
  }, [selectedBox]);

  return (
    <div className={`report-map ${placing || drawing ? 'picking' : ''}`}>
      <MapView
        className="report-map-view"
        label={label}
        visible={CONTEXT_LAYERS}
        overlay={overlay}
        fitTo={fitTo}
        onReady={onReady}
      />
      <ul className="legend-inline" data-testid="report-map-legend">
        <LegendItem colour={ROLE_COLOURS.hazard} label={t('reportMap.hazard')} />
        {items.some((i) => i.role === 'before') && (
          <LegendItem colour={ROLE_COLOURS.before} label={t('report.before')} />
        )}
        {items.some((i) => i.role === 'released' || i.role === 'found') && (
          <LegendItem colour={ROLE_COLOURS.released} label={t('reportMap.thisReport')} />
        )}
        {items.some((i) => i.role === 'after') && (
          <LegendItem colour={ROLE_COLOURS.after} label={t('report.after')} />
        )}
        {items.some((i) => i.role === 'evidence') && (
          <LegendItem
            colour={ROLE_COLOURS.evidence}
            label={t('reportMap.evidence')}
            testId="legend-evidence"
          />
        )}
        {items.some((i) => i.problem) && (
          <LegendItem colour={PROBLEM_COLOUR} label={t('reportMap.problem')} testId="legend-problem" />
        )}
        <LegendItem colour={SELECTED_COLOUR} label={t('reportMap.selected')} />
        <li className="muted">{t('reportMap.registerAround')}</li>
      </ul>
    </div>
  );
}

/** One entry of a map's legend: its colour and what it stands for. */
export function LegendItem({ colour, label, testId }: { colour: string; label: string; testId?: string }) {
  return (
    <li data-testid={testId}>
      <span className="legend-swatch legend-box" style={{ background: colour }} aria-hidden="true" />
      {label}
    </li>
  );
}
