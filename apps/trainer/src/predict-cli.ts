/**
 * `npm run predict -- --model DIR IMAGE...`: the class and confidence of each image, by a
 * full-model export (DIR = a run's full-model/ folder, or the run folder). One line per image
 * on stdout (`--json`: one JSON object per line). Exit status: 0 all predicted, 2 bad input
 * (a missing model, or any image that could not be read; the others are still predicted).
 */
import { parseArgs } from 'node:util';
import { selectBackend } from './backend';
import { TrainerInputError } from './errors';
import { loadClassifier } from './predict';

const USAGE = `Usage: npm run predict -- --model DIR [--json] IMAGE...

Prints the class and confidence of each image (.jpg/.jpeg/.png), using the full model a
training run wrote (DIR: its full-model/ folder, or the run folder holding it).
`;

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: process.argv.slice(2), allowPositionals: true, strict: true, options: { model: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (!parsed.values.model || !parsed.positionals.length) {
    process.stderr.write(`error: ${!parsed.values.model ? '--model DIR is required' : 'give at least one image'}.\n\n${USAGE}`);
    return 2;
  }
  await selectBackend();
  let classifier;
  try {
    classifier = await loadClassifier(parsed.values.model);
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n`);
    return error instanceof TrainerInputError ? 2 : 1;
  }
  let failed = 0;
  for (const image of parsed.positionals) {
    try {
      const p = await classifier.predict(image);
      process.stdout.write(parsed.values.json ? JSON.stringify({ image, ...p }) + '\n' : `${image}: ${p.label} (${(p.confidence * 100).toFixed(1)} %)\n`);
    } catch (error) {
      failed++;
      process.stderr.write(`error: ${(error as Error).message}\n`);
      if (!(error instanceof TrainerInputError)) process.stderr.write(`${(error as Error).stack}\n`);
    }
  }
  classifier.dispose();
  return failed ? 2 : 0;
}

main().then((code) => {
  process.exitCode = code;
});
