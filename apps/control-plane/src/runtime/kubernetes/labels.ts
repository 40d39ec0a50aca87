/** Label keys every object the kubernetes driver creates carries; together they say "ours" and whose. */
export const LABEL = {
  managedBy: 'app.kubernetes.io/managed-by',
  partOf: 'app.kubernetes.io/part-of',
  installation: 'trialhub.io/installation',
  trial: 'trialhub.io/trial',
  session: 'trialhub.io/session',
  user: 'trialhub.io/user',
  component: 'trialhub.io/component',
} as const;

export const MANAGED_BY = 'trialhub';
export const PART_OF = 'trialhub';

export type Component = 'session' | 'workspace';

// Kubernetes label values: at most 63 characters, alphanumerics with - _ . inside.
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function isValidLabelValue(value: string): boolean {
  return value.length <= 63 && LABEL_VALUE.test(value);
}

function commonLabels(installationId: string, component: Component): Record<string, string> {
  return { [LABEL.managedBy]: MANAGED_BY, [LABEL.partOf]: PART_OF, [LABEL.installation]: installationId, [LABEL.component]: component };
}

export function sessionLabels(installationId: string, ids: { sessionId: string; trialId: string; userId: string }): Record<string, string> {
  return { ...commonLabels(installationId, 'session'), [LABEL.trial]: ids.trialId, [LABEL.session]: ids.sessionId, [LABEL.user]: ids.userId };
}

export function workspaceLabels(installationId: string, ids: { trialId: string; userId: string }): Record<string, string> {
  return { ...commonLabels(installationId, 'workspace'), [LABEL.trial]: ids.trialId, [LABEL.user]: ids.userId };
}

/** The label selector for everything this installation manages, optionally one component only. */
export function managedSelector(installationId: string, component?: Component): string {
  const parts = [`${LABEL.managedBy}=${MANAGED_BY}`, `${LABEL.installation}=${installationId}`];
  if (component) parts.push(`${LABEL.component}=${component}`);
  return parts.join(',');
}

/** The pod selector of one session's Service: exactly that session's pod. */
export function sessionSelector(installationId: string, sessionId: string): Record<string, string> {
  return { [LABEL.installation]: installationId, [LABEL.component]: 'session', [LABEL.session]: sessionId };
}
