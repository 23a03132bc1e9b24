import { type FormEvent, useEffect, useState } from 'react';
import { EXPORT_FORMATS } from '../../../src/domain/exchange.ts';
import { ApiError, get, query } from '../api/client.ts';
import type { RecordPage, RecordProps } from '../api/types.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { FieldValue } from '../components/FieldValue.tsx';
import { DateRangeFilter, FilterSelect } from '../components/Filters.tsx';
import { type AreaUnit, areaUnit, useI18n } from '../i18n/index.tsx';
import { downloadFile } from '../lib/download.ts';
import { rowsOf, useOptions } from '../lib/options.ts';
import { useCan } from '../lib/permissions.ts';
import { ENTRY_REGISTERS, LIST_COLUMNS, listFilters, registerDef } from '../lib/registers.ts';
import { Link, useRouter, useSetSearchParam } from '../lib/router.tsx';

const PAGE_SIZE = 50;
/** Query parameters the list passes through to the API as they are. */
const PASSED = [
  'q',
  'from',
  'to',
  'organisation',
  'adminArea',
  'sort',
  'archived',
  'status',
  'type',
  'kind',
  'category',
  'outcome',
  'hazard',
  'accident',
  'activity',
  'level',
  'sex',
  'demining',
  'ageBand',
  'settlement',
  'ordnance',
  'asAt',
];

