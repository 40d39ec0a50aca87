import { Injectable } from '@nestjs/common';

/** Wakes this replica's reconciler right away after an API change (the periodic pass still catches everything). */
@Injectable()
export class ReconcilerSignal {
  private listener: (() => void) | null = null;
  /** Others that must know at once that this replica changed a session (the notebook proxy's caches). */
  private readonly changeListeners: Array<() => void> = [];

  onWake(listener: () => void): void {
    this.listener = listener;
  }

  onChange(listener: () => void): void {
    this.changeListeners.push(listener);
  }

  wake(): void {
    for (const listener of this.changeListeners) listener();
    this.listener?.();
  }
}
