import type { Map as MlMap } from 'maplibre-gl';
import { useEffect, useState } from 'react';
import { fromLonLat, gaussKrugerCrsForLon, gkZoneForLon } from '../../../src/geo/crs.ts';
import { formatLatLon, toMgrs } from '../geo/coords.ts';
import { useI18n } from '../i18n/index.tsx';

/**
 * Pulkovo 1942 / Gauss-Krüger 6° coordinates (X northing, Y easting with zone prefix), as
 * legacy minefield records give them; null outside the zones EPSG defines.
 */
function gaussKruger(lon: number, lat: number): { zone: number; x: number; y: number } | null {
  try {
    const [x, y] = fromLonLat(gaussKrugerCrsForLon(lon), lon, lat);
    return { zone: gkZoneForLon(lon), x, y };
  } catch {
    return null;
  }
}

/** Coordinates under the pointer: WGS 84 decimal degrees, MGRS and Pulkovo 1942 / Gauss-Krüger. */
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
          <GaussKruger lon={pos[0]} lat={pos[1]} />
        </>
      ) : (
        <span className="muted">{t('coords.hint')}</span>
      )}
    </div>
  );
}

function GaussKruger({ lon, lat }: { lon: number; lat: number }) {
  const { t } = useI18n();
  const gk = gaussKruger(lon, lat);
  if (!gk) return null;
  return (
    <span>
      <abbr title={t('coords.gkTitle')}>{t('coords.gkZone', { zone: gk.zone })}</abbr> X {gk.x.toFixed(0)} Y{' '}
      {gk.y.toFixed(0)}
    </span>
  );
}
