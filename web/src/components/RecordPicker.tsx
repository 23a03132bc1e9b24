import { useEffect, useState } from 'react';
import { get, query } from '../api/client.ts';
import type { RecordPage } from '../api/types.ts';
import { useI18n } from '../i18n/index.tsx';
import { type Option, rowsOf, useLabel } from '../lib/options.ts';
import { recordLabel, registerDef } from '../lib/registers.ts';

/** How many matches a picker lists at once; a longer list asks the user to search. */
export const PICKER_LIMIT = 50;

/** Newest first where a register has codes (they are issued in order), else its own order. */
function pickerSort(slug: string): string | undefined {
  return registerDef(slug)?.sortable.includes('code') ? '-code' : undefined;
}

/**
 * Choosing one record of a register that may hold many thousands (hazards, activities,
 * sources …): a search box that asks the API (`q`, by code and name) and a select of the
 * matches, the chosen record always among them. The select carries `id`, so a form's label
 * names it.
 */
export function RecordPicker({
  slug,
  id,
  value,
  onChange,
  required,
  invalid,
  describedBy,
}: {
  slug: string;
  id: string;
  value: string;
  onChange: (id: string) => void;
  required?: boolean;
  invalid?: boolean;
  describedBy?: string;
}) {
  const { t, tk } = useI18n();
  const [text, setText] = useState('');
  const [matches, setMatches] = useState<Option[] | null>(null);
  const [more, setMore] = useState(false);
  const chosenLabel = useLabel(slug, value || null);

  useEffect(() => {
    const ctl = new AbortController();
    const timer = setTimeout(
      () => {
        const q = text.trim();
        get<RecordPage>(
          `/api/v1/${slug}${query({ q: q || undefined, limit: PICKER_LIMIT + 1, sort: pickerSort(slug) })}`,
          ctl.signal,
        ).then(
          (page) => {
            const rows = rowsOf(page);
            setMore(rows.length > PICKER_LIMIT);
            setMatches(rows.slice(0, PICKER_LIMIT).map((r) => ({ id: r.id, label: recordLabel(r) })));
          },
          (err) => {
            if ((err as Error)?.name !== 'AbortError') setMatches([]);
          },
        );
      },
      text ? 250 : 0,
    );
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [slug, text]);

  const register = tk(`register.${slug}`, slug);
  const chosenListed = !value || matches?.some((m) => m.id === value);
  return (
    <div className="record-picker">
      <input
        type="search"
        id={`${id}-search`}
        value={text}
        onChange={(e) => setText(e.target.value)}
        placeholder={t('picker.placeholder')}
        aria-label={t('picker.search', { register })}
        aria-controls={id}
      />
      <select
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        required={required}
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy}
      >
        <option value="">
          {matches === null ? t('app.loading') : matches.length === 0 ? t('picker.none') : t('form.choose')}
        </option>
        {!chosenListed && <option value={value}>{chosenLabel ?? value}</option>}
        {matches?.map((o) => (
          <option key={o.id} value={o.id}>
            {o.label}
          </option>
        ))}
      </select>
      {more && (
        <p className="hint" role="status">
          {t('picker.more', { count: PICKER_LIMIT })}
        </p>
      )}
    </div>
  );
}
