import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export const EXAMPLE_NOTEBOOK = 'Classifying-House-And-Pool-Images.ipynb';
/** The folder name the trainer's `ensureExampleData(workDir)` looks for. */
export const EXAMPLE_DATA_FOLDER = 'pool-houses';
/** The seed's example data set as it ships with the product (Apache-2.0; its README names the source), relative to the checkout. */
export const SHIPPED_EXAMPLE_DATA = 'apps/trainer/example-data/pool-houses';

/** The per-trial folders (`/data` of a pod): kept across the trial's sessions, deleted when the trial ends. */
export class Workspaces {
  constructor(
    readonly root: string,
    private readonly repoRoot: string,
    private readonly exampleDataDir: string | null,
  ) {}

  dir(trialId: string): string {
    if (!/^[0-9a-f-]{36}$/i.test(trialId)) throw new Error(`Not a trial id: ${trialId}`);
    return join(this.root, trialId);
  }

  /** Creates the folder with the example notebook and data in it; what the user changed or deleted is never overwritten on later sessions. */
  ensure(trialId: string): string {
    const dir = this.dir(trialId);
    const fresh = !existsSync(dir);
    mkdirSync(dir, { recursive: true });
    const notebook = join(this.repoRoot, 'apps/trainer/notebooks', EXAMPLE_NOTEBOOK);
    if (existsSync(notebook) && !existsSync(join(dir, EXAMPLE_NOTEBOOK))) cpSync(notebook, join(dir, EXAMPLE_NOTEBOOK));
    const data = this.exampleDataDir;
    if (fresh && data && existsSync(data) && !existsSync(join(dir, EXAMPLE_DATA_FOLDER))) cpSync(data, join(dir, EXAMPLE_DATA_FOLDER), { recursive: true });
    return dir;
  }

  delete(trialId: string): void {
    rmSync(this.dir(trialId), { recursive: true, force: true });
  }
}
