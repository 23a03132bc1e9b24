import { useI18n } from '../i18n/index.tsx';
import { CATEGORY_COLOURS, COLOURS } from '../map/style.ts';

function Swatch({
  colour,
  shape = 'box',
  size,
  opacity,
}: {
  colour: string;
  shape?: 'box' | 'dot' | 'ring' | 'line';
  /** Diameter in px of a dot (the cluster's sizes). */
  size?: number;
  opacity?: number;
}) {
  return (
    <span
      className={`legend-swatch legend-${shape}`}
      style={{
        background: shape === 'ring' ? '#fff' : shape === 'line' ? 'transparent' : colour,
        borderColor: colour,
        ...(shape === 'line' ? { borderStyle: 'dashed', borderWidth: '2px 0 0 0', height: 0 } : {}),
        ...(size ? { width: size, height: size } : {}),
        ...(opacity !== undefined ? { opacity } : {}),
      }}
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
        <li>
          <Swatch colour={COLOURS.hazardCHA} shape="dot" />
          {t('map.legendHazardPoint')}
        </li>
        <li>
          <Swatch colour={COLOURS.hazardCluster} shape="dot" opacity={0.8} />
          <Swatch colour={COLOURS.hazardCluster} shape="dot" size={16} opacity={0.8} />
          {t('map.legendHazardCluster')}
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
        <li>
          <Swatch colour={COLOURS.findingCluster} shape="dot" opacity={0.55} />
          <Swatch colour={COLOURS.findingCluster} shape="dot" size={16} opacity={0.55} />
          {t('map.legendCluster')}
        </li>
      </ul>
      <ul>
        <li>
          <Swatch colour={COLOURS.accident} shape="dot" />
          {tk('register.accidents', 'accidents')}
        </li>
        <li>
          <Swatch colour={COLOURS.settlement} shape="ring" />
          {t('map.legendSettlementLabel')}
        </li>
        <li>
          <Swatch colour={COLOURS.adminLine} shape="line" />
          {t('map.legendAdminBoundary')}
        </li>
        <li>
          <Swatch colour={COLOURS.minefieldRecord} shape="ring" />
          {tk('register.minefield-records', 'minefield-records')}
        </li>
        <li>
          <Swatch colour={COLOURS.siteVisit} shape="ring" />
          {tk('register.site-visits', 'site-visits')}
        </li>
      </ul>
    </section>
  );
}
