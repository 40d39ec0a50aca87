import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';

export interface Execution {
  /** `text/plain` of the execute_result, if any. */
  result?: string;
  stdout: string;
  error?: string;
}

/**
 * Runs `code` on a Jupyter kernel over its channels WebSocket (messaging protocol v5) and
 * collects the result, the printed output and any error, until the kernel is idle again.
 */
export async function executeOnKernel(url: string, headers: Record<string, string>, code: string, timeoutMs = 90_000): Promise<Execution> {
  const { outputs, error } = await executeCell(url, headers, code, timeoutMs);
  const result = outputs.find((o) => o.output_type === 'execute_result') as { data?: Record<string, string> } | undefined;
  const stdout = outputs.filter((o) => o.output_type === 'stream').map((o) => String(o.text)).join('');
  return { ...(result?.data ? { result: result.data['text/plain'] } : {}), stdout, ...(error ? { error } : {}) };
}

/** One nbformat v4 output, as a Jupyter front end writes it into the notebook. */
export type CellOutput = Record<string, unknown> & { output_type: string };

/**
 * Runs one cell the way Jupyter's web UI does and returns what it would save: the nbformat
 * outputs (streams, display data, results, errors) and the execution count.
 */
export function executeCell(url: string, headers: Record<string, string>, code: string, timeoutMs = 300_000): Promise<{ outputs: CellOutput[]; executionCount: number | null; error?: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const msgId = randomUUID();
    const outputs: CellOutput[] = [];
    let executionCount: number | null = null;
    let error: string | undefined;
    let [replied, idle] = [false, false];
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`No end of the cell within ${timeoutMs} ms (outputs so far: ${JSON.stringify(outputs).slice(0, 2000)})`));
    }, timeoutMs);
    ws.on('open', () => {
      ws.send(JSON.stringify({
        header: { msg_id: msgId, username: 'e2e', session: randomUUID(), msg_type: 'execute_request', version: '5.3', date: new Date().toISOString() },
        parent_header: {}, metadata: {}, channel: 'shell', buffers: [],
        content: { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true },
      }));
    });
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString());
      if (msg.parent_header?.msg_id !== msgId) return;
      const type = msg.header?.msg_type ?? msg.msg_type;
      const c = msg.content;
      if (type === 'stream') {
        const last = outputs[outputs.length - 1];
        if (last?.output_type === 'stream' && last.name === c.name) last.text = String(last.text) + c.text;
        else outputs.push({ output_type: 'stream', name: c.name, text: c.text });
      } else if (type === 'display_data') outputs.push({ output_type: 'display_data', data: c.data, metadata: c.metadata ?? {} });
      else if (type === 'execute_result') outputs.push({ output_type: 'execute_result', data: c.data, metadata: c.metadata ?? {}, execution_count: c.execution_count });
      else if (type === 'error') {
        outputs.push({ output_type: 'error', ename: c.ename, evalue: c.evalue, traceback: c.traceback ?? [] });
        error = `${c.ename}: ${c.evalue}`;
      } else if (type === 'execute_input') executionCount = c.execution_count ?? null;
      else if (type === 'execute_reply') {
        executionCount ??= c.execution_count ?? null;
        if (c.status !== 'ok') error ??= `${c.status}: ${c.ename ?? ''} ${c.evalue ?? ''}`.trim();
        replied = true;
      } else if (type === 'status' && c.execution_state === 'idle') idle = true;
      // The reply (shell) and the idle status (iopub) come in either order: the cell is done after both.
      if (replied && idle) {
        clearTimeout(timer);
        ws.close();
        resolve({ outputs, executionCount, error });
      }
    });
    ws.on('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      reject(new Error(`The kernel WebSocket was refused: ${res.statusCode}`));
    });
    ws.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/**
 * A kernel channels WebSocket kept open the way Jupyter's front end keeps one: when it closes it
 * is opened again (after a short pause, as the front end's back-off does), until `stop`. Records
 * how each connection ended (1001 is a server going away cleanly; 1006 a connection cut).
 */
export class ReconnectingKernelSocket {
  readonly closeCodes: number[] = [];
  readonly failures: string[] = [];
  opens = 0;
  private ws: WebSocket | null = null;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly headers: () => Record<string, string>,
    private readonly retryMs = 100,
  ) {}

  /** Resolves once the first connection is open. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => this.connect(resolve, reject));
  }

  stop(): void {
    this.stopped = true;
    this.ws?.close();
  }

  private connect(onOpen?: () => void, onFail?: (err: Error) => void): void {
    const ws = new WebSocket(this.url, { headers: this.headers() });
    this.ws = ws;
    ws.on('open', () => {
      this.opens++;
      onOpen?.();
    });
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      this.failures.push(`upgrade refused: ${res.statusCode}`);
      onFail?.(new Error(`The kernel WebSocket was refused: ${res.statusCode}`));
    });
    ws.on('error', (err) => {
      this.failures.push(err.message);
      onFail?.(err);
    });
    ws.on('close', (code) => {
      if (this.stopped) return;
      this.closeCodes.push(code);
      setTimeout(() => !this.stopped && this.connect(), this.retryMs);
    });
  }
}
