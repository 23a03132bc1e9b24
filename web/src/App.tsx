import { type ReactNode, useEffect, useRef, useState } from 'react';
import { request } from './api/client.ts';
import type { User } from './api/types.ts';
import { LanguageSelect } from './components/LanguageSelect.tsx';
import { NotificationsBell } from './components/NotificationsBell.tsx';
import { NotificationsPanel } from './components/NotificationsPanel.tsx';
import { FieldApp } from './field/FieldApp.tsx';
import { I18nProvider, isLocale, useI18n } from './i18n/index.tsx';
import { useApiPaths } from './lib/api-paths.ts';
import { AuthProvider, useAuth } from './lib/auth.tsx';
import { ConfigProvider } from './lib/config.tsx';
import { roleCan } from './lib/permissions.ts';
import { REGISTERS } from './lib/registers.ts';
import { Link, matchPath, Router, useRouter } from './lib/router.tsx';
import { Dashboard } from './pages/Dashboard.tsx';
import { Devices } from './pages/Devices.tsx';
import { ImportPage } from './pages/ImportPage.tsx';
import { MapExplorer } from './pages/MapExplorer.tsx';
import { OdkConnect } from './pages/OdkConnect.tsx';
import { Outputs } from './pages/Outputs.tsx';
import { PlanningBoard } from './pages/PlanningBoard.tsx';
import { Priorities } from './pages/Priorities.tsx';
import { Provenance } from './pages/Provenance.tsx';
import { Readiness } from './pages/Readiness.tsx';
import { RecordForm } from './pages/RecordForm.tsx';
import { RecordPage } from './pages/RecordPage.tsx';
import { RegisterList } from './pages/RegisterList.tsx';
import { NewReport, ReportEdit } from './pages/ReportForm.tsx';
import { ReportList, ReportPage, reportsHome, reportTabs, useReportCounts } from './pages/Reports.tsx';
import { SignIn } from './pages/SignIn.tsx';

/** Registers whose routes arrive with later parts of the API; shown once the API answers them. */
const LATER_ROUTES = ['minefield-records', 'reports'] as const;

/** Later routes exist once the OpenAPI document lists them. */
function useLaterRoutes(signedIn: boolean): string[] {
  const paths = useApiPaths();
  if (!signedIn || !paths) return [];
  return LATER_ROUTES.filter((slug) => paths.has(`/api/v1/${slug}`));
}

function routePage(path: string, notFound: string): ReactNode {
  if (path === '/') return <Dashboard />;
  if (path === '/map') return <MapExplorer />;
  if (path === '/reports') return <ReportList key="all" mode="all" />;
  if (path === '/reports/drafts') return <ReportList key="drafts" mode="drafts" />;
  if (path === '/reports/review') return <ReportList key="review" mode="review" />;
  if (path === '/reports/approve') return <ReportList key="approve" mode="approve" />;
  if (path === '/reports/new') return <NewReport />;
  if (path === '/import') return <ImportPage />;
  if (path === '/notifications') return <NotificationsPanel />;
  if (path === '/readiness') return <Readiness />;
  if (path === '/priorities') return <Priorities />;
  if (path === '/planning/board') return <PlanningBoard />;
  if (path === '/outputs') return <Outputs />;
  if (path === '/devices') return <Devices />;
  if (path === '/odk') return <OdkConnect />;
  const provenance = matchPath('/provenance/:slug/:id', path);
  if (provenance && (provenance.slug === 'hazards' || provenance.slug === 'admin-areas'))
    return <Provenance key={provenance.id} slug={provenance.slug} id={provenance.id} />;
  const reportEdit = matchPath('/reports/:id/edit', path);
  if (reportEdit) return <ReportEdit key={reportEdit.id} id={reportEdit.id} />;
  const report = matchPath('/reports/:id', path);
  if (report) return <ReportPage key={report.id} id={report.id} />;
  const create = matchPath('/registers/:slug/new', path);
  if (create) return <RecordForm key={`new-${create.slug}`} slug={create.slug} />;
  const edit = matchPath('/registers/:slug/:id/edit', path);
  if (edit) return <RecordForm key={`edit-${edit.id}`} slug={edit.slug} id={edit.id} />;
  const record = matchPath('/registers/:slug/:id', path);
  if (record) return <RecordPage key={record.id} slug={record.slug} id={record.id} />;
  const list = matchPath('/registers/:slug', path);
  if (list) return <RegisterList key={list.slug} slug={list.slug} />;
  return <p className="page-status">{notFound}</p>;
}

