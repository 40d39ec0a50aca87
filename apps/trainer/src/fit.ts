import { HeadTrainingOptions, LabelledVectors, trainSoftmaxHead, TrainedHead, TrainingMode } from './head';

export interface FittedHeads {
  /** Trained on the training part, with the validation curve: the "before" head and the history come from it. */
  fit: TrainedHead;
  /** The head the run keeps: refitted on training + validation in default mode, else `fit`. */
  final: TrainedHead;
  refit: boolean;
  /** What `final` was trained on. */
  trainedOn: LabelledVectors;
}

/**
 * The run's schedule on its split. Seed-compatible mode trains on the training part alone, as
 * retrain.py did. The default mode refits on training + validation once the curves are
 * recorded (validation picked the schedule; more data then makes the final head better).
 * The test part is never passed in, so it cannot influence either head.
 */
export async function fitHeads(
  train: LabelledVectors,
  validation: LabelledVectors,
  options: { mode: TrainingMode; steps: number; seed: number; classCount: number; onEvaluation?: HeadTrainingOptions['onEvaluation'] },
): Promise<FittedHeads> {
  const { mode, steps, seed, classCount } = options;
  const fit = await trainSoftmaxHead(train, { mode, steps, seed, classCount, validation, onEvaluation: options.onEvaluation });
  const refit = mode === 'default' && validation.vectors.length > 0;
  if (!refit) return { fit, final: fit, refit, trainedOn: train };
  const trainedOn = { vectors: [...train.vectors, ...validation.vectors], labels: [...train.labels, ...validation.labels] };
  return { fit, final: await trainSoftmaxHead(trainedOn, { mode, steps, seed, classCount }), refit, trainedOn };
}
