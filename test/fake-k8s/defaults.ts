/**
 * Defaulting and admission the real API server applies on create: pod spec defaults, the
 * DefaultTolerationSeconds admission plugin, requests defaulted from limits, a cluster IP
 * for services. Pure functions on a fresh copy of the object.
 */
let nextClusterIp = 1;

function imagePullPolicy(image: string): string {
  const lastSegment = image.split('/').pop() ?? image;
  const tagged = lastSegment.includes(':') && !lastSegment.endsWith(':latest');
  return image.includes('@') || tagged ? 'IfNotPresent' : 'Always';
}

function defaultContainer(c: any): any {
  const resources = c.resources ?? {};
  // Requests default to limits (the API server's defaulting), so the scheduler can count them.
  const requests = { ...(resources.limits ?? {}), ...(resources.requests ?? {}) };
  return {
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    imagePullPolicy: imagePullPolicy(c.image ?? ''),
    ...c,
    resources: Object.keys(requests).length > 0 ? { ...resources, requests } : resources,
  };
}

const NODE_PROBLEM_TOLERATIONS = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
];

export function defaultPod(pod: any): any {
  const spec = pod.spec;
  const tolerations = [...(spec.tolerations ?? [])];
  for (const t of NODE_PROBLEM_TOLERATIONS) if (!tolerations.some((x: any) => x.key === t.key && (x.effect ?? t.effect) === t.effect)) tolerations.push(t);
  const containers = spec.containers.map(defaultContainer);
  const requestsAll = containers.every((c: any) => c.resources?.requests && c.resources?.limits && ['cpu', 'memory'].every((r) => c.resources.limits[r] !== undefined && String(c.resources.limits[r]) === String(c.resources.requests[r])));
  const requestsAny = containers.some((c: any) => c.resources?.requests?.cpu !== undefined || c.resources?.requests?.memory !== undefined);
  return {
    ...pod,
    spec: {
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
      serviceAccountName: 'default',
      serviceAccount: spec.serviceAccountName ?? 'default',
      securityContext: {},
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
      priority: 0,
      ...spec,
      containers,
      ...(spec.initContainers ? { initContainers: spec.initContainers.map(defaultContainer) } : {}),
      tolerations,
    },
    status: { phase: 'Pending', qosClass: requestsAll ? 'Guaranteed' : requestsAny ? 'Burstable' : 'BestEffort' },
  };
}

export function defaultService(service: any): any {
  const spec = service.spec ?? {};
  const headless = spec.clusterIP === 'None';
  const ip = headless ? 'None' : spec.clusterIP || `10.96.${Math.floor(nextClusterIp / 250) % 250}.${(nextClusterIp++ % 250) + 1}`;
  return {
    ...service,
    spec: {
      type: 'ClusterIP',
      sessionAffinity: 'None',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      internalTrafficPolicy: 'Cluster',
      ...spec,
      clusterIP: ip,
      clusterIPs: [ip],
      ports: (spec.ports ?? []).map((p: any) => ({ protocol: 'TCP', targetPort: p.port, ...p })),
    },
    status: { loadBalancer: {} },
  };
}

export function defaultSecret(secret: any): any {
  // stringData is write-only: the server folds it into data (base64) and never returns it.
  const { stringData, ...rest } = secret;
  const data = { ...(secret.data ?? {}) };
  for (const [k, v] of Object.entries(stringData ?? {})) data[k] = Buffer.from(String(v)).toString('base64');
  return { type: 'Opaque', ...rest, ...(Object.keys(data).length > 0 ? { data } : {}) };
}

export function defaultNamespace(ns: any): any {
  return { ...ns, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' }, metadata: { ...ns.metadata, labels: { ...(ns.metadata.labels ?? {}), 'kubernetes.io/metadata.name': ns.metadata.name } } };
}
