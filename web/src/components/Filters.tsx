import { useI18n } from '../i18n/index.tsx';
import type { Option } from '../lib/options.ts';
import { VocabOptions } from './VocabOptions.tsx';

/**
 * One filter of a list or map: a labelled select whose empty first choice means "any",
 * offering records of a register (`options`: organisations, admin areas …) or the values
 * of a code list (`codes`).
 */
export function FilterSelect({
  label,
  value,
  onChange,
  options,
  codes,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  options?: Option[] | null;
  codes?: readonly string[];
}) {
  const { t } = useI18n();
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{t('filter.any')}</option>
        {options?.map((o) => (
          <option key={o.id} value={o.id}>
            {o.label}
          </option>
        ))}
        {codes && <VocabOptions values={codes} />}
      </select>
    </label>
  );
}

/** The from and to dates of a filter; an emptied date is no bound. */
export function DateRangeFilter({
  from,
  to,
  onChange,
}: {
  from: string;
  to: string;
  onChange: (bound: 'from' | 'to', value: string) => void;
}) {
  const { t } = useI18n();
  return (
    <>
      <label>
        {t('filter.from')}
        <input type="date" value={from} onChange={(e) => onChange('from', e.target.value)} />
      </label>
      <label>
        {t('filter.to')}
        <input type="date" value={to} onChange={(e) => onChange('to', e.target.value)} />
      </label>
    </>
  );
}
