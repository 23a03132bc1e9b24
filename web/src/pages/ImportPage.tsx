import { type FormEvent, useEffect, useRef, useState } from 'react';
import { IMPORT_REGISTERS } from '../../../src/domain/exchange.ts';
import { get, query, request } from '../api/client.ts';
import type { ImportJob } from '../api/types.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { ForbiddenPage } from '../components/ForbiddenPage.tsx';
import { FormField } from '../components/FormField.tsx';
import { useI18n } from '../i18n/index.tsx';
import { downloadFile } from '../lib/download.ts';
import { invalidateExtent } from '../lib/extent.ts';
import { useCan } from '../lib/permissions.ts';
import { Link } from '../lib/router.tsx';

const POLL_MS = 500;

/** Reject lines shown on the page; the rejects file has them all. */
const REJECTS_SHOWN = 100;

/** `/import`: the form, or for a role that may not import a line saying so. */
export function ImportPage() {
  const { t } = useI18n();
  const { can } = useCan();
  if (!can('data.import')) return <ForbiddenPage title={t('import.title')} className="import-page" />;
  return <ImportForm />;
}

function ImportForm() {
  const { t, tk, num } = useI18n();
  const [register, setRegister] = useState('hazards');
  const [repair, setRepair] = useState(false);
  const [strict, setStrict] = useState(false);
  const [dryRun, setDryRun] = useState(false);
  const file = useRef<HTMLInputElement>(null);
  const mapping = useRef<HTMLInputElement>(null);
  const [job, setJob] = useState<ImportJob | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  // Poll the job until it is done or failed.
  const jobId = job?.id;
  const finished = job?.status === 'done' || job?.status === 'failed';
  // Each answer (a new `job` object) schedules the next poll.
  // biome-ignore lint/correctness/useExhaustiveDependencies: job stands for "the last answer arrived"
  useEffect(() => {
    if (!jobId || finished) return;
    const timer = setTimeout(() => {
      get<ImportJob>(`/api/v1/imports/${jobId}`)
        .then((j) => {
          setJob(j);
          if (j.status === 'done') invalidateExtent();
        })
        .catch(setError);
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [jobId, finished, job]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const f = file.current?.files?.[0];
    if (!f) return;
    const form = new FormData();
    form.append('file', f);
    const m = mapping.current?.files?.[0];
    if (m) form.append('mapping', await m.text());
    setBusy(true);
    setError(null);
    setJob(null);
    try {
      const r = await request<ImportJob>(
        `/api/v1/imports${query({ as: register, repair, strict, dryRun })}`,
        { method: 'POST', body: form },
      );
      setJob(r.data);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const percent = job?.progress.percent ?? (job?.status === 'done' ? 100 : undefined);
  const result = job?.result;
  return (
    <div className="page import-page">
      <h1>{t('import.title')}</h1>
      <p className="muted">{t('import.intro')}</p>
      <form className="form-grid" onSubmit={submit}>
        <FormField id="imp-register" label={t('import.register')}>
          <select id="imp-register" value={register} onChange={(e) => setRegister(e.target.value)}>
            {IMPORT_REGISTERS.map((r) => (
              <option key={r} value={r}>
                {tk(`register.${r}`, r)}
              </option>
            ))}
          </select>
        </FormField>
        <FormField id="imp-file" label={t('import.file')}>
          <input id="imp-file" ref={file} type="file" required />
        </FormField>
        <FormField id="imp-mapping" label={t('import.mapping')}>
          <input id="imp-mapping" ref={mapping} type="file" accept=".json,application/json" />
        </FormField>
        <fieldset className="checks">
          <legend>{t('import.options')}</legend>
          <label className="check">
            <input type="checkbox" checked={repair} onChange={(e) => setRepair(e.target.checked)} />
            {t('import.repair')}
          </label>
          <label className="check">
            <input type="checkbox" checked={strict} onChange={(e) => setStrict(e.target.checked)} />
            {t('import.strict')}
          </label>
          <label className="check">
            <input type="checkbox" checked={dryRun} onChange={(e) => setDryRun(e.target.checked)} />
            {t('import.dryRun')}
          </label>
        </fieldset>
        <div className="form-actions">
          <button
            type="submit"
            className="primary"
            disabled={busy || (!!job && !finished)}
            data-testid="start-import"
          >
            {t('import.start')}
          </button>
        </div>
      </form>
      {error ? <ErrorNote error={error} /> : null}
      {job && (
        <section
          className="import-job"
          aria-labelledby="job-h"
          data-testid="import-job"
          data-status={job.status}
        >
          <h2 id="job-h">
            {job.filename} · {tk(`import.status.${job.status}`, job.status)}
          </h2>
          <progress max={100} value={percent} aria-label={t('import.progress')} />
          <p className="muted">
            {percent !== undefined
              ? t('import.readPercent', { read: num(job.progress.read), percent: num(Math.round(percent)) })
              : t('import.read', { read: num(job.progress.read) })}
          </p>
          {job.status === 'failed' && (
            <p className="error" role="alert">
              {job.error?.message ?? job.error?.code}
            </p>
          )}
          {result && (
            <>
              <dl className="fields import-summary" data-testid="import-summary">
                {(['read', 'imported', 'repaired', 'rejected', 'skipped'] as const).map((k) => {
                  // A dry run writes nothing: it says how many rows would be imported.
                  const would = k === 'imported' && result.dryRun;
                  return (
                    <div key={k}>
                      <dt>{t(would ? 'import.count.wouldImport' : `import.count.${k}`)}</dt>
                      <dd data-testid={would ? 'count-would-import' : `count-${k}`}>
                        {num(would ? (result.valid ?? 0) : result[k])}
                      </dd>
                    </div>
                  );
                })}
              </dl>
              {result.dryRun ? (
                <p data-testid="import-notice">{t('import.dryRunNotice')}</p>
              ) : result.refused ? (
                <p className="error" data-testid="import-notice">
                  {t('import.refusedNotice', { count: result.rejected })}
                </p>
              ) : null}
              <p>
                <button
                  type="button"
                  className="link-button"
                  data-testid="rejects-link"
                  onClick={() =>
                    downloadFile(`/api/v1/imports/${job.id}/rejects.csv`, `rejects-${job.id}.csv`).catch(
                      setError,
                    )
                  }
                >
                  {t('import.rejects')}
                </button>{' '}
                <a
                  href={`/api/v1/imports/${job.id}/rejects.csv`}
                  className="muted"
                  data-testid="rejects-href"
                >
                  {t('import.rejectsLink')}
                </a>
              </p>
              {(result.rejects?.length ?? 0) > 0 && (
                <div className="table-wrap">
                  <table className="records" data-testid="import-rejects">
                    <caption>
                      {t('import.rejectsShown', {
                        shown: num(Math.min(REJECTS_SHOWN, result.rejects?.length ?? 0)),
                        total: num(result.rejectLines ?? result.rejects?.length ?? 0),
                      })}
                    </caption>
                    <thead>
                      <tr>
                        <th scope="col">{t('import.rejectRow')}</th>
                        <th scope="col">{t('import.rejectField')}</th>
                        <th scope="col">{t('import.rejectReason')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {result.rejects?.slice(0, REJECTS_SHOWN).map((r, i) => (
                        // biome-ignore lint/suspicious/noArrayIndexKey: one row may have several faults
                        <tr key={i}>
                          <td>{r.row ?? r.index + 1}</td>
                          <td>{r.field ? <RejectField field={r.field} /> : null}</td>
                          <td>{r.message}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
              {result.imported > 0 && (
                <Link to={`/registers/${job.register}`}>{t('import.openRegister')}</Link>
              )}
            </>
          )}
        </section>
      )}
    </div>
  );
}

/** A rejected row's field: its label, and the name it has in the file when that differs. */
function RejectField({ field }: { field: string }) {
  const { tk } = useI18n();
  const label = tk(`field.${field}`, field);
  return label.toLowerCase() === field.toLowerCase() ? (
    <bdi>{label}</bdi>
  ) : (
    <>
      {label}{' '}
      <code className="muted" dir="ltr">
        {field}
      </code>
    </>
  );
}
