import type { ProfileView } from '@trialhub/contracts';

/** Radio cards for the kinds of session (GPU architecture, free slots). */
export function ProfilePicker({ profiles, value, onChange }: { profiles: ProfileView[]; value: string | null; onChange(name: string): void }) {
  const usable = profiles.filter((p) => p.enabled !== false && p.offered !== false);
  return (
    <fieldset className="profiles">
      <legend>Machine</legend>
      {usable.map((p) => (
        <label key={p.name} className={`profile${value === p.name ? ' selected' : ''}`}>
          <input type="radio" name="profile" value={p.name} checked={value === p.name} onChange={() => onChange(p.name)} />
          <span className="profile-body">
            <span className="profile-name">{p.displayName}</span>
            <span className="profile-desc">{p.description}</span>
            {p.machine && <span className="profile-machine">{p.machine}</span>}
            <span className="profile-meta">
              {p.gpus > 0 ? `${p.gpus} GPU per session` : 'No GPU'}
              {p.arch ? ` · ${p.arch}` : ''} · {p.slotsFree > 0 ? `${p.slotsFree} of ${p.slots} free` : 'all in use: you will queue'}
            </span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}
