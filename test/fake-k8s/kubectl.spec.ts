import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coreApi, eventually } from './test-client';
import type { FakeKubernetes } from './index';
import { requiredInCi } from '../support/required-in-ci';

const run = promisify(execFile);
const kubectlPath = spawnSync('sh', ['-c', 'command -v kubectl']).stdout.toString().trim();
if (!kubectlPath) console.warn('kubectl tests skipped: no kubectl on PATH (apt-get install -y kubernetes-client)');

requiredInCi('kubectl', !!kubectlPath, 'apt-get install -y kubernetes-client');

/** The CLI as a user runs it (`npm run fake-k8s`), and the real kubectl pointed at the kubeconfig it prints. */
describe.skipIf(!kubectlPath)('fake-k8s CLI and kubectl', () => {
  let cli: ChildProcess;
  let kubeconfigPath: string;
  let kubeconfig = '';
  const kubectl = async (...args: string[]) => (await run('kubectl', args, { env: { ...process.env, KUBECONFIG: kubeconfigPath } })).stdout;

  beforeAll(async () => {
    cli = spawn(process.execPath, [resolve('scripts/run-ts.mjs'), 'test/fake-k8s/cli.ts', '--port', '0', '--nodes', '2', '--gpus-per-node', '4', '--cpu-only-nodes', '1', '--kubelet-delay-ms', '10'], { stdio: ['ignore', 'pipe', 'pipe'] });
    cli.stdout!.on('data', (chunk) => (kubeconfig += chunk));
    await eventually('the kubeconfig on stdout', () => kubeconfig, (k) => k.includes('preferences: {}'), 60_000);
    kubeconfigPath = join(mkdtempSync(join(tmpdir(), 'fake-k8s-')), 'kubeconfig');
    writeFileSync(kubeconfigPath, kubeconfig);
  }, 90_000);
  afterAll(async () => {
    if (cli && cli.exitCode === null) {
      cli.kill('SIGTERM');
      await new Promise((r) => cli.once('exit', r));
    }
  });

  it('prints a kubeconfig with an http server and a token user', () => {
    expect(kubeconfig).toMatch(/server: http:\/\/127\.0\.0\.1:\d+/);
    expect(kubeconfig).toMatch(/token: \S+/);
  });

  it('kubectl gets nodes (discovery, server-side table)', async () => {
    const out = await kubectl('get', 'nodes');
    expect(out.split('\n')[0]).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION/);
    expect(out).toMatch(/gpu-ppc64le-1\s+Ready/);
    expect(out).toMatch(/gpu-amd64-1\s+Ready/);
    expect(out).toMatch(/cpu-amd64-1\s+Ready/);
  });

  it('kubectl gets pods in all namespaces and by label as JSON', async () => {
    const port = /127\.0\.0\.1:(\d+)/.exec(kubeconfig)![1];
    const { core } = coreApi({ kubeconfigYaml: kubeconfig, url: `http://127.0.0.1:${port}` } as FakeKubernetes);
    await core.createNamespacedPod({ namespace: 'team-x', body: { metadata: { name: 'labelled', labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'img:1' }] } } });
    await core.createNamespacedPod({ namespace: 'team-x', body: { metadata: { name: 'other', labels: { a: 'c' } }, spec: { containers: [{ name: 'c', image: 'img:1' }] } } });
    const all = await eventually('both pods running', () => kubectl('get', 'pods', '-A'), (out) => (out.match(/Running/g) ?? []).length === 2);
    expect(all.split('\n')[0]).toMatch(/^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE/);
    expect(all).toMatch(/team-x\s+labelled\s+1\/1\s+Running\s+0/);
    const json = JSON.parse(await kubectl('get', 'pods', '-n', 'team-x', '-l', 'a=b', '-o', 'json'));
    expect(json.kind).toBe('List');
    expect(json.items.map((p: any) => `${p.kind} ${p.metadata.name} ${p.status.phase}`)).toEqual(['Pod labelled Running']);
  });

  it('stops on SIGTERM', async () => {
    cli.kill('SIGTERM');
    const code = await new Promise((r) => cli.once('exit', r));
    expect(code).toBe(0);
  });
});
