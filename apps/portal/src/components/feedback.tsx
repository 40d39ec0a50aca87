import type { ReactNode } from 'react';

/** An error the user should read now: announced by screen readers. */
export function ErrorBanner({ message, children }: { message: string | null | undefined; children?: ReactNode }) {
  if (!message) return null;
  return (
    <div className="banner banner-error" role="alert">
      <p>{message}</p>
      {children}
    </div>
  );
}

/** A refused form: one problem as the sentence, several as a list (each is also shown beside its field). */
export function ProblemsBanner({ problems }: { problems: { banner: string | null; list: string[] } }) {
  return <ErrorBanner message={problems.banner}>{problems.list.length > 1 && <ul>{problems.list.map((p) => <li key={p}>{p}</li>)}</ul>}</ErrorBanner>;
}

export function Notice({ children, tone = 'info' }: { children: ReactNode; tone?: 'info' | 'success' | 'warning' }) {
  return (
    <div className={`banner banner-${tone}`} role="status">
      {children}
    </div>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <h3>{title}</h3>
      {children}
    </div>
  );
}
