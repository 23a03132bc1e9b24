import { useI18n } from '../i18n/index.tsx';
import { CATEGORY_COLOURS, COLOURS } from '../map/style.ts';

function Swatch({ colour, shape = 'box' }: { colour: string; shape?: 'box' | 'dot' | 'ring' }) {
  return (
    <span
      className={`legend-swatch legend-${shape}`}
      style={{ background: shape === 'ring' ? '#fff' : colour, borderColor: colour }}
      aria-hidden="true"
    />
  );
}

export function Legend() {
  const { t, tk } = useI18n();
  return (
    <section className="legend" aria-label={t('map.legend')}>
      <h2>{t('map.legend')}</h2>
      <h3>{tk('register.hazards', 'hazards')}</h3>
      <ul>
        <li>
          <Swatch colour={COLOURS.hazardCHA} />
          {tk('vocab.CHA', 'CHA')}
        </li>
        <li>
          <Swatch colour={COLOURS.hazardSHA} />
          {tk('vocab.SHA', 'SHA')}
        </li>
        <li>
          <Swatch colour={COLOURS.hazardClosed} />
          {tk('vocab.closed', 'closed')}
        </li>
        <li className="muted">{t('map.legendInProgress')}</li>
      </ul>
      <h3>{tk('register.land-release', 'land-release')}</h3>
      <ul>
        <li>
          <Swatch colour={COLOURS.cancelled} />
          {tk('vocab.cancelled', 'cancelled')}
        </li>
        <li>
          <Swatch colour={COLOURS.reduced} />
          {tk('vocab.reduced', 'reduced')}
        </li>
        <li>
          <Swatch colour={COLOURS.cleared} />
          {tk('vocab.cleared', 'cleared')}
        </li>
      </ul>
      <h3>{tk('register.findings', 'findings')}</h3>
      <ul className="legend-columns">
        {Object.entries(CATEGORY_COLOURS).map(([c, colour]) => (
          <li key={c}>
            <Swatch colour={colour} shape="dot" />
            {tk(`vocab.${c}`, c)}
          </li>
        ))}
      </ul>
      <ul>
        <li>
          <Swatch colour={COLOURS.accident} shape="dot" />
          {tk('register.accidents', 'accidents')}
        </li>
        <li>
          <Swatch colour={COLOURS.settlement} shape="ring" />
          {tk('register.settlements', 'settlements')}
        </li>
        <li>
          <Swatch colour={COLOURS.minefieldRecord} shape="ring" />
          {tk('register.minefield-records', 'minefield-records')}
        </li>
      </ul>
    </section>
  );
}
