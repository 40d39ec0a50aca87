import type { CreatedShareLink, ShareLinkView } from '@trialhub/contracts';
import { FormEvent, useRef, useState } from 'react';
import { messageOf } from '../api/client';
import { api } from '../api/endpoints';
import { formatDate } from '../format';
import { useResource } from '../hooks/use-resource';
import { Dialog } from './dialog';
import { ErrorBanner, Loading } from './feedback';
import { Button } from './form';

const EXPIRY_CHOICES = [
  { value: '1', label: '1 day' },
  { value: '7', label: '7 days' },
  { value: '30', label: '30 days' },
  { value: 'never', label: 'Never (until you revoke it)' },
];

/** The link on the origin the user is on (the portal is same-origin with the share pages), whatever host the server thinks it has. */
const absolute = (url: string) => new URL(new URL(url, window.location.origin).pathname, window.location.origin).toString();

/** Create, copy and revoke public links to one result. */
export function ShareDialog({ resultId, onClose }: { resultId: string; onClose(): void }) {
  const shares = useResource(() => api.shares.list(resultId), [resultId]);
  const [created, setCreated] = useState<CreatedShareLink | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  /** The link whose Revoke was pressed: it asks first, in place. */
  const [confirming, setConfirming] = useState<string | null>(null);
  const listRef = useRef<HTMLDivElement>(null);

  const create = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const choice = String(new FormData(e.currentTarget).get('expiry'));
    setBusy(true);
    setError(null);
    setCopied(false);
    try {
      setCreated(await api.shares.create(resultId, choice === 'never' ? undefined : Number(choice)));
      await shares.reload();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  const copy = async (url: string) => {
    try {
      await navigator.clipboard.writeText(url);
      setCopied(true);
    } catch {
      // Clipboard access can be refused (insecure origin, permissions): select the text so Ctrl+C works.
      (document.getElementById('share-url') as HTMLInputElement | null)?.select();
      setError('Your browser did not allow copying. The link is selected: press Ctrl+C (or ⌘C) to copy it.');
    }
  };

  const revoke = async (share: ShareLinkView) => {
    setError(null);
    try {
      await api.shares.revoke(resultId, share.id);
      if (created?.id === share.id) setCreated(null);
      setConfirming(null);
      await shares.reload();
      // Focus goes to the next link's Revoke, or to the list's status, never to nowhere.
      requestAnimationFrame(() => (listRef.current?.querySelector<HTMLElement>('[data-revoke]') ?? listRef.current?.querySelector<HTMLElement>('[data-testid="no-shares"]'))?.focus());
    } catch (err) {
      setError(messageOf(err));
    }
  };

  const active = (shares.data ?? []).filter((s) => !s.revokedAt && (!s.expiresAt || Date.parse(s.expiresAt) > Date.now()));

  return (
    <Dialog title="Share this result" onClose={onClose}>
      <p>Anyone with the link can see this result's metrics and charts and download its files, without an account. You can revoke a link at any time.</p>
      <form onSubmit={create} className="share-form">
        <div className="field">
          <label htmlFor="share-expiry">Link expires after</label>
          <select id="share-expiry" name="expiry" defaultValue="7">
            {EXPIRY_CHOICES.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </div>
        <Button type="submit" busy={busy} busyLabel="Creating…">
          Create link
        </Button>
      </form>
      <ErrorBanner message={error} />
      {created && (
        <div className="share-created">
          <label htmlFor="share-url">Your new link</label>
          <div className="copy-row">
            <input id="share-url" readOnly value={absolute(created.url)} onFocus={(e) => e.currentTarget.select()} />
            <Button variant="secondary" onClick={() => copy(absolute(created.url))}>
              {copied ? 'Copied' : 'Copy link'}
            </Button>
          </div>
          <p className="hint" role="status">
            {copied ? 'Link copied to the clipboard.' : created.expiresAt ? `Works until ${formatDate(created.expiresAt)}.` : 'Works until you revoke it.'}
          </p>
        </div>
      )}
      <h3>Active links</h3>
      <div ref={listRef}>
      {shares.error ? (
        <ErrorBanner message={shares.error} />
      ) : !shares.data ? (
        <Loading label="Loading links…" />
      ) : active.length === 0 ? (
        <p className="muted" data-testid="no-shares" tabIndex={-1} role="status">
          No active links. Nobody else can see this result.
        </p>
      ) : (
        <ul className="share-list">
          {active.map((s) => (
            <li key={s.id}>
              <span>
                Link created {formatDate(s.createdAt)} · {s.expiresAt ? `expires ${formatDate(s.expiresAt)}` : 'no expiry'}
                {typeof s.viewCount === 'number' ? ` · ${s.viewCount} view${s.viewCount === 1 ? '' : 's'}` : ''}
              </span>
              {confirming === s.id ? (
                <span className="confirm-inline" role="group" aria-label="Revoke this link?">
                  <span>Revoke it? Anyone who has this link can no longer open the result. This cannot be undone.</span>
                  <Button variant="secondary" onClick={() => setConfirming(null)} autoFocus>
                    Keep link
                  </Button>
                  <Button variant="danger" onClick={() => revoke(s)}>
                    Revoke link
                  </Button>
                </span>
              ) : (
                <Button variant="danger" data-revoke onClick={() => setConfirming(s.id)} aria-label={`Revoke the link created ${formatDate(s.createdAt)}`}>
                  Revoke
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
      </div>
    </Dialog>
  );
}
