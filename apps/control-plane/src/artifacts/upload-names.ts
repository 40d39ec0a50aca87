/** Limits on the names a session may give its files (the path under the run). */
export const MAX_NAME_LENGTH = 512;
export const MAX_SEGMENT_LENGTH = 128;
export const MAX_DEPTH = 12;

export class UploadNameError extends Error {}

// Control characters (C0, DEL, C1), and characters that mean something to file systems or shells on some platforms.
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\\]/;

function checkSegment(segment: string, what: string): void {
  if (segment === '') throw new UploadNameError(`${what} has an empty part (a double or trailing "/").`);
  if (segment === '.' || segment === '..') throw new UploadNameError(`${what} may not contain "." or ".." parts.`);
  if (FORBIDDEN.test(segment)) throw new UploadNameError(`${what} may not contain control characters, NUL or backslashes.`);
  if (segment.length > MAX_SEGMENT_LENGTH) throw new UploadNameError(`${what} has a part longer than ${MAX_SEGMENT_LENGTH} characters.`);
  if (segment.trim() !== segment) throw new UploadNameError(`${what} has a part that starts or ends with white space.`);
}

function decode(raw: string, what: string): string {
  try {
    return decodeURIComponent(raw).normalize('NFC');
  } catch {
    throw new UploadNameError(`${what} is not valid percent-encoded UTF-8.`);
  }
}

/**
 * The run name and file name of an upload URL path (the part after `/api/uploads/`), each
 * URL segment decoded on its own so an encoded "/" cannot smuggle in a traversal.
 */
export function parseUploadPath(rawPath: string): { runName: string; fileName: string } {
  const segments = rawPath.split('?')[0].split('/');
  if (segments.length < 2) throw new UploadNameError('The upload path must be /api/uploads/<run name>/<file path>.');
  const runName = decode(segments[0], 'The run name');
  if (runName.includes('/')) throw new UploadNameError('The run name may not contain "/".');
  checkSegment(runName, 'The run name');
  const fileName = normaliseFileName(segments.slice(1).map((s) => decode(s, 'The file name')).join('/'));
  return { runName, fileName };
}

/** Validates a relative file name inside a result, e.g. `model/model.json`; returns it unchanged when it is acceptable. */
export function normaliseFileName(name: string): string {
  const what = `The file name "${name.slice(0, 80).replace(/[\u0000-\u001f\u007f-\u009f]/g, '?')}"`;
  if (name.startsWith('/')) throw new UploadNameError(`${what} must be relative (no leading "/").`);
  if (/^[a-zA-Z]:/.test(name)) throw new UploadNameError(`${what} must be relative (no drive letter).`);
  if (name.length > MAX_NAME_LENGTH) throw new UploadNameError(`${what} is longer than ${MAX_NAME_LENGTH} characters.`);
  const parts = name.split('/');
  if (parts.length > MAX_DEPTH) throw new UploadNameError(`${what} is nested deeper than ${MAX_DEPTH} folders.`);
  for (const part of parts) checkSegment(part, what);
  return name;
}
