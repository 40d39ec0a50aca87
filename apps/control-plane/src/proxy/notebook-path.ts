/** Every notebook URL starts with this; Jupyter runs with `base_url` = `/notebook/<sessionId>/`. */
export const NOTEBOOK_PREFIX = '/notebook/';

const SESSION_PATH = /^\/notebook\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(\/.*)?$/i;

export interface NotebookPath {
  sessionId: string;
  /** True for `/notebook/<id>` without the trailing slash (redirected to the base URL). */
  bare: boolean;
}

/** The session a `/notebook/…` URL names, or null when it names none (a malformed id is an unknown session). */
export function parseNotebookPath(url: string): NotebookPath | null {
  const path = url.split('?', 1)[0];
  const m = SESSION_PATH.exec(path);
  if (!m) return null;
  return { sessionId: m[1].toLowerCase(), bare: m[2] === undefined };
}

export const isNotebookUrl = (url: string | undefined): boolean => !!url && (url === '/notebook' || url.startsWith(NOTEBOOK_PREFIX));

/**
 * Where a hand-off may go on: a path of that session's own notebook (`/notebook/<id>/…`), nothing
 * else (no other session, no `//host` or `\\host` that a browser reads as another site, no
 * scheme). Null when `next` is anything else; a missing `next` goes to the notebook's file list.
 */
export function safeNext(next: string | null, sessionId: string): string | null {
  if (next === null || next === '') return `${NOTEBOOK_PREFIX}${sessionId}/tree`;
  const prefix = `${NOTEBOOK_PREFIX}${sessionId}/`;
  if (!next.startsWith(prefix) || /[\\\u0000-\u001f\u007f]/.test(next)) return null;
  const base = 'http://notebook.invalid';
  let parsed: URL;
  try {
    parsed = new URL(next, base);
  } catch {
    return null;
  }
  if (parsed.origin !== base || !parsed.pathname.startsWith(prefix)) return null;
  return parsed.pathname + parsed.search + parsed.hash;
}
