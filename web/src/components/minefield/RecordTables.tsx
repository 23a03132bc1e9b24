import { useI18n } from '../../i18n/index.tsx';
import type { DecodedLeg, Hypothesis, LayingRecord, RecordLeg, RecordPoint } from './types.ts';
import { unitM } from './words.ts';

/** How the record writes its figures, and what it states besides its legs. */
export function RecordNotation({ record }: { record: LayingRecord }) {
  const { t, num, date } = useI18n();
  const point = (p: RecordPoint | undefined) =>
    p ? (
      <>
        {p.name ? `${p.name} · ` : ''}
        <span dir="ltr">
          {p.crs} {p.coordinates.map((c) => num(c, { useGrouping: false })).join(', ')}
        </span>
        {p.xy ? ` (${t('minefield.record.eastingFirst')})` : ''}
      </>
    ) : (
      <span className="muted">—</span>
    );
  const tolerance = record.closure?.maxM
    ? t('unit.m', { value: num(record.closure.maxM) })
    : `1 : ${num(Math.round(1 / (record.closure?.maxRatio ?? 0.05)))}`;
  return (
    <dl className="fields" data-testid="record-notation">
      <div>
        <dt>{t('minefield.record.angles')}</dt>
        <dd>{t('minefield.record.angleUnit', { unit: record.angleUnit })}</dd>
      </div>
      <div>
        <dt>{t('minefield.record.bearings')}</dt>
        <dd>{t('minefield.record.bearingReference', { reference: record.bearingReference })}</dd>
      </div>
      <div>
        <dt>{t('minefield.record.distances')}</dt>
        <dd>
          {t('minefield.record.distanceUnit', {
            unit: record.distanceUnit,
            unitM: num(unitM(record, record.distanceUnit)),
          })}
        </dd>
      </div>
      <div>
        <dt>{t('minefield.record.declination')}</dt>
        <dd>
          {record.statedDeclinationDeg !== undefined
            ? t('minefield.record.declinationStated', { value: num(record.statedDeclinationDeg) })
            : t('minefield.record.declinationIgrf', {
                date: record.layingDate ? date(record.layingDate) : '—',
              })}
        </dd>
      </div>
      <div>
        <dt>{t('minefield.kind.landmark')}</dt>
        <dd>{point(record.landmark)}</dd>
      </div>
      <div>
        <dt>{t('minefield.kind.referencePoint')}</dt>
        <dd>{record.referencePoint ? point(record.referencePoint) : t('minefield.record.byLegs')}</dd>
      </div>
      <div>
        <dt>{t('minefield.record.closureTolerance')}</dt>
        <dd>
          {tolerance}
          {record.closure?.adjust ? ` · ${t('minefield.record.compassRule')}` : ''}
        </dd>
      </div>
      <div>
        <dt>{t('minefield.record.declaredMines')}</dt>
        <dd>
          {(record.declaredMines ?? []).length === 0 ? (
            <span className="muted">—</span>
          ) : (
            (record.declaredMines ?? []).map((d) => `${d.model} × ${num(d.count)}`).join(', ')
          )}
        </dd>
      </div>
    </dl>
  );
}

interface LegLine {
  key: string;
  from: string;
  to: string;
  leg: RecordLeg;
  decoded: DecodedLeg | undefined;
}

/** The legs in walking order with the names of the points they join. */
function legLines(
  record: LayingRecord,
  decoded: DecodedLeg[],
  t: (k: string, p?: Record<string, unknown>) => string,
) {
  const landmark = record.landmark?.name ?? t('minefield.kind.landmark');
  const reference = record.referencePoint?.name ?? t('minefield.kind.referencePoint');
  const tp = (n: number) => t('minefield.legs.turningPoint', { number: n });
  const find = (part: DecodedLeg['part'], index: number) =>
    decoded.find((d) => d.part === part && d.index === index);
  const lines: LegLine[] = [];
  let from = landmark;
  const toReference = record.referencePoint ? [] : (record.legsToReference ?? []);
  toReference.forEach((leg, i) => {
    const to =
      i === toReference.length - 1 ? reference : (leg.toName ?? t('minefield.legs.point', { number: i + 1 }));
    lines.push({ key: `r${i}`, from, to, leg, decoded: find('toReference', i) });
    from = to;
  });
  const starts = record.perimeter.startsAtReference === true;
  from = starts ? tp(1) : reference;
  const legs = record.perimeter.legs;
  legs.forEach((leg, i) => {
    const to = leg.toName ?? tp(starts ? i + 2 : i + 1);
    lines.push({ key: `p${i}`, from, to, leg, decoded: find('perimeter', i) });
    from = to;
  });
  if (record.perimeter.closingLeg) {
    const first = starts ? tp(1) : (legs[0]?.toName ?? tp(1));
    lines.push({
      key: 'closing',
      from,
      to: t('minefield.legs.closingTo', { point: first }),
      leg: record.perimeter.closingLeg,
      decoded: find('closing', 0),
    });
  }
  return lines;
}

