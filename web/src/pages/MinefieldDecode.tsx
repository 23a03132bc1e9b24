import type { Feature, FeatureCollection, Geometry, Polygon } from 'geojson';
import { useMemo, useState } from 'react';
import { ApiError, request } from '../api/client.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { bboxOf, MapView } from '../components/MapView.tsx';
import { NotDecodedList } from '../components/minefield/NotDecoded.tsx';
import { ReadingsTable, ScoresExplained } from '../components/minefield/Readings.tsx';
import { LegsTable, RecordNotation, RowsTable } from '../components/minefield/RecordTables.tsx';
import type { Decoded, LayingRecord, Scores } from '../components/minefield/types.ts';
import { readingWords } from '../components/minefield/words.ts';
import { useI18n } from '../i18n/index.tsx';
import { useCan } from '../lib/permissions.ts';
import { useAsync } from '../lib/useAsync.ts';

/** Colours of the decoded features by kind (perimeter, uncertainty, rows, points), and of the finds. */
const KIND_COLOUR: Record<string, string> = {
  perimeter: '#c62828',
  uncertainty: '#e8a317',
  row: '#6a1b9a',
  turningPoint: '#c62828',
  referencePoint: '#0057b8',
  landmark: '#111111',
  stated: '#00838f',
  finding: '#1b5e20',
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

/** The stated reading's perimeter as a line, to compare with another reading on the map. */
function statedOutline(decoded: Decoded, shown: string): Feature[] {
  if (shown === decoded.statedHypothesis) return [];
  const perimeter = decoded.features.find(
    (f) => f.properties?.hypothesis === decoded.statedHypothesis && f.properties?.kind === 'perimeter',
  );
  if (perimeter?.geometry?.type !== 'Polygon') return [];
  return [
    {
      type: 'Feature',
      geometry: { type: 'LineString', coordinates: (perimeter.geometry as Polygon).coordinates[0]! },
      properties: { kind: 'stated', colour: KIND_COLOUR.stated },
    },
  ];
}

/**
 * A minefield record for people: the record as written (its notation, legs and rows as tables),
 * the readings decoded from it in words, the readings that failed summarised by problem, one map
 * of the reading shown with the findings scored, the scores with what they mean, and for an
 * authorised user the adoption of a reading as the record's. The fields it shows so are in
 * MINEFIELD_OWN_FIELDS, which the record page leaves out of its field list.
 */
export function MinefieldDecode({
  id,
  record,
  version,
  onChanged,
}: {
  id: string;
  record: LayingRecord;
  version: number;
  /** Called after a reading was adopted (the record's version and history changed). */
  onChanged: () => void;
}) {
  const { t, num } = useI18n();
  const mayAdopt = useCan().mayWrite('minefield-records');
  const decoded = useAsync(
    async (signal) =>
      (await request<Decoded>(`/api/v1/minefield-records/${id}/decode`, { method: 'POST', body: {}, signal }))
        .data,
    [id, version],
  );
  const [picked, setPicked] = useState<string | null>(null);
  const [scores, setScores] = useState<Scores | null>(null);
  const [scoreError, setScoreError] = useState<unknown>(null);
  const [scoring, setScoring] = useState(false);
  const [adopting, setAdopting] = useState(false);
  const [adoptError, setAdoptError] = useState<unknown>(null);
  const data = decoded.data;
  const hypotheses = data?.hypotheses ?? [];
  const known = (x: string | null | undefined) => (x && hypotheses.some((h) => h.id === x) ? x : null);
  const shown =
    known(picked) ??
    known(data?.adoptedHypothesis) ??
    known(scores?.best?.id) ??
    known(data?.statedHypothesis) ??
    hypotheses[0]?.id ??
    null;
  const h = hypotheses.find((x) => x.id === shown);

  const features = useMemo(() => {
    if (!data || !shown) return [];
    const own = hypothesisFeatures(data, shown);
    const finds: Feature[] = (scores?.findings.features ?? []).map((f) => ({
      ...f,
      properties: { ...f.properties, kind: 'finding', colour: KIND_COLOUR.finding, radius: 4 },
    }));
    // Uncertainty underneath, then the stated outline, the reading's own lines and points, the finds on top.
    return [
      ...own.filter((f) => f.properties?.kind === 'uncertainty'),
      ...statedOutline(data, shown),
      ...own.filter((f) => f.properties?.kind !== 'uncertainty'),
      ...finds,
    ];
  }, [data, shown, scores]);
  const bbox = bboxOf(features.map((f) => f.geometry as Geometry));

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

  const adopt = async (hypothesis: string) => {
    const target = hypotheses.find((x) => x.id === hypothesis);
    if (!target) return;
    if (
      !window.confirm(
        t('minefield.adoptConfirm', { reading: readingWords(t, num, target.reading, target.stated) }),
      )
    )
      return;
    setAdopting(true);
    setAdoptError(null);
    try {
      await request(`/api/v1/minefield-records/${id}/adopt`, {
        method: 'POST',
        body: { hypothesis },
        headers: { 'If-Match': `"${version}"` },
      });
      setPicked(hypothesis);
      onChanged();
    } catch (err) {
      setAdoptError(err);
    } finally {
      setAdopting(false);
    }
  };

  const m = (v: number | null | undefined) =>
    v === null || v === undefined ? '—' : t('unit.m', { value: num(v, { maximumFractionDigits: 1 }) });
  const legend = [
    'perimeter',
    'uncertainty',
    'row',
    'referencePoint',
    'landmark',
    ...(data && shown && shown !== data.statedHypothesis ? ['stated'] : []),
    ...(scores ? ['finding'] : []),
  ];

  return (
    <>
      <section
        className="linked minefield-record"
        aria-labelledby="as-written-h"
        data-testid="minefield-record"
      >
        <h2 id="as-written-h">{t('minefield.record.title')}</h2>
        <RecordNotation record={record} />
        <h3>{t('minefield.legs.title')}</h3>
        <p className="muted">{t('minefield.legs.note')}</p>
        <LegsTable record={record} hypothesis={h} />
        <h3>{t('minefield.rows.title')}</h3>
        <RowsTable record={record} hypothesis={h} />
      </section>
      <section className="linked minefield-decode" aria-labelledby="decode-h" data-testid="minefield-decode">
        <h2 id="decode-h">{t('minefield.decoded')}</h2>
        {decoded.loading && <p className="muted">{t('app.loading')}</p>}
        {decoded.error ? <ErrorNote error={decoded.error} onRetry={decoded.reload} /> : null}
        {data && h && (
          <div className="record-grid">
            <div>
              <p data-testid="shown-reading">
                {t('minefield.shownReading')} <strong>{readingWords(t, num, h.reading, h.stated)}</strong>
                {h.adopted && <span className="badge adopted">{t('minefield.adopted')}</span>}
              </p>
              <p className="muted">
                {data.adoptedHypothesis ? t('minefield.geometryAdopted') : t('minefield.geometryFirst')}
              </p>
              <dl className="fields">
                <div>
                  <dt>{t('minefield.misclosure')}</dt>
                  <dd>{m(h.misclosure?.lengthM)}</dd>
                </div>
                <div>
                  <dt>{t('minefield.misclosureRatio')}</dt>
                  <dd>{h.misclosure?.ratio ? `1 : ${num(Math.round(1 / h.misclosure.ratio))}` : '—'}</dd>
                </div>
                <div>
                  <dt>{t('minefield.perimeterLength')}</dt>
                  <dd>{m(h.misclosure?.perimeterLengthM)}</dd>
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
              <ul className="legend-inline" data-testid="decode-legend">
                {legend.map((k) => (
                  <li key={k}>
                    <span
                      className={`legend-swatch ${k === 'finding' ? 'legend-dot' : 'legend-box'}`}
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
          <h3>{t('minefield.readings')}</h3>
          <button type="button" onClick={score} disabled={scoring || !data} data-testid="score">
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
        {scores ? (
          <p data-testid="score-figures">
            {t('minefield.scoreFigures', {
              findings: num(scores.findingCount),
              devices: num(scores.deviceCount),
              declared: scores.declaredCount ?? '—',
            })}
          </p>
        ) : (
          <p className="muted">{t('minefield.scoreFirst')}</p>
        )}
        {data && (
          <>
            <ScoresExplained criterion={scores?.best?.criterion} method={scores?.best?.method} />
            <ReadingsTable
              hypotheses={hypotheses}
              scores={scores}
              shown={shown}
              onShow={setPicked}
              onAdopt={mayAdopt ? adopt : undefined}
              adopting={adopting}
            />
            {adoptError ? <ErrorNote error={adoptError} /> : null}
            <NotDecodedList items={data.notDecoded} />
          </>
        )}
      </section>
    </>
  );
}
