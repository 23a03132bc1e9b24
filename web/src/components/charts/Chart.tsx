import * as Plot from '@observablehq/plot';
import { type ReactNode, useEffect, useRef } from 'react';
import { useI18n } from '../../i18n/index.tsx';
import { Link } from '../../lib/router.tsx';

/** One row of a chart's data: a label (the category or month), a series and a value. */
export interface Datum {
  /** Category or month (YYYY-MM) on the band axis. */
  key: string;
  /** Label shown for the key. */
  label: string;
  /** Series within a key (stacked), with its label; one series when left out. */
  series?: string;
  seriesLabel?: string;
  value: number;
  /** The list of the records behind the value. */
  href?: string;
}

export type ChartKind = 'bars' | 'stacked' | 'line';

/** Colours of the series the dashboard names (the outcomes match the map's and the legend's). */
const COLOURS: Record<string, string> = {
  cancelled: '#5c9bd6',
  reduced: '#44a87a',
  cleared: '#1b7a3d',
  female: '#8e5bb5',
  male: '#d9822b',
  unknown: '#9aa3ad',
  killed: '#b3261e',
  injured: '#e0a100',
};

/** Colours of other series, in order (Tableau 10). */
const PALETTE = ['#4e79a7', '#f28e2c', '#e15759', '#76b7b2', '#59a14f', '#edc949', '#af7aa1', '#ff9da7'];

/**
 * A chart drawn by Observable Plot as SVG, with the table of its figures behind it (for screen
 * readers and for reading the numbers), each figure linking to the records that make it. In a
 * right-to-left language the chart is mirrored (categories and months run from the right, the
 * value axis stands on the right); the SVG itself stays left to right so that the axes' text
 * anchors keep their meaning, and Arabic labels are shaped by the browser as in any text.
 */
