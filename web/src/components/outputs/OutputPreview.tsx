import { type AreaUnit, areaUnit, useI18n } from '../../i18n/index.tsx';

/**
 * A standard report drawn on the page from its JSON format (docs/outputs.md): the same blocks
 * the PDF, XLSX and CSV draw (facts, tables, text, signatures; a map is named, its figures are
 * in the PDF), then the footer that regenerates it: as-at date, filters, who made it and when,
 * and the content hash.
 */

type Cell = string | number | null;

export interface OutputBlock {
  kind: 'table' | 'facts' | 'text' | 'map' | 'signatures';
  title?: string;
  note?: string;
  text?: string;
  columns?: Array<{ key: string; label: string; numeric?: boolean; unit?: 'm2' }>;
  rows?: Cell[][];
  totals?: Cell[];
  items?: Array<[string, Cell, 'm2'?]>;
  roles?: string[];
  labels?: { name: string; date: string; signature: string };
  layers?: Array<{ label: string; geometries: unknown[] }>;
}

export interface OutputAnswer {
  document: {
    output: string;
    title: string;
    params: { asAt: string } & Record<string, unknown>;
    filters: Array<[string, string]>;
    blocks: OutputBlock[];
  };
  contentSha256: string;
  provenance: { generatedBy: string; generatedAt: string };
}

/** A label without its unit (", m²" in every catalogue), to name the unit the page chose instead. */
const withoutUnit = (label: string) => label.replace(/\s*[,،]\s*(m²|м²|م²)\s*$/u, '');

export function OutputPreview({ answer }: { answer: OutputAnswer }) {
  const { t, locale, area, areaIn } = useI18n();
  const number = (n: number) => new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(n);
  const cell = (c: Cell) => (c === null ? '' : typeof c === 'number' ? number(c) : c);
  // Areas are square metres in the files; here each area column gets one unit (m², ha or km²,
  // by its values), named in its head, and its figures are rounded to it.
  const units = (b: OutputBlock): Array<AreaUnit | null> =>
    (b.columns ?? []).map((c, i) =>
      c.unit === 'm2'
        ? areaUnit([...(b.rows ?? []), ...(b.totals ? [b.totals] : [])].map((r) => r[i] as number | null))
        : null,
    );
  const head = (label: string, unit: AreaUnit | null) =>
    unit ? `${withoutUnit(label)} (${t(`unit.name.${unit}`)})` : label;
  const inUnit = (c: Cell, unit: AreaUnit | null) =>
    unit && typeof c === 'number' ? areaIn(c, unit) : cell(c);
  const doc = answer.document;
  return (
    <article className="output-preview" data-testid="output-preview" aria-labelledby="output-title">
      <h2 id="output-title">{doc.title}</h2>
      {doc.blocks.map((b, i) => {
        const key = `${b.kind}-${i}`;
        if (b.kind === 'facts')
          return (
            <section key={key} className="output-block">
              <h3>{b.title}</h3>
              <dl className="output-facts">
                {(b.items ?? []).map(([label, value, unit]) => (
                  <div key={label}>
                    <dt>{unit ? withoutUnit(label) : label}</dt>
                    <dd>{unit && typeof value === 'number' ? area(value) : cell(value)}</dd>
                  </div>
                ))}
              </dl>
            </section>
          );
        if (b.kind === 'table') {
          const unit = units(b);
          return (
            <section key={key} className="output-block">
              <h3>{b.title}</h3>
              {b.note && <p className="muted">{b.note}</p>}
              <div className="table-wrap">
                <table className="records output-table">
                  <thead>
                    <tr>
                      {(b.columns ?? []).map((c, ci) => (
                        <th key={c.key} className={c.numeric ? 'num' : undefined}>
                          {head(c.label, unit[ci] ?? null)}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {(b.rows ?? []).length === 0 && (
                      <tr>
                        <td colSpan={(b.columns ?? []).length || 1} className="muted">
                          {t('outputs.noRows')}
                        </td>
                      </tr>
                    )}
                    {(b.rows ?? []).map((r, ri) => (
                      // biome-ignore lint/suspicious/noArrayIndexKey: rows have no id of their own
                      <tr key={ri}>
                        {r.map((c, ci) => (
                          // biome-ignore lint/suspicious/noArrayIndexKey: cells are positional
                          <td key={ci} className={b.columns?.[ci]?.numeric ? 'num' : undefined}>
                            {inUnit(c, unit[ci] ?? null)}
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                  {b.totals && (
                    <tfoot>
                      <tr>
                        {b.totals.map((c, ci) => (
                          // biome-ignore lint/suspicious/noArrayIndexKey: cells are positional
                          <th key={ci} className={b.columns?.[ci]?.numeric ? 'num' : undefined}>
                            {inUnit(c, unit[ci] ?? null)}
                          </th>
                        ))}
                      </tr>
                    </tfoot>
                  )}
                </table>
              </div>
            </section>
          );
        }
        if (b.kind === 'text')
          return (
            <section key={key} className="output-block">
              {b.title && <h3>{b.title}</h3>}
              <p className="output-text">{b.text}</p>
            </section>
          );
        if (b.kind === 'map')
          return (
            <section key={key} className="output-block">
              <h3>{b.title}</h3>
              <p className="muted">{t('outputs.mapInPdf')}</p>
              <ul>
                {(b.layers ?? []).map((l) => (
                  <li key={l.label}>
                    {l.label}: {number(l.geometries.length)}
                  </li>
                ))}
              </ul>
            </section>
          );
        return (
          <section key={key} className="output-block">
            <h3>{b.title}</h3>
            <ul>
              {(b.roles ?? []).map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          </section>
        );
      })}
      <footer className="output-footer" data-testid="output-footer">
        <dl>
          <div>
            <dt>{t('outputs.asAt')}</dt>
            <dd>
              <bdi>{doc.params.asAt}</bdi>
            </dd>
          </div>
          {doc.filters.map(([label, value]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>
                <bdi>{value}</bdi>
              </dd>
            </div>
          ))}
          <div>
            <dt>{t('outputs.generated')}</dt>
            <dd>
              <bdi>{answer.provenance.generatedBy}</bdi>, <bdi>{answer.provenance.generatedAt}</bdi>
            </dd>
          </div>
          <div>
            <dt>{t('outputs.contentHash')}</dt>
            <dd>
              <code className="hash" data-testid="output-hash">
                {answer.contentSha256}
              </code>
            </dd>
          </div>
        </dl>
      </footer>
    </article>
  );
}
