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
export function executeOnKernel(url: string, headers: Record<string, string>, code: string, timeoutMs = 90_000): Promise<Execution> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const msgId = randomUUID();
    const out: Execution = { stdout: '' };
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`No answer from the kernel within ${timeoutMs} ms (so far: ${JSON.stringify(out)})`));
    }, timeoutMs);
    ws.on('open', () => {
      ws.send(
        JSON.stringify({
          header: { msg_id: msgId, username: 'e2e', session: randomUUID(), msg_type: 'execute_request', version: '5.3', date: new Date().toISOString() },
          parent_header: {},
          metadata: {},
          content: { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true },
          channel: 'shell',
          buffers: [],
        }),
      );
    });
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString());
      if (msg.parent_header?.msg_id !== msgId) return;
      const type = msg.header?.msg_type ?? msg.msg_type;
      if (type === 'execute_result') out.result = msg.content.data['text/plain'];
      else if (type === 'stream') out.stdout += msg.content.text;
      else if (type === 'error') out.error = `${msg.content.ename}: ${msg.content.evalue}`;
      else if (type === 'execute_reply' && msg.content.status !== 'ok') out.error ??= `${msg.content.status}: ${msg.content.ename ?? ''} ${msg.content.evalue ?? ''}`.trim();
      else if (type === 'status' && msg.content.execution_state === 'idle') {
        clearTimeout(timer);
        ws.close();
        resolve(out);
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
