import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ModelPayload, PredictRequest, PredictResponse } from './predict-messages';

export class PoolBusyError extends Error {}

/** The compiled worker beside this file; run from TypeScript sources (tests), the build's copy in dist/. */
export function workerScript(dir = __dirname): string {
  const beside = join(dir, 'predict-worker.js');
  if (existsSync(beside)) return beside;
  const marker = `${sep}apps${sep}control-plane${sep}`;
  const at = dir.lastIndexOf(marker);
  return at < 0 ? beside : join(dir.slice(0, at), 'dist', dir.slice(at + 1), 'predict-worker.js');
}

interface Job {
  modelKey: string;
  loadModel: () => Promise<ModelPayload>;
  pixels: Float32Array;
  size: number;
  resolve: (r: { scores: number[]; backend: string; ms: number }) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  busy: boolean;
  /** Model keys this worker holds, most recent last (it keeps as many as MODELS_KEPT). */
  holds: string[];
}

const MODELS_KEPT = 2;

/**
 * A fixed number of worker threads running TensorFlow.js, and a bounded queue in front of
 * them: a burst of photos waits its turn (or is refused when the queue is full) instead of
 * taking the API's event loop or every core.
 */
export class PredictWorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private readonly pending = new Map<number, { slot: Slot; job: Job; retried: boolean }>();

  constructor(
    readonly size: number,
    readonly maxQueue: number,
    private readonly script = workerScript(),
  ) {}

  get queued(): number {
    return this.queue.length;
  }

  run(job: Omit<Job, 'resolve' | 'reject'>): Promise<{ scores: number[]; backend: string; ms: number }> {
    if (this.queue.length >= this.maxQueue) return Promise.reject(new PoolBusyError('Too many photos are being classified right now. Try again in a few seconds.'));
    return new Promise((resolve, reject) => {
      this.queue.push({ ...job, resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    for (const job of this.queue.splice(0)) job.reject(new Error('The server is shutting down.'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }

  private slot(): Slot | null {
    const idle = this.slots.find((s) => !s.busy);
    if (idle) return idle;
    if (this.slots.length >= this.size) return null;
    const worker = new Worker(this.script);
    const slot: Slot = { worker, busy: false, holds: [] };
    worker.on('message', (answer: PredictResponse) => this.answered(answer));
    worker.on('error', (err) => this.crashed(slot, err));
    worker.unref();
    this.slots.push(slot);
    return slot;
  }

  private pump(): void {
    while (this.queue.length) {
      const slot = this.slot();
      if (!slot) return;
      const job = this.queue.shift()!;
      void this.send(slot, job, false);
    }
  }

  private async send(slot: Slot, job: Job, withModel: boolean): Promise<void> {
    slot.busy = true;
    try {
      const needsModel = withModel || !slot.holds.includes(job.modelKey);
      const model = needsModel ? await job.loadModel() : undefined;
      const id = this.nextId++;
      this.pending.set(id, { slot, job, retried: withModel });
      slot.holds = [...slot.holds.filter((k) => k !== job.modelKey), job.modelKey].slice(-MODELS_KEPT);
      const request: PredictRequest = { id, modelKey: job.modelKey, model, pixels: job.pixels, size: job.size };
      slot.worker.postMessage(request);
    } catch (err) {
      slot.busy = false;
      job.reject(err as Error);
      this.pump();
    }
  }

  private answered(answer: PredictResponse): void {
    const entry = this.pending.get(answer.id);
    if (!entry) return;
    this.pending.delete(answer.id);
    const { slot, job, retried } = entry;
    if (!answer.ok && answer.code === 'NEEDS_MODEL' && !retried) return void this.send(slot, job, true);
    slot.busy = false;
    if (answer.ok) job.resolve({ scores: answer.scores, backend: answer.backend, ms: answer.ms });
    else job.reject(new Error(answer.message));
    this.pump();
  }

  private crashed(slot: Slot, err: Error): void {
    for (const [id, entry] of this.pending) {
      if (entry.slot !== slot) continue;
      this.pending.delete(id);
      entry.job.reject(new Error(`The model could not run: ${err.message}`));
    }
    this.slots.splice(this.slots.indexOf(slot), 1);
    void slot.worker.terminate();
    this.pump();
  }
}
