import { SeededRandom } from './random';
import { tf } from './tf';

export type TrainingMode = 'seed-compatible' | 'default';

/** Feature vectors with their class indices. */
export interface LabelledVectors {
  vectors: Float32Array[];
  labels: number[];
}

export interface HistoryPoint {
  step: number;
  /** Accuracy on the whole training set at this step. */
  trainAccuracy: number;
  /** The loss the optimiser saw at this step (batch cross-entropy, plus L2 in default mode). */
  crossEntropy: number;
  validationAccuracy?: number;
}

export interface HeadTrainingOptions {
  mode: TrainingMode;
  classCount: number;
  steps?: number;
  seed?: number;
  /** Evaluated every `evalInterval` steps and at the last step (retrain.py used 10). */
  validation?: LabelledVectors;
  evalInterval?: number;
  onEvaluation?: (point: HistoryPoint) => void;
}

/**
 * The two schedules. Seed-compatible is retrain.py's: plain gradient descent, learning rate
 * 0.01, batches of 100 drawn with replacement (a class, then an image of it), weights from a
 * truncated normal with stddev 0.001. The default was chosen by 5-fold cross-validation on the
 * non-test part of the seed's bottlenecks (see test/bench/trainer.bench.ts and the README):
 * full-batch Adam with a small L2 penalty, the same 500 steps.
 */
export const SCHEDULES = {
  'seed-compatible': { learningRate: 0.01, batchSize: 100, l2: 0, optimizer: 'sgd' as const, initStddev: 0.001 },
  default: { learningRate: 0.01, batchSize: 0, l2: 0.01, optimizer: 'adam' as const, initStddev: 0.001 },
};

export const DEFAULT_STEPS = 500;

/** A trained (or untrained) softmax layer over feature vectors. */
export class SoftmaxHead {
  constructor(
    readonly inputLength: number,
    readonly classCount: number,
    /** Row-major [inputLength, classCount]. */
    readonly weights: Float32Array,
    readonly bias: Float32Array,
  ) {}

  /** Class probabilities for each vector. */
  predict(vectors: Float32Array[]): number[][] {
    if (!vectors.length) return [];
    return tf.tidy(() => {
      const x = stack(vectors, this.inputLength);
      const p = tf.softmax(tf.add(tf.matMul(x, tf.tensor2d(this.weights, [this.inputLength, this.classCount])), tf.tensor1d(this.bias)));
      return p.arraySync() as number[][];
    });
  }

  accuracy(data: LabelledVectors): number {
    if (!data.vectors.length) return NaN;
    const probs = this.predict(data.vectors);
    return probs.filter((p, i) => argmax(p) === data.labels[i]).length / probs.length;
  }
}

export const argmax = (xs: ArrayLike<number>) => {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i] > xs[best]) best = i;
  return best;
};

function stack(vectors: Float32Array[], width: number): tf.Tensor2D {
  const flat = new Float32Array(vectors.length * width);
  vectors.forEach((v, i) => flat.set(v, i * width));
  return tf.tensor2d(flat, [vectors.length, width]);
}

export interface TrainedHead {
  /** The head before training (the seed's "before" column). */
  initial: SoftmaxHead;
  head: SoftmaxHead;
  history: HistoryPoint[];
  seconds: number;
}

/**
 * Trains a softmax head on TF.js. Each step computes the logits of the whole training set and
 * weights each example's gradient by how often the step's batch drew it: mathematically the
 * batch gradient, but with no per-step gather (which costs ~6 ms on the WASM backend) and
 * with the features uploaded once, so 500 steps take a fraction of a second.
 */