export function RegisterList({ slug }: { slug: string }) {
  const { t, tk, num, date } = useI18n();
  const { search } = useRouter();
  const setParam = useSetSearchParam();
  const def = registerDef(slug);
  const { mayWrite } = useCan();
  const enumFilters = def ? listFilters(def) : [];
  const hasOrganisation = !!def && 'organisation' in def.filters.equals;
  const hasDate = !!def?.filters.date;
  const organisations = useOptions(hasOrganisation ? 'organisations' : undefined);
  // Records with a place can be filtered by the admin area they lie in.
  const hasPlace = !!def?.geometry && slug !== 'admin-areas';
  const adminAreas = useOptions(hasPlace ? 'admin-areas' : undefined);
  const [total, setTotal] = useState<number | null>(null);
  const [copied, setCopied] = useState(false);
  const copyLink = () => {
    navigator.clipboard?.writeText(window.location.href).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  };

  const apiParams: Record<string, string> = {};
  for (const k of PASSED) {
    const v = search.get(k);
    if (v) apiParams[k] = v;
  }
  const apiKey = JSON.stringify(apiParams);

  const [rows, setRows] = useState<RecordProps[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [q, setQ] = useState(search.get('q') ?? '');
  // Records with a place also show the lowest admin area they lie in (computed by the server).
  const columns = [
    ...(LIST_COLUMNS[slug] ?? inferColumns(rows)),
    ...(def?.geometry ? [ADMIN_AREA_COLUMN] : []),
  ];
  // The columns shown, the first opening the record: the code, where the register has codes.
  const shown = !def || 'code' in def.readOnly ? ['code', ...columns] : columns;

  // biome-ignore lint/correctness/useExhaustiveDependencies: apiKey stands for the filters
  useEffect(() => {
    const ctl = new AbortController();
    setLoading(true);
    setError(null);
    setTotal(null);
    setCopied(false);
    get<RecordPage>(`/api/v1/${slug}${query({ ...apiParams, limit: PAGE_SIZE, count: 'true' })}`, ctl.signal)
      .then((page) => {
        setRows(rowsOf(page));
        setCursor(page.nextCursor);
        setTotal(page.total ?? null);
      })
      .catch((err) => (err as Error).name !== 'AbortError' && setError(err))
      .finally(() => !ctl.signal.aborted && setLoading(false));
    return () => ctl.abort();
  }, [slug, apiKey]);

  const more = async () => {
    if (!cursor) return;
    setLoading(true);
    try {
      const page = await get<RecordPage>(
        `/api/v1/${slug}${query({ ...apiParams, limit: PAGE_SIZE, cursor })}`,
      );
      setRows((r) => [...r, ...rowsOf(page)]);
      setCursor(page.nextCursor);
    } catch (err) {
      setError(err);
    } finally {
      setLoading(false);
    }
  };

  const submitSearch = (e: FormEvent) => {
    e.preventDefault();
    setParam('q', q.trim());
  };

  const sort = search.get('sort') ?? '';
  const sortBy = (field: string) => setParam('sort', sort === field ? `-${field}` : field);
  const sortable = new Set(def?.sortable ?? []);
  const ariaSort = (field: string) =>
    sort === field ? 'ascending' : sort === `-${field}` ? 'descending' : undefined;

  const [csvError, setCsvError] = useState<string | null>(null);
  const downloadCsv = () => {
    setCsvError(null);
    downloadFile(
      `/api/v1/${slug}${query({ ...apiParams, format: 'csv', limit: 1000 })}`,
      `${slug}.csv`,
    ).catch(() => setCsvError(t('list.csvFailed')));
  };

  const exportAs = (format: string) => {
    setCsvError(null);
    // The export takes the list's filters (not its page size or sort).
    const { sort: _sort, ...filters } = apiParams;
    downloadFile(`/api/v1/exports${query({ as: slug, format, ...filters })}`, `${slug}.${format}`).catch(() =>
      setCsvError(t('list.exportFailed')),
    );
  };

  const title = tk(`register.${slug}`, slug);
  // One area unit per column, chosen from the values shown and named in the column head.
  const units: Record<string, AreaUnit | undefined> = Object.fromEntries(
    columns.filter((c) => c.endsWith('M2')).map((c) => [c, areaUnit(rows.map((r) => r[c] as number))]),
  );
  return (
    <div className="page register-list">
      <div className="page-head">
        <h1>{title}</h1>
        <div className="actions">
          <button type="button" onClick={downloadCsv}>
            {t('list.downloadCsv')}
          </button>
          {def && (
            <label className="export-select">
              <span className="visually-hidden">{t('list.export')}</span>
              <select
                value=""
                data-testid="export"
                onChange={(e) => e.target.value && exportAs(e.target.value)}
              >
                <option value="">{t('list.export')}</option>
                {EXPORT_FORMATS.map((f) => (
                  <option key={f} value={f}>
                    {t(`list.format.${f}`)}
                  </option>
                ))}
              </select>
            </label>
          )}
          {ENTRY_REGISTERS.has(slug) && mayWrite(slug) && (
            <Link to={`/registers/${slug}/new`} className="button primary">
              {t('list.new')}
            </Link>
          )}
        </div>
      </div>
      {csvError && (
        <p className="error" role="alert">
          {csvError}
        </p>
      )}
      <form className="filter-bar" onSubmit={submitSearch} aria-label={t('list.filters')}>
        <label>
          {t('list.search')}
          <input
            type="search"
            value={q}
            onChange={(e) => setQ(e.target.value)}
            placeholder={t('list.searchPlaceholder')}
          />
        </label>
        {enumFilters.map((f) => (
          <FilterSelect
            key={f.param}
            label={tk(`filter.${f.param}`, f.param)}
            value={search.get(f.param) ?? ''}
            onChange={(v) => setParam(f.param, v)}
            codes={f.values}
          />
        ))}
        {hasOrganisation && (
          <FilterSelect
            label={t('filter.organisation')}
            value={search.get('organisation') ?? ''}
            onChange={(v) => setParam('organisation', v)}
            options={organisations}
          />
        )}
        {hasPlace && (
          <FilterSelect
            label={t('filter.adminArea')}
            value={search.get('adminArea') ?? ''}
            onChange={(v) => setParam('adminArea', v)}
            options={adminAreas}
          />
        )}
        {hasDate && (
          <DateRangeFilter from={search.get('from') ?? ''} to={search.get('to') ?? ''} onChange={setParam} />
        )}
        <label className="check">
          <input
            type="checkbox"
            checked={search.get('archived') === 'true'}
            onChange={(e) => setParam('archived', e.target.checked ? 'true' : '')}
          />
          {t('list.includeArchived')}
        </label>
        <button type="submit">{t('action.search')}</button>
      </form>

      <p className="list-total" data-testid="list-total">
        {total !== null && <strong>{t('list.total', { count: total, total: num(total) })}</strong>}{' '}
        {search.get('asAt') ? (
          <span className="muted" data-testid="list-as-at">
            {t('dashboard.asAtDate', { date: date(search.get('asAt')) })}{' '}
          </span>
        ) : null}
        <button type="button" className="link-button" onClick={copyLink} data-testid="copy-link">
          {copied ? t('list.linkCopied') : t('list.copyLink')}
        </button>
      </p>
      {error ? <ErrorNote error={error} /> : null}
      {error instanceof ApiError && error.status === 400 && (
        <p className="muted">{t('list.filterRejected')}</p>
      )}
      <div className="table-wrap">
        <table className="records" aria-busy={loading}>
          <caption className="visually-hidden">{title}</caption>
          <thead>
            <tr>
              {shown.map((c) => (
                <th key={c} scope="col" aria-sort={ariaSort(c)}>
                  {sortable.has(c) ? (
                    <button type="button" className="sort" onClick={() => sortBy(c)}>
                      {tk(`field.${c}`, c)} {sortMark(sort, c)}
                    </button>
                  ) : (
                    tk(`field.${c}`, c)
                  )}
                  {units[c] && <span className="unit"> ({t(`unit.name.${units[c]}`)})</span>}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} className={r.archived ? 'archived' : undefined}>
                {shown.map((c, i) =>
                  // The first column opens the record: its code, or for a register without codes
                  // (organisations, ordnance …) its name, P-code or model.
                  i === 0 ? (
                    <td key={c}>
                      <Link
                        to={`/registers/${slug}/${r.id}`}
                        className={c === 'code' ? 'record-code' : undefined}
                      >
                        <FieldValue name={c} value={r[c]} />
                      </Link>
                      {r.archived && <span className="badge">{t('record.archived')}</span>}
                    </td>
                  ) : (
                    <td key={c} className={units[c] ? 'numeric' : undefined}>
                      <FieldValue name={c} value={r[c]} unit={units[c]} />
                    </td>
                  ),
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {loading && (
        <p className="muted" role="status">
          {t('app.loading')}
        </p>
      )}
      {!loading && !error && rows.length === 0 && <p className="empty">{t('list.empty')}</p>}
      <div className="list-foot">
        <span className="muted">{t('list.shown', { count: rows.length, shown: num(rows.length) })}</span>
        {cursor && (
          <button type="button" onClick={more} disabled={loading}>
            {t('list.more')}
          </button>
        )}
      </div>
    </div>
  );
}

function sortMark(sort: string, field: string): string {
  if (sort === field) return '▲';
  if (sort === `-${field}`) return '▼';
  return '';
}

/** The list column naming the admin area a record lies in (src/services/list-query.ts). */
const ADMIN_AREA_COLUMN = 'adminAreaName';

const SYSTEM = new Set([
  ADMIN_AREA_COLUMN,
  'id',
  'code',
  'version',
  'createdAt',
  'updatedAt',
  'createdBy',
  'updatedBy',
  'archived',
]);

/** Columns for a register this page has no list layout for: the first few plain fields of its records. */
function inferColumns(rows: RecordProps[]): string[] {
  const first = rows[0];
  if (!first) return [];
  return Object.keys(first)
    .filter((k) => !SYSTEM.has(k) && !k.endsWith('Id') && ['string', 'number'].includes(typeof first[k]))
    .slice(0, 5);
}
