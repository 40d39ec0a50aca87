import type { TrainerMetrics } from '@trialhub/contracts';

export class MetricsFileError extends Error {}

/** The headline fields kept on the result; the full file stays an artifact. */
const HEADLINE_KEYS = [
  'testAccuracy', 'validationAccuracy', 'trainAccuracy', 'testCount', 'validationCount', 'trainCount', 'classes', 'steps', 'mode', 'backend', 'seconds', 'trainingSeconds',
  // From trainers of issue 14 on: the honest headline (with its N and interval), per-class quality, the misclassified count.
  'headline', 'accuracy', 'perClass', 'misclassifiedCount',
] as const;

const isRatio = (v: unknown) => v === null || (typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1);
const isCount = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/**
 * Reads a trainer's `metrics.json` into the result's headline metrics. Accuracies may be
 * null (the trainer writes NaN, which JSON turns into null, when a split is empty).
 */
export function parseTrainerMetrics(text: string): Partial<TrainerMetrics> {
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new MetricsFileError(`metrics.json is not valid JSON (${(err as Error).message}).`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new MetricsFileError('metrics.json must be a JSON object.');
  const m = raw as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of ['testAccuracy', 'validationAccuracy', 'trainAccuracy']) {
    if (!(key in m)) problems.push(`${key} is missing`);
    else if (!isRatio(m[key])) problems.push(`${key} must be a number between 0 and 1 (or null)`);
  }
  if (!isCount(m.testCount)) problems.push('testCount must be a whole number ≥ 0');
  if (!Array.isArray(m.classes) || m.classes.length === 0 || !m.classes.every((c) => typeof c === 'string')) problems.push('classes must be a non-empty list of class names');
  for (const key of ['steps', 'validationCount', 'trainCount']) if (key in m && !isCount(m[key])) problems.push(`${key} must be a whole number ≥ 0`);
  for (const key of ['seconds', 'trainingSeconds']) if (key in m && !(typeof m[key] === 'number' && (m[key] as number) >= 0)) problems.push(`${key} must be a number ≥ 0`);
  for (const key of ['mode', 'backend']) if (key in m && typeof m[key] !== 'string') problems.push(`${key} must be text`);
  if (problems.length) throw new MetricsFileError(`metrics.json is not a trainer's metrics file: ${problems.join('; ')}.`);
  const headline: Record<string, unknown> = {};
  for (const key of HEADLINE_KEYS) if (key in m) headline[key] = m[key];
  return headline as Partial<TrainerMetrics>;
}
