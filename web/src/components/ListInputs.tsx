import { useI18n } from '../i18n/index.tsx';
import { useLabel } from '../lib/options.ts';
import type { SubfieldDesc } from '../lib/registers.ts';
import { RecordPicker } from './RecordPicker.tsx';

/** One chosen record of a list, by its code and name, with a button to take it out. */
function Chosen({ slug, id, onRemove }: { slug: string; id: string; onRemove: () => void }) {
  const { t } = useI18n();
  const label = useLabel(slug, id) ?? id.slice(0, 8);
  return (
    <li className="chip" data-testid="id-list-item">
      <span>{label}</span>
      <button
        type="button"
        className="link-button"
        onClick={onRemove}
        aria-label={t('form.removeItemOf', { item: label })}
      >
        ×
      </button>
    </li>
  );
}

/**
 * A list of records of one register (the hazards a visit went to, the findings shown): the
 * records chosen so far, each removable, and a record picker that adds one more.
 */
export function IdListInput({
  slug,
  id,
  value,
  onChange,
  invalid,
  describedBy,
}: {
  slug: string;
  id: string;
  value: string[];
  onChange: (ids: string[]) => void;
  invalid?: boolean;
  describedBy?: string;
}) {
  return (
    <div className="id-list">
      {value.length > 0 && (
        <ul className="chips">
          {value.map((x) => (
            <Chosen key={x} slug={slug} id={x} onRemove={() => onChange(value.filter((y) => y !== x))} />
          ))}
        </ul>
      )}
      <RecordPicker
        slug={slug}
        id={id}
        value=""
        onChange={(x) => {
          if (x && !value.includes(x)) onChange([...value, x]);
        }}
        invalid={invalid}
        describedBy={describedBy}
      />
    </div>
  );
}

export type ListItem = Record<string, string>;

/** Text parts allowed more characters than this are given a whole row. */
const LONG_PART = 300;

/**
 * A list of small objects whose parts are text, dates, code-list values or references (a visit's
 * visitors: name, role, organisation as stated, organisation in the register; a QA visit's
 * non-conformities: description and severity): one row of inputs per item, a button to add a row
 * and one to remove each.
 */
export function ObjectListInput({
  id,
  name,
  parts,
  value,
  onChange,
  describedBy,
}: {
  id: string;
  name: string;
  parts: SubfieldDesc[];
  value: ListItem[];
  onChange: (items: ListItem[]) => void;
  describedBy?: string;
}) {
  const { t, tk } = useI18n();
  const setPart = (i: number, part: string, v: string) =>
    onChange(value.map((item, k) => (k === i ? { ...item, [part]: v } : item)));
  return (
    <div className="object-list" id={id} aria-describedby={describedBy}>
      {value.map((item, i) => (
        <fieldset
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity of their own; they are edited in place.
          key={i}
          className="object-list-row"
          data-testid={`${name}-row`}
        >
          <legend>{t('form.itemNumber', { n: i + 1 })}</legend>
          {parts.map((p) => {
            const pid = `${id}-${i}-${p.name}`;
            return (
              <div
                key={p.name}
                // A long text (a non-conformity's description) takes the row's whole width.
                className={(p.maxLength ?? 0) > LONG_PART ? 'object-list-part long' : 'object-list-part'}
              >
                <label htmlFor={pid}>{tk(`field.${p.name}`, p.name)}</label>
                {p.refSlug ? (
                  <RecordPicker
                    slug={p.refSlug}
                    id={pid}
                    value={item[p.name] ?? ''}
                    onChange={(x) => setPart(i, p.name, x)}
                  />
                ) : p.enumValues ? (
                  <select
                    id={pid}
                    value={item[p.name] ?? ''}
                    onChange={(e) => setPart(i, p.name, e.target.value)}
                  >
                    <option value="">{t('form.choose')}</option>
                    {p.enumValues.map((v) => (
                      <option key={v} value={v}>
                        {tk(`vocab.${v}`, v)}
                      </option>
                    ))}
                  </select>
                ) : p.date ? (
                  <input
                    id={pid}
                    type="date"
                    value={item[p.name] ?? ''}
                    onChange={(e) => setPart(i, p.name, e.target.value)}
                  />
                ) : (
                  <input
                    id={pid}
                    type="text"
                    dir="auto"
                    value={item[p.name] ?? ''}
                    maxLength={p.maxLength}
                    onChange={(e) => setPart(i, p.name, e.target.value)}
                  />
                )}
              </div>
            );
          })}
          <button
            type="button"
            className="link-button"
            onClick={() => onChange(value.filter((_, k) => k !== i))}
          >
            {t('form.removeItem')}
          </button>
        </fieldset>
      ))}
      <button type="button" onClick={() => onChange([...value, {}])} data-testid={`${name}-add`}>
        {t('form.addItem')}
      </button>
    </div>
  );
}

/** The items as a register takes them: blank parts left out, blank rows dropped. */
export function listItems(items: ListItem[]): Record<string, string>[] {
  return items
    .map((item) =>
      Object.fromEntries(
        Object.entries(item)
          .map(([k, v]) => [k, v.trim()] as const)
          .filter(([, v]) => v !== ''),
      ),
    )
    .filter((item) => Object.keys(item).length > 0);
}
