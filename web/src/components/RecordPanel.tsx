import { get } from '../api/client.ts';
import type { RecordFeature, RecordProps } from '../api/types.ts';
import { useI18n } from '../i18n/index.tsx';
import { LIST_COLUMNS, recordLabel } from '../lib/registers.ts';
import { Link } from '../lib/router.tsx';
import { useAsync } from '../lib/useAsync.ts';
import { ErrorNote } from './ErrorNote.tsx';
import { FieldValue } from './FieldValue.tsx';

/** A record's key fields beside the map, with a link to its full page. */
export function RecordPanel({ slug, id, onClose }: { slug: string; id: string; onClose: () => void }) {
  const { t, tk } = useI18n();
  const rec = useAsync(
    async (signal) => {
      const r = await get<RecordFeature | RecordProps>(`/api/v1/${slug}/${id}`, signal);
      return (r as RecordFeature).type === 'Feature' ? (r as RecordFeature).properties : (r as RecordProps);
    },
    [slug, id],
  );
  const p = rec.data;
  return (
    <aside className="record-panel" aria-label={t('map.recordPanel')} data-testid="record-panel">
      <div className="panel-head">
        <span className="muted">{tk(`register.${slug}`, slug)}</span>
        <button type="button" className="icon-button" onClick={onClose} aria-label={t('action.close')}>
          ×
        </button>
      </div>
      {rec.loading && <p className="muted">{t('app.loading')}</p>}
      {rec.error ? <ErrorNote error={rec.error} /> : null}
      {p && (
        <>
          <h2>{recordLabel(p)}</h2>
          <dl className="fields compact">
            {(LIST_COLUMNS[slug] ?? []).map((f) => (
              <div key={f}>
                <dt>{tk(`field.${f}`, f)}</dt>
                <dd>
                  <FieldValue name={f} value={p[f]} />
                </dd>
              </div>
            ))}
          </dl>
          <Link to={`/registers/${slug}/${id}`} className="button">
            {t('map.openRecord')}
          </Link>
        </>
      )}
    </aside>
  );
}
