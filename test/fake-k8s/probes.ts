import { connect } from 'node:net';

/**
 * One probe attempt, as the kubelet's prober runs it against a running container: `httpGet`
 * (success: a status from 200 to 399, redirects not followed) or `tcpSocket` (the connection
 * opens), within `timeoutSeconds`. The answer is the failure's text as the kubelet words it in
 * its `Unhealthy` event, or undefined on success.
 */
export async function probeOnce(probe: any, container: any, podIP: string): Promise<string | undefined> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  if (probe.httpGet) {
    const get = probe.httpGet;
    const host = get.host || podIP;
    const url = `${(get.scheme ?? 'HTTP').toLowerCase()}://${host}:${portOf(get.port, container)}${get.path ?? '/'}`;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    try {
      const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.31', Accept: '*/*' };
      for (const h of get.httpHeaders ?? []) headers[h.name] = h.value;
      const answer = await fetch(url, { headers, redirect: 'manual', signal: abort.signal });
      await answer.arrayBuffer().catch(() => undefined);
      return answer.status >= 200 && answer.status < 400 ? undefined : `HTTP probe failed with statuscode: ${answer.status}`;
    } catch (error: any) {
      if (abort.signal.aborted) return `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`;
      return `Get "${url}": dial tcp ${host}:${portOf(get.port, container)}: connect: ${error?.cause?.code === 'ECONNREFUSED' ? 'connection refused' : error?.cause?.code ?? error?.message}`;
    } finally {
      clearTimeout(timer);
    }
  }
  if (probe.tcpSocket) {
    const host = probe.tcpSocket.host || podIP;
    const port = portOf(probe.tcpSocket.port, container);
    return new Promise((resolve) => {
      const socket = connect({ host, port });
      const timer = setTimeout(() => done(`dial tcp ${host}:${port}: i/o timeout`), timeoutMs);
      function done(failure: string | undefined) {
        clearTimeout(timer);
        socket.destroy();
        resolve(failure);
      }
      socket.once('connect', () => done(undefined));
      socket.once('error', (e: any) => done(`dial tcp ${host}:${port}: connect: ${e.code === 'ECONNREFUSED' ? 'connection refused' : e.code}`));
    });
  }
  return undefined; // exec and grpc probes are not run (see README)
}

/** A probe's port: a number, or the name of one of the container's ports. */
function portOf(port: number | string, container: any): number {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const named = (container.ports ?? []).find((p: any) => p.name === port);
  if (!named) throw new Error(`fake kubelet: the probe names port "${port}", which container ${container.name} does not declare`);
  return named.containerPort;
}

/**
 * The readiness state of one container under its probe, with Kubernetes' thresholds: not ready
 * until `successThreshold` consecutive successes, unready again after `failureThreshold`
 * consecutive failures. `record` answers whether readiness changed.
 */
export class ReadinessState {
  ready = false;
  private successes = 0;
  private failures = 0;

  constructor(private readonly probe: any) {}

  /** ms before the first probe and between probes (Kubernetes' defaults: 0 s and 10 s). */
  get initialDelayMs(): number {
    return (this.probe.initialDelaySeconds ?? 0) * 1000;
  }

  get periodMs(): number {
    return (this.probe.periodSeconds ?? 10) * 1000;
  }

  record(failure: string | undefined): boolean {
    const was = this.ready;
    if (failure === undefined) {
      this.failures = 0;
      this.successes++;
      if (this.successes >= (this.probe.successThreshold ?? 1)) this.ready = true;
    } else {
      this.successes = 0;
      this.failures++;
      if (this.failures >= (this.probe.failureThreshold ?? 3)) this.ready = false;
    }
    return was !== this.ready;
  }
}
