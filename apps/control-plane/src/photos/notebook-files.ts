import { request } from 'node:http';

/** Where a session's Jupyter answers, and the token only the control plane holds. */
export interface NotebookServer {
  host: string;
  port: number;
  /** Jupyter's base URL for the session, `/notebook/<id>/`. */
  basePath: string;
  jupyterToken: string;
}

export class NotebookUnreachableError extends Error {}

/**
 * Files written into a session's workspace through its own Jupyter (the contents API, the one
 * the notebook's file browser uses). It is the one way in that both runtimes share: the local
 * runtime's workspace is a folder here, but on Kubernetes it is a volume mounted only in the
 * session's pod, which the control plane reaches over the network as the proxy does.
 */
export class NotebookFiles {
  constructor(private readonly server: NotebookServer) {}

  async makeFolder(path: string): Promise<void> {
    const existing = await this.call('GET', path, undefined, 'content=0');
    if (existing.status === 200) {
      if ((JSON.parse(existing.body) as { type: string }).type !== 'directory') throw new NotebookUnreachableError(`${path} exists in the workspace and is not a folder: rename it in the notebook first.`);
      return;
    }
    await this.expect(this.call('PUT', path, { type: 'directory' }), [200, 201], path);
  }

  writeFile(path: string, bytes: Buffer): Promise<void> {
    return this.expect(this.call('PUT', path, { type: 'file', format: 'base64', content: bytes.toString('base64') }), [200, 201], path);
  }

  /** The names in a folder (none when it does not exist). */
  async list(path: string): Promise<{ name: string; type: string }[]> {
    const answer = await this.call('GET', path, undefined, 'content=1');
    if (answer.status === 404) return [];
    if (answer.status !== 200) throw new NotebookUnreachableError(`The notebook server answered ${answer.status} listing ${path}.`);
    return (JSON.parse(answer.body) as { content: { name: string; type: string }[] }).content;
  }

  private async expect(call: Promise<{ status: number; body: string }>, ok: number[], path: string): Promise<void> {
    const answer = await call;
    if (!ok.includes(answer.status)) throw new NotebookUnreachableError(`The notebook server refused to write ${path} (${answer.status}: ${answer.body.slice(0, 200)}).`);
  }

  private call(method: string, path: string, body?: unknown, query = ''): Promise<{ status: number; body: string }> {
    const encoded = path.split('/').map(encodeURIComponent).join('/');
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.server.host,
          port: this.server.port,
          method,
          path: `${this.server.basePath}api/contents/${encoded}${query ? `?${query}` : ''}`,
          headers: { authorization: `token ${this.server.jupyterToken}`, ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}) },
          timeout: 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 502, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (err) => reject(new NotebookUnreachableError(`The notebook server could not be reached (${err.message}). Try again in a moment.`)));
      req.end(payload);
    });
  }
}
