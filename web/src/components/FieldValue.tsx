import type { Point } from 'geojson';
import { formatLatLon } from '../geo/coords.ts';
import { useI18n } from '../i18n/index.tsx';
import { useLabel } from '../lib/options.ts';
import { ENUM_FIELDS, REF_TARGETS } from '../lib/registers.ts';
import { Link } from '../lib/router.tsx';

function RefValue({ slug, id }: { slug: string; id: string }) {
  const label = useLabel(slug, id) ?? id.slice(0, 8);
  return <Link to={`/registers/${slug}/${id}`}>{label}</Link>;
}

/** One field's value for reading: code lists translated, areas with units, dates for the locale. */
export function FieldValue({ name, value }: { name: string; value: unknown }) {
  const { tk, num, date, dateTime, area } = useI18n();
  if (value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0))
    return <span className="muted">—</span>;
  if (REF_TARGETS[name] && typeof value === 'string') return <RefValue slug={REF_TARGETS[name]} id={value} />;
  if (name.endsWith('M2') && typeof value === 'number') return <>{area(value)}</>;
  if ((name === 'createdAt' || name === 'updatedAt') && typeof value === 'string')
    return <>{dateTime(value)}</>;
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return <>{date(value)}</>;
  if (typeof value === 'number') return <>{num(value)}</>;
  if (typeof value === 'boolean') return <>{tk(`vocab.${value ? 'yes' : 'no'}`, String(value))}</>;
  // Only code-list values are translated; free text that happens to match a code stays as typed.
  if (typeof value === 'string') return <>{ENUM_FIELDS.has(name) ? tk(`vocab.${value}`, value) : value}</>;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string'))
    return <>{value.map((v) => tk(`vocab.${v}`, v)).join(', ')}</>;
  if (typeof value === 'object' && (value as Point).type === 'Point') {
    const [lon, lat] = (value as Point).coordinates;
    return <span dir="ltr">{formatLatLon(lon, lat)}</span>;
  }
  return <pre className="json">{JSON.stringify(value, null, 2)}</pre>;
}
