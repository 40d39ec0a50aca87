import { useEffect, useState } from 'react';
import { messageOf } from '../api/client';
import { api } from '../api/endpoints';
import { useAuth } from '../auth-context';
import { ErrorBanner, Loading, Notice } from '../components/feedback';
import { Link, useLocation } from '../router';
import { AuthCard } from './auth-layout';

/**
 * One verification per token for the page's lifetime: the page can mount twice while the log-in
 * state loads (its layout changes), and a second POST of a used token would answer "used".
 */
const verifications = new Map<string, Promise<unknown>>();
function verifyOnce(token: string): Promise<unknown> {
  let p = verifications.get(token);
  if (!p) verifications.set(token, (p = api.auth.verify(token)));
  return p;
}

/** The page the verification mail links to: `/verify-email?token=…`. */
export function VerifyEmailPage() {
  const { query } = useLocation();
  const { user, refresh } = useAuth();
  const token = query.get('token');
  const [state, setState] = useState<'working' | 'done' | 'error'>(token ? 'working' : 'error');
  const [error, setError] = useState<string | null>(token ? null : 'This link has no verification token. Open the link from the email again, or send a new one from your account settings.');

  useEffect(() => {
    if (!token) return;
    let cancelled = false;
    verifyOnce(token)
      .then(() => {
        if (cancelled) return;
        setState('done');
        void refresh();
      })
      .catch((e) => {
        if (cancelled) return;
        setState('error');
        setError(messageOf(e));
      });
    return () => {
      cancelled = true;
    };
  }, [token, refresh]);

  return (
    <AuthCard title="Verify your email">
      {state === 'working' && <Loading label="Checking your link…" />}
      {state === 'done' && (
        <Notice tone="success">
          <p>Your email address is verified.</p>
        </Notice>
      )}
      {state === 'error' && <ErrorBanner message={error} />}
      <p>{user ? <Link to={state === 'error' ? '/settings' : '/'}>{state === 'error' ? 'Go to account settings' : 'Go to your dashboard'}</Link> : <Link to="/login">Log in</Link>}</p>
    </AuthCard>
  );
}
