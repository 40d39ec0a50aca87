/**
 * What a notebook gets from `require('trialhub-trainer')`: the whole library plus the
 * helpers the example notebook uses (example data, model choice, display, progress, saving
 * to Trialhub). See apps/trainer/README.md for how the module is found.
 */
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EventSink } from './progress';
import { savedState } from './saved-marker';
import { uploadResults } from './upload';

export * from './index';
export { ensureExampleData, EXAMPLE_DATA_SOURCE } from './example-data';
export type { ExampleData, ExampleDataSource } from './example-data';
export { resolveNotebookModel, writeNsfwjsInceptionV3, PUBLIC_FALLBACK_MODEL, NSFWJS_FEATURE_OUTPUT } from './notebook-model';
export type { NotebookModelChoice } from './notebook-model';
export { ownPhotos, type OwnPhotos } from './own-photos';
export { imageGallery, lineChartSvg, trainingCurves, confusionTable, beforeAfterTable, accuracySummary, misclassifiedGallery } from './notebook-display';

/**
 * Progress for people reading a notebook: one line per tenth of the feature extraction and
 * per tenth of the training steps, warnings as they come, and the result.
 */
export function notebookProgress(print: (line: string) => void = console.log): EventSink {
  let lastExtractTenth = -1;
  let lastExtractDone = -1;
  return (event) => {
    switch (event.type) {
      case 'start':
        print(`backend ${event.backend}, ${event.mode} mode, classes: ${event.classes.join(', ')}`);
        break;
      case 'extract': {
        const tenth = event.total ? Math.floor((event.done / event.total) * 10) : 10;
        if (event.done !== lastExtractDone && (tenth !== lastExtractTenth || event.done === event.total)) {
          lastExtractTenth = tenth;
          lastExtractDone = event.done;
          print(`features: ${event.done}/${event.total} images (${event.cached} from the cache)`);
        }
        break;
      }
      case 'data':
        print(`data: ${event.images} images, ${event.bottlenecks} stored bottlenecks${event.skipped.length ? `, ${event.skipped.length} skipped` : ''}`);
        break;
      case 'split':
        print(`split: ${event.train} training, ${event.validation} validation, ${event.test} test`);
        break;
      case 'step':
        if (event.step === 0 || (event.step + 1) % Math.max(1, Math.round(event.steps / 10)) === 0 || event.step + 1 === event.steps) {
          const validation = event.validationAccuracy === undefined ? '' : `, validation accuracy ${(event.validationAccuracy * 100).toFixed(1)} %`;
          print(`step ${event.step + 1}/${event.steps}: training accuracy ${(event.trainAccuracy * 100).toFixed(1)} %, cross-entropy ${event.crossEntropy.toFixed(3)}${validation}`);
        }
        break;
      case 'done':
        print(`done in ${event.seconds.toFixed(1)} s: ${event.headline ?? `test accuracy ${(event.testAccuracy * 100).toFixed(1)} %${event.testCount === undefined ? '' : ` of ${event.testCount}`}`}`);
        break;
      case 'warning':
      case 'error':
        print(`${event.type}: ${event.message}`);
        break;
      default:
        break;
    }
  };
}

export type SaveOutcome =
  | { saved: true; resultId: string; url: string; files: number; alreadySaved: boolean }
  | { saved: false; reason: string };

/**
 * The notebook's last step: uploads a run's outputs when the session was started by
 * Trialhub (which sets TRIALHUB_UPLOAD_URL and TRIALHUB_UPLOAD_TOKEN); otherwise says why not.
 * The run folder then records that it was saved (`.trialhub-saved`), so stopping the session
 * does not save it a second time. Running the cell again on the same files answers the
 * result saved before; a run retrained in the same folder is saved anew (or pass `again`).
 */
export async function saveResultsToTrialhub(options: {
  dir: string;
  title: string;
  runName?: string;
  again?: boolean;
  /** A notebook file to keep with the run as notebook.ipynb (as last saved to disk), so the result and its share page show it. */
  notebook?: string;
  env?: NodeJS.ProcessEnv;
  print?: (line: string) => void;
}): Promise<SaveOutcome> {
  const env = options.env ?? process.env;
  const print = options.print ?? console.log;
  const url = env.TRIALHUB_UPLOAD_URL;
  const token = env.TRIALHUB_UPLOAD_TOKEN;
  if (!url || !token) {
    const reason = `not saved: TRIALHUB_UPLOAD_URL and TRIALHUB_UPLOAD_TOKEN are not set (they are when Trialhub starts the notebook). The results stay in ${options.dir}.`;
    print(reason);
    return { saved: false, reason };
  }
  if (!options.again) {
    const before = await savedState(options.dir).catch(() => null);
    if (before?.state === 'saved' && before.marker.format === 1) {
      print(`Already saved to Trialhub, and nothing changed since. Link: ${before.marker.url}`);
      return { saved: true, resultId: before.marker.resultId, url: before.marker.url, files: before.marker.files, alreadySaved: true };
    }
  }
  // Copied only for a new save, so re-running the cell on an unchanged run stays one result.
  if (options.notebook) {
    try {
      await copyFile(options.notebook, join(options.dir, 'notebook.ipynb'));
    } catch (error) {
      print(`note: the notebook ${options.notebook} was not kept with the run (${(error as Error).message})`);
    }
  }
  const result = await uploadResults({ dir: options.dir, uploadUrl: url, token, title: options.title, runName: options.runName, onFile: (file, bytes) => print(`uploaded ${file} (${bytes} bytes)`) });
  if (result.markerError) print(`warning: ${result.markerError}`);
  print(`Saved to Trialhub: ${result.url} (open it in the portal, where Share makes a link anyone can open).`);
  return { saved: true, resultId: result.resultId, url: result.url, files: result.files.length, alreadySaved: false };
}
