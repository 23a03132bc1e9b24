import { useState } from 'react';
import { request } from '../api/client.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { useI18n } from '../i18n/index.tsx';
import { Link } from '../lib/router.tsx';
import { useAsync } from '../lib/useAsync.ts';

/**
 * The provenance of the devices found in one hazard or admin area (docs/provenance.md): each
 * device's earliest possible laying date and the flags it raises, with their facts and
 * assumptions, the hazard groups, the inputs compared with and the lots found elsewhere too.
 * Computed by the server on every request, as at a date when one is chosen.
 */

interface Flag {
  code: string;
  message: string;
  assumptionTexts: string[];
}

interface FindingProvenance {
  id: string;
  code: string;
  hazardId: string | null;
  foundOn: string;
  quantity: number;
  ordnanceId?: string | null;
  model: string | null;
  lot: string | null;
  yearOfManufacture: number | null;
  earliestLayingDate: string | null;
  bounds: Array<{ basis: string; date: string; facts?: Record<string, string | number> }>;
  flags: Flag[];
}

interface Group {
  hazardId: string | null;
  hazardCode: string | null;
  findings: number;
  devices: number;
  devicesWithBound: number;
  earliestCompleteDate: string | null;
  earliestBoundDate: string | null;
  flags: Record<string, number>;
}

interface ProvenanceAnswer {
  method: string;
  findings: FindingProvenance[];
  groups: Group[];
  inputs: {
    records: Array<{ id: string; code: string; layingDate: string | null }>;
    controlPeriods: Array<{ id: string; code: string; controlledBy: string | null; kind: string }>;
  };
}

interface Lot {
  lot: string;
  manufacturer: string | null;
  model: string | null;
  findings: number;
  devices: number;
  hazards: Array<string | null>;
  firstFoundOn: string;
  lastFoundOn: string;
  maxDistanceM: number;
}

const FLAG_CODES = [
  'manufactured_after_record',
  'manufactured_after_accessible',
  'manufactured_after_period_start',
  'manufactured_after_activity',
  'not_on_record',
  'model_not_declared',
];

