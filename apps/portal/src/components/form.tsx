import { ButtonHTMLAttributes, InputHTMLAttributes, useId } from 'react';

/** A labelled input with an optional hint; the hint is linked with aria-describedby. */
export function Field({ label, hint, ...input }: InputHTMLAttributes<HTMLInputElement> & { label: string; hint?: string }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-describedby={hint ? `${id}-hint` : undefined} {...input} />
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
}

/** A button that says it is working and cannot be pressed twice meanwhile. */
export function Button({ busy, busyLabel, variant = 'primary', children, disabled, ...rest }: ButtonHTMLAttributes<HTMLButtonElement> & { busy?: boolean; busyLabel?: string; variant?: 'primary' | 'secondary' | 'danger' | 'ghost' }) {
  return (
    <button className={`btn btn-${variant}`} disabled={disabled || busy} aria-busy={busy || undefined} {...rest}>
      {busy ? (busyLabel ?? 'Working…') : children}
    </button>
  );
}
