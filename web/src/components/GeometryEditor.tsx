import type { Feature, Geometry, Polygon, Position } from 'geojson';
import type { Map as MlMap } from 'maplibre-gl';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { TerraDraw, TerraDrawPolygonMode } from 'terra-draw';
import { TerraDrawMapLibreGLAdapter } from 'terra-draw-maplibre-gl-adapter';
import type { ProblemItem } from '../api/types.ts';
import {
  type AreaGeometry,
  geometryToText,
  type ParsedArea,
  parseArea,
  textLines,
} from '../geo/area-text.ts';
import { useI18n } from '../i18n/index.tsx';
import { useProgrammeExtent } from '../lib/extent.ts';
import { type Bbox, bboxOf, MapView } from './MapView.tsx';

export type { AreaGeometry };

function vertexOf(g: AreaGeometry | null, loc: ProblemItem['location']): Position | null {
  if (!g || !loc || loc.vertex === undefined) return null;
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  const p = polys[loc.polygon ?? 0];
  const ring = p?.[loc.ring ?? 0];
  return ring?.[loc.vertex] ?? null;
}

export function GeometryEditor({
  id,
  value,
  onChange,
  problems,
  context,
  drawOn,
}: {
  id: string;
  value: AreaGeometry | null;
  onChange: (g: AreaGeometry | null) => void;
  problems: ProblemItem[];
  /** A parent geometry drawn for reference (the hazard a land-release polygon lies in). */
  context?: Geometry | null;
  /**
   * Draw on a map the page already shows (the report's one map) instead of a map of this
   * editor's own: `start` asks the page to draw, `drawing` says it does, `cancel` stops it.
   */
  drawOn?: { start: (mode: 'replace' | 'add') => void; drawing: boolean; cancel: () => void };
}) {
  const { t } = useI18n();
  const [text, setText] = useState(() => geometryToText(value));
  const [textErrors, setTextErrors] = useState<ParsedArea['errors']>([]);
  const [lineMap, setLineMap] = useState<number[][][]>(() => textLines(value));
  const [drawing, setDrawing] = useState<null | 'replace' | 'add'>(null);
  const drawRef = useRef<TerraDraw | null>(null);
  const valueRef = useRef(value);
  valueRef.current = value;
  const drawingRef = useRef(drawing);
  drawingRef.current = drawing;
  // A shape replaced from outside (drawn on the page's map) shows in the text box too.
  const shown = useRef(value);
  useEffect(() => {
    if (value === shown.current) return;
    shown.current = value;
    setText(geometryToText(value));
    setTextErrors([]);
    setLineMap(textLines(value));
  }, [value]);
  const programme = useProgrammeExtent();
  const [fit, setFit] = useState<Bbox | null>(() => bboxOf([value, context ?? null]));
  // A new record opens on the programme, or on the parent hazard once it is known.
  useEffect(() => {
    setFit((cur) => cur ?? bboxOf([context ?? null]) ?? programme);
  }, [programme, context]);

  const applyGeometry = useCallback(
    (g: AreaGeometry | null) => {
      shown.current = g;
      onChange(g);
      setText(geometryToText(g));
      setTextErrors([]);
      setLineMap(textLines(g));
    },
    [onChange],
  );
  const applyRef = useRef(applyGeometry);
  applyRef.current = applyGeometry;

  const onReady = useCallback((map: MlMap) => {
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
    draw.on('finish', (featureId) => {
      const f = draw.getSnapshotFeature(featureId);
      if (f?.geometry.type !== 'Polygon') return;
      const drawn = f.geometry as Polygon;
      const current = valueRef.current;
      let next: AreaGeometry = drawn;
      if (drawingRef.current === 'add' && current) {
        const polys = current.type === 'Polygon' ? [current.coordinates] : current.coordinates;
        next = { type: 'MultiPolygon', coordinates: [...polys, drawn.coordinates] };
      }
      // The drawn shape now lives in the form's value (drawn by the overlay); the draw store starts empty again.
      draw.clear();
      draw.setMode('static');
      setDrawing(null);
      applyRef.current({ ...next, coordinates: next.coordinates } as AreaGeometry);
    });
    drawRef.current = draw;
  }, []);

  useEffect(
    () => () => {
      try {
        drawRef.current?.stop();
      } catch {
        // the map may already be gone
      }
    },
    [],
  );

  const startDrawing = (mode: 'replace' | 'add') => {
    if (drawOn) {
      drawOn.start(mode);
      return;
    }
    const draw = drawRef.current;
    if (!draw) return;
    draw.clear();
    draw.setMode('polygon');
    setDrawing(mode);
  };
  const cancelDrawing = () => {
    if (drawOn) {
      drawOn.cancel();
      return;
    }
    drawRef.current?.clear();
    drawRef.current?.setMode('static');
    setDrawing(null);
  };

  const applyText = () => {
    const parsed = parseArea(text);
    setTextErrors(parsed.errors);
    setLineMap(parsed.lines);
    if (parsed.errors.length === 0) {
      shown.current = parsed.geometry;
      onChange(parsed.geometry);
      setFit(bboxOf([parsed.geometry]));
    }
  };

  const markers = useMemo(() => {
    const feats: Feature[] = [];
    if (context) feats.push({ type: 'Feature', geometry: context, properties: { colour: '#6b7280' } });
    if (value) feats.push({ type: 'Feature', geometry: value, properties: {} });
    for (const p of problems) {
      const v = vertexOf(value, p.location);
      if (v)
        feats.push({
          type: 'Feature',
          geometry: { type: 'Point', coordinates: v },
          properties: { colour: '#d00000', radius: 8 },
        });
    }
    return { type: 'FeatureCollection' as const, features: feats };
  }, [value, problems, context]);

  const problemLine = (p: ProblemItem): number | null => {
    const loc = p.location;
    if (!loc || loc.vertex === undefined) return null;
    const lines = lineMap[loc.polygon ?? 0]?.[loc.ring ?? 0];
    if (!lines) return null;
    // The closing vertex is the first one again.
    return lines[loc.vertex] ?? lines[0] ?? null;
  };

  const problemsId = `${id}-problems`;
  return (
    <div className="geometry-editor" data-testid="geometry-editor">
      <div className="geometry-tools">
        {(drawOn ? drawOn.drawing : drawing) ? (
          <>
            <span className="hint" role="status">
              {t('geometry.drawingHint')}
            </span>
            <button type="button" onClick={cancelDrawing}>
              {t('action.cancel')}
            </button>
          </>
        ) : (
          <>
            <button type="button" onClick={() => startDrawing('replace')} data-testid="draw-polygon">
              {value ? t('geometry.redraw') : t('geometry.draw')}
            </button>
            {value && (
              <button type="button" onClick={() => startDrawing('add')}>
                {t('geometry.addPolygon')}
              </button>
            )}
            {value && (
              <button type="button" onClick={() => applyGeometry(null)}>
                {t('geometry.clear')}
              </button>
            )}
          </>
        )}
      </div>
      {!drawOn && (
        <MapView
          className={`form-map ${drawing ? 'drawing' : ''}`}
          label={t('geometry.mapLabel')}
          thematic={false}
          overlay={markers}
          fitTo={fit}
          onReady={onReady}
        />
      )}
      <label htmlFor={id} className="sub-label">
        {t('geometry.typeCoordinates')}
      </label>
      <p className="hint" id={`${id}-hint`}>
        {t('geometry.typeHint')}
      </p>
      <textarea
        id={id}
        dir="ltr"
        rows={6}
        value={text}
        onChange={(e) => setText(e.target.value)}
        aria-describedby={`${id}-hint ${problemsId}`}
        aria-invalid={problems.length > 0 || textErrors.length > 0 || undefined}
        data-testid="coordinates-text"
        spellCheck={false}
      />
      <button type="button" onClick={applyText} data-testid="apply-coordinates">
        {t('geometry.applyCoordinates')}
      </button>
      <ul id={problemsId} className="field-problems" aria-live="polite">
        {textErrors.map((e) => (
          <li key={`t${e.line}`} className="error">
            {t('geometry.lineProblem', { line: e.line, message: t(e.code) })}
          </li>
        ))}
        {problems.map((p, i) => {
          const line = problemLine(p);
          const text = p.detail ?? p.code;
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: problems have no identity of their own
            <li key={i} className="error" data-testid="geometry-problem">
              {line !== null
                ? t('geometry.vertexProblem', { vertex: (p.location?.vertex ?? 0) + 1, line, message: text })
                : text}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
