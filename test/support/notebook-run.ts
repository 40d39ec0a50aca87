import { ApiClient } from './http';
import { CellOutput, executeCell } from './jupyter-kernel';
import { NotebookClient } from './notebook-origin';

export const EXAMPLE_NOTEBOOK = 'Classifying-House-And-Pool-Images.ipynb';
export const cellSource = (cell: { source: string | string[] }) => (Array.isArray(cell.source) ? cell.source.join('') : cell.source);

export interface CodeCell {
  cell_type: 'code';
  source: string | string[];
  outputs: CellOutput[];
  execution_count: number | null;
}

/**
 * As Jupyter's web UI does it, through the proxy on the session's own origin: reads the example
 * notebook, runs each code cell on a new tslab kernel (in place: the cells get their outputs and
 * counts), and stops at the first cell that fails, saying which and what it printed.
 */
export async function runExampleNotebook(serverUrl: string, owner: ApiClient, sessionId: string, label: string): Promise<{ nb: NotebookClient; notebook: { cells: CodeCell[] }; codeCells: CodeCell[] }> {
  const nb = new NotebookClient(serverUrl, sessionId);
  await nb.open(owner);
  const base = `/notebook/${sessionId}`;
  const opened = await nb.get(`${base}/api/contents/${EXAMPLE_NOTEBOOK}?content=1`);
  if (opened.status !== 200) throw new Error(`opening the notebook: ${opened.status} ${opened.text}`);
  const notebook = opened.body.content;
  const kernel = await nb.post(`${base}/api/kernels`, { name: 'tslab' });
  if (kernel.status !== 201) throw new Error(`starting a kernel: ${kernel.status} ${kernel.text}`);
  const channels = nb.wsUrl(`${base}/api/kernels/${kernel.body.id}/channels?session_id=${label}`);
  const codeCells: CodeCell[] = notebook.cells.filter((c: { cell_type: string }) => c.cell_type === 'code');
  for (const [index, cell] of codeCells.entries()) {
    const ran = await executeCell(channels, nb.wsHeaders(), cellSource(cell), 600_000);
    if (ran.error) throw new Error(`code cell ${index + 1} failed: ${ran.error}\n${cellSource(cell).slice(0, 300)}\n${JSON.stringify(ran.outputs).slice(0, 3000)}`);
    Object.assign(cell, { outputs: ran.outputs, execution_count: ran.executionCount });
  }
  return { nb, notebook, codeCells };
}
