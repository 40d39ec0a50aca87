import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service';

/** What the proxy did with a request: forwarded, or which answer it gave instead. */
export type ProxyOutcome = 'forwarded' | 'anonymous' | 'not_found' | 'not_running' | 'cross_site' | 'unreachable' | 'error' | 'handed_off' | 'handoff_redeemed' | 'handoff_refused';

/** Prometheus metrics of the notebook proxy: requests by kind and outcome, open WebSockets. */
@Injectable()
export class ProxyMetrics {
  private readonly requests: Counter<'kind' | 'outcome'>;
  readonly openWebSockets: Gauge<string>;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.requests = new Counter({ name: 'trialhub_notebook_proxy_requests_total', help: 'Requests to notebook origins and the portal\'s /notebook/ path, by kind (http, websocket) and outcome', labelNames: ['kind', 'outcome'], registers });
    this.openWebSockets = new Gauge({ name: 'trialhub_notebook_proxy_websockets', help: 'WebSockets (kernel channels, terminals) open through the proxy', registers });
  }

  count(kind: 'http' | 'websocket', outcome: ProxyOutcome): void {
    this.requests.inc({ kind, outcome });
  }
}
