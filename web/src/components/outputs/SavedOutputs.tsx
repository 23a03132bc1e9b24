import { useState } from 'react';
import { request } from '../../api/client.ts';
import { useI18n } from '../../i18n/index.tsx';
import { downloadFile } from '../../lib/download.ts';
import { useCan } from '../../lib/permissions.ts';
import { useAsync } from '../../lib/useAsync.ts';
import { ErrorNote } from '../ErrorNote.tsx';

/**
 * Saved report definitions and the files kept from them (docs/outputs.md): generate a
 * definition now, download a kept file as it was sent, and compare a kept file's content hash
 * with the report made again from the same parameters.
 */

interface Definition {
  id: string;
  name: string;
  output: string;
  params: Record<string, unknown>;
  periodRule: string;
  locale: string;
  createdAt: string;
}

interface Kept {
  id: string;
  definitionId: string | null;
  output: string;
  params: { asAt?: string } & Record<string, unknown>;
  format: string;
  contentSha256: string;
  fileSha256: string;
  sizeBytes: number;
  generatedByEmail: string | null;
  generatedAt: string;
}

interface Comparison {
  id: string;
  keptContentSha256: string;
  currentContentSha256: string;
  identical: boolean;
}

function paramsText(params: Record<string, unknown>): string {
  return Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`)
    .join(' ');
}

export function SavedOutputs({
  outputs,
  refresh,
  formats,
}: {
  outputs: Array<{ name: string; title: string }>;
  refresh: number;
  formats: readonly string[];
}) {
  const { t, locale } = useI18n();
  const { can } = useCan();
  const may = can('data.export');
  const mayKeep = can('output.save');
  const data = useAsync(
    async (signal) => {
      if (!may) return { definitions: [] as Definition[], kept: [] as Kept[] };
      const [d, k] = await Promise.all([
        request<{ items: Definition[] }>('/api/v1/outputs/definitions', { signal }),
        request<{ items: Kept[] }>('/api/v1/outputs/generated', { signal }),
      ]);
      return { definitions: d.data.items, kept: k.data.items };
    },
    [refresh, may],
  );
  const [format, setFormat] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [compared, setCompared] = useState<Record<string, Comparison>>({});
  const title = (name: string) => outputs.find((o) => o.name === name)?.title ?? name;
  const when = (iso: string) =>
    new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));

  const run = async (key: string, job: () => Promise<void>) => {
    setBusy(key);
    setError(null);
    try {
      await job();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };

  if (!may) return null;
  const generate = (d: Definition) =>
    run(`gen-${d.id}`, async () => {
      await request(`/api/v1/outputs/definitions/${d.id}/generate?format=${format[d.id] ?? 'pdf'}`, {
        method: 'POST',
      });
      data.reload();
    });
  const remove = (d: Definition) => {
    if (!window.confirm(t('outputs.removeConfirm', { name: d.name }))) return;
    run(`del-${d.id}`, async () => {
      await request(`/api/v1/outputs/definitions/${d.id}`, { method: 'DELETE' });
      data.reload();
    });
  };
  const compare = (k: Kept) =>
    run(`cmp-${k.id}`, async () => {
      const r = await request<Comparison>(`/api/v1/outputs/generated/${k.id}/compare`, { method: 'POST' });
      setCompared((old) => ({ ...old, [k.id]: r.data }));
    });

  return (
    <>
      <section aria-labelledby="outputs-defs-h" className="outputs-saved">
        <h2 id="outputs-defs-h">{t('outputs.definitions')}</h2>
        {data.error ? <ErrorNote error={data.error} onRetry={data.reload} /> : null}
        {error ? <ErrorNote error={error} /> : null}
        {data.data && data.data.definitions.length === 0 && (
          <p className="muted">{t('outputs.noDefinitions')}</p>
        )}
        {data.data && data.data.definitions.length > 0 && (
          <div className="table-wrap">
            <table className="records" data-testid="output-definitions">
              <thead>
                <tr>
                  <th>{t('outputs.definitionName')}</th>
                  <th>{t('outputs.report')}</th>
                  <th>{t('outputs.periodRule')}</th>
                  <th>{t('outputs.filters')}</th>
                  <th>{t('outputs.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {data.data.definitions.map((d) => (
                  <tr key={d.id}>
                    <td>{d.name}</td>
                    <td>{title(d.output)}</td>
                    <td>{t(`outputs.rule.${d.periodRule}`)}</td>
                    <td>
                      <bdi className="params">{paramsText(d.params)}</bdi>
                    </td>
                    <td className="row-actions">
                      <select
                        aria-label={t('outputs.format')}
                        value={format[d.id] ?? 'pdf'}
                        onChange={(e) => setFormat((old) => ({ ...old, [d.id]: e.target.value }))}
                      >
                        {formats.map((f) => (
                          <option key={f} value={f}>
                            {f.toUpperCase()}
                          </option>
                        ))}
                      </select>
                      {mayKeep && (
                        <>
                          <button type="button" disabled={!!busy} onClick={() => generate(d)}>
                            {busy === `gen-${d.id}` ? t('app.loading') : t('outputs.generateNow')}
                          </button>
                          <button
                            type="button"
                            className="link-button"
                            disabled={!!busy}
                            onClick={() => remove(d)}
                          >
                            {t('outputs.remove')}
                          </button>
                        </>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section aria-labelledby="outputs-kept-h" className="outputs-saved">
        <h2 id="outputs-kept-h">{t('outputs.kept')}</h2>
        {data.data && data.data.kept.length === 0 && <p className="muted">{t('outputs.noKept')}</p>}
        {data.data && data.data.kept.length > 0 && (
          <div className="table-wrap">
            <table className="records" data-testid="output-kept">
              <thead>
                <tr>
                  <th>{t('outputs.report')}</th>
                  <th>{t('outputs.asAt')}</th>
                  <th>{t('outputs.format')}</th>
                  <th>{t('outputs.generated')}</th>
                  <th>{t('outputs.hashes')}</th>
                  <th>{t('outputs.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {data.data.kept.map((k) => {
                  const c = compared[k.id];
                  return (
                    <tr key={k.id}>
                      <td>
                        {title(k.output)}
                        {k.definitionId && (
                          <div className="muted">
                            {data.data?.definitions.find((d) => d.id === k.definitionId)?.name ?? ''}
                          </div>
                        )}
                      </td>
                      <td>
                        <bdi>{k.params.asAt ?? ''}</bdi>
                      </td>
                      <td>{k.format.toUpperCase()}</td>
                      <td>
                        <bdi>{when(k.generatedAt)}</bdi>
                        <div className="muted">
                          <bdi>{k.generatedByEmail ?? ''}</bdi>
                        </div>
                      </td>
                      <td className="hashes">
                        <div>
                          {t('outputs.contentHash')}: <code className="hash">{k.contentSha256}</code>
                        </div>
                        <div>
                          {t('outputs.fileHash')}: <code className="hash">{k.fileSha256}</code>
                        </div>
                        {c && (
                          <p className={c.identical ? 'compare-same' : 'compare-changed'} role="status">
                            {c.identical ? t('outputs.identical') : t('outputs.changed')}
                            {!c.identical && (
                              <>
                                {' '}
                                <code className="hash">{c.currentContentSha256}</code>
                              </>
                            )}
                          </p>
                        )}
                      </td>
                      <td className="row-actions">
                        <button
                          type="button"
                          disabled={!!busy}
                          onClick={() =>
                            run(`dl-${k.id}`, () =>
                              downloadFile(
                                `/api/v1/outputs/generated/${k.id}`,
                                `${k.output}-${k.params.asAt ?? ''}.${k.format}`,
                              ),
                            )
                          }
                        >
                          {t('outputs.downloadKept')}
                        </button>
                        <button type="button" disabled={!!busy} onClick={() => compare(k)}>
                          {busy === `cmp-${k.id}` ? t('app.loading') : t('outputs.compare')}
                        </button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
