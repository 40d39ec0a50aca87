import { argmax, LabelledVectors, trainSoftmaxHead, TrainingMode } from './head';
import { SeededRandom } from './random';

export interface CrossValidationResult {
  folds: number;
  /** Every item's held-out prediction (the fold that left it out trained the head that scored it). */
  predictions: { actual: number; predicted: number }[];
  correct: number;
  n: number;
}

/**
 * Stratified k-fold cross-validation of the mode's whole schedule: each class is shuffled
 * (seeded) and dealt round-robin into k folds, so every fold holds each class in proportion;
 * each fold is scored by a head trained on the other k-1. Pooled over folds, the N is every item.
 */
export async function crossValidate(
  data: LabelledVectors,
  options: { mode: TrainingMode; classCount: number; folds?: number; steps?: number; seed?: number },
): Promise<CrossValidationResult | null> {
  const n = data.vectors.length;
  const folds = Math.min(options.folds ?? 5, n);
  if (folds < 2) return null;
  const rng = new SeededRandom(1234 + (options.seed ?? 0));
  const foldOf = new Array<number>(n);
  let next = 0;
  for (let c = 0; c < options.classCount; c++) {
    const members = data.labels.map((l, i) => (l === c ? i : -1)).filter((i) => i >= 0);
    for (let i = members.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [members[i], members[j]] = [members[j], members[i]];
    }
    // Continue the deal where the last class stopped, so small classes do not all start at fold 0.
    for (const i of members) foldOf[i] = next++ % folds;
  }
  const predictions: CrossValidationResult['predictions'] = [];
  for (let f = 0; f < folds; f++) {
    const held = foldOf.map((g, i) => (g === f ? i : -1)).filter((i) => i >= 0);
    const kept = foldOf.map((g, i) => (g !== f ? i : -1)).filter((i) => i >= 0);
    if (!held.length || !kept.length) continue;
    const fit = await trainSoftmaxHead(
      { vectors: kept.map((i) => data.vectors[i]), labels: kept.map((i) => data.labels[i]) },
      { mode: options.mode, classCount: options.classCount, steps: options.steps, seed: options.seed },
    );
    fit.head.predict(held.map((i) => data.vectors[i])).forEach((p, k) => predictions.push({ actual: data.labels[held[k]], predicted: argmax(p) }));
  }
  return { folds, predictions, correct: predictions.filter((p) => p.actual === p.predicted).length, n: predictions.length };
}
