import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startTestServer, TestServer } from '../support/server';

const MONITORING = resolve(__dirname, '../../deploy/monitoring');
const HISTOGRAM_SERIES = /_(bucket|sum|count)$/;

interface Rule { alert: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }

const rules = (): Rule[] => (parse(readFileSync(join(MONITORING, 'prometheus-rules.yaml'), 'utf8')) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap((g) => g.rules);
const dashboardExprs = (): Array<{ panel: string; expr: string }> => {
  const dashboard = JSON.parse(readFileSync(join(MONITORING, 'grafana-dashboard.json'), 'utf8')) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> };
  return dashboard.panels.flatMap((p) => p.targets.map((t) => ({ panel: p.title, expr: t.expr })));
};
/** The metric names a PromQL expression reads (ours all start with trialhub_). */
const metricsIn = (expr: string): string[] => [...new Set(expr.match(/\btrialhub_[a-z0-9_]+/g) ?? [])];

/** Metric families a scrape declares (`# TYPE name kind`), with their kinds. */
function families(scrape: string): Map<string, string> {
  return new Map([...scrape.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]));
}

describe('monitoring: the Grafana dashboard and the alert rules read metrics /metrics really has', () => {
  let server: TestServer;
  let declared: Map<string, string>;
  beforeAll(async () => {
    server = await startTestServer();
    const scrape = await fetch(`${server.url}/metrics`);
    expect(scrape.status).toBe(200);
    declared = families(await scrape.text());
  });
  afterAll(() => server?.stop());

  const missing = (exprs: Array<{ where: string; expr: string }>) =>
    exprs.flatMap(({ where, expr }) =>
      metricsIn(expr)
        .filter((name) => {
          if (declared.has(name)) return false;
          // histogram_quantile over name_bucket, rates of name_count: the family is the histogram.
          const family = name.replace(HISTOGRAM_SERIES, '');
          return !(family !== name && declared.get(family) === 'histogram');
        })
        .map((name) => `${where}: ${name}`),
    );

  it('covers launch time, queue length, failures by reason and GPU slots in use', () => {
    const used = new Set([...rules().map((r) => r.expr), ...dashboardExprs().map((d) => d.expr)].flatMap(metricsIn).map((n) => n.replace(HISTOGRAM_SERIES, '')));
    for (const needed of ['trialhub_session_launch_seconds', 'trialhub_session_queue_length', 'trialhub_session_failures_total', 'trialhub_gpu_slots']) expect(used).toContain(needed);
    expect(dashboardExprs().some((d) => /by \(reason\)/.test(d.expr) && d.expr.includes('trialhub_session_failures_total'))).toBe(true);
  });

  it('every metric an alert rule uses exists in /metrics, and every alert says what to look at', () => {
    expect(rules().length).toBeGreaterThan(3);
    expect(missing(rules().map((r) => ({ where: `alert ${r.alert}`, expr: r.expr })))).toEqual([]);
    for (const r of rules()) {
      expect(metricsIn(r.expr).length, `alert ${r.alert} reads no Trialhub metric`).toBeGreaterThan(0);
      expect(r.annotations?.summary, `alert ${r.alert} has a summary`).toBeTruthy();
      expect(r.labels?.severity, `alert ${r.alert} has a severity`).toMatch(/^(info|warning|critical)$/);
    }
  });

  it('every metric a dashboard panel uses exists in /metrics', () => {
    expect(dashboardExprs().length).toBeGreaterThan(3);
    expect(missing(dashboardExprs().map((d) => ({ where: `panel "${d.panel}"`, expr: d.expr })))).toEqual([]);
  });
});
