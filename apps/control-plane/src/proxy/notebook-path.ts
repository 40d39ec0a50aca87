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
