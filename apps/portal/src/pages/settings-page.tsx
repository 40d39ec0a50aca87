import { FormEvent, useState } from 'react';
import { navigate } from '../router';
import { messageOf } from '../api/client';
import { api } from '../api/endpoints';
import { useAuth } from '../auth-context';
import type { AccountView } from '@trialhub/contracts';
import { ErrorBanner, Notice, ProblemsBanner } from '../components/feedback';
import { FormProblems, newPasswordProblem, NO_PROBLEMS, PASSWORD_HINT, problemsFromError, problemsOf } from '../components/form-problems';
import { Button, Field } from '../components/form';
import { formatDate } from '../format';

export function SettingsPage() {
  const { user } = useAuth();
  if (!user) return null;
  return (
    <div className="stack narrow">
      <header className="page-head">
        <h1>Account settings</h1>
      </header>
      <section className="card" aria-labelledby="account-title">
        <h2 id="account-title">Account</h2>
        <dl className="facts">
          <div>
            <dt>Email</dt>
            <dd>{user.email}</dd>
          </div>
          <div>
            <dt>Member since</dt>
            <dd>{formatDate(user.createdAt)}</dd>
          </div>
          <div>
            <dt>Email verification</dt>
            <dd>
              <VerificationState user={user} />
            </dd>
          </div>
        </dl>
        {user.verificationRequired && !user.verified && <ResendVerification />}
      </section>
      <ChangePassword />
      <LogOutEverywhere />
    </div>
  );
}

/** What is true of the address: confirmed, waiting for the mailed link, or never asked for here. */
function VerificationState({ user }: { user: AccountView }) {
  if (user.verified) return <span className="badge badge-ready">Verified</span>;
  if (user.verificationRequired) return <span className="badge badge-queued">Not verified</span>;
  return (
    <>
      Not required here <span className="muted">(this Trialhub does not ask you to confirm your address)</span>
    </>
  );
}

function ResendVerification() {
  const [state, setState] = useState<'idle' | 'busy' | 'sent'>('idle');
  const [error, setError] = useState<string | null>(null);
  const resend = async () => {
    setState('busy');
    setError(null);
    try {
      await api.auth.resendVerification();
      setState('sent');
    } catch (e) {
      setError(messageOf(e));
      setState('idle');
    }
  };
  return (
    <div>
      <p>We sent you a link to verify your address. Did not get it?</p>
      <ErrorBanner message={error} />
      {state === 'sent' ? (
        <Notice tone="success">
          <p>A new verification email is on its way.</p>
        </Notice>
      ) : (
        <Button variant="secondary" onClick={resend} busy={state === 'busy'} busyLabel="Sending…">
          Send the verification email again
        </Button>
      )}
    </div>
  );
}

function ChangePassword() {
  const [busy, setBusy] = useState(false);
  const [problems, setProblems] = useState<FormProblems>(NO_PROBLEMS);
  const [done, setDone] = useState(false);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const formElement = e.currentTarget;
    const form = new FormData(formElement);
    const next = String(form.get('newPassword'));
    setDone(false);
    const local = problemsOf([
      ['currentPassword', form.get('currentPassword') ? null : 'Enter your current password.'],
      ['newPassword', newPasswordProblem(next)],
      ['confirm', next !== String(form.get('confirm')) ? 'The two new passwords do not match.' : null],
    ]);
    setProblems(local);
    if (local.list.length) return;
    setBusy(true);
    try {
      await api.auth.changePassword(String(form.get('currentPassword')), next);
      setDone(true);
      formElement.reset();
    } catch (err) {
      setProblems(problemsFromError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" aria-labelledby="password-title">
      <h2 id="password-title">Change password</h2>
      <form onSubmit={submit} noValidate>
        <ProblemsBanner problems={problems} />
        {done && (
          <Notice tone="success">
            <p>Your password has been changed.</p>
          </Notice>
        )}
        <Field label="Current password" name="currentPassword" type="password" autoComplete="current-password" required error={problems.fields.currentPassword} />
        <Field label="New password" name="newPassword" type="password" autoComplete="new-password" minLength={8} required hint={PASSWORD_HINT} error={problems.fields.newPassword} />
        <Field label="Repeat the new password" name="confirm" type="password" autoComplete="new-password" required error={problems.fields.confirm} />
        <Button type="submit" busy={busy} busyLabel="Saving…">
          Change password
        </Button>
      </form>
    </section>
  );
}

/** Ends every log-in of the account: a lost laptop, a shared computer, an API token pasted somewhere. */
function LogOutEverywhere() {
  const { setUser } = useAuth();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.auth.logoutEverywhere();
      setUser(null);
      navigate('/login');
    } catch (e) {
      setError(messageOf(e));
      setBusy(false);
    }
  };
  return (
    <section className="card" aria-labelledby="everywhere-title">
      <h2 id="everywhere-title">Log out everywhere</h2>
      <p>Ends every log-in of your account — other browsers, API tokens and open notebooks included. Your sessions, workspace and results are not touched.</p>
      <ErrorBanner message={error} />
      <Button variant="secondary" onClick={run} busy={busy} busyLabel="Logging out…">
        Log out everywhere
      </Button>
    </section>
  );
}
