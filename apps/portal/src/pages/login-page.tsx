import { FormEvent, useState } from 'react';
import { messageOf } from '../api/client';
import { api } from '../api/endpoints';
import { useAuth } from '../auth-context';
import { ErrorBanner } from '../components/feedback';
import { Button, Field } from '../components/form';
import { Link, navigate, useLocation } from '../router';
import { AuthCard } from './auth-layout';

/** Only same-site paths are followed after log-in (no open redirect). */
export const safeNext = (next: string | null) => (next && next.startsWith('/') && !next.startsWith('//') ? next : '/');

export function LoginPage() {
  const { setUser } = useAuth();
  const { query } = useLocation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const res = await api.auth.login(String(form.get('email')), String(form.get('password')));
      setUser(res.user);
      navigate(safeNext(query.get('next')), { replace: true });
    } catch (err) {
      setError(messageOf(err));
      setBusy(false);
    }
  };

  return (
    <AuthCard title="Log in to Trialhub">
      <form onSubmit={submit} noValidate>
        <ErrorBanner message={error} />
        <Field label="Email" name="email" type="email" autoComplete="email" required />
        <Field label="Password" name="password" type="password" autoComplete="current-password" required />
        <Button type="submit" busy={busy} busyLabel="Logging in…">
          Log in
        </Button>
      </form>
      <p className="muted">
        <Link to="/reset-password">Forgot your password?</Link> · New here? <Link to="/signup">Start a free trial</Link>
      </p>
    </AuthCard>
  );
}
