import { parseArgs } from 'node:util';
import { TrainerInputError } from './errors';
import { INPUT_RANGES, InputRange } from './images';
import { TrainOptions } from './train';

export interface CliOptions {
  train: Omit<TrainOptions, 'onEvent' | 'backend'>;
  upload?: { url: string; token: string; runName?: string; title?: string };
  help: boolean;
}

export const USAGE = `Usage: npm run train -- --out DIR [--data DIR] [--bottlenecks DIR] [options]

Trains a new softmax layer on features of a pretrained image model (transfer learning).

Data (at least one of --data and --bottlenecks):
  --data DIR              one sub-folder per class of .jpg/.jpeg/.png images
  --bottlenecks DIR       stored feature vectors, <class>/<image name>.txt (the seed's format)
  --test-data DIR         explicit held-out test images (instead of the hash split's test part)
  --test-bottlenecks DIR  explicit held-out test bottlenecks
  --test-images DIR       images to score before and after training (needs --model)
Model:
  --model DIR|URL         TF.js layers or graph model (folder or URL of model.json)
  --feature-output NAME   layer/node whose output is the feature vector (default: model output)
  --input-range R         pixel scaling the model expects: -1,1 (default), 0,1 or 0,255
  --model-name TEXT, --model-version TEXT   how the saved model names its backbone
  --no-full-model         do not write full-model/ (backbone + head as one TF.js model)
  --cache DIR             bottleneck cache (default $TRIALHUB_TRAINER_CACHE or ~/.cache/trialhub-trainer)
Training:
  --seed-compatible       retrain.py's head and schedule (gradient descent, lr 0.01, batch 100)
  --steps N               training steps (default 500)
  --seed N                random seed (default 0)
  --split-root DIR        folder the split hashes <class>/<name> under (default /tmp/images_resized)
  --validation-percentage P, --test-percentage P   (default 10 and 10)
Output:
  --out DIR               where model/, metrics.json, report.html … go
  --upload URL --token T  then push the outputs to Trialhub (or env TRIALHUB_UPLOAD_URL / TRIALHUB_UPLOAD_TOKEN)
  --run-name NAME, --title TEXT   name and title of the saved result
`;

function integer(value: string | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new TrainerInputError(`${flag} must be a whole number of at least ${min} (got "${value}").`);
  return n;
}

function percentage(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 100) throw new TrainerInputError(`${flag} must be a number from 0 to 100 (got "${value}").`);
  return n;
}

/** Parses the CLI's arguments (env supplies the upload URL and token when the flags are absent). */
export function parseCliArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        out: { type: 'string' }, data: { type: 'string' }, bottlenecks: { type: 'string' },
        'test-data': { type: 'string' }, 'test-bottlenecks': { type: 'string' }, 'test-images': { type: 'string' },
        model: { type: 'string' }, 'feature-output': { type: 'string' }, 'model-name': { type: 'string' }, 'model-version': { type: 'string' }, 'no-full-model': { type: 'boolean' }, 'input-range': { type: 'string' }, cache: { type: 'string' },
        'seed-compatible': { type: 'boolean' }, steps: { type: 'string' }, seed: { type: 'string' },
        'split-root': { type: 'string' }, 'validation-percentage': { type: 'string' }, 'test-percentage': { type: 'string' },
        upload: { type: 'string' }, token: { type: 'string' }, 'run-name': { type: 'string' }, title: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new TrainerInputError(`${(error as Error).message}\n\n${USAGE}`);
  }
  const v = parsed.values;
  if (v.help) return { train: { out: '' }, help: true };
  if (!v.out) throw new TrainerInputError(`--out DIR is required.\n\n${USAGE}`);
  if (!v.data && !v.bottlenecks) throw new TrainerInputError(`Give at least one of --data and --bottlenecks.\n\n${USAGE}`);
  if (v['input-range'] && !INPUT_RANGES.includes(v['input-range'] as InputRange)) {
    throw new TrainerInputError(`--input-range must be one of ${INPUT_RANGES.join(', ')} (got "${v['input-range']}").`);
  }
  const uploadUrl = v.upload ?? env.TRIALHUB_UPLOAD_URL;
  const token = v.token ?? env.TRIALHUB_UPLOAD_TOKEN;
  if (v.upload && !token) throw new TrainerInputError('--upload needs --token (or env TRIALHUB_UPLOAD_TOKEN).');
  return {
    help: false,
    train: {
      out: v.out, data: v.data, bottlenecks: v.bottlenecks,
      testData: v['test-data'], testBottlenecks: v['test-bottlenecks'], testImages: v['test-images'],
      model: v.model, featureOutput: v['feature-output'], modelName: v['model-name'], modelVersion: v['model-version'], exportFullModel: !v['no-full-model'], inputRange: v['input-range'] as InputRange | undefined, cacheDir: v.cache,
      mode: v['seed-compatible'] ? 'seed-compatible' : 'default',
      steps: integer(v.steps, '--steps', 1), seed: integer(v.seed, '--seed', 0),
      splitRoot: v['split-root'],
      validationPercentage: percentage(v['validation-percentage'], '--validation-percentage'),
      testPercentage: percentage(v['test-percentage'], '--test-percentage'),
    },
    upload: uploadUrl && token ? { url: uploadUrl, token, runName: v['run-name'], title: v.title } : undefined,
  };
}
