import type { MapMouseEvent, Map as MlMap } from 'maplibre-gl';
import { type FormEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { DEVICE_CATEGORIES, HAZARD_STATUSES } from '../../../src/domain/vocabularies.ts';
import { get, query } from '../api/client.ts';
import type { RecordPage, RecordProps } from '../api/types.ts';
import { CursorCoordinates } from '../components/CursorCoordinates.tsx';
import { DateRangeFilter, FilterSelect } from '../components/Filters.tsx';
import { Legend } from '../components/Legend.tsx';
import { type Bbox, bboxOf, MapView } from '../components/MapView.tsx';
import { RecordPanel } from '../components/RecordPanel.tsx';
import { useI18n } from '../i18n/index.tsx';
import { useProgrammeExtent } from '../lib/extent.ts';
import { rowsOf, useOptions } from '../lib/options.ts';
import { recordLabel } from '../lib/registers.ts';
import { useRouter, useSetSearchParam } from '../lib/router.tsx';
import type { MapFilters, TileLayer } from '../map/style.ts';
import { loadRecord } from './RecordPage.tsx';

/** Thematic groups the explorer switches on and off and searches, in the order it lists them. */
const SWITCHABLE: TileLayer[] = [
  'hazards',
  'land-release',
  'findings',
  'accidents',
  'minefield-records',
  'site-visits',
  'settlements',
  'admin-areas',
];
const CLICKABLE_LAYERS = [
  'hazard-points-circle',
  'findings-circle',
  'accidents-circle',
  'settlements-circle',
  'land-release-fill',
  'minefield-records-fill',
  'site-visits-fill',
  'hazards-fill',
  'admin-areas-fill',
];

interface SearchHit {
  slug: string;
  id: string;
  label: string;
  bbox: Bbox | null;
}

export function MapExplorer() {
  const { t, tk } = useI18n();
  const { search: params, navigate, path } = useRouter();
  const [map, setMap] = useState<MlMap | null>(null);
  const [visible, setVisible] = useState<Set<TileLayer>>(() => new Set(SWITCHABLE));
  const [selected, setSelected] = useState<{ slug: string; id: string } | null>(() => {
    const s = params.get('select');
    if (!s) return null;
    const [slug, id] = s.split(':');
    return slug && id ? { slug, id } : null;
  });
  const filters: MapFilters = useMemo(
    () => ({
      from: params.get('from') ?? undefined,
      to: params.get('to') ?? undefined,
      organisation: params.get('organisation') ?? undefined,
      category: params.get('category') ?? undefined,
      status: params.get('status') ?? undefined,
      adminArea: params.get('adminArea') ?? undefined,
    }),
    [params],
  );
  const organisations = useOptions('organisations');
  const adminAreas = useOptions('admin-areas');
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<SearchHit[] | null>(null);
  const [searching, setSearching] = useState(false);
  const [fitTo, setFitTo] = useState<Bbox | null>(null);

  const setFilter = useSetSearchParam();

  const onReady = useCallback((m: MlMap) => {
    setMap(m);
    m.on('click', (e: MapMouseEvent) => {
      const layers = CLICKABLE_LAYERS.filter(
        (id) => m.getLayer(id) && m.getLayoutProperty(id, 'visibility') !== 'none',
      );
      const feats = m.queryRenderedFeatures(e.point, { layers });
      // A cluster of findings or of hazards' points (low zoom) opens onto its members: zoom in where it was clicked.
      const cluster = feats.find((x) => x.properties?.cluster);
      const f = feats.find((x) => x.properties?.id);
      if (cluster && (!f || f.source === 'admin-areas' || f.source === 'hazards')) {
        m.easeTo({ center: e.lngLat, zoom: Math.min(m.getZoom() + 2, 16) });
        return;
      }
      // a hazard's point stands for the hazard
      if (f)
        setSelected({
          slug: f.source === 'hazard-points' ? 'hazards' : f.source,
          id: String(f.properties.id),
        });
      else setSelected(null);
    });
    for (const id of CLICKABLE_LAYERS) {
      m.on('mouseenter', id, () => {
        m.getCanvas().style.cursor = 'pointer';
      });
      m.on('mouseleave', id, () => {
        m.getCanvas().style.cursor = '';
      });
    }
  }, []);

  // "Show on map" from a record (?select=slug:id) goes to that record, not just to its panel.
  const initialSelect = useRef(selected);
  useEffect(() => {
    const sel = initialSelect.current;
    if (!sel) return;
    const ctl = new AbortController();
    loadRecord(sel.slug, sel.id, ctl.signal).then(
      (r) => {
        const b = bboxOf([r.geometry]);
        if (b) setFitTo(b);
      },
      () => undefined,
    );
    return () => ctl.abort();
  }, []);

  // Start on the programme's extent, unless a search already chose where to look.
  const programme = useProgrammeExtent();
  useEffect(() => {
    if (programme) setFitTo((cur) => cur ?? programme);
  }, [programme]);

  const runSearch = async (e: FormEvent) => {
    e.preventDefault();
    const text = q.trim();
    if (!text) {
      setHits(null);
      return;
    }
    setSearching(true);
    const results = await Promise.all(
      SWITCHABLE.map((slug) =>
        get<RecordPage>(`/api/v1/${slug}${query({ q: text, limit: 5 })}`)
          .then((page) =>
            'features' in page
              ? page.features.map((f) => ({
                  slug,
                  id: String(f.id ?? f.properties.id),
                  label: recordLabel(f.properties as RecordProps),
                  bbox: bboxOf([f.geometry]),
                }))
              : rowsOf(page).map((r) => ({ slug, id: r.id, label: recordLabel(r), bbox: null })),
          )
          .catch(() => [] as SearchHit[]),
      ),
    );
    setHits(results.flat());
    setSearching(false);
  };

  const pick = (h: SearchHit) => {
    setSelected({ slug: h.slug, id: h.id });
    if (h.bbox) setFitTo(h.bbox);
  };

  const toggle = (l: TileLayer) =>
    setVisible((cur) => {
      const next = new Set(cur);
      if (next.has(l)) next.delete(l);
      else next.add(l);
      return next;
    });

  const activeFilterCount = Object.values(filters).filter(Boolean).length;

  return (
    <div className="explorer">
      <aside className="explorer-side" aria-label={t('map.controls')}>
        {/* biome-ignore lint/a11y/useSemanticElements: <search> is not yet in React's element types */}
        <form role="search" onSubmit={runSearch} className="map-search">
          <label htmlFor="map-search-input" className="visually-hidden">
            {t('map.search')}
          </label>
          <input
            id="map-search-input"
            type="search"
            placeholder={t('map.searchPlaceholder')}
            value={q}
            onChange={(e) => setQ(e.target.value)}
          />
          <button type="submit">{t('action.search')}</button>
        </form>
        {searching && <p className="muted">{t('app.loading')}</p>}
        {hits && !searching && (
          <section aria-label={t('map.searchResults')}>
            {hits.length === 0 ? (
              <p className="muted">{t('map.noResults')}</p>
            ) : (
              <ul className="hits" data-testid="search-results">
                {hits.map((h) => (
                  <li key={`${h.slug}:${h.id}`}>
                    <button type="button" className="link-button" onClick={() => pick(h)}>
                      {h.label}
                    </button>{' '}
                    <span className="muted">{tk(`register.${h.slug}`, h.slug)}</span>
                  </li>
                ))}
              </ul>
            )}
          </section>
        )}

        <fieldset className="layers">
          <legend>{t('map.layers')}</legend>
          {SWITCHABLE.map((l) => (
            <label key={l} className="check">
              <input type="checkbox" checked={visible.has(l)} onChange={() => toggle(l)} />
              {tk(`register.${l}`, l)}
            </label>
          ))}
        </fieldset>

        <details className="filters" open={activeFilterCount > 0}>
          <summary>
            {activeFilterCount > 0 ? t('map.filtersActive', { count: activeFilterCount }) : t('map.filters')}
          </summary>
          <DateRangeFilter from={filters.from ?? ''} to={filters.to ?? ''} onChange={setFilter} />
          <FilterSelect
            label={t('filter.organisation')}
            value={filters.organisation ?? ''}
            onChange={(v) => setFilter('organisation', v)}
            options={organisations}
          />
          <FilterSelect
            label={t('filter.category')}
            value={filters.category ?? ''}
            onChange={(v) => setFilter('category', v)}
            codes={DEVICE_CATEGORIES}
          />
          <FilterSelect
            label={t('filter.hazardStatus')}
            value={filters.status ?? ''}
            onChange={(v) => setFilter('status', v)}
            codes={HAZARD_STATUSES}
          />
          <FilterSelect
            label={t('filter.adminArea')}
            value={filters.adminArea ?? ''}
            onChange={(v) => setFilter('adminArea', v)}
            options={adminAreas}
          />
          {activeFilterCount > 0 && (
            <button type="button" onClick={() => navigate(path, { replace: true })}>
              {t('filter.clear')}
            </button>
          )}
        </details>
        <Legend />
      </aside>
      <div className="explorer-map">
        <MapView
          filters={filters}
          visible={visible}
          onReady={onReady}
          fitTo={fitTo}
          label={t('map.title')}
          className="full-map"
        />
        {map && <CursorCoordinates map={map} />}
        {selected && <RecordPanel slug={selected.slug} id={selected.id} onClose={() => setSelected(null)} />}
      </div>
    </div>
  );
}
