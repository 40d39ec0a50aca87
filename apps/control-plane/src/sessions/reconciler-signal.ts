import { Injectable } from '@nestjs/common';

/** Wakes this replica's reconciler right away after an API change (the periodic pass still catches everything). */
@Injectable()
export class ReconcilerSignal {
  private listener: (() => void) | null = null;

  onWake(listener: () => void): void {
    this.listener = listener;
  }

  wake(): void {
    this.listener?.();
  }
}
