import { Link } from '../router';

/** `/` for a visitor: what the free trial is and gives, and the way to start it (sign-up first; log-in for those who have an account). */
export function WelcomePage() {
  return (
    <div className="stack welcome">
      <section className="card welcome-hero" aria-labelledby="welcome-title">
        <h1 id="welcome-title">Train your own image classifier, free for 24 hours</h1>
        <p className="lead">
          Trialhub gives you a ready Jupyter notebook with a transfer-learning trainer. You need no GPU of your own and no data-science
          background: the worked example teaches a model to tell houses with a swimming pool from houses without one, in minutes.
        </p>
        <div className="actions">
          <Link className="btn btn-primary" to="/signup">
            Start your free trial
          </Link>
          <span className="muted">
            Already have an account? <Link to="/login">Log in</Link>
          </span>
        </div>
      </section>
      <section className="grid-3" aria-label="How the trial works">
        <div className="card">
          <h2>1. Sign up</h2>
          <p>An email address and a password. Your 24 hours start right away (or as soon as a place frees up).</p>
        </div>
        <div className="card">
          <h2>2. Launch a notebook</h2>
          <p>Jupyter opens with the trainer and example data ready. Train, look at the accuracy, try your own photos.</p>
        </div>
        <div className="card">
          <h2>3. Keep what you made</h2>
          <p>Save results and share them with a link. When the trial ends the notebook goes; saved results stay.</p>
        </div>
      </section>
    </div>
  );
}
