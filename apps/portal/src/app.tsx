import type { UserView } from '@trialhub/contracts';
import { ReactNode, useEffect, useRef } from 'react';
import { AuthProvider, useAuth } from './auth-context';
import { ErrorBanner, Loading } from './components/feedback';
import { AdminPage } from './pages/admin-page';
import { AdminsOnlyPage } from './pages/admin/admins-only-page';
import { DashboardPage } from './pages/dashboard-page';
import { LoginPage } from './pages/login-page';
import { NotFoundPage } from './pages/not-found-page';
import { ResetPasswordPage } from './pages/reset-password-page';
import { ResultPage } from './pages/result-page';
import { ResultsPage } from './pages/results-page';
import { SessionPage } from './pages/session-page';
import { SettingsPage } from './pages/settings-page';
import { SignupPage } from './pages/signup-page';
import { VerifyEmailPage } from './pages/verify-email-page';
import { WelcomePage } from './pages/welcome-page';
import { trialLive } from './live/session-live';
import { Link, matchPath, navigate, Redirect, useLocation } from './router';

type Access = 'public' | 'guest' | 'user' | 'admin';
interface Route {
  pattern: string;
  access: Access;
  title: string;
  render(params: Record<string, string>): ReactNode;
}

/** Every page: `guest` pages send logged-in users home, `user` pages send guests to log in. */
const ROUTES: Route[] = [
  { pattern: '/', access: 'user', title: 'Dashboard', render: () => <DashboardPage /> },
  { pattern: '/signup', access: 'guest', title: 'Sign up', render: () => <SignupPage /> },
  { pattern: '/login', access: 'guest', title: 'Log in', render: () => <LoginPage /> },
  { pattern: '/verify-email', access: 'public', title: 'Verify email', render: () => <VerifyEmailPage /> },
  { pattern: '/reset-password', access: 'public', title: 'Reset password', render: () => <ResetPasswordPage /> },
  { pattern: '/sessions/:id', access: 'user', title: 'Session', render: (p) => <SessionPage key={p.id} sessionId={p.id} /> },
  { pattern: '/results', access: 'user', title: 'Results', render: () => <ResultsPage /> },
  { pattern: '/results/:id', access: 'user', title: 'Result', render: (p) => <ResultPage key={p.id} resultId={p.id} /> },
  { pattern: '/settings', access: 'user', title: 'Account settings', render: () => <SettingsPage /> },
  { pattern: '/admin', access: 'admin', title: 'Administration', render: () => <AdminPage /> },
  { pattern: '/admin/users/:id', access: 'admin', title: 'User · Administration', render: (p) => <AdminPage key={p.id} userId={p.id} /> },
  { pattern: '/admin/:section', access: 'admin', title: 'Administration', render: (p) => <AdminPage key={p.section} section={p.section} /> },
];

export function resolveRoute(path: string): { route: Route | null; params: Record<string, string> } {
  for (const route of ROUTES) {
    const params = matchPath(route.pattern, path);
    if (params) return { route, params };
  }
  return { route: null, params: {} };
}

function Header({ user, path }: { user: UserView | null; path: string }) {
  const { logout } = useAuth();
  const nav = (to: string, label: string) => {
    const current = to === '/' ? path === '/' || path.startsWith('/sessions') : path.startsWith(to);
    return (
      <li>
        <Link to={to} aria-current={current ? 'page' : undefined}>
          {label}
        </Link>
      </li>
    );
  };
  return (
    <header className="topbar">
      <div className="topbar-inner">
        <Link to="/" className="brand">
          <span className="brand-mark" aria-hidden="true">
            T
          </span>
          Trialhub
        </Link>
        {user ? (
          <nav aria-label="Main">
            <ul>
              {nav('/', 'Dashboard')}
              {nav('/results', 'Results')}
              {nav('/settings', 'Account')}
              {user.role === 'admin' && nav('/admin', 'Admin')}
              <li>
                <button className="linklike" onClick={() => void logout().then(() => (trialLive.clear(), navigate('/login')))}>
                  Log out
                </button>
              </li>
            </ul>
          </nav>
        ) : (
          <nav aria-label="Main">
            <ul>
              {nav('/login', 'Log in')}
              {nav('/signup', 'Sign up')}
            </ul>
          </nav>
        )}
      </div>
    </header>
  );
}

function Shell() {
  const { user, error } = useAuth();
  const { path } = useLocation();
  const { route, params } = resolveRoute(path);
  const main = useRef<HTMLElement>(null);

  // On navigation, name the page and move focus to it so screen readers announce the change.
  useEffect(() => {
    document.title = route ? `${path === '/' && !user ? 'Free 24-hour GPU notebook trial' : route.title} · Trialhub` : 'Not found · Trialhub';
    main.current?.focus({ preventScroll: true });
  }, [path, route, user]);

  let content: ReactNode;
  if (user === undefined) content = <Loading />;
  else if (!route) content = <NotFoundPage />;
  // A visitor at `/` learns what the trial is and is led to sign-up (not sent to log in).
  else if (path === '/' && !user) content = <WelcomePage />;
  else if ((route.access === 'user' || route.access === 'admin') && !user)
    content = (
      <>
        {error && <ErrorBanner message={error} />}
        <Redirect to={path === '/' ? '/login' : `/login?next=${encodeURIComponent(path)}`} />
      </>
    );
  else if (route.access === 'guest' && user) content = <Redirect to="/" />;
  else if (route.access === 'admin' && user?.role !== 'admin') content = <AdminsOnlyPage />;
  else content = route.render(params);

  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <Header user={user ?? null} path={path} />
      {user && user.verificationRequired && !user.verified && path !== '/verify-email' && (
        <div className="verify-strip" role="status">
          Please verify your email address: check your inbox. <Link to="/settings">Resend the email</Link>
        </div>
      )}
      <main id="main" ref={main} tabIndex={-1}>
        {content}
      </main>
      <footer className="footer">Trialhub · 24-hour GPU notebook trials</footer>
    </>
  );
}

export function App() {
  return (
    <AuthProvider>
      <Shell />
    </AuthProvider>
  );
}
