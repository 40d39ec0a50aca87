import type { ProfileView } from '@trialhub/contracts';

/** A session's machine as people call it ("This computer (local mode)", "POWER8 + NVIDIA GPU"), not its slug. */
export function machineName(profile: string, profiles: ProfileView[] | undefined): string {
  return profiles?.find((p) => p.name === profile)?.displayName ?? profile;
}
