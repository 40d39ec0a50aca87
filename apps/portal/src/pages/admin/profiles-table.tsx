import type { AdminProfileUpdate, AdminProfileWithUsage } from '@trialhub/contracts';
import { useState } from 'react';
import { ApiRequestError, messageOf } from '../../api/client';
import { api } from '../../api/endpoints';
import { EmptyState } from '../../components/feedback';
import { Button } from '../../components/form';
import { useResource } from '../../hooks/use-resource';
import { ConfirmDialog, Loaded, plural } from './admin-ui';

/** Session profiles with their slots (sessions that may run at once) and whether users can pick them. */
export function ProfilesTable() {
  const profiles = useResource(() => api.admin.profiles.list(), []);
  return (
    <section className="card" aria-labelledby="profiles-title">
      <h2 id="profiles-title">Session profiles</h2>
      <p className="muted">Slots are how many sessions of a profile may run at once; more launches queue. Lowering slots below what is running asks first: by default running sessions keep going and new launches wait until usage falls below.</p>
      <Loaded resource={profiles} label="Loading profiles…">
        {(list) =>
          list.length === 0 ? (
            <EmptyState title="No profiles">
              <p>Profiles come from PROFILES_FILE or the built-in defaults at start-up.</p>
            </EmptyState>
          ) : (
            <div className="table-wrap">
              <table>
                <caption className="visually-hidden">Session profiles, their slots and state</caption>
                <thead>
                  <tr>
                    <th scope="col">Profile</th>
                    <th scope="col">GPUs</th>
                    <th scope="col">Architecture</th>
                    <th scope="col">In use</th>
                    <th scope="col">Slots</th>
                    <th scope="col">Enabled</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((p) => (
                    <ProfileRow key={p.name} profile={p} />
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Loaded>
    </section>
  );
}

function ProfileRow({ profile }: { profile: AdminProfileWithUsage }) {
  const [saved, setSaved] = useState(profile);
  const [slots, setSlots] = useState(String(profile.slots));
  const [enabled, setEnabled] = useState(profile.enabled);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const name = profile.displayName || profile.name;

  const [asking, setAsking] = useState<AdminProfileUpdate | null>(null);

  const save = () => {
    setError(null);
    setStatus(null);
    const patch: AdminProfileUpdate = {};
    const n = Number(slots);
    if (slots.trim() === '' || !Number.isFinite(n)) {
      setError('Enter a number of slots.');
      return;
    }
    if (n !== saved.slots) patch.slots = n;
    if (enabled !== saved.enabled) patch.enabled = enabled;
    if (!Object.keys(patch).length) {
      setStatus('No changes.');
      return;
    }
    // Fewer slots than sessions running: ask whether they keep running (the default) or the newest stop.
    if (patch.slots !== undefined && Number.isInteger(n) && n >= 0 && n < saved.slotsUsed) setAsking(patch);
    else void send(patch);
  };

  /** Sends the change; errors are shown in the row, or thrown to the confirmation dialog. */
  const send = async (patch: AdminProfileUpdate, rethrow = false) => {
    setBusy(true);
    try {
      const next = await api.admin.profiles.update(profile.name, patch);
      setSaved({ ...saved, ...next });
      setSlots(String(next.slots));
      setEnabled(next.enabled);
      setStatus(next.stoppedSessions?.length ? `Saved; ${plural(next.stoppedSessions.length, 'session')} stopping.` : 'Saved.');
    } catch (e) {
      if (rethrow) throw e;
      setError(e instanceof ApiRequestError && e.details.length ? e.details.map((d) => d.replace(/^slots\b/, 'Slots')).join('. ') : messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <tr>
      <th scope="row">
        <span className="profile-name">{name}</span>
        <span className="cell-sub">
          <code>{profile.name}</code>
          {profile.isDefault && <span className="badge badge-ready">Default</span>}
        </span>
      </th>
      <td>{profile.gpus}</td>
      <td>{profile.nodeSelector['kubernetes.io/arch'] ?? 'any'}</td>
      <td>{profile.slotsUsed}</td>
      <td>
        <label className="visually-hidden" htmlFor={`slots-${profile.name}`}>
          Slots for {name}
        </label>
        <input
          id={`slots-${profile.name}`}
          className="input-small"
          type="number"
          min={0}
          step={1}
          inputMode="numeric"
          value={slots}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `slots-${profile.name}-error` : undefined}
          onChange={(e) => {
            setSlots(e.target.value);
            setStatus(null);
          }}
        />
        {error && (
          <span className="field-error" id={`slots-${profile.name}-error`} role="alert">
            {error}
          </span>
        )}
      </td>
      <td>
        <label className="inline-check">
          <input
            type="checkbox"
            checked={enabled}
            onChange={(e) => {
              setEnabled(e.target.checked);
              setStatus(null);
            }}
          />
          <span className="visually-hidden">{name} </span>Enabled
        </label>
      </td>
      <td>
        <div className="row-actions">
          <Button variant="secondary" onClick={save} busy={busy} busyLabel="Saving…" aria-label={`Save ${name}`}>
            Save
          </Button>
          <span role="status" className="row-status">
            {status}
          </span>
        </div>
        {asking && (
          <ConfirmDialog title={`Lower the slots of ${name}?`} confirmLabel="Save slots" variant="primary" busyLabel="Saving…" onClose={() => setAsking(null)} onConfirm={(form) => send({ ...asking, stopExcess: form.get('stopExcess') === 'on' }, true)}>
            <p>
              {plural(saved.slotsUsed, 'session')} of {name} {saved.slotsUsed === 1 ? 'is' : 'are'} running, more than the {asking.slots} slots you are setting. By default they keep running and new launches queue until usage falls below the limit.
            </p>
            <label className="check">
              <input type="checkbox" name="stopExcess" />
              <span>Stop the newest {plural(saved.slotsUsed - (asking.slots ?? 0), 'session')} over the limit now (their outputs are saved as they stop).</span>
            </label>
          </ConfirmDialog>
        )}
      </td>
    </tr>
  );
}