export async function trainSoftmaxHead(train: LabelledVectors, options: HeadTrainingOptions): Promise<TrainedHead> {
  const schedule = SCHEDULES[options.mode];
  const steps = options.steps ?? DEFAULT_STEPS;
  const rng = new SeededRandom(options.seed ?? 0);
  const n = train.vectors.length;
  const C = options.classCount;
  if (n === 0) throw new Error('No training examples.');
  const D = train.vectors[0].length;
  const evalInterval = options.evalInterval ?? 10;

  const initialWeights = new Float32Array(D * C).map(() => rng.truncatedNormal(schedule.initStddev));
  const initial = new SoftmaxHead(D, C, initialWeights, new Float32Array(C));
  const byClass: number[][] = Array.from({ length: C }, () => []);
  train.labels.forEach((label, i) => byClass[label].push(i));
  const classesPresent = byClass.map((_, c) => c).filter((c) => byClass[c].length > 0);

  const started = performance.now();
  const x = stack(train.vectors, D);
  const xT = tf.transpose(x);
  const oneHot = tf.tidy(() => tf.oneHot(tf.tensor1d(train.labels, 'int32'), C).toFloat());
  const validationX = options.validation?.vectors.length ? stack(options.validation.vectors, D) : undefined;
  let W: tf.Tensor = tf.tensor2d(initialWeights, [D, C]);
  let b: tf.Tensor = tf.zeros([C]);
  let mW: tf.Tensor = tf.zerosLike(W);
  let vW: tf.Tensor = tf.zerosLike(W);
  let mb: tf.Tensor = tf.zerosLike(b);
  let vb: tf.Tensor = tf.zerosLike(b);
  const fullBatch = tf.fill([n, 1], 1 / n);
  const counts = new Float32Array(n);
  const history: HistoryPoint[] = [];

  try {
    for (let step = 1; step <= steps; step++) {
      let batchWeights = fullBatch;
      if (schedule.batchSize > 0) {
        // retrain.py's get_random_cached_bottlenecks: a random class, then a random index
        // into that class's list (modulo its length).
        counts.fill(0);
        for (let k = 0; k < schedule.batchSize; k++) {
          const members = byClass[classesPresent[rng.int(classesPresent.length)]];
          counts[members[rng.int(2 ** 27) % members.length]] += 1 / schedule.batchSize;
        }
        batchWeights = tf.tensor2d(counts, [n, 1]);
      }
      const evaluate = step % evalInterval === 0 || step === steps || step === 1;
      const result = tf.tidy(() => {
        const logits = tf.add(tf.matMul(x, W), b);
        const logProbs = tf.logSoftmax(logits);
        const gradLogits = tf.mul(tf.sub(tf.exp(logProbs), oneHot), batchWeights);
        let gW = tf.matMul(xT, gradLogits);
        if (schedule.l2) gW = tf.add(gW, tf.mul(W, schedule.l2));
        const gb = tf.sum(gradLogits, 0);
        let newW: tf.Tensor, newB: tf.Tensor;
        let moments: tf.Tensor[] = [];
        if (schedule.optimizer === 'adam') {
          const [b1, b2, eps] = [0.9, 0.999, 1e-8];
          const m1 = tf.add(tf.mul(mW, b1), tf.mul(gW, 1 - b1));
          const v1 = tf.add(tf.mul(vW, b2), tf.mul(tf.square(gW), 1 - b2));
          const m2 = tf.add(tf.mul(mb, b1), tf.mul(gb, 1 - b1));
          const v2 = tf.add(tf.mul(vb, b2), tf.mul(tf.square(gb), 1 - b2));
          const c1 = 1 - b1 ** step;
          const c2 = 1 - b2 ** step;
          newW = tf.sub(W, tf.mul(tf.div(tf.div(m1, c1), tf.add(tf.sqrt(tf.div(v1, c2)), eps)), schedule.learningRate));
          newB = tf.sub(b, tf.mul(tf.div(tf.div(m2, c1), tf.add(tf.sqrt(tf.div(v2, c2)), eps)), schedule.learningRate));
          moments = [m1, v1, m2, v2];
        } else {
          newW = tf.sub(W, tf.mul(gW, schedule.learningRate));
          newB = tf.sub(b, tf.mul(gb, schedule.learningRate));
        }
        const extra: tf.Tensor[] = [];
        if (evaluate) {
          // Loss and accuracy of the weights this step started from, as retrain.py logs them.
          let loss = tf.neg(tf.sum(tf.mul(tf.mul(logProbs, oneHot), batchWeights)));
          if (schedule.l2) loss = tf.add(loss, tf.mul(tf.sum(tf.square(W)), schedule.l2 / 2));
          const correct = tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(oneHot, 1)), 'float32'));
          extra.push(loss, correct);
          if (validationX) extra.push(tf.argMax(tf.add(tf.matMul(validationX, W), b), 1));
        }
        return { newW, newB, moments, extra };
      });
      if (batchWeights !== fullBatch) batchWeights.dispose();
      if (evaluate) {
        const [loss, correct, validationPredictions] = await Promise.all(result.extra.map((t) => t.data()));
        const point: HistoryPoint = { step: step - 1, trainAccuracy: correct[0], crossEntropy: loss[0] };
        if (validationPredictions && options.validation) {
          const labels = options.validation.labels;
          point.validationAccuracy = labels.filter((l, i) => validationPredictions[i] === l).length / labels.length;
        }
        history.push(point);
        options.onEvaluation?.(point);
        tf.dispose(result.extra);
      }
      tf.dispose([W, b]);
      W = result.newW;
      b = result.newB;
      if (result.moments.length) {
        tf.dispose([mW, vW, mb, vb]);
        [mW, vW, mb, vb] = result.moments;
      }
    }
    const head = new SoftmaxHead(D, C, (await W.data()) as Float32Array, (await b.data()) as Float32Array);
    return { initial, head, history, seconds: (performance.now() - started) / 1000 };
  } finally {
    tf.dispose([x, xT, oneHot, W, b, mW, vW, mb, vb, fullBatch]);
    validationX?.dispose();
  }
}
