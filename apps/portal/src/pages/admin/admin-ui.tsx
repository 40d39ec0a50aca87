import { FormEvent, InputHTMLAttributes, ReactNode, TextareaHTMLAttributes, useEffect, useState } from 'react';
import { messageOf } from '../../api/client';
import { Dialog } from '../../components/dialog';
import { ErrorBanner, Loading } from '../../components/feedback';
import { Button, LabelledControl } from '../../components/form';
import type { Resource } from '../../hooks/use-resource';

/**
 * The three states of a loaded admin view: loading, an error with "Try again", or the data.
 * A failed refresh keeps the last data on screen under the error.
 */
export function Loaded<T>({ resource, label, children }: { resource: Resource<T>; label: string; children: (data: T) => ReactNode }) {
  const retry = (
    <Button variant="secondary" onClick={() => void resource.reload()}>
      Try again
    </Button>
  );
  if (resource.data === undefined) {
    if (resource.error) return <ErrorBanner message={resource.error}>{retry}</ErrorBanner>;
    return <Loading label={label} />;
  }
  return (
    <>
      {resource.error && <ErrorBanner message={resource.error}>{retry}</ErrorBanner>}
      {children(resource.data)}
    </>
  );
}

/** A labelled input with a unit, a hint and the field's own error (linked for screen readers). */
export function AdminField({ label, unit, hint, error, ...input }: InputHTMLAttributes<HTMLInputElement> & { label: string; unit?: string; hint?: string; error?: string | null }) {
  return (
    <LabelledControl label={label} hint={hint} error={error}>
      {(wiring) => (
        <div className="input-unit">
          <input {...wiring} {...input} />
          {unit && <span className="unit">{unit}</span>}
        </div>
      )}
    </LabelledControl>
  );
}

export function AdminTextArea({ label, hint, error, ...rest }: TextareaHTMLAttributes<HTMLTextAreaElement> & { label: string; hint?: string; error?: string | null }) {
  return (
    <LabelledControl label={label} hint={hint} error={error}>
      {(wiring) => <textarea {...wiring} {...rest} />}
    </LabelledControl>
  );
}

/**
 * Asks before an action that cannot be undone; shows the server's refusal in the dialog.
 * `children` explain the consequences; `form` fields (e.g. a reason) are read on confirm.
 */
export function ConfirmDialog({ title, confirmLabel, cancelLabel = 'Cancel', busyLabel = 'Working…', variant = 'danger', onConfirm, onClose, children }: {
  title: string;
  confirmLabel: string;
  cancelLabel?: string;
  busyLabel?: string;
  variant?: 'danger' | 'primary';
  onConfirm(form: FormData): Promise<void>;
  onClose(): void;
  children: ReactNode;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onConfirm(new FormData(e.currentTarget));
      onClose();
    } catch (err) {
      setError(messageOf(err));
      setBusy(false);
    }
  };
  return (
    <Dialog title={title} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        {children}
        <ErrorBanner message={error} />
        <div className="actions">
          <Button type="button" variant="secondary" onClick={onClose}>
            {cancelLabel}
          </Button>
          <Button type="submit" variant={variant} busy={busy} busyLabel={busyLabel}>
            {confirmLabel}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

/** Reloads a resource every `ms` while the page is visible (live views: sessions, capacity). */
export function useAutoRefresh(resource: Resource<unknown>, ms: number): void {
  const { reload } = resource;
  useEffect(() => {
    const timer = setInterval(() => {
      if (typeof document === 'undefined' || document.visibilityState !== 'hidden') void reload();
    }, ms);
    return () => clearInterval(timer);
  }, [reload, ms]);
}

/** "3 people", "1 person". */
export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
