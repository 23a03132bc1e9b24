import type { Map as MlMap } from 'maplibre-gl';
import { useEffect, useState } from 'react';
import { formatLatLon, toMgrs } from '../geo/coords.ts';
import { useI18n } from '../i18n/index.tsx';

/** Coordinates under the pointer: WGS 84 decimal degrees and MGRS. */
export function CursorCoordinates({ map }: { map: MlMap }) {
  const { t } = useI18n();
  const [pos, setPos] = useState<[number, number] | null>(null);
  useEffect(() => {
    const move = (e: { lngLat: { lng: number; lat: number } }) => setPos([e.lngLat.lng, e.lngLat.lat]);
    const out = () => setPos(null);
    map.on('mousemove', move);
    map.getCanvas().addEventListener('mouseleave', out);
    return () => {
      map.off('mousemove', move);
      map.getCanvas().removeEventListener('mouseleave', out);
    };
  }, [map]);
  return (
    <div className="cursor-coords" aria-live="off" data-testid="cursor-coords" dir="ltr">
      {pos ? (
        <>
          <span>
            <abbr title={t('coords.wgs84Title')}>WGS 84</abbr> {formatLatLon(pos[0], pos[1])}
          </span>
          <span>
            <abbr title={t('coords.mgrsTitle')}>MGRS</abbr> {toMgrs(pos[0], pos[1]) ?? '—'}
          </span>
        </>
      ) : (
        <span className="muted">{t('coords.hint')}</span>
      )}
    </div>
  );
}
