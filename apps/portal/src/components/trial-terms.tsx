/** What a trial is, in plain words, shown before anyone signs up. */
export function TrialTerms() {
  return (
    <section className="terms" aria-labelledby="terms-title">
      <h2 id="terms-title">Your 24-hour GPU trial</h2>
      <ul>
        <li>
          <strong>24 hours</strong> from the moment your trial starts. If many people are trying Trialhub at once, you join a short waitlist
          and the clock starts when you are admitted.
        </li>
        <li>
          <strong>A GPU notebook</strong>: Jupyter on a node with an NVIDIA GPU, with a ready transfer-learning trainer and an example data set
          (houses with and without a swimming pool).
        </li>
        <li>
          <strong>At the end</strong> your notebook environment and its files are torn down. <strong>Saved results and their share links are kept</strong>,
          so you can still look at and share what you trained.
        </li>
        <li>You can end the trial early at any time from the dashboard.</li>
      </ul>
    </section>
  );
}
