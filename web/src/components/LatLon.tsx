import { formatLatLon } from '../geo/coords.ts';

/**
 * A position as text: latitude first, always left to right (isolated), so that it reads the same
 * on a page in Arabic as in English.
 */
export function LatLon({ lon, lat }: { lon: number; lat: number }) {
  return (
    <bdi dir="ltr" className="latlon">
      {formatLatLon(lon, lat)}
    </bdi>
  );
}
