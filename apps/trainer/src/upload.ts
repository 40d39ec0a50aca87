import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { request as httpRequest, IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { basename, extname, join } from 'node:path';
import { fingerprintRun, listRunFiles, SAVED_MARKER, writeSavedMarker } from './saved-marker';

export interface UploadOptions {
  /** The folder whose files are uploaded (a trainer run's --out). */
  dir: string;
  /** The control plane's artifact API, e.g. http://127.0.0.1:3001/api/uploads (its own port, UPLOAD_PORT). */
  uploadUrl: string;
  token: string;
  /** The run's name; default the folder's name plus a timestamp. */
  runName?: string;
  title?: string;
  onFile?: (file: string, bytes: number) => void;
}

export interface UploadResult {
  resultId: string;
  url: string;
  runName: string;
  files: string[];
  /** Of the uploaded files (saved-marker.ts), as recorded in the run folder's `.trialhub-saved`. */
  fingerprint: string;
  /** Why the run folder could not record that it was saved (read-only, deleted meanwhile); null when it did. */
  markerError: string | null;
}

export class UploadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UploadError';
  }
}

const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.html': 'text/html; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.bin': 'application/octet-stream',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.ipynb': 'application/x-ipynb+json',
};

export const contentTypeFor = (file: string) => CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';

/** `<folder>-20240101-120000`: unique enough per user, readable in the portal. */
export function defaultRunName(dir: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const base = basename(dir.replace(/\/+$/, '')).replace(/[^A-Za-z0-9._-]+/g, '-') || 'run';
  return `${base}-${stamp}`;
}

const encodePath = (relativePath: string) => relativePath.split('/').map(encodeURIComponent).join('/');

interface Answer {
  status: number;
  body: string;
}

function send(url: URL, method: string, headers: Record<string, string | number>, body: NodeJS.ReadableStream | string): Promise<Answer> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolvePromise, reject) => {
    const req = request(url, { method, headers }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (typeof body === 'string') req.end(body);
    else {
      body.on('error', (e) => req.destroy(e as Error));
      body.pipe(req);
    }
  });
}

/** The server's own words from an error answer: a JSON `message`, else the text. */
function serverMessage(answer: Answer): string {
  try {
    const parsed = JSON.parse(answer.body) as { message?: unknown; error?: unknown };
    const m = parsed.message ?? parsed.error;
    if (m) return Array.isArray(m) ? m.join('; ') : String(m);
  } catch {
    // not JSON
  }
  return answer.body.trim().slice(0, 300) || '(empty answer)';
}

/**
 * Uploads every file under `dir` to the control plane: `PUT {url}/{run}/{path}` with the raw
 * bytes streamed (no multipart), then `POST {url}/{run}/complete` with the title, which
 * answers the saved result's id and URL. Then records in `dir` that the run was saved
 * (`.trialhub-saved`, see saved-marker.ts), which every saver honours.
 */
export async function uploadResults(options: UploadOptions): Promise<UploadResult> {
  let base: URL;
  try {
    base = new URL(options.uploadUrl.replace(/\/+$/, '') + '/');
  } catch {
    throw new UploadError(`The upload URL "${options.uploadUrl}" is not a valid http(s) URL.`);
  }
  if (!['http:', 'https:'].includes(base.protocol)) throw new UploadError(`The upload URL "${options.uploadUrl}" must start with http:// or https://.`);
  if (!options.token) throw new UploadError('An upload token is needed (--token or TRIALHUB_UPLOAD_TOKEN).');
  const runName = options.runName ?? defaultRunName(options.dir);
  let files: string[];
  try {
    files = await listRunFiles(options.dir);
  } catch {
    throw new UploadError(`Nothing to upload: ${options.dir} does not exist.`);
  }
  if (!files.length) throw new UploadError(`Nothing to upload: ${options.dir} is empty.`);
  const fingerprint = await fingerprintRun(options.dir, files);
  const auth = { Authorization: `Bearer ${options.token}` };

  for (const file of files) {
    const path = join(options.dir, file);
    const size = (await stat(path)).size;
    const url = new URL(`${encodeURIComponent(runName)}/${encodePath(file)}`, base);
    let answer: Answer;
    try {
      answer = await send(url, 'PUT', { ...auth, 'Content-Type': contentTypeFor(file), 'Content-Length': size }, createReadStream(path));
    } catch (error) {
      throw new UploadError(`Uploading ${file} to ${url.origin} failed: ${(error as Error).message}`);
    }
    if (answer.status < 200 || answer.status > 299) throw new UploadError(`Uploading ${file} failed with HTTP ${answer.status}: ${serverMessage(answer)}`);
    options.onFile?.(file, size);
  }

  const completeUrl = new URL(`${encodeURIComponent(runName)}/complete`, base);
  const payload = JSON.stringify({ title: options.title ?? runName });
  let answer: Answer;
  try {
    answer = await send(completeUrl, 'POST', { ...auth, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) }, payload);
  } catch (error) {
    throw new UploadError(`Completing the upload at ${completeUrl.origin} failed: ${(error as Error).message}`);
  }
  if (answer.status < 200 || answer.status > 299) throw new UploadError(`Completing the upload failed with HTTP ${answer.status}: ${serverMessage(answer)}`);
  let result: { resultId?: unknown; url?: unknown };
  try {
    result = JSON.parse(answer.body);
  } catch {
    throw new UploadError(`The control plane's answer to completing the upload is not JSON: ${answer.body.slice(0, 200)}`);
  }
  if (typeof result.resultId !== 'string' || typeof result.url !== 'string') {
    throw new UploadError(`The control plane's answer to completing the upload lacks resultId or url: ${answer.body.slice(0, 200)}`);
  }
  let markerError: string | null = null;
  try {
    writeSavedMarker(options.dir, { resultId: result.resultId, url: result.url, runName, fingerprint, files: files.length, savedAt: new Date().toISOString() });
  } catch (error) {
    markerError = `the run was saved, but ${join(options.dir, SAVED_MARKER)} could not be written (${(error as Error).message}), so a session's stop may save it again`;
  }
  return { resultId: result.resultId, url: result.url, runName, files, fingerprint, markerError };
}