export function Chart({
  title,
  data,
  kind,
  format,
  testId,
  children,
}: {
  title: string;
  data: Datum[];
  kind: ChartKind;
  /** How a value is written (an area, a count). */
  format: (n: number) => string;
  testId: string;
  children?: ReactNode;
}) {
  const { t, dir } = useI18n();
  const ref = useRef<HTMLDivElement>(null);
  const rtl = dir === 'rtl';

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.replaceChildren();
    if (data.length === 0) return;
    const keys = [...new Set(data.map((d) => d.key))];
    const labelOf = new Map(data.map((d) => [d.key, d.label]));
    const series = [...new Set(data.map((d) => d.series ?? ''))];
    const seriesLabel = new Map(data.map((d) => [d.series ?? '', d.seriesLabel ?? d.series ?? '']));
    const width = Math.max(260, Math.min(el.clientWidth || 520, 720));
    const stacked = series.length > 1 || kind === 'stacked' || data.some((d) => d.series);
    const colour = {
      domain: series.map((s) => seriesLabel.get(s) ?? s),
      range: series.map((s, i) => COLOURS[s] ?? PALETTE[i % PALETTE.length]!),
    };
    const rows = data.map((d) => ({ ...d, seriesName: seriesLabel.get(d.series ?? '') ?? '' }));
    // Long names are shortened on the axis; the table behind the chart has them whole.
    const tickFormat = (k: string) => {
      const label = labelOf.get(k) ?? k;
      return label.length > 24 ? `${label.slice(0, 23)}…` : label;
    };
    const title = (d: Datum & { seriesName: string }) =>
      `${d.label}${d.seriesName ? ` · ${d.seriesName}` : ''}: ${format(d.value)}`;
    const fill = stacked ? 'seriesName' : () => '#0057b8';
    let figure: SVGSVGElement | HTMLElement;
    if (kind === 'bars') {
      // Categories down the side (their names stay readable), values along: the side is as wide
      // as the longest name drawn in the page's font, plus the tick and its gap.
      const font = `12px ${getComputedStyle(el).fontFamily}`;
      const side = Math.min(
        200,
        Math.ceil(Math.max(...keys.map((k) => textWidth(tickFormat(k), font)))) + 14,
      );
      figure = Plot.plot({
        width,
        height: 30 + keys.length * 24,
        marginLeft: rtl ? 16 : side,
        marginRight: rtl ? side : 20,
        style: { fontSize: '12px', background: 'transparent' },
        y: { type: 'band', domain: keys, label: null, tickFormat, axis: rtl ? 'right' : 'left' },
        x: { grid: true, label: null, reverse: rtl, tickFormat: (n: number) => format(n), ticks: 4 },
        color: stacked ? colour : undefined,
        marks: [Plot.barX(rows, { y: 'key', x: 'value', fill, title }), Plot.ruleX([0])],
      });
    } else {
      figure = Plot.plot({
        width,
        height: 220,
        marginLeft: rtl ? 16 : 60,
        marginRight: rtl ? 60 : 16,
        marginBottom: 40,
        style: { fontSize: '12px', background: 'transparent' },
        x: {
          type: kind === 'line' ? 'point' : 'band',
          domain: keys,
          reverse: rtl,
          label: null,
          tickFormat,
          tickRotate: keys.length > 6 ? (rtl ? 30 : -30) : 0,
        },
        y: {
          grid: true,
          label: null,
          axis: rtl ? 'right' : 'left',
          tickFormat: (n: number) => format(n),
          ticks: 5,
        },
        color: stacked ? colour : undefined,
        marks:
          kind === 'line'
            ? [
                Plot.lineY(rows, { x: 'key', y: 'value', stroke: '#b3261e', strokeWidth: 2 }),
                Plot.dot(rows, { x: 'key', y: 'value', fill: '#b3261e', r: 2.5, title }),
                Plot.ruleY([0]),
              ]
            : [Plot.barY(rows, { x: 'key', y: 'value', fill, title }), Plot.ruleY([0])],
      });
    }
    figure.setAttribute('aria-hidden', 'true');
    // Plot adds a <style> element, which the Content-Security-Policy refuses (style-src 'self'):
    // it is dropped before the chart enters the page, and its rules are in styles.css.
    for (const style of figure.querySelectorAll('style')) style.remove();
    el.append(figure);
  }, [data, kind, rtl, format]);

  const withSeries = data.some((d) => d.series);
  const legend = [
    ...new Map(data.filter((d) => d.series).map((d) => [d.series!, d.seriesLabel ?? d.series!])),
  ];
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption>{title}</figcaption>
      {legend.length > 1 && (
        <ul className="chart-legend" aria-hidden="true">
          {legend.map(([key, label], i) => (
            <li key={key}>
              <svg width="10" height="10" aria-hidden="true">
                <rect width="10" height="10" rx="2" fill={COLOURS[key] ?? PALETTE[i % PALETTE.length]} />
              </svg>
              {label}
            </li>
          ))}
        </ul>
      )}
      {data.length === 0 ? (
        <p className="muted">{t('dashboard.noData')}</p>
      ) : (
        <>
          <div ref={ref} className="chart-plot" dir="ltr" />
          <details className="chart-table">
            <summary>{t('dashboard.showTable')}</summary>
            <table>
              <caption className="visually-hidden">{title}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('dashboard.category')}</th>
                  {withSeries && <th scope="col">{t('dashboard.series')}</th>}
                  <th scope="col">{t('dashboard.value')}</th>
                </tr>
              </thead>
              <tbody>
                {data.map((d) => (
                  <tr key={`${d.key}\u0000${d.series ?? ''}`}>
                    <th scope="row">{d.label}</th>
                    {withSeries && <td>{d.seriesLabel ?? d.series}</td>}
                    <td className="num">
                      {d.href ? <Link to={d.href}>{format(d.value)}</Link> : format(d.value)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </>
      )}
      {children}
    </figure>
  );
}

let measure: CanvasRenderingContext2D | null | undefined;

/** The width in pixels of a tick label in a CSS font (a rough guess where there is no canvas). */
function textWidth(text: string, font: string): number {
  measure ??= document.createElement('canvas').getContext('2d');
  if (!measure) return text.length * 7.5;
  measure.font = font;
  return measure.measureText(text).width;
}
