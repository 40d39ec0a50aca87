import { DragEvent, useState } from 'react';
import { MIN_PHOTOS_PER_CLASS, OWN_PHOTOS_FOLDER, PhotoUploadView } from '@trialhub/contracts';
import { ApiRequestError, messageOf } from '../api/client';
import { uploadPhotos } from '../api/photos';
import { storedZip } from '../photos/stored-zip';

type Progress = { phase: 'packing' } | { phase: 'sending'; sent: number; total: number } | { phase: 'checking' };

/** Your own photos: a .zip or a folder of class folders into the session's workspace, with the counts and every file left out. */
export function OwnPhotos({ sessionId }: { sessionId: string }) {
  const [progress, setProgress] = useState<Progress | null>(null);
  const [over, setOver] = useState(false);
  const [answer, setAnswer] = useState<PhotoUploadView | null>(null);
  const [error, setError] = useState<{ message: string; refused: string[] } | null>(null);

  const send = async (zip: Blob) => {
    setAnswer(null);
    setError(null);
    try {
      setAnswer(
        await uploadPhotos(sessionId, zip, (sent, total) => setProgress(sent < total ? { phase: 'sending', sent, total } : { phase: 'checking' })),
      );
    } catch (err) {
      setError({ message: messageOf(err), refused: err instanceof ApiRequestError ? err.details : [] });
    } finally {
      setProgress(null);
    }
  };
  const sendZip = (file: File | undefined) => {
    if (!file) return;
    if (!/\.zip$/i.test(file.name)) {
      setError({ message: `${file.name} is not a .zip: drop a .zip of class folders, or choose a folder below.`, refused: [] });
      return;
    }
    setProgress({ phase: 'sending', sent: 0, total: file.size });
    void send(file);
  };
  const sendFolder = async (files: FileList | null) => {
    if (!files?.length) return;
    setProgress({ phase: 'packing' });
    // webkitRelativePath is "<chosen folder>/<class>/<photo>"; the server peels the shared folder off.
    void send(await storedZip([...files].map((file) => ({ path: file.webkitRelativePath || file.name, file }))));
  };
  const onDrop = (e: DragEvent<HTMLLabelElement>) => {
    e.preventDefault();
    setOver(false);
    sendZip(e.dataTransfer.files[0]);
  };
  const busy = progress !== null;

  return (
    <div className="own-photos">
      <p>
        Train on your own photos: one folder per class, named after it, at least two classes with at least {MIN_PHOTOS_PER_CLASS} JPEG, PNG or WebP photos
        each — for example <code>cats/1.jpg</code>, <code>cats/2.jpg</code>, …, <code>dogs/1.jpg</code>. Zip the folders, or choose the folder that holds them.
      </p>
      <label className={`drop${over ? ' over' : ''}${busy ? ' busy' : ''}`} onDragOver={(e) => { e.preventDefault(); setOver(true); }} onDragLeave={() => setOver(false)} onDrop={onDrop}>
        <span>Drop a .zip here, or <u>choose a .zip</u></span>
        <input type="file" accept=".zip,application/zip" disabled={busy} onChange={(e) => sendZip(e.currentTarget.files?.[0])} />
      </label>
      <label className="folder-pick">
        <span className="btn btn-secondary">Choose a folder…</span>
        {/* webkitdirectory is not in React's types; every current browser supports it. */}
        <input type="file" disabled={busy} {...{ webkitdirectory: '', directory: '' }} multiple onChange={(e) => void sendFolder(e.currentTarget.files)} />
      </label>
      <div role="status" aria-live="polite" className="own-photos-status">
        {progress?.phase === 'packing' && <p className="muted">Packing the folder…</p>}
        {progress?.phase === 'sending' && (
          <p>
            <progress max={progress.total} value={progress.sent} aria-label="Upload progress" /> Sending… {Math.round((100 * progress.sent) / Math.max(1, progress.total))} %
          </p>
        )}
        {progress?.phase === 'checking' && <p className="muted">Checking every photo…</p>}
        {answer && (
          <div className="own-photos-answer">
            <p>
              <strong>Added to <code>{answer.folder}/</code> in your workspace.</strong> In the notebook, run it from the top: part 3 trains on these photos instead of the houses,
              and the save cell keeps the result.
            </p>
            <div className="table-wrap"><table className="numeric">
              <caption className="visually-hidden">Photos per class</caption>
              <thead>
                <tr><th scope="col">Class</th><th scope="col">Added now</th><th scope="col">In the folder</th></tr>
              </thead>
              <tbody>
                {answer.classes.map((c) => (
                  <tr key={c.name} data-class={c.name}><td>{c.name}</td><td>{c.added}</td><td>{c.total}</td></tr>
                ))}
              </tbody>
            </table></div>
            {answer.ignored > 0 && <p className="muted">{answer.ignored} system file{answer.ignored === 1 ? '' : 's'} (such as .DS_Store) skipped.</p>}
          </div>
        )}
      </div>
      {error && (
        <div className="banner banner-error" role="alert">
          <p>{error.message}</p>
        </div>
      )}
      {(answer?.refused.length || error?.refused.length) ? (
        <details open className="refused">
          <summary>{(answer?.refused ?? error!.refused).length} file{(answer?.refused ?? error!.refused).length === 1 ? '' : 's'} left out</summary>
          <ul>{(answer?.refused ?? error!.refused).map((r) => <li key={r}>{r}</li>)}</ul>
        </details>
      ) : null}
      <p className="muted">Photos with the same class and name replace the earlier ones. They stay in <code>{OWN_PHOTOS_FOLDER}/</code> while your trial lasts.</p>
    </div>
  );
}
