import type { Feature, FeatureCollection, Geometry } from 'geojson';
import { useMemo, useState } from 'react';
import { ApiError, request } from '../api/client.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { bboxOf, MapView } from '../components/MapView.tsx';
import { useI18n } from '../i18n/index.tsx';
import { useAsync } from '../lib/useAsync.ts';

interface Hypothesis {
  id: string;
  label: string;
  misclosure: {
    eastM: number;
    northM: number;
    lengthM: number;
    ratio: number | null;
    perimeterLengthM: number;
  } | null;
}
interface Decoded extends FeatureCollection {
  hypotheses: Hypothesis[];
  notDecoded: Array<{ id?: string; label?: string; message: string }>;
}
interface Distance {
  medianM: number;
  p95M: number;
  maxM: number;
}
interface Score {
  id: string;
  label: string;
  toRows: Distance | null;
  toBoundary: Distance;
  misfit: Distance;
  shareInsidePolygon: number;
  shareInsideUncertainty: number;
  fit: {
    rotationDeg: number;
    shiftEastM: number;
    shiftNorthM: number;
    scale: number;
    residualRmsM: number;
  } | null;
}
interface Scores {
  findingCount: number;
  deviceCount: number;
  declaredCount: number | null;
  hypotheses: Score[];
  best: { id: string; label: string; criterion: string } | null;
}

/** Colours of the decoded features by kind (perimeter, uncertainty, rows, points). */
const KIND_COLOUR: Record<string, string> = {
  perimeter: '#c62828',
  uncertainty: '#e8a317',
  row: '#6a1b9a',
  turningPoint: '#c62828',
  referencePoint: '#0057b8',
  landmark: '#111111',
};

/** The features of one hypothesis, coloured by kind for the map. */
export function hypothesisFeatures(decoded: FeatureCollection, hypothesis: string): Feature[] {
  return decoded.features
    .filter((f) => f.properties?.hypothesis === hypothesis && f.geometry)
    .map((f) => ({
      ...f,
      properties: {
        ...f.properties,
        colour: KIND_COLOUR[String(f.properties?.kind)] ?? '#444',
        radius: f.properties?.kind === 'turningPoint' ? 4 : 6,
      },
    }));
}

