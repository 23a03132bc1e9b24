import type { Point } from 'geojson';
import type { MapMouseEvent, Map as MlMap } from 'maplibre-gl';
import { useCallback, useEffect, useRef, useState } from 'react';
import { formatLatLon, parsePosition, toMgrs } from '../geo/coords.ts';
import { useI18n } from '../i18n/index.tsx';
import { useProgrammeExtent } from '../lib/extent.ts';
import { type Bbox, MapView } from './MapView.tsx';

/**
 * A position typed in any notation (decimal degrees, DMS, UTM, MGRS) or picked on the map.
 * The parsed position is shown back in decimal degrees and MGRS so a typo is visible.
 */
export function PointInput({
  id,
  value,
  onChange,
  withMap,
  invalid,
  describedBy,
}: {
  id: string;
  value: Point | null;
  onChange: (p: Point | null) => void;
  withMap: boolean;
  invalid?: boolean;
  describedBy?: string;
}) {
  const { t } = useI18n();
  const [text, setText] = useState(() =>
    value ? formatLatLon(value.coordinates[0], value.coordinates[1]) : '',
  );
  const [parseError, setParseError] = useState<string | null>(null);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;

  const commit = (s: string) => {
    setText(s);
    if (!s.trim()) {
      setParseError(null);
      onChange(null);
      return;
    }
    const r = parsePosition(s);
    if (r.ok) {
      setParseError(null);
      onChange({ type: 'Point', coordinates: r.position });
    } else {
      setParseError(t(r.code));
    }
  };

  const onReady = useCallback((map: MlMap) => {
    map.on('click', (e: MapMouseEvent) => {
      const p: Point = {
        type: 'Point',
        coordinates: [Number(e.lngLat.lng.toFixed(7)), Number(e.lngLat.lat.toFixed(7))],
      };
      setText(formatLatLon(p.coordinates[0], p.coordinates[1]));
      setParseError(null);
      onChangeRef.current(p);
    });
    map.getCanvas().style.cursor = 'crosshair';
  }, []);

  // Keep the text in step when the value is replaced from outside (a click on the map).
  const lon = value?.coordinates[0];
  const lat = value?.coordinates[1];
  useEffect(() => {
    if (lon === undefined || lat === undefined) return;
    setText((cur) => {
      const r = parsePosition(cur);
      return r.ok && r.position[0] === lon && r.position[1] === lat ? cur : formatLatLon(lon, lat);
    });
  }, [lon, lat]);

  const fit: Bbox | null = value
    ? [value.coordinates[0], value.coordinates[1], value.coordinates[0], value.coordinates[1]]
    : null;
  const programme = useProgrammeExtent();
  const [initialFit] = useState(fit);
  const hintId = `${id}-hint`;
  return (
    <div className="point-input">
      <input
        id={id}
        type="text"
        dir="ltr"
        value={text}
        onChange={(e) => setText(e.target.value)}
        onBlur={(e) => commit(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            commit((e.target as HTMLInputElement).value);
          }
        }}
        aria-invalid={invalid || !!parseError || undefined}
        aria-describedby={[hintId, describedBy].filter(Boolean).join(' ')}
        placeholder={t('coords.pointPlaceholder')}
      />
      <p id={hintId} className="hint">
        {parseError ? (
          <span className="error">{parseError}</span>
        ) : value ? (
          <span dir="ltr">
            {formatLatLon(value.coordinates[0], value.coordinates[1])} · MGRS{' '}
            {toMgrs(value.coordinates[0], value.coordinates[1]) ?? '—'}
          </span>
        ) : (
          t(withMap ? 'coords.pointHint' : 'coords.pointHintNoMap')
        )}
      </p>
      {withMap && (
        <MapView
          className="form-map small"
          label={t('coords.pickOnMap')}
          thematic={false}
          overlay={value ? { type: 'Feature', geometry: value, properties: {} } : null}
          fitTo={initialFit ?? programme}
          onReady={onReady}
        />
      )}
    </div>
  );
}