/** The record's legs: as written, and as the reading shown turns them into azimuths and metres. */
export function LegsTable({
  record,
  hypothesis,
}: {
  record: LayingRecord;
  hypothesis: Hypothesis | undefined;
}) {
  const { t, num } = useI18n();
  const deg = (v: number | null | undefined) =>
    v === null || v === undefined
      ? '—'
      : `${num(v, { minimumFractionDigits: 2, maximumFractionDigits: 2 })}°`;
  const metres = (v: number | undefined) => (v === undefined ? '—' : num(v, { maximumFractionDigits: 1 }));
  const lines = legLines(record, hypothesis?.legs ?? [], t);
  return (
    <div className="table-wrap">
      <table className="records minefield-legs" data-testid="legs-table">
        <caption className="visually-hidden">{t('minefield.legs.title')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('minefield.legs.from')}</th>
            <th scope="col">{t('minefield.legs.to')}</th>
            <th scope="col">
              {t('minefield.legs.bearingWritten', {
                unit: record.angleUnit,
                reference: record.bearingReference,
              })}
            </th>
            <th scope="col">{t('minefield.legs.distanceWritten', { unit: record.distanceUnit })}</th>
            <th scope="col">{t('minefield.legs.degrees')}</th>
            <th scope="col">{t('minefield.legs.correction')}</th>
            <th scope="col">{t('minefield.legs.trueAzimuth')}</th>
            <th scope="col">{t('minefield.legs.metres')}</th>
          </tr>
        </thead>
        <tbody>
          {lines.map((l) => (
            <tr key={l.key} className={l.key === 'closing' ? 'closing-leg' : undefined}>
              <td>{l.from}</td>
              <td>{l.to}</td>
              <td dir="ltr" className="num">
                {String(l.leg.bearing)}
              </td>
              <td className="num">
                {num(l.leg.distance)}
                {l.leg.distanceUnit && l.leg.distanceUnit !== record.distanceUnit
                  ? ` ${t('minefield.legs.unitShort', { unit: l.leg.distanceUnit })}`
                  : ''}
              </td>
              <td className="num">{deg(l.decoded?.bearingDeg)}</td>
              <td className="num">
                {l.decoded?.declinationDeg !== null && l.decoded?.declinationDeg !== undefined
                  ? t('minefield.legs.declinationValue', { value: deg(l.decoded.declinationDeg) })
                  : l.decoded?.convergenceDeg !== null && l.decoded?.convergenceDeg !== undefined
                    ? t('minefield.legs.convergenceValue', { value: deg(l.decoded.convergenceDeg) })
                    : '—'}
              </td>
              <td className="num">{deg(l.decoded?.trueAzimuthDeg)}</td>
              <td className="num">{metres(l.decoded?.distanceM)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The mine rows as the record writes them, with the length of each under the reading shown. */
export function RowsTable({
  record,
  hypothesis,
}: {
  record: LayingRecord;
  hypothesis: Hypothesis | undefined;
}) {
  const { t, num } = useI18n();
  const rows = record.rows ?? [];
  if (rows.length === 0) return <p className="muted">{t('minefield.rows.none')}</p>;
  const reference = record.referencePoint?.name ?? t('minefield.kind.referencePoint');
  return (
    <div className="table-wrap">
      <table className="records minefield-rows" data-testid="rows-table">
        <caption className="visually-hidden">{t('minefield.rows.title')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('minefield.rows.name')}</th>
            <th scope="col">{t('minefield.legs.from')}</th>
            <th scope="col">{t('minefield.rows.offset', { unit: record.distanceUnit })}</th>
            <th scope="col">
              {t('minefield.legs.bearingWritten', {
                unit: record.angleUnit,
                reference: record.bearingReference,
              })}
            </th>
            <th scope="col">{t('minefield.rows.length', { unit: record.distanceUnit })}</th>
            <th scope="col">{t('minefield.rows.spacing', { unit: record.distanceUnit })}</th>
            <th scope="col">{t('minefield.rows.mines')}</th>
            <th scope="col">{t('minefield.legs.metres')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => {
            const decoded = hypothesis?.legs.find((d) => d.part === 'row' && d.index === i);
            return (
              // biome-ignore lint/suspicious/noArrayIndexKey: rows of a record have no identity but their place
              <tr key={i}>
                <td>{r.name ?? t('minefield.rows.numbered', { number: i + 1 })}</td>
                <td>
                  {r.from.point === 'reference'
                    ? reference
                    : t('minefield.legs.turningPoint', { number: r.from.number })}
                </td>
                <td dir="ltr" className="num">
                  {r.offset ? `${String(r.offset.bearing)} · ${num(r.offset.distance)}` : '—'}
                </td>
                <td dir="ltr" className="num">
                  {String(r.bearing)}
                </td>
                <td className="num">{num(r.length)}</td>
                <td className="num">{r.spacing === undefined ? '—' : num(r.spacing)}</td>
                <td>
                  {[r.mineModel, r.mineCount === undefined ? undefined : `× ${num(r.mineCount)}`]
                    .filter(Boolean)
                    .join(' ') || '—'}
                </td>
                <td className="num">
                  {decoded ? num(decoded.distanceM, { maximumFractionDigits: 1 }) : '—'}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
