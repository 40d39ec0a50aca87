import type { ReactNode } from 'react';

/** The centred card the sign-up, log-in and password pages share. */
export function AuthCard({ title, children, aside }: { title: string; children: ReactNode; aside?: ReactNode }) {
  return (
    <div className={aside ? 'auth-grid' : 'auth-single'}>
      <section className="card auth-card" aria-labelledby="auth-title">
        <h1 id="auth-title">{title}</h1>
        {children}
      </section>
      {aside}
    </div>
  );
}
