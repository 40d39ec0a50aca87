/**
 * Server-side printing: `kubectl get` asks for `as=Table` and prints the rows the server
 * computed. Columns follow the real server's for pods and nodes; other resources get NAME, AGE.
 */
export function wantsTable(accept: string | undefined): boolean {
  return !!accept && /as=Table/.test(accept.split(',')[0]);
}

function age(creationTimestamp: string | undefined): string {
  if (!creationTimestamp) return '<unknown>';
  const s = Math.max(0, Math.floor((Date.now() - Date.parse(creationTimestamp)) / 1000));
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  if (s < 120) return `${s}s`;
  if (m < 10) return `${m}m${s % 60 ? `${s % 60}s` : ''}`;
  if (h < 3) return `${m}m`;
  if (h < 8) return `${h}h${m % 60 ? `${m % 60}m` : ''}`;
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

/** The STATUS column kubectl shows for a pod (reason, waiting/terminated reason, Terminating). */
export function podDisplayStatus(pod: any): string {
  let reason: string = pod.status?.reason ?? pod.status?.phase ?? 'Unknown';
  for (const c of pod.status?.containerStatuses ?? []) {
    if (c.state?.waiting?.reason && c.state.waiting.reason !== 'ContainerCreating') reason = c.state.waiting.reason;
    else if (c.state?.waiting?.reason === 'ContainerCreating' && reason === 'Pending') reason = 'ContainerCreating';
    else if (c.state?.terminated && !pod.status?.reason) reason = c.state.terminated.reason ?? `ExitCode:${c.state.terminated.exitCode}`;
  }
  if (pod.metadata.deletionTimestamp) reason = 'Terminating';
  return reason;
}

const column = (name: string, type = 'string', format = '', priority = 0) => ({ name, type, format, description: name, priority });

function rowsFor(resource: string, items: any[]): { columns: any[]; cells: (o: any) => unknown[] } {
  if (resource === 'pods') {
    return {
      columns: [column('Name', 'string', 'name'), column('Ready'), column('Status'), column('Restarts'), column('Age'), column('IP', 'string', '', 1), column('Node', 'string', '', 1)],
      cells: (p) => {
        const statuses: any[] = p.status?.containerStatuses ?? [];
        const restarts = statuses.reduce((n, c) => n + (c.restartCount ?? 0), 0);
        return [p.metadata.name, `${statuses.filter((c) => c.ready).length}/${p.spec.containers.length}`, podDisplayStatus(p), String(restarts), age(p.metadata.creationTimestamp), p.status?.podIP ?? '<none>', p.spec.nodeName ?? '<none>'];
      },
    };
  }
  if (resource === 'nodes') {
    return {
      columns: [column('Name', 'string', 'name'), column('Status'), column('Roles'), column('Age'), column('Version'), column('Internal-IP', 'string', '', 1), column('Architecture', 'string', '', 1)],
      cells: (n) => {
        const ready = (n.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
        const status = ready?.status === 'True' ? 'Ready' : 'NotReady';
        return [n.metadata.name, n.spec?.unschedulable ? `${status},SchedulingDisabled` : status, '<none>', age(n.metadata.creationTimestamp), n.status?.nodeInfo?.kubeletVersion ?? '', n.status?.addresses?.[0]?.address ?? '', n.metadata.labels?.['kubernetes.io/arch'] ?? ''];
      },
    };
  }
  void items;
  return { columns: [column('Name', 'string', 'name'), column('Age')], cells: (o) => [o.metadata.name, age(o.metadata.creationTimestamp)] };
}

export function asTable(resource: string, body: any): any {
  if (!body || body.kind === 'Status') return body;
  const items: any[] = Array.isArray(body.items) ? body.items : [body];
  const { columns, cells } = rowsFor(resource, items);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: body.metadata?.resourceVersion, ...(body.metadata?.continue ? { continue: body.metadata.continue } : {}) },
    columnDefinitions: columns,
    rows: items.map((o) => ({ cells: cells(o), object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata } })),
  };
}