function Shell() {
  const { t, tk } = useI18n();
  const { user, loading, signOut } = useAuth();
  const { path, navigate } = useRouter();
  const later = useLaterRoutes(!!user);
  const [menuOpen, setMenuOpen] = useState(false);
  const role = user?.role ?? 'viewer';
  const hasReports = later.includes('reports');
  const paths = useApiPaths();
  const hasNotifications = !!user && !!paths?.has('/api/v1/notifications');
  // The navigation counts what waits for the role; counted again on each page change.
  const counts = useReportCounts(hasReports ? role : 'viewer', path);
  const waiting = hasReports ? counts?.[reportTabs(role)[0]] : undefined;
  // The phone menu closes once a page is chosen.
  const [menuPath, setMenuPath] = useState(path);
  if (menuPath !== path) {
    setMenuPath(path);
    setMenuOpen(false);
  }

  useEffect(() => {
    if (!loading && !user && path !== '/signin')
      navigate(`/signin?next=${encodeURIComponent(path + window.location.search)}`, { replace: true });
  }, [loading, user, path, navigate]);

  if (loading)
    return (
      <div className="page-status" role="status">
        {t('app.loading')}
      </div>
    );
  if (!user || path === '/signin') return <SignIn />;

  const page = routePage(path, t('app.notFound'));

  const navClass = (prefix: string) =>
    path === prefix || (prefix !== '/' && path.startsWith(`${prefix}/`)) ? 'active' : undefined;

  const mainLinks = (
    <>
      <Link to="/" className={path === '/' ? 'active' : undefined}>
        {t('nav.dashboard')}
      </Link>
      <Link to="/map" className={navClass('/map')}>
        {t('nav.map')}
      </Link>
      {path === '/map' && <Link to="/registers/hazards">{t('nav.registers')}</Link>}
      <Link to="/readiness" className={navClass('/readiness')}>
        {t('nav.readiness')}
      </Link>
      <Link to="/priorities" className={navClass('/priorities')}>
        {t('nav.priorities')}
      </Link>
      <Link to="/planning/board" className={navClass('/planning/board')}>
        {t('nav.board')}
      </Link>
      {later.includes('minefield-records') && (
        <Link to="/registers/minefield-records" className={navClass('/registers/minefield-records')}>
          {t('nav.minefieldRecords')}
        </Link>
      )}
      {hasReports && (
        <Link to={reportsHome(role)} className={navClass('/reports')} data-testid="nav-reports">
          {t('nav.reports')}
          {waiting ? (
            <span className="nav-count" title={t('nav.waiting', { count: waiting })}>
              {waiting}
            </span>
          ) : null}
        </Link>
      )}
      {roleCan(role, 'data.export') && (
        <Link to="/outputs" className={navClass('/outputs')} data-testid="nav-outputs">
          {t('nav.outputs')}
        </Link>
      )}
      {roleCan(role, 'data.import') && (
        <Link to="/import" className={navClass('/import')}>
          {t('nav.import')}
        </Link>
      )}
      {roleCan(role, 'user.manage') && (
        <Link to="/devices" className={navClass('/devices')} data-testid="nav-devices">
          {t('nav.devices')}
        </Link>
      )}
      {roleCan(role, 'report.create') && (
        <Link to="/odk" className={navClass('/odk')} data-testid="nav-odk">
          {t('nav.odk')}
        </Link>
      )}
      {roleCan(role, 'report.create') && (
        <a href="/field" data-testid="nav-field">
          {t('nav.field')}
        </a>
      )}
    </>
  );
  const userTools = (
    <>
      {hasNotifications && <NotificationsBell path={path} />}
      <LanguageSelect />
      <span className="user-name" title={user.email}>
        {user.name || user.email}
      </span>
      <button type="button" className="link-button" onClick={() => signOut().then(() => navigate('/signin'))}>
        {t('auth.signOut')}
      </button>
    </>
  );

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <header className="topbar">
        <Link to="/" className="brand">
          {t('app.name')}
        </Link>
        <button
          type="button"
          className="menu-button"
          aria-expanded={menuOpen}
          aria-controls="sidenav"
          onClick={() => setMenuOpen((o) => !o)}
        >
          {t('nav.menu')}
        </button>
        <nav aria-label={t('nav.main')} className="topnav">
          {mainLinks}
        </nav>
        <div className="topbar-end">{userTools}</div>
      </header>
      <div className="body">
        <nav
          id="sidenav"
          className={`sidenav ${path === '/map' ? 'collapsed' : ''} ${menuOpen ? 'open' : ''}`}
          aria-label={t('nav.registers')}
        >
          {menuOpen && (
            <div className="phone-menu">
              <div className="phone-links">{mainLinks}</div>
              <div className="phone-tools">{userTools}</div>
            </div>
          )}
          <h2>{t('nav.registers')}</h2>
          <ul>
            {REGISTERS.map((r) => (
              <li key={r.slug}>
                <Link to={`/registers/${r.slug}`} className={navClass(`/registers/${r.slug}`)}>
                  {tk(`register.${r.slug}`, r.slug)}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" tabIndex={-1}>
          {page}
        </main>
      </div>
    </div>
  );
}

function WithLocaleSync() {
  const { user, updateUser } = useAuth();
  const { locale, setLocale } = useI18n();
  // The user's saved language wins once they sign in (only then: later changes are theirs to make).
  // Until it is applied the pages wait: a page drawn in the browser's language first would be
  // drawn twice (the map built, torn down mid-load and built again), and its language sent back
  // to the server as if the user had chosen it.
  const signedInId = user?.id;
  const savedLocale = useRef<string | null>(null);
  savedLocale.current = user?.locale ?? null;
  const [appliedFor, setAppliedFor] = useState<string | undefined>(undefined);
  useEffect(() => {
    const saved = savedLocale.current;
    if (signedInId && saved && isLocale(saved)) setLocale(saved);
    setAppliedFor(signedInId);
  }, [signedInId, setLocale]);
  useEffect(() => {
    if (!user || appliedFor !== user.id || user.locale === locale) return;
    request<User>('/api/v1/auth/me', { method: 'PATCH', body: { locale } })
      .then((r) => r.data && typeof r.data === 'object' && updateUser({ ...user, ...r.data, locale }))
      .catch(() => {});
  }, [locale, user, updateUser, appliedFor]);
  const { path } = useRouter();
  if (signedInId && appliedFor !== signedInId) return null;
  // The field app has its own shell and works signed in offline, so it is not behind the app's.
  if (path === '/field' || path.startsWith('/field/')) return <FieldApp />;
  return <Shell />;
}

export function App() {
  return (
    <I18nProvider>
      <ConfigProvider>
        <AuthProvider>
          <Router>
            <WithLocaleSync />
          </Router>
        </AuthProvider>
      </ConfigProvider>
    </I18nProvider>
  );
}
