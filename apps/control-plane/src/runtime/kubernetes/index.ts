export { KubernetesRuntime, type KubernetesRuntimeOptions } from './kubernetes-runtime';
export { KUBERNETES_API_CALLS, isListedApiCall, type KubernetesApiCall } from './api-calls';
export {
  buildSessionPod,
  buildSessionSecret,
  buildSessionService,
  buildWorkspaceClaim,
  ownerReferenceTo,
  type ManifestContext,
  type SessionPodOptions,
  type WorkspaceClaimOptions,
} from './manifests';
export { checkRestrictedPodSecurity } from './pod-security';
export { observePod, type EndpointMode } from './pod-status';
export { LABEL, managedSelector } from './labels';
export { sessionObjectName, workspaceClaimName } from './names';
