import { type FormEvent, useState } from 'react';
import { request } from '../api/client.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { ForbiddenPage } from '../components/ForbiddenPage.tsx';
import { type OutputAnswer, OutputPreview } from '../components/outputs/OutputPreview.tsx';
import { SavedOutputs } from '../components/outputs/SavedOutputs.tsx';
import { RecordPicker } from '../components/RecordPicker.tsx';
import { useI18n } from '../i18n/index.tsx';
import { downloadFile } from '../lib/download.ts';
import { useCan } from '../lib/permissions.ts';
import { useAsync } from '../lib/useAsync.ts';

/**
 * The standard reports (docs/outputs.md): the list with what each is, a form of the chosen
 * report's parameters, its preview from the JSON format, the files (PDF, XLSX, CSV), and the
 * saved definitions with the files kept from them.
 */

export interface OutputInfo {
  name: string;
  title: string;
  description: string;
  params: string[];
  required: string[];
  formats: string[];
}

export interface OutputList {
  items: OutputInfo[];
  formats: string[];
  periodRules: string[];
}

const PICKERS: Record<string, string> = {
  area: 'admin-areas',
  organisation: 'organisations',
  hazard: 'hazards',
  project: 'projects',
};
const FILE_FORMATS = ['pdf', 'xlsx', 'csv'] as const;

function todayIso(): string {
  return new Date().toISOString().slice(0, 10);
}

/** The query of a report's parameters, without the empty ones. */
export function paramsQuery(values: Record<string, string>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v.trim()) q.set(k, v.trim());
  return q.toString();
}

