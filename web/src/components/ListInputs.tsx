import type { Point } from 'geojson';
import { type RefObject, useEffect, useRef, useState } from 'react';
import { useI18n } from '../i18n/index.tsx';
import { type CountsValue, type ListItem, numberOf } from '../lib/form-values.ts';
import { useLabel } from '../lib/options.ts';
import type { SubfieldDesc } from '../lib/registers.ts';
import { PointInput } from './PointInput.tsx';
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

/** Text parts allowed more characters than this are given a whole row. */
const LONG_PART = 300;

/** The input for one part of an object (text, number, date, position, code list or reference). */
function PartInput({
  part,
  id,
  value,
  onChange,
}: {
  part: SubfieldDesc;
  id: string;
  value: string | Point | null | undefined;
  onChange: (v: string | Point | null) => void;
}) {
  const { t, tk } = useI18n();
  const text = typeof value === 'string' ? value : '';
  if (part.point)
    return (
      <PointInput
        id={id}
        value={value && typeof value === 'object' ? value : null}
        onChange={onChange}
        withMap={false}
      />
    );
  if (part.refSlug) return <RecordPicker slug={part.refSlug} id={id} value={text} onChange={onChange} />;
  if (part.enumValues)
    return (
      <select id={id} value={text} onChange={(e) => onChange(e.target.value)}>
        <option value="">{t('form.choose')}</option>
        {part.enumValues.map((v) => (
          <option key={v} value={v}>
            {tk(`vocab.${v}`, v)}
          </option>
        ))}
      </select>
    );
  if (part.date) return <input id={id} type="date" value={text} onChange={(e) => onChange(e.target.value)} />;
  if (part.number)
    return (
      <input
        id={id}
        type="number"
        inputMode="decimal"
        step={part.number === 'integer' ? 1 : 'any'}
        min={part.minimum}
        value={text}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  return (
    <input
      id={id}
      type="text"
      dir="auto"
      value={text}
      maxLength={part.maxLength}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}

/** The parts of one object, each with its label above its input. */
function Parts({
  id,
  parts,
  item,
  onChange,
}: {
  id: string;
  parts: SubfieldDesc[];
  item: ListItem;
  onChange: (part: string, v: string | Point | null) => void;
}) {
  const { tk } = useI18n();
  return (
    <>
      {parts.map((p) => {
        const pid = `${id}-${p.name}`;
        return (
          <div
            key={p.name}
            // A long text (a non-conformity's description) or a position takes the row's whole width.
            className={
              (p.maxLength ?? 0) > LONG_PART || p.point ? 'object-list-part long' : 'object-list-part'
            }
          >
            <label htmlFor={pid}>{tk(`field.${p.name}`, p.name)}</label>
            <PartInput part={p} id={pid} value={item[p.name]} onChange={(v) => onChange(p.name, v)} />
          </div>
        );
      })}
    </>
  );
}

/**
 * Stable keys for the rows of a list edited in place, so a row's own state (a position being
 * typed) stays with it when an earlier row is removed.
 */
function useRowKeys(length: number) {
  const next = useRef(0);
  const keys = useRef<number[]>([]);
  while (keys.current.length < length) keys.current.push(next.current++);
  if (keys.current.length > length) keys.current.length = length;
  return {
    keys: keys.current,
    remove: (i: number) => {
      keys.current.splice(i, 1);
    },
  };
}

/**
 * A list of small objects whose parts are text, numbers, dates, positions, code-list values or
 * references (a visit's visitors: name, role, organisation as stated, organisation in the
 * register; a project's donors: organisation or name, amount, currency; a hazard's evidence:
 * type, description, where it was seen): one row of inputs per item, a button to add a row and
 * one to remove each.
 */
export function ObjectListInput({
  id,
  name,
  parts,
  value,
  onChange,
  describedBy,
  addLabel,
}: {
  id: string;
  name: string;
  parts: SubfieldDesc[];
  value: ListItem[];
  onChange: (items: ListItem[]) => void;
  describedBy?: string;
  /** The add button's words, when "Add a row" says too little (Add evidence). */
  addLabel?: string;
}) {
  const { t } = useI18n();
  const rows = useRowKeys(value.length);
  return (
    <div className="object-list" id={id} aria-describedby={describedBy}>
      {value.map((item, i) => (
        <fieldset key={rows.keys[i]} className="object-list-row" data-testid={`${name}-row`}>
          <legend>{t('form.itemNumber', { n: i + 1 })}</legend>
          <Parts
            id={`${id}-${i}`}
            parts={parts}
            item={item}
            onChange={(part, v) => onChange(value.map((x, k) => (k === i ? { ...x, [part]: v } : x)))}
          />
          <button
            type="button"
            className="link-button"
            onClick={() => {
              rows.remove(i);
              onChange(value.filter((_, k) => k !== i));
            }}
          >
            {t('form.removeItem')}
          </button>
        </fieldset>
      ))}
      <button type="button" onClick={() => onChange([...value, {}])} data-testid={`${name}-add`}>
        {addLabel ?? t('form.addItem')}
      </button>
    </div>
  );
}

/** One object of a few parts (a casualty's identity: name, date of birth, address). */
export function GroupInput({
  id,
  parts,
  value,
  onChange,
  describedBy,
}: {
  id: string;
  parts: SubfieldDesc[];
  value: ListItem;
  onChange: (item: ListItem) => void;
  describedBy?: string;
}) {
  return (
    <div className="object-list-row group-input" id={id} aria-describedby={describedBy}>
      <Parts id={id} parts={parts} item={value} onChange={(part, v) => onChange({ ...value, [part]: v })} />
    </div>
  );
}

/** A list of short texts (a model's other names): one input a text, a button to add one more. */
export function TextListInput({
  id,
  name,
  value,
  maxLength,
  onChange,
  describedBy,
}: {
  id: string;
  name: string;
  value: string[];
  maxLength?: number;
  onChange: (items: string[]) => void;
  describedBy?: string;
}) {
  const { t } = useI18n();
  return (
    <div className="object-list" id={id} aria-describedby={describedBy}>
      {value.map((x, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: texts are edited in place and may repeat while typed.
        <div key={i} className="text-list-item" data-testid={`${name}-row`}>
          <input
            type="text"
            dir="auto"
            aria-label={t('form.itemNumber', { n: i + 1 })}
            value={x}
            maxLength={maxLength}
            onChange={(e) => onChange(value.map((y, k) => (k === i ? e.target.value : y)))}
          />
          <button
            type="button"
            className="link-button"
            onClick={() => onChange(value.filter((_, k) => k !== i))}
            aria-label={t('form.removeItemOf', { item: x || t('form.itemNumber', { n: i + 1 }) })}
          >
            ×
          </button>
        </div>
      ))}
      <button type="button" onClick={() => onChange([...value, ''])} data-testid={`${name}-add`}>
        {t('form.addItem')}
      </button>
    </div>
  );
}

/** A band's name: the catalogue's when it has one ("60 and over"), else as typed, left to right ("18+"). */
function Band({ band }: { band: string }) {
  const { tk } = useI18n();
  const label = tk(`vocab.${band}`, band);
  return label === band ? <bdi dir="ltr">{band}</bdi> : <bdi>{label}</bdi>;
}

/**
 * The width of an element, followed as it changes (a report form's column is narrower than the
 * window; a phone narrower still). 0 until it is laid out.
 */
function useWidth(ref: RefObject<HTMLElement | null>): number {
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const seen = new ResizeObserver((entries) => setWidth(entries[0]?.contentRect.width ?? 0));
    seen.observe(el);
    return () => seen.disconnect();
  }, [ref]);
  return width;
}

