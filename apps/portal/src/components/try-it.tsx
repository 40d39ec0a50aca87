import { DragEvent, useEffect, useState } from 'react';
import { messageOf } from '../api/client';
import { PhotoPrediction, predictPhoto } from '../api/predict';

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/** Drop or choose a photo; the result's own model says what it sees (the photo is not kept). */
export function TryIt({ resultId, classes }: { resultId: string; classes: string[] }) {
  const [preview, setPreview] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [over, setOver] = useState(false);
  const [answer, setAnswer] = useState<PhotoPrediction | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => () => { if (preview) URL.revokeObjectURL(preview); }, [preview]);

  const classify = async (file: File | undefined) => {
    if (!file) return;
    setPreview(URL.createObjectURL(file));
    setBusy(true);
    setAnswer(null);
    setError(null);
    try {
      setAnswer(await predictPhoto(resultId, file));
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  const onDrop = (e: DragEvent<HTMLLabelElement>) => {
    e.preventDefault();
    setOver(false);
    void classify(e.dataTransfer.files[0]);
  };

  return (
    <div className="try-it">
      <p className="muted">Drop a JPEG or PNG, or choose one: the model says which of {classes.join(', ') || 'its classes'} it sees, and how sure it is. The photo is not kept.</p>
      <label className={`drop${over ? ' over' : ''}`} onDragOver={(e) => { e.preventDefault(); setOver(true); }} onDragLeave={() => setOver(false)} onDrop={onDrop}>
        <span>Drop a photo here, or <u>choose one</u></span>
        <input type="file" accept="image/jpeg,image/png,image/webp" onChange={(e) => void classify(e.currentTarget.files?.[0])} />
      </label>
      <div className="try-result" role="status" aria-live="polite">
        {preview && <img src={preview} alt="Your photo" />}
        {busy && <span className="muted">Classifying…</span>}
        {error && <span className="error">{error}</span>}
        {answer && (
          <div data-prediction={answer.label}>
            <div className="label">{answer.label}</div>
            <div>{pct(answer.confidence)} sure</div>
            <div className="muted">{Object.entries(answer.scores).map(([k, v]) => `${k}: ${pct(v)}`).join(' · ')}</div>
          </div>
        )}
      </div>
    </div>
  );
}