export function Outputs() {
  const { t, locale } = useI18n();
  const { can } = useCan();
  const list = useAsync(
    async (signal) => (await request<OutputList>('/api/v1/outputs', { signal })).data,
    [locale],
  );
  const [chosen, setChosen] = useState<string>('');
  const [values, setValues] = useState<Record<string, string>>({ asAt: todayIso() });
  const [preview, setPreview] = useState<OutputAnswer | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saveName, setSaveName] = useState('');
  const [periodRule, setPeriodRule] = useState('none');
  const [saved, setSaved] = useState(0);

  const output = list.data?.items.find((o) => o.name === chosen) ?? null;
  const set = (k: string, v: string) => setValues((old) => ({ ...old, [k]: v }));
  const missing = output?.required.filter((p) => !values[p]?.trim()) ?? [];

  const choose = (name: string) => {
    setChosen(name);
    setPreview(null);
    setError(null);
  };

  const relevant = (): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const p of output?.params ?? []) if (values[p]) out[p] = values[p];
    return out;
  };

  const run = async (what: string, job: () => Promise<void>) => {
    setBusy(what);
    setError(null);
    try {
      await job();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };

  const showPreview = (e: FormEvent) => {
    e.preventDefault();
    if (!output) return;
    run('preview', async () => {
      const q = paramsQuery({ ...relevant(), format: 'json' });
      setPreview((await request<OutputAnswer>(`/api/v1/outputs/${output.name}?${q}`)).data);
    });
  };

  const download = (format: string) => {
    if (!output) return;
    run(format, () =>
      downloadFile(
        `/api/v1/outputs/${output.name}?${paramsQuery({ ...relevant(), format, lang: locale })}`,
        `${output.name}-${values.asAt || todayIso()}.${format}`,
      ),
    );
  };

  const save = (e: FormEvent) => {
    e.preventDefault();
    if (!output || !saveName.trim()) return;
    run('save', async () => {
      const { asAt: _a, ...params } = relevant();
      await request('/api/v1/outputs/definitions', {
        method: 'POST',
        body: { name: saveName.trim(), output: output.name, params, periodRule, locale },
      });
      setSaveName('');
      setSaved((n) => n + 1);
    });
  };

  if (!can('data.export')) return <ForbiddenPage title={t('outputs.title')} className="outputs-page" />;

  return (
    <div className="page outputs-page">
      <div className="page-head">
        <div>
          <h1>{t('outputs.title')}</h1>
          <p className="muted">{t('outputs.intro')}</p>
        </div>
      </div>
      {list.error ? <ErrorNote error={list.error} onRetry={list.reload} /> : null}
      {list.loading && !list.data && (
        <p className="page-status" role="status">
          {t('app.loading')}
        </p>
      )}
      {list.data && (
        <div className="outputs-layout">
          <section aria-labelledby="outputs-list-h" className="outputs-list">
            <h2 id="outputs-list-h">{t('outputs.reports')}</h2>
            <ul>
              {list.data.items.map((o) => (
                <li key={o.name}>
                  <button
                    type="button"
                    className={`output-choice ${o.name === chosen ? 'active' : ''}`}
                    aria-pressed={o.name === chosen}
                    data-testid={`output-${o.name}`}
                    onClick={() => choose(o.name)}
                  >
                    <strong>{o.title}</strong>
                    <span className="muted">{o.description}</span>
                  </button>
                </li>
              ))}
            </ul>
          </section>
          <div className="outputs-main">
            {!output && <p className="muted">{t('outputs.choose')}</p>}
            {output && (
              <section aria-labelledby="outputs-form-h">
                <h2 id="outputs-form-h">{output.title}</h2>
                <form className="output-form" onSubmit={showPreview}>
                  {output.params.map((p) => {
                    const id = `output-param-${p}`;
                    const label = (
                      <label htmlFor={id}>
                        {t(`outputs.param.${p}`)}
                        {output.required.includes(p) ? ' *' : ''}
                      </label>
                    );
                    if (PICKERS[p])
                      return (
                        <div key={p} className="field">
                          {label}
                          <RecordPicker
                            slug={PICKERS[p]}
                            id={id}
                            value={values[p] ?? ''}
                            onChange={(v) => set(p, v)}
                            required={output.required.includes(p)}
                          />
                        </div>
                      );
                    const type =
                      p === 'asAt' || p === 'from' || p === 'to' ? 'date' : p === 'level' ? 'number' : 'text';
                    return (
                      <div key={p} className="field">
                        {label}
                        <input
                          id={id}
                          type={type}
                          min={type === 'number' ? 0 : undefined}
                          value={values[p] ?? ''}
                          onChange={(e) => set(p, e.target.value)}
                          required={output.required.includes(p)}
                        />
                        {p === 'records' && <p className="hint">{t('outputs.recordsHint')}</p>}
                      </div>
                    );
                  })}
                  <div className="actions output-actions">
                    <button type="submit" className="primary" disabled={!!busy || missing.length > 0}>
                      {busy === 'preview' ? t('app.loading') : t('outputs.preview')}
                    </button>
                    {FILE_FORMATS.filter((f) => output.formats.includes(f)).map((f) => (
                      <button
                        key={f}
                        type="button"
                        disabled={!!busy || missing.length > 0}
                        onClick={() => download(f)}
                        data-testid={`output-download-${f}`}
                      >
                        {t('outputs.download', { format: f.toUpperCase() })}
                      </button>
                    ))}
                  </div>
                </form>
                {can('output.save') && (
                  <form className="output-save" onSubmit={save} aria-labelledby="outputs-save-h">
                    <h3 id="outputs-save-h">{t('outputs.saveDefinition')}</h3>
                    <div className="field">
                      <label htmlFor="output-save-name">{t('outputs.definitionName')}</label>
                      <input
                        id="output-save-name"
                        value={saveName}
                        maxLength={200}
                        onChange={(e) => setSaveName(e.target.value)}
                        required
                      />
                    </div>
                    <div className="field">
                      <label htmlFor="output-save-rule">{t('outputs.periodRule')}</label>
                      <select
                        id="output-save-rule"
                        value={periodRule}
                        onChange={(e) => setPeriodRule(e.target.value)}
                      >
                        {list.data.periodRules.map((r) => (
                          <option key={r} value={r}>
                            {t(`outputs.rule.${r}`)}
                          </option>
                        ))}
                      </select>
                    </div>
                    <p className="hint">{t('outputs.periodRuleHint')}</p>
                    <button type="submit" disabled={!!busy || !saveName.trim() || missing.length > 0}>
                      {t('outputs.save')}
                    </button>
                  </form>
                )}
              </section>
            )}
            {error ? <ErrorNote error={error} /> : null}
            {preview && <OutputPreview answer={preview} />}
          </div>
        </div>
      )}
      {list.data && <SavedOutputs outputs={list.data.items} refresh={saved} formats={FILE_FORMATS} />}
    </div>
  );
}
