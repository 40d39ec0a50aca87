import { FormEvent, useState } from 'react';
import { messageOf } from '../api/client';
import { api } from '../api/endpoints';
import { useAuth } from '../auth-context';
import { ErrorBanner } from '../components/feedback';
import { Button, Field } from '../components/form';
import { TrialTerms } from '../components/trial-terms';
import { Link, navigate } from '../router';
import { AuthCard } from './auth-layout';

export function SignupPage() {
  const { setUser } = useAuth();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [details, setDetails] = useState<string[]>([]);

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    if (!form.get('terms')) {
      setError('Please confirm you have read the trial terms.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const res = await api.auth.signup(String(form.get('email')), String(form.get('password')));
      setUser(res.user);
      navigate('/', { replace: true });
    } catch (err) {
      setError(messageOf(err));
      setDetails((err as { details?: string[] }).details ?? []);
      setBusy(false);
    }
  };

  return (
    <AuthCard title="Start your free GPU trial" aside={<TrialTerms />}>
      <form onSubmit={submit} noValidate>
        <ErrorBanner message={error}>{details.length > 1 && <ul>{details.map((d) => <li key={d}>{d}</li>)}</ul>}</ErrorBanner>
        <Field label="Email" name="email" type="email" autoComplete="email" required />
        <Field label="Password" name="password" type="password" autoComplete="new-password" minLength={8} required hint="At least 8 characters." />
        <div className="check">
          <input id="terms" name="terms" type="checkbox" />
          <label htmlFor="terms">I understand the trial lasts 24 hours and my notebook environment is deleted at the end; saved results stay.</label>
        </div>
        <Button type="submit" busy={busy} busyLabel="Creating your account…">
          Create account and start trial
        </Button>
      </form>
      <p className="muted">
        Already have an account? <Link to="/login">Log in</Link>
      </p>
    </AuthCard>
  );
}