/** Room a column of counts takes (an input of 4 rem and its padding), in CSS pixels. */
const COUNT_COLUMN_PX = 74;

/**
 * A table of counts: one row per part (female, male, unknown) and one column per band, turned
 * the other way (a row per band) where a column per band does not fit (a phone, a report form);
 * a total per line, per column and in all. A band not yet in the table is added by name.
 * Without `onChange` it is the table for reading (a record's page), with only the parts that
 * hold a count.
 */
export function CountsInput({
  id,
  name,
  rows: allRows,
  value,
  onChange,
  describedBy,
}: {
  id?: string;
  name: string;
  rows: readonly string[];
  value: CountsValue;
  onChange?: (v: CountsValue) => void;
  describedBy?: string;
}) {
  const { t, tk, num } = useI18n();
  const [newBand, setNewBand] = useState('');
  const box = useRef<HTMLDivElement>(null);
  const width = useWidth(box);
  // A column per band, a total and the row names must fit; else a row per band.
  const narrow = width > 0 && width < (value.bands.length + 3) * COUNT_COLUMN_PX;
  const rows = onChange ? allRows : allRows.filter((r) => Object.keys(value.cells[r] ?? {}).length > 0);
  const count = (row: string, band: string) => numberOf(value.cells[row]?.[band] ?? '', 'integer') || 0;
  const setCell = (row: string, band: string, x: string) =>
    onChange?.({ ...value, cells: { ...value.cells, [row]: { ...value.cells[row], [band]: x } } });
  const addBand = () => {
    const b = newBand.trim();
    if (b && !value.bands.includes(b)) onChange?.({ ...value, bands: [...value.bands, b] });
    setNewBand('');
  };
  // Lines down the table and columns across: parts by bands, or bands by parts on a phone.
  const cell = (line: string, column: string) =>
    narrow ? { row: column, band: line } : { row: line, band: column };
  const lines = narrow ? value.bands : rows;
  const columns = narrow ? rows : value.bands;
  const heading = (x: string, isBand: boolean) => (isBand ? <Band band={x} /> : tk(`vocab.${x}`, x));
  const lineTotal = (line: string) =>
    columns.reduce((s, c) => s + count(cell(line, c).row, cell(line, c).band), 0);
  const columnTotal = (column: string) =>
    lines.reduce((s, l) => s + count(cell(l, column).row, cell(l, column).band), 0);
  const total = lines.reduce((s, l) => s + lineTotal(l), 0);
  return (
    <div className="counts-input" id={id} aria-describedby={describedBy} ref={box}>
      <div className="table-scroll">
        <table className="counts-table" data-testid={`${name}-table`}>
          <thead>
            <tr>
              <th scope="col" className="counts-cell">
                <span className="visually-hidden">{t(narrow ? 'field.ageBand' : 'form.countsRow')}</span>
              </th>
              {columns.map((c) => (
                <th key={c} scope="col" className="counts-cell counts-num">
                  {heading(c, !narrow)}
                </th>
              ))}
              <th scope="col" className="counts-cell counts-num">
                {t('form.countsTotal')}
              </th>
            </tr>
          </thead>
          <tbody>
            {lines.map((line) => (
              <tr key={line}>
                <th scope="row" className="counts-cell">
                  {heading(line, narrow)}
                </th>
                {columns.map((c) => {
                  const { row, band } = cell(line, c);
                  const text = value.cells[row]?.[band] ?? '';
                  return (
                    <td key={c} className={onChange ? 'counts-cell' : 'counts-cell counts-num'}>
                      {onChange ? (
                        <input
                          className="counts-box"
                          type="number"
                          inputMode="numeric"
                          min={0}
                          step={1}
                          aria-label={t('form.countsCell', {
                            row: tk(`vocab.${row}`, row),
                            band: tk(`vocab.${band}`, band),
                          })}
                          value={text}
                          onChange={(e) => setCell(row, band, e.target.value)}
                        />
                      ) : text ? (
                        num(Number(text))
                      ) : (
                        ''
                      )}
                    </td>
                  );
                })}
                <td className="counts-cell counts-num">{num(lineTotal(line))}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" className="counts-cell counts-foot">
                {t('form.countsTotal')}
              </th>
              {columns.map((c) => (
                <td key={c} className="counts-cell counts-num counts-foot">
                  {num(columnTotal(c))}
                </td>
              ))}
              <td className="counts-cell counts-num counts-foot" data-testid={`${name}-total`}>
                {num(total)}
              </td>
            </tr>
          </tfoot>
        </table>
      </div>
      {onChange && (
        <div className="counts-add">
          <label htmlFor={`${id}-band`}>{t('form.addBand')}</label>
          <input
            id={`${id}-band`}
            type="text"
            dir="ltr"
            maxLength={20}
            value={newBand}
            onChange={(e) => setNewBand(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                addBand();
              }
            }}
          />
          <button type="button" onClick={addBand} data-testid={`${name}-add-band`}>
            {t('form.addBandButton')}
          </button>
        </div>
      )}
    </div>
  );
}
