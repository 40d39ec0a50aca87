import { copyFile, mkdir, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { TrainerMetrics } from '@trialhub/contracts';
import { BackendChoice, selectBackend } from './backend';
import { DatasetScan, Example, scanDataset, scanTestImages } from './dataset';
import { TrainerInputError } from './errors';
import { computeFeatures } from './features';
import { copyMisclassifiedImages, evaluateRun } from './evaluation';
import { fitHeads } from './fit';
import { argmax, DEFAULT_STEPS, HistoryPoint, LabelledVectors, SoftmaxHead, TrainingMode } from './head';
import { InputRange, loadImagePixels, thumbnailDataUrl } from './images';
import { FeatureExtractor, loadFeatureExtractor } from './model-loader';
import { describeBackbone, exportFullModel, HeadMetadata, saveHead } from './model-writer';
import { EventSink } from './progress';
import { BeforeAfterRow, renderReport, resultTitle, withThumbnails } from './report';
import { splitPartFor, SEED_SPLIT_ROOT, SplitPart } from './split';

export interface TrainOptions {
  /** Folder for the outputs (created). */
  out: string;
  /** `<class>/<image>` folders. At least one of data and bottlenecks. */
  data?: string;
  /** Stored bottlenecks in the seed's format, `<class>/<image name>.txt`. */
  bottlenecks?: string;
  /** An explicit held-out test set instead of the hash split's test part. */
  testData?: string;
  testBottlenecks?: string;
  /** Images to score before and after training (class sub-folders, or loose images). */
  testImages?: string;
  /** Feature extractor: folder or URL of a TF.js layers or graph model. */
  model?: string;
  featureOutput?: string;
  inputRange?: InputRange;
  /** Name and version of the feature model for the saved result (default: from the model, else its folder name and hash). */
  modelName?: string;
  modelVersion?: string;
  /** Write backbone + head as one TF.js model in `full-model/` (default true; only for a layers model). */
  exportFullModel?: boolean;
  mode?: TrainingMode;
  steps?: number;
  seed?: number;
  /** The folder the split hashes `<class>/<name>` under (default the seed's /tmp/images_resized). */
  splitRoot?: string;
  validationPercentage?: number;
  testPercentage?: number;
  /** Bottleneck cache; default $TRIALHUB_TRAINER_CACHE or ~/.cache/trialhub-trainer. */
  cacheDir?: string;
  onEvent?: EventSink;
  /** Human-readable log lines (default: stderr), e.g. which backend was chosen and why. */
  log?: (line: string) => void;
  /** A backend chosen beforehand (else chosen here). */
  backend?: BackendChoice;
}

export interface TrainResult {
  out: string;
  metrics: TrainerMetrics;
  files: string[];
}

export const defaultCacheDir = () => process.env.TRIALHUB_TRAINER_CACHE || join(homedir(), '.cache', 'trialhub-trainer');

const toLabelled = (items: { vector: Float32Array; label: number }[]): LabelledVectors => ({ vectors: items.map((i) => i.vector), labels: items.map((i) => i.label) });

/**
 * The whole run: read data, extract (or load) features, split like retrain.py, train the
 * head, and write model, labels, metrics, history, confusion matrix, predictions,
 * before/after and the HTML report into `out`.
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const started = performance.now();
  const emit: EventSink = options.onEvent ?? (() => undefined);
  const mode = options.mode ?? 'default';
  const steps = options.steps ?? DEFAULT_STEPS;
  if (!Number.isInteger(steps) || steps < 1) throw new TrainerInputError(`--steps must be a whole number of at least 1 (got ${steps}).`);
  const seed = options.seed ?? 0;
  const out = resolve(options.out);
  const cacheDir = options.cacheDir ?? defaultCacheDir();

  const backend = options.backend ?? (await selectBackend());
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  log(`trainer: TensorFlow.js backend ${backend.name}${backend.skipped.length ? ` (${backend.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')})` : ''}`);

  const scan = await scanDataset(options.data, options.bottlenecks);
  const explicitTest = options.testData || options.testBottlenecks ? await scanDataset(options.testData, options.testBottlenecks, 'test-data') : undefined;
  if (explicitTest) {
    const unknown = explicitTest.classes.filter((c) => !scan.classes.includes(c));
    if (unknown.length) throw new TrainerInputError(`The test data has classes the training data lacks: ${unknown.join(', ')}.`);
  }
  emit({ type: 'start', backend: backend.name, mode, classes: scan.classes });

  let extractor: FeatureExtractor | undefined;
  try {
    const extractionStarted = performance.now();
    if (options.model) extractor = await loadFeatureExtractor({ source: options.model, featureOutput: options.featureOutput, inputRange: options.inputRange, name: options.modelName, version: options.modelVersion });
    const onProgress = (p: { done: number; total: number; cached: number }) => emit({ type: 'extract', ...p });
    const features = await computeFeatures(scan.examples, { extractor, cacheDir, onProgress });
    const testFeatures = explicitTest ? await computeFeatures(explicitTest.examples, { extractor, cacheDir, onProgress }) : undefined;
    const extractionSeconds = (performance.now() - extractionStarted) / 1000;
    const skipped = [...features.skipped, ...(testFeatures?.skipped ?? [])];
    if (skipped.length) {
      emit({ type: 'warning', message: `skipped ${skipped.length} unreadable or corrupt image(s): ${skipped.map((s) => `${s.path} (${s.reason})`).join('; ')}` });
    }
    assertEveryClassHasData(scan, features.examples);
    const imageCount = scan.examples.filter((e) => !e.bottleneckPath).length - features.skipped.length;
    emit({ type: 'data', images: imageCount, bottlenecks: features.examples.length - imageCount, skipped: skipped.map((s) => s.path) });

    // The split: retrain.py's hash of the globbed path, or an explicit test set.
    const splitOptions = { splitRoot: options.splitRoot ?? SEED_SPLIT_ROOT, validationPercentage: options.validationPercentage ?? 10, testPercentage: explicitTest ? 0 : (options.testPercentage ?? 10) };
    const parts: Record<SplitPart, { example: Example; vector: Float32Array; label: number }[]> = { train: [], validation: [], test: [] };
    features.examples.forEach((example, i) => {
      parts[splitPartFor(example.className, example.name, splitOptions)].push({ example, vector: features.vectors[i], label: scan.classes.indexOf(example.className) });
    });
    testFeatures?.examples.forEach((example, i) => parts.test.push({ example, vector: testFeatures.vectors[i], label: scan.classes.indexOf(example.className) }));
    emit({ type: 'split', train: parts.train.length, validation: parts.validation.length, test: parts.test.length });
    if (new Set(parts.train.map((p) => p.label)).size < 2) {
      throw new TrainerInputError(`The training split has examples of ${new Set(parts.train.map((p) => p.label)).size} class(es); each class needs more images (the split keeps about 80 % for training).`);
    }
    if (!parts.test.length) emit({ type: 'warning', message: 'no example fell into the test split, so there is no test accuracy; add images or pass --test-data' });
    if (!parts.validation.length) emit({ type: 'warning', message: 'no example fell into the validation split' });

    // Train (see fitHeads: the test part never reaches the heads).
    const trainSet = toLabelled(parts.train);
    const validationSet = toLabelled(parts.validation);
    const testSet = toLabelled(parts.test);
    const history: HistoryPoint[] = [];
    const { fit, final, refit, trainedOn } = await fitHeads(trainSet, validationSet, {
      mode, steps, seed, classCount: scan.classes.length,
      onEvaluation: (p) => {
        history.push(p);
        emit({ type: 'step', step: p.step, steps, trainAccuracy: p.trainAccuracy, crossEntropy: p.crossEntropy, validationAccuracy: p.validationAccuracy });
      },
    });
    const head = final.head;

    const testProbabilities = head.predict(testSet.vectors);
    const confusion = scan.classes.map(() => scan.classes.map(() => 0));
    testProbabilities.forEach((p, i) => confusion[testSet.labels[i]][argmax(p)]++);
    const testAccuracy = testSet.vectors.length ? testProbabilities.filter((p, i) => argmax(p) === testSet.labels[i]).length / testSet.vectors.length : NaN;

    const scores = (p: number[]) => Object.fromEntries(scan.classes.map((c, k) => [c, p[k]]));
    const predictions = parts.test.map((item, i) => ({
      image: `${item.example.className}/${item.example.name}`,
      label: item.example.className,
      predicted: scan.classes[argmax(testProbabilities[i])],
      scores: scores(testProbabilities[i]),
    }));
    const beforeAfter = await beforeAndAfter({ options, extractor, initial: fit.initial, head, classes: scan.classes, testItems: parts.test, emit });
    const imagesCounted = parts.train.some((p) => !p.example.bottleneckPath) ? 'images' : 'examples';
    const evaluation = await evaluateRun({
      classes: scan.classes, mode, steps, seed, head, validationHead: fit.head, trainedOn, train: trainSet, validation: validationSet,
      test: parts.test, testProbabilities, testImageRows: options.testImages && extractor ? beforeAfter : undefined, items: imagesCounted,
    });

    const metrics: TrainerMetrics = {
      testAccuracy,
      validationAccuracy: fit.head.accuracy(validationSet),
      trainAccuracy: head.accuracy(trainedOn),
      testCount: parts.test.length,
      validationCount: parts.validation.length,
      trainCount: parts.train.length,
      classes: scan.classes,
      steps,
      mode,
      backend: backend.name,
      backendSkipped: backend.skipped,
      seconds: 0,
      trainingSeconds: fit.seconds + (refit ? final.seconds : 0),
      extractionSeconds,
      seed,
      refitOnValidation: refit,
      split: explicitTest ? { kind: 'explicit-test', validationPercentage: splitOptions.validationPercentage } : { kind: 'hash', ...splitOptions },
      featureLength: head.inputLength,
      featureModel: extractor ? { source: extractor.source, id: extractor.id, kind: extractor.kind, featureOutput: extractor.featureOutput ?? null, inputRange: extractor.inputRange, inputSize: extractor.inputSize } : null,
      images: { extracted: features.extracted + (testFeatures?.extracted ?? 0), cached: features.cached + (testFeatures?.cached ?? 0), skipped },
      accuracy: evaluation.accuracy,
      headline: evaluation.headline,
      perClass: evaluation.perClass,
      misclassifiedCount: evaluation.misclassified.length,
      fullModel: null,
    };

    await mkdir(out, { recursive: true });
    const headMetadata: HeadMetadata = {
      format: 2,
      labels: scan.classes,
      backbone: extractor ? describeBackbone(extractor) : null,
      head: { kind: 'softmax', inputLength: head.inputLength, units: head.classCount, layer: 'final_result' },
      fullModel: null,
      featureModel: extractor ? { source: extractor.source, id: extractor.id, featureOutput: extractor.featureOutput, inputRange: extractor.inputRange, inputSize: extractor.inputSize } : null,
      featureLength: head.inputLength,
    };
    const fullModelFiles: string[] = [];
    if (extractor && options.exportFullModel !== false) {
      if (await exportFullModel(head, extractor, join(out, 'full-model'), headMetadata)) {
        headMetadata.fullModel = 'full-model';
        metrics.fullModel = 'full-model';
        fullModelFiles.push('full-model/model.json', 'full-model/weights.bin', 'full-model/trainer.json', 'full-model/labels.txt');
      } else {
        emit({ type: 'warning', message: `no full-model export: the feature model ${extractor.source} is a graph model; model/ holds the head and trainer.json names the backbone` });
      }
    }
    await saveHead(head, join(out, 'model'), headMetadata);
    const json = (v: unknown) => JSON.stringify(v, null, 2) + '\n';
    const files: Record<string, string> = {
      'labels.txt': scan.classes.join('\n') + '\n',
      'history.json': json(history),
      'confusion.json': json({ classes: scan.classes, matrix: confusion, rows: 'actual', columns: 'predicted' }),
      'predictions.json': json(predictions),
      'before-after.json': json(beforeAfter.map(({ thumbnail: _thumbnail, path: _path, ...row }) => row)),
    };
    const copiedImages = await copyComparedImages(beforeAfter, out);
    copiedImages.push(...(await copyMisclassifiedImages(evaluation.misclassified, parts.test.map((t) => t.example), out, copiedImages)));
    files['misclassified.json'] = json(evaluation.misclassified);
    for (const [name, text] of Object.entries(files)) await writeFile(join(out, name), text);
    metrics.seconds = (performance.now() - started) / 1000;
    await writeFile(join(out, 'metrics.json'), json(metrics));
    const title = resultTitle(metrics);
    await writeFile(join(out, 'report.html'), renderReport({ title, metrics, history, confusion: { classes: scan.classes, matrix: confusion }, beforeAfter, misclassified: await withThumbnails(evaluation.misclassified, out) }));
    emit({ type: 'done', testAccuracy, validationAccuracy: metrics.validationAccuracy, trainAccuracy: metrics.trainAccuracy, seconds: metrics.seconds, out, testCount: parts.test.length, ...(evaluation.headline ? { headline: evaluation.headline.text } : {}) });
    return { out, metrics, files: ['model/model.json', 'model/weights.bin', 'model/trainer.json', ...fullModelFiles, ...Object.keys(files), 'metrics.json', 'report.html', ...copiedImages] };
  } finally {
    extractor?.dispose();
  }
}

/** Images larger than this stay out of the outputs (the table still names them). */
const MAX_COPIED_IMAGE_BYTES = 5 * 1024 * 1024;
const MAX_COPIED_IMAGES = 200;

/**
 * Copies the images of the before/after table next to the outputs as test_images/<image>, so a
 * saved or shared result shows them (the portal and the share page look them up there).
 */
async function copyComparedImages(rows: BeforeAfterRow[], out: string): Promise<string[]> {
  const copied: string[] = [];
  for (const row of rows.slice(0, MAX_COPIED_IMAGES)) {
    if (!row.path || row.image.split('/').some((part) => part === '..' || part === '')) continue;
    try {
      if ((await stat(row.path)).size > MAX_COPIED_IMAGE_BYTES) continue;
      const name = `test_images/${row.image}`;
      await mkdir(dirname(join(out, name)), { recursive: true });
      await copyFile(row.path, join(out, name));
      copied.push(name);
    } catch {
      // An unreadable image only loses its picture in the table.
    }
  }
  return copied;
}

function assertEveryClassHasData(scan: DatasetScan, kept: Example[]): void {
  const empty = scan.classes.filter((c) => !kept.some((e) => e.className === c));
  if (empty.length) throw new TrainerInputError(`No usable images are left in class ${empty.map((c) => `"${c}"`).join(', ')} after skipping unreadable ones.`);
}

/**
 * The seed's last table: each test image scored by the head before training and after. Uses
 * --test-images when a model can read them, else the test split's examples.
 */
async function beforeAndAfter(args: {
  options: TrainOptions;
  extractor?: FeatureExtractor;
  initial: SoftmaxHead;
  head: SoftmaxHead;
  classes: string[];
  testItems: { example: Example; vector: Float32Array }[];
  emit: EventSink;
}): Promise<BeforeAfterRow[]> {
  const { options, extractor, initial, head, classes } = args;
  const scores = (p: number[]) => Object.fromEntries(classes.map((c, k) => [c, p[k]]));
  const rows: { image: string; label?: string; path?: string; vector: Float32Array }[] = [];
  if (options.testImages && !extractor) {
    args.emit({ type: 'warning', message: '--test-images needs --model to read the images; the before/after table uses the test split instead' });
  }
  if (options.testImages && extractor) {
    for (const image of await scanTestImages(options.testImages)) {
      try {
        const [vector] = await extractor.extract([await loadImagePixels(image.path, extractor.inputSize, extractor.inputRange)]);
        rows.push({ image: image.name, label: image.label && classes.includes(image.label) ? image.label : undefined, path: image.path, vector });
      } catch (error) {
        args.emit({ type: 'warning', message: `skipped test image ${image.path}: ${(error as Error).message.split('\n')[0]}` });
      }
    }
  } else {
    for (const t of args.testItems) rows.push({ image: `${t.example.className}/${t.example.name}`, label: t.example.className, path: t.example.imagePath, vector: t.vector });
  }
  const before = initial.predict(rows.map((r) => r.vector));
  const after = head.predict(rows.map((r) => r.vector));
  const out: BeforeAfterRow[] = [];
  for (let i = 0; i < rows.length; i++) {
    out.push({
      image: rows[i].image,
      label: rows[i].label,
      before: scores(before[i]),
      after: scores(after[i]),
      predicted: classes[argmax(after[i])],
      thumbnail: rows[i].path ? await thumbnailDataUrl(rows[i].path!) : undefined,
      path: rows[i].path,
    });
  }
  return out;
}
