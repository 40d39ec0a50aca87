import type { ApiServer } from './api-server';
import type { EventRecorder } from './events';
import { containerId, imageId, setCondition, terminateAll, updateReadiness } from './pod-status';
import { probeOnce, ReadinessState } from './probes';
import type { Change, ObjectStore } from './store';
import { timestamp } from './time';
import type { ContainerStandIn, ExecHandler } from './types';

const BACK_OFF_CAP = 8; // compressed back-off grows d, 2d, 4d, 8d (the real one 10s ... 5m)

interface ContainerRun {
  restarts: number;
  crashes: number;
  pullFailures: number;
}

/** A container run by a stand-in: aborting is the kubelet stopping it; `exited` resolves to its exit code. */
interface ContainerProcess {
  abort: AbortController;
  exited: Promise<number>;
}

interface PodRun {
  uid: string;
  namespace: string;
  name: string;
  node: string;
  podIP: string;
  processes: Map<string, ContainerProcess>;
  timers: Set<NodeJS.Timeout>;
  containers: Map<string, ContainerRun>;
  terminating: boolean;
  readyOverride?: boolean;
  crashNext: boolean;
  deadline?: { seconds: number; timer: NodeJS.Timeout };
}

/**
 * The kubelets of every node in one: moves bound pods through the real phases and container
 * states, with a short delay (`delayMs`) between steps — mount volumes, pull images, create
 * and start containers, readiness — and simulates what tests ask for: image pull failures,
 * crash loops, eviction, readiness changes, `activeDeadlineSeconds`, graceful termination.
 */
export class Kubelet {
  private readonly runs = new Map<string, PodRun>();
  private readonly failingImages: Array<(pod: any, image: string) => boolean> = [];
  private readonly crashingImages = new Set<string>();
  private readonly lostNodes = new Set<string>();
  private readonly execHandlers = new Map<string, ExecHandler>();
  private readonly standIns: Array<{ matches: (pod: any, container: any) => boolean; standIn: ContainerStandIn }> = [];
  /** Pods run by stand-ins get their own loopback address; a random /16 per fake, so fakes on one machine do not meet. */
  private readonly podNetwork = 16 + Math.floor(Math.random() * 224);
  private podIPs = 0;
  private paused = false;
  private readonly frozen: Array<() => void> = [];

  constructor(private readonly store: ObjectStore, private readonly api: ApiServer, private readonly events: EventRecorder, private readonly delayMs: number) {
    store.onChange((change) => this.observe(change));
  }

  // ---- test controls -------------------------------------------------------------------

  failImagePull(imageOrPredicate: string | ((pod: any) => boolean)): void {
    this.failingImages.push(typeof imageOrPredicate === 'string' ? (_pod, image) => image === imageOrPredicate : (pod) => imageOrPredicate(pod));
  }

  onExec(command: string, handler: ExecHandler): void {
    this.execHandlers.set(command, handler);
  }

  runContainers(imageOrPredicate: string | ((pod: any, container: any) => boolean), standIn: ContainerStandIn): void {
    const matches = typeof imageOrPredicate === 'string' ? (_pod: any, container: any) => container.image === imageOrPredicate : imageOrPredicate;
    this.standIns.push({ matches, standIn });
  }

  crashAlways(image: string): void {
    this.crashingImages.add(image);
  }

  crashContainer(podName: string, namespace = 'default'): void {
    const run = this.runOf(podName, namespace);
    const pod = this.store.get('pods', namespace, podName);
    const running = pod?.status?.containerStatuses?.find((c: any) => c.state?.running);
    if (running) this.crash(run, running.name);
    else run.crashNext = true;
  }

