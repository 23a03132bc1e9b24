import { useI18n } from '../../i18n/index.tsx';
import type { Hypothesis, Scores } from './types.ts';
import { readingWords } from './words.ts';

/**
 * The decoded readings, in words, with their closure and, once scored, their scores; the one
 * shown on the map is chosen here, and an authorised user adopts one as the record's reading.
 */
export function ReadingsTable({
  hypotheses,
  scores,
  shown,
  onShow,
  onAdopt,
  adopting,
}: {
  hypotheses: Hypothesis[];
  scores: Scores | null;
  shown: string | null;
  onShow: (id: string) => void;
  /** Absent: the user may not adopt a reading. */
  onAdopt?: (id: string) => void;
  adopting: boolean;
}) {
  const { t, tk, num } = useI18n();
  const m = (v: number | null | undefined) =>
    v === null || v === undefined ? '—' : t('unit.m', { value: num(v, { maximumFractionDigits: 1 }) });
  const pct = (v: number) => num(v, { style: 'percent', maximumFractionDigits: 0 });
  const scoreOf = (id: string) => scores?.hypotheses.find((s) => s.id === id);
  // In the order the server ranks them: the largest likelihood first (misfit only to break ties).
  const ordered = scores
    ? [...hypotheses].sort(
        (a, b) =>
          (scoreOf(b.id)?.likelihood?.logLikelihood ?? Number.NEGATIVE_INFINITY) -
            (scoreOf(a.id)?.likelihood?.logLikelihood ?? Number.NEGATIVE_INFINITY) ||
          (scoreOf(a.id)?.misfit.medianM ?? Number.POSITIVE_INFINITY) -
            (scoreOf(b.id)?.misfit.medianM ?? Number.POSITIVE_INFINITY),
      )
    : hypotheses;
  return (
    <div className="table-wrap">
      <table className="records minefield-readings" data-testid="readings">
        <thead>
          <tr>
            <th scope="col">{t('minefield.reading')}</th>
            {!scores && <th scope="col">{t('minefield.misclosure')}</th>}
            {scores && (
              <>
                <th scope="col">{t('minefield.likelihood')}</th>
                <th scope="col">{t('minefield.medianMisfit')}</th>
                <th scope="col">{t('minefield.p95Misfit')}</th>
                <th scope="col">{t('minefield.insidePolygon')}</th>
                <th scope="col">{t('minefield.insideUncertainty')}</th>
                <th scope="col">{t('minefield.fit')}</th>
              </>
            )}
            <th scope="col">{t('minefield.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {ordered.map((h) => {
            const s = scoreOf(h.id);
            return (
              <tr
                key={h.id}
                className={h.id === shown ? 'shown' : undefined}
                data-testid="reading"
                data-hypothesis={h.id}
              >
                <td>
                  <span className="reading-words">{readingWords(t, num, h.reading, h.stated)}</span>
                  {h.adopted && <span className="badge adopted">{t('minefield.adopted')}</span>}
                  {scores?.best?.id === h.id && <span className="badge">{t('minefield.best')}</span>}
                </td>
                {!scores && (
                  <td className="num">
                    {h.misclosure
                      ? `${m(h.misclosure.lengthM)}${
                          h.misclosure.ratio ? ` · 1 : ${num(Math.round(1 / h.misclosure.ratio))}` : ''
                        }`
                      : '—'}
                  </td>
                )}
                {scores && (
                  <>
                    <td className="num" data-testid="reading-likelihood">
                      {s?.likelihood ? (
                        <>
                          {num(s.likelihood.logLikelihood, { maximumFractionDigits: 1 })}
                          <span className="muted likelihood-model">
                            {t('minefield.likelihoodFigures', {
                              model: tk(
                                `minefield.likelihoodModel.${s.likelihood.model}`,
                                s.likelihood.model,
                              ),
                              sigma: num(s.likelihood.sigmaM, { maximumFractionDigits: 1 }),
                              strays: s.likelihood.strays,
                            })}
                          </span>
                        </>
                      ) : (
                        '—'
                      )}
                    </td>
                    <td className="num">{s ? m(s.misfit.medianM) : '—'}</td>
                    <td className="num">{s ? m(s.misfit.p95M) : '—'}</td>
                    <td className="num">{s ? pct(s.shareInsidePolygon) : '—'}</td>
                    <td className="num">{s ? pct(s.shareInsideUncertainty) : '—'}</td>
                    <td>
                      {s?.fit
                        ? t('minefield.fitFigures', {
                            rotation: num(s.fit.rotationDeg, { maximumFractionDigits: 1 }),
                            shift: num(Math.hypot(s.fit.shiftEastM, s.fit.shiftNorthM), {
                              maximumFractionDigits: 1,
                            }),
                            rms: num(s.fit.residualRmsM, { maximumFractionDigits: 1 }),
                          })
                        : '—'}
                    </td>
                  </>
                )}
                <td className="reading-actions">
                  {h.id === shown ? (
                    <span className="muted">{t('minefield.shownOnMap')}</span>
                  ) : (
                    <button type="button" className="link-button" onClick={() => onShow(h.id)}>
                      {t('minefield.showOnMap')}
                    </button>
                  )}
                  {onAdopt && !h.adopted && (
                    <button
                      type="button"
                      onClick={() => onAdopt(h.id)}
                      disabled={adopting}
                      data-testid="adopt"
                    >
                      {t('minefield.adopt')}
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** What the likelihood, misfit, inside shares and the rigid fit mean, beside the scores. */
export function ScoresExplained({ criterion, method }: { criterion?: string; method?: string }) {
  const { t } = useI18n();
  return (
    <aside className="scores-explained" data-testid="scores-explained" aria-labelledby="scores-explained-h">
      <h4 id="scores-explained-h">{t('minefield.explain.title')}</h4>
      <dl>
        <div>
          <dt>{t('minefield.explain.likelihoodTerm')}</dt>
          <dd>
            {t('minefield.explain.likelihood')}
            {method ? (
              <details className="likelihood-method">
                <summary>{t('minefield.explain.method')}</summary>
                <p data-testid="likelihood-method">{method}</p>
              </details>
            ) : null}
          </dd>
        </div>
        <div>
          <dt>{t('minefield.explain.misfitTerm')}</dt>
          <dd>{t('minefield.explain.misfit')}</dd>
        </div>
        <div>
          <dt>{t('minefield.explain.insideTerm')}</dt>
          <dd>{t('minefield.explain.inside')}</dd>
        </div>
        <div>
          <dt>{t('minefield.explain.fitTerm')}</dt>
          <dd>{t('minefield.explain.fit')}</dd>
        </div>
      </dl>
      {criterion ? <p className="muted">{t('minefield.explain.best')}</p> : null}
    </aside>
  );
}
