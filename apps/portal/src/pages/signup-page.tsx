import { FormEvent, useState } from 'react';
import type { SignupPendingResponse } from '@trialhub/contracts';
import { api } from '../api/endpoints';
import { useAuth } from '../auth-context';
import { EmailSuggestion, emailSuggestionFor } from '../components/email-suggestion';
import { Notice, ProblemsBanner } from '../components/feedback';
import { Button, Field } from '../components/form';
import { emailProblem, FormProblems, newPasswordProblem, NO_PROBLEMS, PASSWORD_HINT, problemsFromError, problemsOf } from '../components/form-problems';
import { TrialTerms } from '../components/trial-terms';
import { Link, navigate } from '../router';
import { AuthCard } from './auth-layout';

const TERMS_PROBLEM = 'Please confirm you have read the trial terms.';

/**
 * Sign-up shows every problem at once: what the form can tell (empty or malformed email, short
 * password, terms not ticked) before sending, then what the server says (an easy-to-guess
 * password, for one), each beside its field and all in the banner.
 */
export function SignupPage() {
  const { setUser } = useAuth();
  const [busy, setBusy] = useState(false);
  const [email, setEmail] = useState('');
  const [suggestion, setSuggestion] = useState<string | null>(null);
  const [problems, setProblems] = useState<FormProblems>(NO_PROBLEMS);
  const [pending, setPending] = useState<SignupPendingResponse | null>(null);

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const password = String(form.get('password') ?? '');
    setSuggestion(emailSuggestionFor(email));
    const local = problemsOf([
      ['email', emailProblem(email)],
      ['password', newPasswordProblem(password)],
      ['terms', form.get('terms') ? null : TERMS_PROBLEM],
    ]);
    setProblems(local);
    if (local.list.length) return;
    setBusy(true);
    try {
      const res = await api.auth.signup(email.trim(), password);
      if ('pending' in res) {
        setPending(res);
      } else {
        setUser(res.user);
        navigate('/', { replace: true });
      }
    } catch (err) {
      setProblems(problemsFromError(err));
    } finally {
      setBusy(false);
    }
  };

  if (pending) {
    return (
      <AuthCard title="Check your inbox">
        <Notice tone="success">
          <p>{pending.message}</p>
        </Notice>
        <p className="muted">
          <Link to="/login">Log in</Link> once you have confirmed your address.
        </p>
      </AuthCard>
    );
  }

  return (
    <AuthCard title="Start your free GPU trial" aside={<TrialTerms />}>
      <form onSubmit={submit} noValidate>
        <ProblemsBanner problems={problems} />
        <Field
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.currentTarget.value)}
          onBlur={() => setSuggestion(emailSuggestionFor(email))}
          error={problems.fields.email}
        />
        <EmailSuggestion
          suggestion={suggestion}
          onAccept={(fixed) => {
            setEmail(fixed);
            setSuggestion(null);
          }}
        />
        <Field label="Password" name="password" type="password" autoComplete="new-password" minLength={8} required hint={PASSWORD_HINT} error={problems.fields.password} />
        <div className={`check${problems.fields.terms ? ' field-invalid' : ''}`}>
          <input id="terms" name="terms" type="checkbox" aria-invalid={problems.fields.terms ? true : undefined} aria-describedby={problems.fields.terms ? 'terms-error' : undefined} />
          <label htmlFor="terms">I understand the trial lasts 24 hours and my notebook environment is deleted at the end; saved results stay.</label>
        </div>
        {problems.fields.terms && (
          <p className="field-error" id="terms-error">
            {problems.fields.terms}
          </p>
        )}
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
