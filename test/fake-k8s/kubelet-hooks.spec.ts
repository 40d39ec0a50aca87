import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKubernetes, type FakeKubernetes } from './index';
import type { ExecContext } from './types';
import { coreApi, eventually, pod } from './test-client';

const withPreStop = (name: string, command: string[]) =>
  pod(name, {
    container: {
      env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'creds', key: 'token' } } }, { name: 'PLAIN', value: 'p' }, { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
      lifecycle: { preStop: { exec: { command } } },
    },
  });

describe('fake kubelet: preStop hooks run within the grace period', () => {
  let fake: FakeKubernetes;
  let core: ReturnType<typeof coreApi>['core'];
  const namespace = 'hooks';

  beforeAll(async () => {
    fake = await startFakeKubernetes({ port: 0, cpuOnlyNodes: 1, kubeletDelayMs: 10 });
    core = coreApi(fake).core;
    await core.createNamespacedSecret({ namespace, body: { metadata: { name: 'creds' }, stringData: { token: 's3cret' } } });
  });
  afterAll(() => fake.close());

  const running = (name: string) => eventually(`${name} running`, () => core.readNamespacedPod({ namespace, name }), (p) => p.status?.phase === 'Running');
  const gone = (name: string) => eventually(`${name} gone`, () => core.readNamespacedPod({ namespace, name }).then(() => false, () => true), (g) => g);

  it('runs the hook with the container\'s environment before the container stops, and removes the pod once it is done', async () => {
    const seen: Array<{ env: Record<string, string>; containerRunning: boolean; deleting: boolean }> = [];
    let finish!: (code: number) => void;
    fake.kubelet.onExec('/bin/save', async (exec: ExecContext) => {
      const now = await core.readNamespacedPod({ namespace, name: exec.pod.metadata.name });
      seen.push({ env: exec.env, containerRunning: !!now.status?.containerStatuses?.[0]?.state?.running, deleting: !!now.metadata?.deletionTimestamp });
      return new Promise<number>((resolve) => (finish = resolve));
    });
    await core.createNamespacedPod({ namespace, body: withPreStop('saver', ['/bin/save', '--all']) });
    await running('saver');
    await core.deleteNamespacedPod({ namespace, name: 'saver', gracePeriodSeconds: 30 });
    await eventually('the hook started', () => seen.length, (n) => n === 1);
    expect(seen[0]).toEqual({ env: { TOKEN: 's3cret', PLAIN: 'p', POD: 'saver' }, containerRunning: true, deleting: true });
    // While the hook runs, the pod stays, its container still running.
    expect((await core.readNamespacedPod({ namespace, name: 'saver' })).status?.containerStatuses?.[0]?.state?.running).toBeTruthy();
    finish(0);
    await gone('saver');
    expect(fake.objects('events', namespace).filter((e: any) => e.reason === 'FailedPreStopHook')).toEqual([]);
  });

  it('kills the container when the grace period ends before the hook, and says so in an event', async () => {
    let aborted = false;
    fake.kubelet.onExec('/bin/slow-save', (exec) => new Promise<number>((resolve) => exec.signal.addEventListener('abort', () => ((aborted = true), resolve(137)))));
    await core.createNamespacedPod({ namespace, body: withPreStop('slow', ['/bin/slow-save']) });
    await running('slow');
    await core.deleteNamespacedPod({ namespace, name: 'slow', gracePeriodSeconds: 1 });
    await gone('slow');
    expect(aborted).toBe(true);
    const events = fake.objects('events', namespace).filter((e: any) => e.reason === 'FailedPreStopHook' && e.involvedObject.name === 'slow');
    expect(events.map((e: any) => e.message)).toEqual([expect.stringMatching(/^Exec lifecycle hook \(\[\/bin\/slow-save\]\) for Container "main" in Pod "slow_hooks\(.+\)" failed - error: the grace period of 1 s ended first$/)]);
  });

  it('reports a hook that exits non-zero, and still stops the pod', async () => {
    fake.kubelet.onExec('/bin/fail-save', async () => 3);
    await core.createNamespacedPod({ namespace, body: withPreStop('failing', ['/bin/fail-save']) });
    await running('failing');
    await core.deleteNamespacedPod({ namespace, name: 'failing', gracePeriodSeconds: 30 });
    await gone('failing');
    const events = fake.objects('events', namespace).filter((e: any) => e.reason === 'FailedPreStopHook' && e.involvedObject.name === 'failing');
    expect(events[0]?.message).toMatch(/failed - error: command '\/bin\/fail-save' exited with 3$/);
  });
});
