import { FormEvent, useState } from 'react';
import { messageOf } from '../api/client';
import { api } from '../api/endpoints';
import { ErrorBanner, Notice, ProblemsBanner } from '../components/feedback';
import { FormProblems, newPasswordProblem, NO_PROBLEMS, PASSWORD_HINT, problemsFromError, problemsOf } from '../components/form-problems';
import { Button, Field } from '../components/form';
import { Link, useLocation } from '../router';
import { AuthCard } from './auth-layout';

/** `/reset-password` asks for a link by email; `/reset-password?token=…` (from the mail) sets the new password. */
export function ResetPasswordPage() {
  const token = useLocation().query.get('token');
  return token ? <SetNewPassword token={token} /> : <RequestReset />;
}

function RequestReset() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await api.auth.requestPasswordReset(String(new FormData(e.currentTarget).get('email')));
      setSent(res.message ?? 'If an account exists for this address, a reset link is on its way.');
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <AuthCard title="Reset your password">
      {sent ? (
        <Notice tone="success">
          <p>{sent}</p>
        </Notice>
      ) : (
        <form onSubmit={submit} noValidate>
          <p>Enter the email you signed up with and we will send you a link to choose a new password.</p>
          <ErrorBanner message={error} />
          <Field label="Email" name="email" type="email" autoComplete="email" required />
          <Button type="submit" busy={busy} busyLabel="Sending…">
            Send reset link
          </Button>
        </form>
      )}
      <p className="muted">
        <Link to="/login">Back to log in</Link>
      </p>
    </AuthCard>
  );
}

function SetNewPassword({ token }: { token: string }) {
  const [busy, setBusy] = useState(false);
  const [problems, setProblems] = useState<FormProblems>(NO_PROBLEMS);
  const [done, setDone] = useState(false);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const password = String(form.get('password'));
    const local = problemsOf([
      ['password', newPasswordProblem(password)],
      ['confirm', password !== String(form.get('confirm')) ? 'The two passwords do not match.' : null],
    ]);
    setProblems(local);
    if (local.list.length) return;
    setBusy(true);
    try {
      await api.auth.resetPassword(token, password);
      setDone(true);
    } catch (err) {
      setProblems(problemsFromError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <AuthCard title="Choose a new password">
      {done ? (
        <Notice tone="success">
          <p>
            Your password has been changed. <Link to="/login">Log in</Link> with the new one.
          </p>
        </Notice>
      ) : (
        <form onSubmit={submit} noValidate>
          <ProblemsBanner problems={problems} />
          <Field label="New password" name="password" type="password" autoComplete="new-password" minLength={8} required hint={PASSWORD_HINT} error={problems.fields.password} />
          <Field label="Repeat the new password" name="confirm" type="password" autoComplete="new-password" required error={problems.fields.confirm} />
          <Button type="submit" busy={busy} busyLabel="Saving…">
            Set new password
          </Button>
        </form>
      )}
    </AuthCard>
  );
}