  evict(podName: string, namespace = 'default'): void {
    const run = this.runOf(podName, namespace);
    const pod = this.store.get('pods', namespace, podName);
    const container = pod.spec.containers[0];
    const request = container.resources?.requests?.memory ?? '0';
    const message = `The node was low on resource: memory. Threshold quantity: 100Mi, available: 51200Ki. Container ${container.name} was using 6Gi, request is ${request}, has larger consumption of memory. `;
    this.clear(run);
    this.stopProcesses(run);
    for (const c of pod.spec.containers) this.events.record(pod, 'Normal', 'Killing', `Stopping container ${c.name}`, this.source(run), `spec.containers{${c.name}}`);
    const updated = this.write(run, (p) => {
      terminateAll(p, 137, 'Error');
      p.status.phase = 'Failed';
      p.status.reason = 'Evicted';
      p.status.message = message;
      setCondition(p.status, 'DisruptionTarget', 'True', 'TerminationByKubelet', message);
      updateReadiness(p, run.readyOverride);
    });
    if (updated) this.events.record(updated, 'Warning', 'Evicted', message, this.source(run));
  }

  setReady(podName: string, ready: boolean, namespace = 'default'): void {
    const run = this.runOf(podName, namespace);
    run.readyOverride = ready;
    this.write(run, (p) => updateReadiness(p, run.readyOverride));
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    for (const step of this.frozen.splice(0)) step();
  }

  /** The node stops reporting: its kubelet does nothing more (the node lifecycle controller takes over). */
  forgetNode(nodeName: string): void {
    this.lostNodes.add(nodeName);
    for (const run of this.runs.values()) if (run.node === nodeName) this.clear(run);
  }

  stop(): void {
    for (const run of this.runs.values()) {
      this.clear(run);
      this.stopProcesses(run);
    }
    this.runs.clear();
  }

  // ---- reacting to the API -------------------------------------------------------------

