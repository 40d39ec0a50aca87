import { ButtonHTMLAttributes, InputHTMLAttributes, ReactNode, useId } from 'react';

/** What a labelled control needs to wire itself to its label, hint and error. */
export interface ControlWiring {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: true;
}

/**
 * A label, the control `children` renders with the wiring, an optional hint and an optional
 * error; hint and error are linked with aria-describedby, the error also sets aria-invalid.
 */
export function LabelledControl({ label, hint, error, children }: { label: string; hint?: string; error?: string | null; children: (wiring: ControlWiring) => ReactNode }) {
  const id = useId();
  const describedBy = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-describedby': describedBy, 'aria-invalid': error ? true : undefined })}
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

/** A labelled input with an optional hint and error; both are linked with aria-describedby. */
export function Field({ label, hint, error, ...input }: InputHTMLAttributes<HTMLInputElement> & { label: string; hint?: string; error?: string | null }) {
  return (
    <LabelledControl label={label} hint={hint} error={error}>
      {(wiring) => <input {...wiring} {...input} />}
    </LabelledControl>
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
