/**
 * `npm run train -- --out DIR …`: trains, writes the outputs, optionally uploads them.
 * JSON-lines events on stdout; a progress bar on stderr when it is a terminal. Exit status:
 * 0 done, 2 bad input (message says what to fix), 3 upload failed, 1 unexpected.
 */
import { parseCliArgs, USAGE } from './cli-args';
import { TrainerInputError } from './errors';
import { jsonLinesReporter } from './progress';
import { resultTitle } from './report';
import { train } from './train';
import { UploadError, uploadResults } from './upload';

async function main(): Promise<number> {
  const emit = jsonLinesReporter();
  try {
    const cli = parseCliArgs(process.argv.slice(2));
    if (cli.help) {
      process.stderr.write(USAGE);
      return 0;
    }
    const result = await train({ ...cli.train, onEvent: emit });
    if (cli.upload) {
      const uploaded = await uploadResults({
        dir: result.out,
        uploadUrl: cli.upload.url,
        token: cli.upload.token,
        runName: cli.upload.runName,
        title: cli.upload.title ?? resultTitle(result.metrics),
        onFile: (file, bytes) => emit({ type: 'upload', file, bytes }),
      });
      if (uploaded.markerError) emit({ type: 'warning', message: uploaded.markerError });
      emit({ type: 'uploaded', resultId: uploaded.resultId, url: uploaded.url, files: uploaded.files.length });
    }
    return 0;
  } catch (error) {
    const known = error instanceof TrainerInputError || error instanceof UploadError;
    emit({ type: 'error', message: (error as Error).message });
    if (!known) process.stderr.write(`${(error as Error).stack ?? error}\n`);
    else if (!process.stderr.isTTY) process.stderr.write(`error: ${(error as Error).message}\n`);
    return error instanceof TrainerInputError ? 2 : error instanceof UploadError ? 3 : 1;
  }
}

main().then((code) => {
  process.exitCode = code;
});
