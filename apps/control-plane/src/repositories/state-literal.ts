import { SESSION_STATES, SessionState } from '@trialhub/contracts';

/**
 * A contracts state as an SQL literal, for the few statements that cannot take parameters (view
 * extras added with TypeORM's addSelect). Checked against the contracts' list, so it cannot drift.
 */
export function stateLiteral(state: SessionState): string {
  if (!SESSION_STATES.includes(state)) throw new Error(`Unknown session state ${state}`);
  return `'${state}'`;
}
