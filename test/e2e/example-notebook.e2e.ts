import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOnce } from '../support/control-plane-process';
import { ApiClient } from '../support/http';
import type { CellOutput } from '../support/jupyter-kernel';
import { cellSource as source, EXAMPLE_NOTEBOOK as NOTEBOOK, runExampleNotebook } from '../support/notebook-run';
import { startTestServer, TestServer } from '../support/server';
import { killSessionProcesses } from '../support/session-processes';
import { waitFor } from '../support/wait';

const view = (api: ApiClient, id: string) => api.get(`/api/sessions/${id}`).then((r) => r.body);

/**
 * A new user's first session on the embedded default: nothing set but the database, no
 * TRIALHUB_EXAMPLE_DATA, and this machine has no internet. The example notebook must run from
 * the first cell to the last through the notebook proxy, and its saved result must carry the
 * notebook as executed, every output in it.
 */
describe('the example notebook on the embedded default, offline', () => {
  let server: TestServer;
  beforeAll(async () => {
    await buildOnce();
    server = await startTestServer();
  }, 240_000);
  afterAll(async () => {
    const dataDir = server?.dataDir;
    try {
      await server?.stop();
    } finally {
      if (dataDir) killSessionProcesses(dataDir);
    }
  });

  it('a new session has the shipped example data, runs every cell through the proxy, and the saved result carries the executed notebook with all outputs', async () => {
    expect(process.env.TRIALHUB_EXAMPLE_DATA).toBeUndefined();
    const api = new ApiClient(server.url);
    await api.signup('first-run@example.com');
    const launched = await api.post('/api/sessions', { profile: 'cpu' });
    expect(launched.status).toBe(202);
    const ready = await waitFor('the session to be ready', () => view(api, launched.body.id), (s) => s.state === 'ready' || s.state === 'failed', 120_000);
    expect(ready).toMatchObject({ state: 'ready', mode: 'jupyter' });

    // The workspace was seeded with the data set that ships with the product.
    const workspace = join(server.dataDir, 'workspaces', ready.trialId);
    expect(readdirSync(join(workspace, 'pool-houses/images')).sort()).toEqual(['house_with_pool', 'house_without_pool']);
    expect(existsSync(join(workspace, 'pool-houses/NOTICE'))).toBe(true);

    // As Jupyter's web UI does it: read the notebook, run each code cell on a kernel, save it through Jupyter.
    const { nb, notebook, codeCells } = await runExampleNotebook(server.url, api, ready.id, 'e2e-first-run');
    const base = `/notebook/${ready.id}`;
    expect(codeCells.length).toBeGreaterThan(8);
    const lastOutput = JSON.stringify(codeCells[codeCells.length - 1].outputs);
    const resultId = /results\/([0-9a-f-]{36})/.exec(lastOutput)?.[1];
    expect(resultId, lastOutput).toBeDefined();
    // Nothing in the notebook asked for the internet: the data was found, not downloaded.
    expect(JSON.stringify(codeCells[2].outputs)).toContain('found');
    expect(codeCells.every((c: { execution_count: unknown }) => typeof c.execution_count === 'number')).toBe(true);
    const saved = await nb.put(`${base}/api/contents/${NOTEBOOK}`, { type: 'notebook', format: 'json', content: notebook });
    expect(saved.status, saved.text).toBe(200);

    // The save cell ran before the notebook was saved; stopping the session sends the executed one.
    expect((await api.delete(`/api/sessions/${ready.id}`)).status).toBe(202);
    await waitFor('stopped', () => view(api, ready.id), (s) => s.state === 'stopped', 120_000);
    const file = await api.get(`/api/results/${resultId}/files/notebook.ipynb`);
    expect(file.status).toBe(200);
    const kept = typeof file.body === 'string' ? JSON.parse(file.body) : file.body;
    const keptCode = kept.cells.filter((c: { cell_type: string }) => c.cell_type === 'code');
    expect(keptCode.map(source)).toEqual(codeCells.map(source));
    expect(keptCode.map((c: { outputs: unknown[] }) => c.outputs.length)).toEqual(codeCells.map((c: { outputs: unknown[] }) => c.outputs.length));
    for (const [index, cell] of keptCode.entries()) {
      expect(cell.execution_count, `code cell ${index + 1}`).toEqual(expect.any(Number));
      // Cell 1 only imports; every other cell prints or displays something.
      if (index > 0) expect((cell.outputs as CellOutput[]).length, `outputs of code cell ${index + 1}: ${source(cell).slice(0, 200)}`).toBeGreaterThan(0);
    }
    expect(JSON.stringify(keptCode[keptCode.length - 1].outputs)).toContain(resultId);
  }, 1_200_000);
});
