/** Placeholder for the admin console (quotas, capacity, users); the admin issue fills it in. */
export function AdminPage() {
  return (
    <div className="stack">
      <header className="page-head">
        <h1>Administration</h1>
      </header>
      <section className="card">
        <p>The admin console is coming. Until then, the admin API is documented at <a href="/api/docs">/api/docs</a>.</p>
      </section>
    </div>
  );
}
