/** Object names: valid DNS-1123 labels (and DNS-1035 for Services, so they start with a letter). */
const ID = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const MAX_NAME = 63;

export const SESSION_PREFIX = 'trialhub-s-';
export const WORKSPACE_PREFIX = 'trialhub-ws-';

function named(prefix: string, id: string, what: string): string {
  const normalized = id.toLowerCase();
  if (!ID.test(normalized)) throw new Error(`The ${what} id "${id}" cannot be part of a Kubernetes object name (letters, digits and "-" only)`);
  const name = prefix + normalized;
  if (name.length > MAX_NAME) throw new Error(`The ${what} id "${id}" is too long for a Kubernetes object name (${name.length} > ${MAX_NAME} characters)`);
  return name;
}

/** Pod, Secret and Service of one session share this name. */
export function sessionObjectName(sessionId: string): string {
  return named(SESSION_PREFIX, sessionId, 'session');
}

export function workspaceClaimName(trialId: string): string {
  return named(WORKSPACE_PREFIX, trialId, 'trial');
}
