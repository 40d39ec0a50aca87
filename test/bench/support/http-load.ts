/**
 * A closed-loop HTTP load generator in a worker thread, so the client's own work does not share
 * the event loop of a control plane running in the benchmark's process.
 */
import { Agent, request } from 'node:http';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

export interface LoadOptions {
  url: string;
  headers: Record<string, string>;
  /** GET when absent; POST sends `body` with each request (a photo for try-it). */
  method?: 'GET' | 'POST';
  body?: Uint8Array;
  connections: number;
  durationMs: number;
}

export interface LoadReport {
  requests: number;
  errors: number;
  statuses: Record<number, number>;
  latenciesMs: number[];
}

/** The p-th percentile (0-100) of `xs`, nearest rank; NaN when empty. */
export function percentile(xs: readonly number[], p: number): number {
  if (!xs.length) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Requests per second and latency percentiles of one run. */
export function summarizeLoad(report: LoadReport, durationMs: number): { rps: number; p50: number; p99: number; errors: number } {
  return { rps: report.requests / (durationMs / 1000), p50: percentile(report.latenciesMs, 50), p99: percentile(report.latenciesMs, 99), errors: report.errors };
}

/** Runs `connections` loops of requests to `url` for `durationMs` in a worker; resolves with every latency. */
export function runLoad(options: LoadOptions): Promise<LoadReport> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(__filename, { workerData: options });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new Error(`the load worker exited with ${code}`)));
  });
}

async function work({ url, headers, connections, durationMs, method = 'GET', body }: LoadOptions): Promise<LoadReport> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const report: LoadReport = { requests: 0, errors: 0, statuses: {}, latenciesMs: [] };
  const until = Date.now() + durationMs;
  const once = () =>
    new Promise<number>((res) => {
      const req = request(url, { agent, method, headers: body ? { ...headers, 'content-length': String(body.length) } : headers }, (r) => {
        r.resume();
        r.on('end', () => res(r.statusCode ?? 0));
      });
      req.on('error', () => res(0));
      req.end(body ? Buffer.from(body) : undefined);
    });
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < until) {
        const start = process.hrtime.bigint();
        const status = await once();
        report.latenciesMs.push(Number(process.hrtime.bigint() - start) / 1e6);
        report.requests++;
        report.statuses[status] = (report.statuses[status] ?? 0) + 1;
        if (status < 200 || status >= 300) report.errors++;
      }
    }),
  );
  agent.destroy();
  return report;
}

if (!isMainThread && workerData) void work(workerData as LoadOptions).then((r) => parentPort!.postMessage(r));
