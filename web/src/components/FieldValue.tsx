import type { Point } from 'geojson';
import { type AreaUnit, useI18n } from '../i18n/index.tsx';
import { countsInput } from '../lib/form-values.ts';
import { useLabel } from '../lib/options.ts';
import { COUNT_ROWS, ENUM_FIELDS, ID_LIST_TARGETS, REF_TARGETS } from '../lib/registers.ts';
import { Link } from '../lib/router.tsx';
import { LatLon } from './LatLon.tsx';
import { CountsInput } from './ListInputs.tsx';

function RefValue({ slug, id }: { slug: string; id: string }) {
  const label = useLabel(slug, id) ?? id.slice(0, 8);
  // Isolated: a label in another script ("82 mm mortar bomb" on an Arabic page) keeps its own order.
  return (
    <Link to={`/registers/${slug}/${id}`}>
      <bdi>{label}</bdi>
    </Link>
  );
}

/** One field's value for reading: code lists translated, areas with units, dates for the locale. */
export function FieldValue({ name, value, unit }: { name: string; value: unknown; unit?: AreaUnit }) {
  const { tk, num, date, dateTime, area, areaIn } = useI18n();
  if (value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0))
    return <span className="muted">—</span>;
  if (REF_TARGETS[name] && typeof value === 'string') return <RefValue slug={REF_TARGETS[name]} id={value} />;
  const listTarget = ID_LIST_TARGETS[name];
  if (listTarget && Array.isArray(value) && value.every((v) => typeof v === 'string'))
    return (
      <ul className="value-list">
        {value.map((v) => (
          <li key={v}>
            <RefValue slug={listTarget} id={v} />
          </li>
        ))}
      </ul>
    );
  if (name.endsWith('M2') && typeof value === 'number')
    return <>{unit ? areaIn(value, unit) : area(value)}</>;
  if ((name === 'createdAt' || name === 'updatedAt') && typeof value === 'string')
    return <>{dateTime(value)}</>;
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return <>{date(value)}</>;
  if (typeof value === 'number') return <>{num(value)}</>;
  if (typeof value === 'boolean') return <>{tk(`vocab.${value ? 'yes' : 'no'}`, String(value))}</>;
  // Only code-list values are translated; free text that happens to match a code stays as typed,
  // isolated so that text in another script keeps its own order ("82 mm mortar bomb", a closing
  // full stop) on a page written the other way.
  const text = (v: string) => (ENUM_FIELDS.has(name) ? tk(`vocab.${v}`, v) : <bdi>{v}</bdi>);
  if (typeof value === 'string') return <>{text(value)}</>;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string'))
    return value.length === 1 ? (
      <span>{text(value[0])}</span>
    ) : (
      <ul className="value-list">
        {value.map((v) => (
          <li key={v}>{text(v)}</li>
        ))}
      </ul>
    );
  const countRows = COUNT_ROWS.get(name);
  if (countRows && typeof value === 'object')
    return <CountsInput name={name} rows={countRows} value={countsInput(value, false)} />;
  if (typeof value === 'object' && (value as Point).type === 'Point') {
    const [lon, lat] = (value as Point).coordinates;
    return <LatLon lon={lon} lat={lat} />;
  }
  // Lists of anything else, one item a line; objects (evidence, names …) as a list of their fields.
  if (Array.isArray(value))
    return (
      <ul className="value-list">
        {value.map((v, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: items of a stored list have no identity of their own
          <li key={i}>
            <FieldValue name={name} value={v} />
          </li>
        ))}
      </ul>
    );
  if (typeof value === 'object')
    return (
      <dl className="value-fields">
        {Object.entries(value as Record<string, unknown>).map(([k, v]) => (
          <div key={k}>
            <dt>{tk(`field.${k}`, tk(`vocab.${k}`, humanise(k)))}</dt>
            <dd>
              <FieldValue name={k} value={v} />
            </dd>
          </div>
        ))}
      </dl>
    );
  return <>{String(value)}</>;
}

/** A field name the catalogue does not know, as words: "surveyMethod" → "survey method". */
function humanise(key: string): string {
  const words = key
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
