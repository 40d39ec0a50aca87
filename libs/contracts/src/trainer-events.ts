/** JSON lines the trainer prints on stdout; the control plane relays them to the portal. */
export type TrainerEvent =
  | { type: 'start'; backend: string; mode: 'seed-compatible' | 'default'; classes: string[]; at: string }
  | { type: 'data'; images: number; bottlenecks: number; skipped: string[]; at: string }
  | { type: 'extract'; done: number; total: number; cached: number; at: string }
  | { type: 'split'; train: number; validation: number; test: number; at: string }
  | { type: 'step'; step: number; steps: number; trainAccuracy: number; crossEntropy: number; validationAccuracy?: number; at: string }
  | { type: 'done'; testAccuracy: number; validationAccuracy: number; trainAccuracy: number; seconds: number; out: string; at: string }
  | { type: 'upload'; file: string; bytes: number; at: string }
  | { type: 'uploaded'; resultId: string; url: string; files: number; at: string }
  | { type: 'warning'; message: string; at: string }
  | { type: 'error'; message: string; at: string };

/** The subset of `metrics.json` every consumer (results, share page) relies on. */
export interface TrainerMetrics {
  testAccuracy: number;
  validationAccuracy: number;
  trainAccuracy: number;
  testCount: number;
  classes: string[];
  steps: number;
  mode: 'seed-compatible' | 'default';
  backend: string;
  seconds: number;
  [extra: string]: unknown;
}