/** Decoded hypotheses of a minefield record on a map, with closure figures and the scores against finds. */
export function MinefieldDecode({ id }: { id: string }) {
  const { t, num } = useI18n();
  const decoded = useAsync(
    async (signal) =>
      (await request<Decoded>(`/api/v1/minefield-records/${id}/decode`, { method: 'POST', body: {}, signal }))
        .data,
    [id],
  );
  const [picked, setPicked] = useState<string | null>(null);
  const [scores, setScores] = useState<Scores | null>(null);
  const [scoreError, setScoreError] = useState<unknown>(null);
  const [scoring, setScoring] = useState(false);
  const hypotheses = decoded.data?.hypotheses ?? [];
  const current = picked ?? scores?.best?.id ?? hypotheses[0]?.id ?? null;
  const features = useMemo(
    () => (decoded.data && current ? hypothesisFeatures(decoded.data, current) : []),
    [decoded.data, current],
  );
  const bbox = bboxOf(features.map((f) => f.geometry as Geometry));
  const h = hypotheses.find((x) => x.id === current);

  const score = async () => {
    setScoring(true);
    setScoreError(null);
    try {
      setScores(
        (await request<Scores>(`/api/v1/minefield-records/${id}/score`, { method: 'POST', body: {} })).data,
      );
    } catch (err) {
      setScoreError(err);
    } finally {
      setScoring(false);
    }
  };
  const m = (v: number | null | undefined) =>
    v === null || v === undefined ? '—' : t('unit.m', { value: num(v, { maximumFractionDigits: 1 }) });
  const pct = (v: number) => num(v, { style: 'percent', maximumFractionDigits: 0 });

  return (
    <section className="linked minefield-decode" aria-labelledby="decode-h" data-testid="minefield-decode">
      <h2 id="decode-h">{t('minefield.decoded')}</h2>
      {decoded.loading && <p className="muted">{t('app.loading')}</p>}
      {decoded.error ? <ErrorNote error={decoded.error} onRetry={decoded.reload} /> : null}
      {decoded.data && (
        <div className="record-grid">
          <div>
            <label>
              {t('minefield.hypothesis')}
              <select
                value={current ?? ''}
                onChange={(e) => setPicked(e.target.value)}
                data-testid="hypothesis"
              >
                {hypotheses.map((x) => (
                  <option key={x.id} value={x.id}>
                    {x.label}
                    {scores?.best?.id === x.id ? ` ★ ${t('minefield.best')}` : ''}
                  </option>
                ))}
              </select>
            </label>
            {h?.misclosure && (
              <dl className="fields">
                <div>
                  <dt>{t('minefield.misclosure')}</dt>
                  <dd>{m(h.misclosure.lengthM)}</dd>
                </div>
                <div>
                  <dt>{t('minefield.misclosureRatio')}</dt>
                  <dd>{h.misclosure.ratio ? `1 : ${num(Math.round(1 / h.misclosure.ratio))}` : '—'}</dd>
                </div>
                <div>
                  <dt>{t('minefield.perimeterLength')}</dt>
                  <dd>{m(h.misclosure.perimeterLengthM)}</dd>
                </div>
                <div>
                  <dt>{t('minefield.maxRadius')}</dt>
                  <dd>
                    {m(
                      features.find((f) => f.properties?.kind === 'perimeter')?.properties?.maxRadius95M as
                        | number
                        | undefined,
                    )}
                  </dd>
                </div>
              </dl>
            )}
            {decoded.data.notDecoded.length > 0 && (
              <ul className="field-problems">
                {decoded.data.notDecoded.map((n, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: rejected readings have no identity of their own
                  <li key={i} className="error">
                    {n.label ? `${n.label}: ` : ''}
                    {n.message}
                  </li>
                ))}
              </ul>
            )}
            <ul className="legend-inline">
              {['perimeter', 'uncertainty', 'row', 'referencePoint', 'landmark'].map((k) => (
                <li key={k}>
                  <span
                    className="legend-swatch legend-box"
                    style={{ background: KIND_COLOUR[k] }}
                    aria-hidden="true"
                  />
                  {t(`minefield.kind.${k}`)}
                </li>
              ))}
            </ul>
          </div>
          <MapView
            className="small-map"
            label={t('minefield.decoded')}
            thematic={false}
            overlay={{ type: 'FeatureCollection', features }}
            fitTo={bbox}
          />
        </div>
      )}
      <div className="section-head">
        <h3>{t('minefield.scores')}</h3>
        <button type="button" onClick={score} disabled={scoring} data-testid="score">
          {t('minefield.score')}
        </button>
      </div>
      {scoreError ? (
        scoreError instanceof ApiError && scoreError.status === 400 ? (
          <p className="muted">{scoreError.message}</p>
        ) : (
          <ErrorNote error={scoreError} />
        )
      ) : null}
      {scores && (
        <>
          <p className="muted">
            {t('minefield.scoreFigures', {
              findings: num(scores.findingCount),
              devices: num(scores.deviceCount),
              declared: scores.declaredCount ?? '—',
            })}
          </p>
          <div className="table-wrap">
            <table className="records" data-testid="scores">
              <thead>
                <tr>
                  <th scope="col">{t('minefield.hypothesis')}</th>
                  <th scope="col">{t('minefield.medianMisfit')}</th>
                  <th scope="col">{t('minefield.p95Misfit')}</th>
                  <th scope="col">{t('minefield.insidePolygon')}</th>
                  <th scope="col">{t('minefield.insideUncertainty')}</th>
                  <th scope="col">{t('minefield.fit')}</th>
                </tr>
              </thead>
              <tbody>
                {scores.hypotheses.map((s) => (
                  <tr key={s.id} className={scores.best?.id === s.id ? 'best' : undefined}>
                    <td>
                      <button type="button" className="link-button" onClick={() => setPicked(s.id)}>
                        {s.label}
                      </button>
                      {scores.best?.id === s.id && <span className="badge">{t('minefield.best')}</span>}
                    </td>
                    <td>{m(s.misfit.medianM)}</td>
                    <td>{m(s.misfit.p95M)}</td>
                    <td>{pct(s.shareInsidePolygon)}</td>
                    <td>{pct(s.shareInsideUncertainty)}</td>
                    <td>
                      {s.fit
                        ? t('minefield.fitFigures', {
                            rotation: num(s.fit.rotationDeg, { maximumFractionDigits: 1 }),
                            shift: num(Math.hypot(s.fit.shiftEastM, s.fit.shiftNorthM), {
                              maximumFractionDigits: 1,
                            }),
                            rms: num(s.fit.residualRmsM, { maximumFractionDigits: 1 }),
                          })
                        : '—'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {scores.best && <p className="muted">{scores.best.criterion}</p>}
        </>
      )}
    </section>
  );
}
