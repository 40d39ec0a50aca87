import type { AdminQuotas, AdminQuotasUpdate } from '@trialhub/contracts';
import { FormEvent, useState } from 'react';
import { ApiRequestError, messageOf } from '../../api/client';
import { api } from '../../api/endpoints';
import { ErrorBanner, Notice } from '../../components/feedback';
import { Button } from '../../components/form';
import { useResource } from '../../hooks/use-resource';
import { AdminField, AdminTextArea, ConfirmDialog, Loaded } from './admin-ui';
import { ProfilesTable } from './profiles-table';
import { fieldErrorsFrom, LIST_QUOTAS, NUMBER_QUOTAS, QUOTA_LABELS, QuotaFormValues, toFormValues, toUpdate } from './quota-fields';

/** Quotas & profiles: the limits of the trial programme and the machines sessions run on. */
export function QuotasSection() {
  const quotas = useResource(() => api.admin.quotas.get(), []);
  return (
    <>
      <section className="card" aria-labelledby="quotas-title">
        <h2 id="quotas-title">Quotas</h2>
        <p className="muted">
          Changes apply at once to new trials, sessions and saved results; trials already running keep their end time, and running sessions keep the maximum runtime and idle timeout
          they started with. Saving never stops a running session unless you tick “Also apply to running sessions” (you are asked first).
        </p>
        <Loaded resource={quotas} label="Loading quotas…">
          {(q) => <QuotasForm initial={q} />}
        </Loaded>
      </section>
      <ProfilesTable />
    </>
  );
}

type Errors = Partial<Record<keyof AdminQuotas, string>>;

/** Edits the quotas as loaded; after a save it shows what the server stored. */
function QuotasForm({ initial }: { initial: AdminQuotas }) {
  const [quotas, setQuotas] = useState(initial);
  const [values, setValues] = useState<QuotaFormValues>(() => toFormValues(initial));
  const [errors, setErrors] = useState<Errors>({});
  const [problems, setProblems] = useState<{ message: string; list: string[] } | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [applyToRunning, setApplyToRunning] = useState(false);

  const change = (key: keyof AdminQuotas, value: string) => {
    setValues((v) => ({ ...v, [key]: value }));
    setSaved(null);
  };

  const showErrors = (fields: Errors, other: string[], message: string) => {
    setErrors(fields);
    const list = [...Object.values(fields).filter((m): m is string => !!m), ...other];
    setProblems({ message, list });
  };

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setSaved(null);
    setProblems(null);
    const { patch, errors: local } = toUpdate(values, quotas);
    if (Object.keys(local).length) {
      showErrors(local, [], 'Some values need fixing before they can be saved:');
      return;
    }
    setErrors({});
    if (!Object.keys(patch).length) {
      setSaved('Nothing changed: the quotas are as shown.');
      return;
    }
    const toRunning = applyToRunning && RUNNING_LIMITS.some((k) => patch[k] !== undefined);
    const lowered = RUNNING_LIMITS.filter((k) => patch[k] !== undefined && (patch[k] as number) < quotas[k]);
    if (toRunning && lowered.length) setConfirming({ patch: { ...patch, applyToRunning: true }, lowered });
    else await save(toRunning ? { ...patch, applyToRunning: true } : patch);
  };

  const save = async ({ applyToRunning: toRunning, ...patch }: AdminQuotasUpdate) => {
    setBusy(true);
    try {
      const next = await api.admin.quotas.update(toRunning ? { ...patch, applyToRunning: true } : patch);
      const changed = Object.keys(patch).map((k) => QUOTA_LABELS[k as keyof AdminQuotas].toLowerCase());
      setQuotas(next);
      setValues(toFormValues(next));
      setApplyToRunning(false);
      setSaved(
        `Quotas saved (${changed.join(', ')}). ` +
          (toRunning
            ? 'Running sessions now have the new maximum runtime and idle timeout; those already past them stop within a few seconds.'
            : 'They apply to new trials and sessions; running sessions keep running.'),
      );
    } catch (err) {
      if (err instanceof ApiRequestError && err.details.length) {
        const { fields, other } = fieldErrorsFrom(err.details);
        showErrors(fields, other, 'The quotas were not saved:');
      } else {
        setProblems({ message: messageOf(err), list: [] });
      }
    } finally {
      setBusy(false);
    }
  };
  const [confirming, setConfirming] = useState<{ patch: AdminQuotasUpdate; lowered: Array<(typeof RUNNING_LIMITS)[number]> } | null>(null);

  return (
    <>
      <form onSubmit={submit} noValidate aria-label="Quotas">
        {problems && (
          <ErrorBanner message={problems.message}>
            {problems.list.length > 0 && (
              <ul>
                {problems.list.map((p) => (
                  <li key={p}>{p}</li>
                ))}
              </ul>
            )}
          </ErrorBanner>
        )}
        {saved && (
          <Notice tone="success">
            <p>{saved}</p>
          </Notice>
        )}
        <div className="form-grid">
          {NUMBER_QUOTAS.map((f) => (
            <AdminField
              key={f.key}
              label={f.label}
              unit={f.unit}
              hint={f.hint}
              error={errors[f.key]}
              name={f.key}
              type="number"
              inputMode="decimal"
              min={0}
              step={f.step}
              placeholder={f.nullable ? 'No limit' : undefined}
              value={values[f.key]}
              onChange={(e) => change(f.key, e.target.value)}
            />
          ))}
        </div>
        <div className="form-grid">
          {LIST_QUOTAS.map((f) => (
            <AdminTextArea key={f.key} label={f.label} hint={f.hint} error={errors[f.key]} name={f.key} rows={4} spellCheck={false} value={values[f.key]} onChange={(e) => change(f.key, e.target.value)} />
          ))}
        </div>
        <label className="check">
          <input type="checkbox" name="applyToRunning" checked={applyToRunning} onChange={(e) => setApplyToRunning(e.target.checked)} />
          <span>Also apply to running sessions: give them the new maximum runtime and idle timeout (sessions already past a lower limit stop).</span>
        </label>
        <div className="actions">
          <Button type="submit" busy={busy} busyLabel="Saving…">
            Save quotas
          </Button>
        </div>
      </form>
      {/* Outside the form: a form in a form would submit both. */}
      {confirming && (
        <ConfirmDialog
          title="Lower limits of running sessions?"
          confirmLabel="Save quotas"
          cancelLabel="Go back"
          variant="primary"
          busyLabel="Saving…"
          onClose={() => setConfirming(null)}
          onConfirm={() => save(confirming.patch)}
        >
          <p>
            You asked to apply the lower {confirming.lowered.map((k) => QUOTA_LABELS[k].toLowerCase()).join(' and ')} to sessions that are running now. Sessions already past the
            new limit stop within a few seconds (their outputs are saved as they stop); the others keep running under the new limit.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}

/** Quotas a running session keeps from its start, unless the admin applies new ones to it. */
const RUNNING_LIMITS = ['sessionMaxRuntimeMs', 'idleTimeoutMs'] as const;
