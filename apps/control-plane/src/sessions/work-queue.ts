/**
 * A keyed work queue: each key is processed by one worker at a time, at most `concurrency`
 * keys at once; a key added while it is being processed runs once more afterwards.
 */
export class WorkQueue {
  private readonly pending = new Set<string>();
  private readonly running = new Set<string>();
  private readonly again = new Set<string>();
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly concurrency: number,
    private readonly worker: (key: string) => Promise<void>,
  ) {}

  add(key: string): void {
    if (this.running.has(key)) this.again.add(key);
    else this.pending.add(key);
    this.pump();
  }

  get size(): number {
    return this.pending.size + this.running.size;
  }

  drain(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (this.running.size < this.concurrency && this.pending.size > 0) {
      const key = this.pending.values().next().value as string;
      this.pending.delete(key);
      this.running.add(key);
      void this.worker(key)
        .catch(() => undefined)
        .finally(() => {
          this.running.delete(key);
          if (this.again.delete(key)) this.pending.add(key);
          this.pump();
          if (this.size === 0) this.idleWaiters.splice(0).forEach((w) => w());
        });
    }
  }
}
