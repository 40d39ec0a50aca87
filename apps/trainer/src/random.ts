/**
 * A small seeded random number generator, so that a run with `--seed N` is reproducible
 * (batch sampling and weight initialisation) independently of the TF.js backend.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    // mulberry32 wants a non-zero 32-bit state; mix the seed so 0, 1, 2 … differ well.
    this.state = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) >>> 0) || 0x6d2b79f5;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Normal with the given stddev, redrawn beyond two stddevs (TensorFlow's truncated_normal). */
  truncatedNormal(stddev: number): number {
    for (;;) {
      const z = this.normal();
      if (Math.abs(z) <= 2) return z * stddev;
    }
  }
}