export function Provenance({ slug, id }: { slug: 'hazards' | 'admin-areas'; id: string }) {
  const { t, tk, locale, date } = useI18n();
  const [asAt, setAsAt] = useState('');
  const scope = `${slug === 'hazards' ? 'hazard' : 'adminArea'}=${id}${asAt ? `&asAt=${asAt}` : ''}`;
  const answer = useAsync(
    async (signal) => {
      const [p, l] = await Promise.all([
        request<ProvenanceAnswer>(`/api/v1/provenance?${scope}`, { signal }),
        request<{ lots: Lot[]; method: string }>(`/api/v1/provenance/lots?${scope}`, { signal }),
      ]);
      return { provenance: p.data, lots: l.data };
    },
    [scope, locale],
  );
  const number = (n: number, digits = 0) =>
    new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(n);

  return (
    <div className="page provenance-page">
      <div className="page-head">
        <div>
          <p className="muted">
            <Link to={`/registers/${slug}/${id}`}>{tk(`register.${slug}`, slug)}</Link>
          </p>
          <h1>{t('provenance.title')}</h1>
        </div>
        <div className="actions">
          <label>
            {t('provenance.asAt')}{' '}
            <input
              type="date"
              value={asAt}
              onChange={(e) => setAsAt(e.target.value)}
              data-testid="provenance-as-at"
            />
          </label>
        </div>
      </div>
      {answer.error ? <ErrorNote error={answer.error} onRetry={answer.reload} /> : null}
      {answer.loading && !answer.data && (
        <p className="page-status" role="status">
          {t('app.loading')}
        </p>
      )}
      {answer.data?.provenance && (
        <>
          <p className="muted">{answer.data.provenance.method}</p>
          <section aria-labelledby="prov-groups-h">
            <h2 id="prov-groups-h">{t('provenance.groups')}</h2>
            <div className="table-wrap">
              <table className="records" data-testid="provenance-groups">
                <thead>
                  <tr>
                    <th>{t('field.hazardId')}</th>
                    <th>{t('provenance.devices')}</th>
                    <th>{t('provenance.devicesWithBound')}</th>
                    <th>{t('provenance.earliestBound')}</th>
                    <th>{t('provenance.earliestComplete')}</th>
                    <th>{t('provenance.flags')}</th>
                  </tr>
                </thead>
                <tbody>
                  {answer.data.provenance.groups.map((g) => (
                    <tr key={g.hazardId ?? 'none'}>
                      <td>
                        {g.hazardId ? (
                          <Link to={`/registers/hazards/${g.hazardId}`}>
                            {g.hazardCode ?? g.hazardId.slice(0, 8)}
                          </Link>
                        ) : (
                          t('provenance.noHazard')
                        )}
                      </td>
                      <td>{number(g.devices)}</td>
                      <td>{number(g.devicesWithBound)}</td>
                      <td>{date(g.earliestBoundDate)}</td>
                      <td>{date(g.earliestCompleteDate)}</td>
                      <td>
                        {FLAG_CODES.filter((c) => g.flags[c]).map((c) => (
                          <div key={c}>
                            {t(`provenance.flag.${c}`)}: {number(g.flags[c]!)}
                          </div>
                        ))}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
          <section aria-labelledby="prov-findings-h">
            <h2 id="prov-findings-h">{t('provenance.findings')}</h2>
            {answer.data.provenance.findings.length === 0 && <p className="muted">{t('provenance.none')}</p>}
            <ul className="provenance-findings" data-testid="provenance-findings">
              {answer.data.provenance.findings.map((f) => (
                <li key={f.id}>
                  <p>
                    <Link to={`/registers/findings/${f.id}`}>{f.code}</Link> {f.model ?? ''}
                    {f.lot ? ` · ${t('field.lot')} ${f.lot}` : ''} · {t('field.foundOn')} {date(f.foundOn)} ·{' '}
                    {t('provenance.earliestLaying')}:{' '}
                    <strong>
                      {f.earliestLayingDate ? date(f.earliestLayingDate) : t('provenance.unknown')}
                    </strong>
                    {f.bounds.length > 0 &&
                      ` (${f.bounds.map((b) => `${t(`provenance.basis.${b.basis}`)} ${date(b.date)}`).join('; ')})`}
                  </p>
                  {f.ordnanceId && f.bounds.some((b) => b.basis === 'catalogue') && (
                    <p className="muted" data-testid="provenance-catalogue">
                      {t('provenance.catalogueBound', {
                        year: String(
                          f.bounds.find((b) => b.basis === 'catalogue')?.facts?.productionStartYear ?? '',
                        ),
                      })}{' '}
                      <Link to={`/registers/ordnance/${f.ordnanceId}`}>{f.model}</Link>
                    </p>
                  )}
                  {f.flags.map((x) => (
                    <details key={x.message} className="provenance-flag" data-flag={x.code}>
                      <summary>{x.message}</summary>
                      <p className="muted">{t('provenance.assumptions')}</p>
                      <ul>
                        {x.assumptionTexts.map((a) => (
                          <li key={a}>{a}</li>
                        ))}
                      </ul>
                    </details>
                  ))}
                </li>
              ))}
            </ul>
          </section>
          <section aria-labelledby="prov-inputs-h">
            <h2 id="prov-inputs-h">{t('provenance.inputs')}</h2>
            <p>
              {t('register.minefield-records')}:{' '}
              {answer.data.provenance.inputs.records.length === 0
                ? t('provenance.none')
                : answer.data.provenance.inputs.records.map((r, i) => (
                    <span key={r.id}>
                      {i > 0 && ', '}
                      <Link to={`/registers/minefield-records/${r.id}`}>{r.code}</Link> ({date(r.layingDate)})
                    </span>
                  ))}
            </p>
            <p>
              {t('register.control-periods')}:{' '}
              {answer.data.provenance.inputs.controlPeriods.length === 0
                ? t('provenance.none')
                : answer.data.provenance.inputs.controlPeriods.map((c, i) => (
                    <span key={c.id}>
                      {i > 0 && ', '}
                      <Link to={`/registers/control-periods/${c.id}`}>{c.code}</Link>
                      {c.controlledBy ? ` (${c.controlledBy})` : ''}
                    </span>
                  ))}
            </p>
          </section>
        </>
      )}
      {answer.data?.lots && (
        <section aria-labelledby="prov-lots-h">
          <h2 id="prov-lots-h">{t('provenance.lots')}</h2>
          <p className="muted">{answer.data.lots.method}</p>
          {answer.data.lots.lots.length === 0 ? (
            <p className="muted">{t('provenance.none')}</p>
          ) : (
            <div className="table-wrap">
              <table className="records" data-testid="provenance-lots">
                <thead>
                  <tr>
                    <th>{t('field.lot')}</th>
                    <th>{t('field.model')}</th>
                    <th>{t('field.manufacturer')}</th>
                    <th>{t('provenance.devices')}</th>
                    <th>{t('provenance.places')}</th>
                    <th>{t('provenance.foundBetween')}</th>
                    <th>{t('provenance.maxDistance')}</th>
                  </tr>
                </thead>
                <tbody>
                  {answer.data.lots.lots.map((l) => (
                    <tr key={`${l.lot}|${l.model}|${l.manufacturer}`}>
                      <td>{l.lot}</td>
                      <td>{l.model ?? '—'}</td>
                      <td>{l.manufacturer ?? '—'}</td>
                      <td>{number(l.devices)}</td>
                      <td>{number(l.hazards.length)}</td>
                      <td>
                        {date(l.firstFoundOn)} – {date(l.lastFoundOn)}
                      </td>
                      <td>{t('provenance.km', { km: number(l.maxDistanceM / 1000, 2) })}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      )}
    </div>
  );
}