  private observe(change: Change): void {
    if (change.resource !== 'pods') return;
    const pod = change.object;
    const uid = pod.metadata.uid;
    if (change.type === 'DELETED') {
      const run = this.runs.get(uid);
      if (run) {
        this.clear(run);
        this.stopProcesses(run);
      }
      this.runs.delete(uid);
      return;
    }
    const node = pod.spec.nodeName;
    if (!node || this.lostNodes.has(node)) return;
    let run = this.runs.get(uid);
    if (!run) {
      if (pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded') return;
      const podIP = pod.spec.containers.some((c: any) => this.standInFor(pod, c)) ? this.nextPodIP() : '127.0.0.1';
      run = { uid, namespace: pod.metadata.namespace, name: pod.metadata.name, node, podIP, processes: new Map(), timers: new Set(), containers: new Map(), terminating: false, crashNext: false };
      for (const c of pod.spec.containers) run.containers.set(c.name, { restarts: 0, crashes: 0, pullFailures: 0 });
      this.runs.set(uid, run);
      const started = run;
      this.after(run, this.delayMs, () => this.admit(started));
    }
    if (pod.metadata.deletionTimestamp && !run.terminating) {
      const terminating = run;
      terminating.terminating = true;
      this.clear(terminating);
      queueMicrotask(() => this.terminate(terminating));
    } else if (!run.terminating && pod.status?.startTime && pod.spec.activeDeadlineSeconds !== run.deadline?.seconds) this.armDeadline(run, pod);
  }

  private runOf(podName: string, namespace: string): PodRun {
    const pod = this.store.get('pods', namespace, podName);
    const run = pod && this.runs.get(pod.metadata.uid);
    if (!run) throw new Error(`fake kubelet: pod ${namespace}/${podName} is not running on any node (is it scheduled, and its node not lost?)`);
    return run;
  }

  private source(run: PodRun) {
    return { component: 'kubelet', host: run.node };
  }

  private after(run: PodRun, ms: number, step: () => void): void {
    const timer = setTimeout(() => {
      run.timers.delete(timer);
      if (this.paused) this.frozen.push(step);
      else step();
    }, ms);
    run.timers.add(timer);
  }

  private clear(run: PodRun): void {
    for (const t of run.timers) clearTimeout(t);
    run.timers.clear();
    if (run.deadline) clearTimeout(run.deadline.timer);
    run.deadline = undefined;
  }

  private current(run: PodRun): any | undefined {
    const pod = this.store.get('pods', run.namespace, run.name);
    return pod && pod.metadata.uid === run.uid ? pod : undefined;
  }

  /** Writes a new pod status, unless the pod is gone, being deleted (for lifecycle steps) or done. */
  private write(run: PodRun, edit: (pod: any) => void): any | undefined {
    if (!this.current(run)) return undefined;
    return this.api.mutate('pods', run.namespace, run.name, (p) => {
      edit(p);
      return p;
    });
  }

  private live(run: PodRun): any | undefined {
    const pod = this.current(run);
    if (!pod || run.terminating || pod.metadata.deletionTimestamp) return undefined;
    if (pod.status.phase === 'Failed' || pod.status.phase === 'Succeeded') return undefined;
    return pod;
  }

  // ---- the pod lifecycle ---------------------------------------------------------------

  /** The kubelet accepts the pod: sandbox, IPs, Initialized, containers waiting in ContainerCreating. */
  private admit(run: PodRun): void {
    const pod = this.live(run);
    if (!pod) return;
    const updated = this.write(run, (p) => {
      p.status.phase = 'Pending';
      p.status.hostIP = '127.0.0.1';
      p.status.hostIPs = [{ ip: '127.0.0.1' }];
      p.status.podIP = run.podIP;
      p.status.podIPs = [{ ip: run.podIP }];
      p.status.startTime = p.status.startTime ?? timestamp();
      setCondition(p.status, 'PodReadyToStartContainers', 'True');
      setCondition(p.status, 'Initialized', 'True');
      p.status.containerStatuses = p.spec.containers.map((c: any) => ({ name: c.name, image: c.image, imageID: '', ready: false, restartCount: 0, started: false, state: { waiting: { reason: 'ContainerCreating' } }, lastState: {} }));
      updateReadiness(p, run.readyOverride);
    });
    if (updated) this.armDeadline(run, updated);
    this.after(run, this.delayMs, () => this.mountVolumes(run));
  }

  /** Secret volumes must exist before containers can start (FailedMount until they do). */
  private mountVolumes(run: PodRun): void {
    const pod = this.live(run);
    if (!pod) return;
    for (const volume of pod.spec.volumes ?? []) {
      const secretName = volume.secret?.secretName;
      if (secretName && !volume.secret.optional && !this.store.get('secrets', run.namespace, secretName)) {
        this.events.record(pod, 'Warning', 'FailedMount', `MountVolume.SetUp failed for volume "${volume.name}" : secret "${secretName}" not found`, this.source(run));
        this.after(run, this.delayMs * BACK_OFF_CAP, () => this.mountVolumes(run));
        return;
      }
    }
    for (const c of pod.spec.containers) this.startContainer(run, c.name);
  }

  private backOff(attempt: number): number {
    return this.delayMs * Math.min(2 ** Math.max(attempt - 1, 0), BACK_OFF_CAP);
  }

  private imageFails(pod: any, image: string): boolean {
    return this.failingImages.some((fails) => fails(pod, image));
  }

  /** Why the container cannot be created: a missing secret or key referenced by its environment. */
  private configError(pod: any, container: any): string | undefined {
    const secret = (name: string) => this.store.get('secrets', pod.metadata.namespace, name);
    const configMap = (name: string) => this.store.get('configmaps', pod.metadata.namespace, name);
    for (const env of container.env ?? []) {
      const ref = env.valueFrom?.secretKeyRef;
      if (ref && !ref.optional) {
        const s = secret(ref.name);
        if (!s) return `secret "${ref.name}" not found`;
        if (!(ref.key in (s.data ?? {}))) return `couldn't find key ${ref.key} in Secret ${pod.metadata.namespace}/${ref.name}`;
      }
      const cm = env.valueFrom?.configMapKeyRef;
      if (cm && !cm.optional) {
        const m = configMap(cm.name);
        if (!m) return `configmap "${cm.name}" not found`;
        if (!(cm.key in (m.data ?? {}))) return `couldn't find key ${cm.key} in ConfigMap ${pod.metadata.namespace}/${cm.name}`;
      }
    }
    for (const from of container.envFrom ?? []) {
      if (from.secretRef && !from.secretRef.optional && !secret(from.secretRef.name)) return `secret "${from.secretRef.name}" not found`;
      if (from.configMapRef && !from.configMapRef.optional && !configMap(from.configMapRef.name)) return `configmap "${from.configMapRef.name}" not found`;
    }
    return undefined;
  }

  private setContainer(pod: any, name: string, edit: (status: any) => any): void {
    pod.status.containerStatuses = (pod.status.containerStatuses ?? []).map((c: any) => (c.name === name ? edit(c) : c));
  }

  /** Pull the image, create and start the container (or fail the way the real kubelet does). */
  private startContainer(run: PodRun, name: string): void {
    const pod = this.live(run);
    if (!pod) return;
    const spec = pod.spec.containers.find((c: any) => c.name === name);
    const state = run.containers.get(name)!;
    const fieldPath = `spec.containers{${name}}`;
    const source = this.source(run);
    const image: string = spec.image;
    this.events.record(pod, 'Normal', 'Pulling', `Pulling image "${image}"`, source, fieldPath);
    if (this.imageFails(pod, image)) {
      state.pullFailures++;
      const message = `Failed to pull image "${image}": rpc error: code = NotFound desc = failed to pull and unpack image "${image}": failed to resolve reference "${image}": ${image}: not found`;
      this.write(run, (p) => this.setContainer(p, name, (c) => ({ ...c, state: { waiting: { reason: 'ErrImagePull', message } } })));
      this.events.record(pod, 'Warning', 'Failed', message, source, fieldPath);
      this.events.record(pod, 'Warning', 'Failed', 'Error: ErrImagePull', source, fieldPath);
      this.after(run, this.delayMs, () => {
        const still = this.live(run);
        if (!still) return;
        this.write(run, (p) => this.setContainer(p, name, (c) => ({ ...c, state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` } } })));
        this.events.record(still, 'Normal', 'BackOff', `Back-off pulling image "${image}"`, source, fieldPath);
        this.events.record(still, 'Warning', 'Failed', 'Error: ImagePullBackOff', source, fieldPath);
        this.after(run, this.backOff(state.pullFailures), () => this.startContainer(run, name));
      });
      return;
    }
    this.events.record(pod, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${this.delayMs}ms (${this.delayMs}ms including waiting). Image size: 104857600 bytes.`, source, fieldPath);
    const configError = this.configError(pod, spec);
    if (configError) {
      this.write(run, (p) => this.setContainer(p, name, (c) => ({ ...c, state: { waiting: { reason: 'CreateContainerConfigError', message: configError } } })));
      this.events.record(pod, 'Warning', 'Failed', `Error: ${configError}`, source, fieldPath);
      this.after(run, this.delayMs * BACK_OFF_CAP, () => this.startContainer(run, name));
      return;
    }
    this.after(run, this.delayMs, () => this.run(run, name));
  }

  private run(run: PodRun, name: string): void {
    const pod = this.live(run);
    if (!pod) return;
    const spec = pod.spec.containers.find((c: any) => c.name === name);
    const state = run.containers.get(name)!;
    const source = this.source(run);
    const fieldPath = `spec.containers{${name}}`;
    this.events.record(pod, 'Normal', 'Created', `Created container: ${name}`, source, fieldPath);
    this.events.record(pod, 'Normal', 'Started', `Started container ${name}`, source, fieldPath);
    const readyAtStart = !spec.readinessProbe;
    const standIn = this.standInFor(pod, spec);
    this.write(run, (p) => {
      this.setContainer(p, name, (c) => ({
        ...c,
        imageID: imageId(spec.image),
        containerID: containerId(run.uid, name, state.restarts),
        restartCount: state.restarts,
        started: true,
        ready: readyAtStart,
        state: { running: { startedAt: timestamp() } },
      }));
      p.status.phase = 'Running';
      updateReadiness(p, run.readyOverride);
    });
    if (standIn) this.startProcess(run, pod, spec, standIn);
    if (run.crashNext || this.crashingImages.has(spec.image)) {
      run.crashNext = false;
      this.after(run, this.delayMs, () => this.crash(run, name));
    } else if (!readyAtStart && standIn) {
      this.probeReadiness(run, spec, new ReadinessState(spec.readinessProbe), state.restarts);
    } else if (!readyAtStart) {
      // The readiness probe passes one step after the container started.
      this.after(run, this.delayMs, () => {
        if (!this.live(run)) return;
        this.write(run, (p) => {
          this.setContainer(p, name, (c) => (c.state?.running ? { ...c, ready: true } : c));
          updateReadiness(p, run.readyOverride);
        });
      });
    }
  }

  /** The container exits 1; restartPolicy decides: restart (first at once, then CrashLoopBackOff) or stay terminated. */
  private crash(run: PodRun, name: string, exitCode = 1): void {
    const pod = this.live(run);
    if (!pod) return;
    this.stopProcess(run, name);
    const state = run.containers.get(name)!;
    state.crashes++;
    const previous = pod.status.containerStatuses.find((c: any) => c.name === name);
    const terminated = { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: previous?.state?.running?.startedAt ?? timestamp(), finishedAt: timestamp(), containerID: previous?.containerID };
    const restarts = pod.spec.restartPolicy !== 'Never';
    this.write(run, (p) => {
      this.setContainer(p, name, (c) => ({ ...c, ready: false, started: false, state: { terminated } }));
      if (!restarts && p.status.containerStatuses.every((c: any) => c.state?.terminated)) {
        p.status.phase = p.status.containerStatuses.some((c: any) => c.state.terminated.exitCode !== 0) ? 'Failed' : 'Succeeded';
      }
      updateReadiness(p, run.readyOverride);
    });
    if (!restarts) return;
    if (state.restarts === 0) {
      state.restarts++;
      this.after(run, this.delayMs, () => this.run(run, name));
      return;
    }
    const backOffSeconds = Math.min(10 * 2 ** (state.restarts - 1), 300);
    const message = `back-off ${backOffSeconds >= 60 ? `${Math.floor(backOffSeconds / 60)}m${backOffSeconds % 60}s` : `${backOffSeconds}s`} restarting failed container=${name} pod=${run.name}_${run.namespace}(${run.uid})`;
    this.after(run, this.delayMs, () => {
      const still = this.live(run);
      if (!still) return;
      this.write(run, (p) => this.setContainer(p, name, (c) => ({ ...c, lastState: { terminated }, state: { waiting: { reason: 'CrashLoopBackOff', message } } })));
      this.events.record(still, 'Warning', 'BackOff', `Back-off restarting failed container ${name} in pod ${run.name}_${run.namespace}(${run.uid})`, this.source(run), `spec.containers{${name}}`);
      this.after(run, this.backOff(state.restarts), () => {
        state.restarts++;
        this.run(run, name);
      });
    });
  }

  /** activeDeadlineSeconds counts from status.startTime; past it the pod fails with DeadlineExceeded. */
  private armDeadline(run: PodRun, pod: any): void {
    if (run.deadline) clearTimeout(run.deadline.timer);
    run.deadline = undefined;
    const seconds = pod.spec.activeDeadlineSeconds;
    if (!seconds || !pod.status.startTime) return;
    const due = Date.parse(pod.status.startTime) + seconds * 1000 - Date.now();
    const timer = setTimeout(() => (this.paused ? this.frozen.push(() => this.deadlineExceeded(run)) : this.deadlineExceeded(run)), Math.max(due, 0));
    run.deadline = { seconds, timer };
  }

  private deadlineExceeded(run: PodRun): void {
    const pod = this.live(run);
    if (!pod) return;
    const message = 'Pod was active on the node longer than the specified deadline';
    for (const t of run.timers) clearTimeout(t);
    run.timers.clear();
    this.stopProcesses(run);
    this.events.record(pod, 'Warning', 'DeadlineExceeded', message, this.source(run));
    for (const c of pod.spec.containers) this.events.record(pod, 'Normal', 'Killing', `Stopping container ${c.name}`, this.source(run), `spec.containers{${c.name}}`);
    this.write(run, (p) => {
      terminateAll(p, 137, 'Error');
      p.status.phase = 'Failed';
      p.status.reason = 'DeadlineExceeded';
      p.status.message = message;
      updateReadiness(p, run.readyOverride);
    });
  }

  /** Graceful deletion: preStop and SIGTERM, the containers exit, then the kubelet removes the pod. */
  private terminate(run: PodRun): void {
    const pod = this.current(run);
    if (!pod) return;
    for (const c of pod.spec.containers) {
      const status = pod.status.containerStatuses?.find((s: any) => s.name === c.name);
      if (status?.state?.running) this.events.record(pod, 'Normal', 'Killing', `Stopping container ${c.name}`, this.source(run), `spec.containers{${c.name}}`);
    }
    const graceMs = (pod.metadata.deletionGracePeriodSeconds ?? 30) * 1000;
    const startedAt = Date.now();
    // preStop hooks of running containers first, then SIGTERM; all of it within the grace period.
    void this.runPreStopHooks(run, pod, graceMs).then((hooksOutOfTime) => this.stopProcessesWithin(run, hooksOutOfTime ? 0 : graceMs - (Date.now() - startedAt)).then((killed) => hooksOutOfTime || killed)).then((outOfTime) => {
      // A well-behaved container exits soon after SIGTERM: the fake takes one step per phase, bounded by what is left of the grace period.
      const stopMs = outOfTime ? 0 : Math.max(0, Math.min(graceMs - (Date.now() - startedAt), this.delayMs * 2));
      this.after(run, stopMs, () => {
        const still = this.current(run);
        if (!still) return;
        if (still.status.phase !== 'Failed' && still.status.phase !== 'Succeeded') {
          this.write(run, (p) => {
            const wasStarted = (p.status.containerStatuses ?? []).some((c: any) => c.state?.running);
            // Out of time, the kubelet kills the container (SIGKILL: 137).
            if (outOfTime) terminateAll(p, 137, 'Error');
            else terminateAll(p, 0, 'Completed');
            p.status.phase = outOfTime ? 'Failed' : wasStarted || p.status.phase === 'Running' ? 'Succeeded' : 'Failed';
            updateReadiness(p, run.readyOverride);
          });
        }
        this.api.finalize('pods', run.namespace, run.name);
      });
    });
  }

  /**
   * Runs the preStop exec hooks of the running containers (through the handlers tests give)
   * and resolves when all are done, or true once the grace period is over first. A hook that
   * fails is an event (FailedPreStopHook), as on a real node; termination goes on either way.
   */
  private async runPreStopHooks(run: PodRun, pod: any, graceMs: number): Promise<boolean> {
    const hooks = (pod.spec.containers as any[]).filter((c) => c.lifecycle?.preStop?.exec?.command?.length && pod.status.containerStatuses?.find((s: any) => s.name === c.name)?.state?.running);
    if (!hooks.length) return false;
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const outOfTime = new Promise<true>((resolve) => (timer = setTimeout(() => resolve(true), graceMs)));
    const all = Promise.all(hooks.map(async (container) => {
      const command: string[] = container.lifecycle.preStop.exec.command;
      const handler = this.execHandlers.get(command[0]);
      if (!handler) return;
      let failure: string | undefined;
      try {
        const code = await handler({ pod, container, command, env: this.resolveEnv(pod, container), signal: abort.signal });
        if (code !== 0) failure = `command '${command.join(' ')}' exited with ${code}`;
      } catch (err) {
        failure = (err as Error).message;
      }
      if (failure && !abort.signal.aborted) this.recordHookFailure(run, pod, container, command, failure);
    })).then(() => false as const);
    const result = await Promise.race([all, outOfTime]);
    clearTimeout(timer);
    if (result) {
      abort.abort();
      for (const c of hooks) this.recordHookFailure(run, pod, c, c.lifecycle.preStop.exec.command, `the grace period of ${graceMs / 1000} s ended first`);
    }
    return result;
  }

  private recordHookFailure(run: PodRun, pod: any, container: any, command: string[], why: string): void {
    this.events.record(pod, 'Warning', 'FailedPreStopHook', `Exec lifecycle hook ([${command.join(' ')}]) for Container "${container.name}" in Pod "${run.name}_${run.namespace}(${run.uid})" failed - error: ${why}`, this.source(run), `spec.containers{${container.name}}`);
  }

  // ---- containers run by stand-ins, and their readiness probes ------------------------

  private standInFor(pod: any, container: any): ContainerStandIn | undefined {
    return this.standIns.find((s) => s.matches(pod, container))?.standIn;
  }

  private nextPodIP(): string {
    const n = ++this.podIPs;
    return `127.${this.podNetwork}.${Math.floor(n / 250) % 250}.${(n % 250) + 2}`;
  }

  /** The container's process starts; exiting by itself is a crash (or a clean exit) that restartPolicy handles. */
  private startProcess(run: PodRun, pod: any, container: any, standIn: ContainerStandIn): void {
    this.stopProcess(run, container.name);
    const abort = new AbortController();
    const exited = Promise.resolve()
      .then(() => standIn({ pod, container, env: this.resolveEnv(pod, container), podIP: run.podIP, signal: abort.signal }))
      .then((code) => code, (error) => {
        this.events.record(pod, 'Warning', 'Failed', `Error: ${(error as Error).message}`, this.source(run), `spec.containers{${container.name}}`);
        return 128;
      });
    const proc = { abort, exited };
    run.processes.set(container.name, proc);
    void exited.then((code) => {
      if (abort.signal.aborted || run.processes.get(container.name) !== proc) return;
      run.processes.delete(container.name);
      this.crash(run, container.name, code);
    });
  }

  private stopProcess(run: PodRun, name: string): Promise<number> | undefined {
    const proc = run.processes.get(name);
    if (!proc) return undefined;
    run.processes.delete(name);
    proc.abort.abort();
    return proc.exited;
  }

  private stopProcesses(run: PodRun): void {
    for (const name of [...run.processes.keys()]) this.stopProcess(run, name);
  }

  /** SIGTERM to every process; true when one was still running after `ms` (the kubelet then kills it). */
  private async stopProcessesWithin(run: PodRun, ms: number): Promise<boolean> {
    const exits = [...run.processes.keys()].map((name) => this.stopProcess(run, name)!);
    if (!exits.length) return false;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<true>((resolve) => (timer = setTimeout(() => resolve(true), Math.max(0, ms))));
    const result = await Promise.race([Promise.all(exits).then(() => false as const), late]);
    clearTimeout(timer);
    return result;
  }

  /**
   * The prober: after initialDelaySeconds, every periodSeconds (real seconds, as on a node), one
   * probe against the pod IP; the container's `ready` (and so the pod's Ready condition) follows
   * the thresholds. A failed probe is an `Unhealthy` event. Stops with the container instance.
   */
  private probeReadiness(run: PodRun, container: any, readiness: ReadinessState, instance: number, delayMs = readiness.initialDelayMs): void {
    this.after(run, delayMs, () => {
      const pod = this.live(run);
      const current = run.containers.get(container.name)!;
      if (!pod || current.restarts !== instance || !run.processes.has(container.name)) return;
      void probeOnce(container.readinessProbe, container, run.podIP).then((failure) => {
        if (!this.live(run) || current.restarts !== instance || !run.processes.has(container.name)) return;
        if (failure) this.events.record(pod, 'Warning', 'Unhealthy', `Readiness probe failed: ${failure}`, this.source(run), `spec.containers{${container.name}}`);
        if (readiness.record(failure)) {
          this.write(run, (p) => {
            this.setContainer(p, container.name, (c) => (c.state?.running ? { ...c, ready: readiness.ready } : c));
            updateReadiness(p, run.readyOverride);
          });
        }
        this.probeReadiness(run, container, readiness, instance, readiness.periodMs);
      });
    });
  }

  /** The container's environment as the kubelet builds it: plain values, secret keys, a few pod fields. */
  private resolveEnv(pod: any, container: any): Record<string, string> {
    const env: Record<string, string> = {};
    for (const e of container.env ?? []) {
      if (e.value !== undefined) env[e.name] = e.value;
      else if (e.valueFrom?.secretKeyRef) {
        const data = this.store.get('secrets', pod.metadata.namespace, e.valueFrom.secretKeyRef.name)?.data?.[e.valueFrom.secretKeyRef.key];
        if (data !== undefined) env[e.name] = Buffer.from(data, 'base64').toString('utf8');
      } else if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.name') env[e.name] = pod.metadata.name;
      else if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace') env[e.name] = pod.metadata.namespace;
    }
    return env;
  }
}
