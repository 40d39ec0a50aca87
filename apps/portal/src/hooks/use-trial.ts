import { useEffect, useSyncExternalStore } from 'react';
import { trialLive } from '../live/session-live';

/** The viewer's trial, one copy for every page (see live/session-live.ts). */
export function useTrial() {
  const snapshot = useSyncExternalStore(trialLive.subscribe, () => trialLive.get().version);
  useEffect(() => {
    void trialLive.reload();
  }, []);
  void snapshot;
  const { trial, error } = trialLive.get();
  return { trial, error, reload: trialLive.reload, set: trialLive.set };
}
