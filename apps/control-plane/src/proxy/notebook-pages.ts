import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { SessionRow } from './notebook-access.service';

/** An answer the proxy gives itself, instead of the notebook: a page for browsers, the API's JSON error for programs. */
export interface ProxyAnswer {
  status: number;
  title: string;
  message: string;
  /** Where the page's button goes (the portal). */
  link: { href: string; label: string };
  /** Seconds after which the page reloads itself (a notebook that is starting). */
  refreshSeconds?: number;
}

const portal = { href: '/', label: 'Back to your dashboard' };
const sessionPage = (id: string) => ({ href: `/sessions/${id}`, label: 'Open the session in the portal' });

export const anonymousAnswer = (sessionId: string, message: string): ProxyAnswer => ({
  status: 401,
  title: 'Log in to open this notebook',
  message,
  link: { href: `/login?next=${encodeURIComponent(`/sessions/${sessionId}`)}`, label: 'Log in' },
});

/** On a notebook origin: no (or an ended) notebook log-in. The link goes back through the portal, which hands off again. */
export const notebookLoginAnswer = (message: string, againHref: string): ProxyAnswer => ({
  status: 401,
  title: 'Open this notebook from the portal',
  message,
  link: { href: againHref, label: 'Open the notebook again' },
});

export const handoffFailedAnswer = (againHref: string): ProxyAnswer => ({
  status: 403,
  title: 'This notebook link has expired',
  message: 'Links that open a notebook work once, for one minute, for the account that asked for them. Open the notebook again from the portal.',
  link: { href: againHref, label: 'Open the notebook again' },
});

/** The same answer with its link made absolute on the portal (a notebook origin serves no portal pages). */
export const linkingToPortal = (answer: ProxyAnswer, publicUrl: string): ProxyAnswer =>
  /^https?:\/\//.test(answer.link.href) ? answer : { ...answer, link: { ...answer.link, href: `${publicUrl}${answer.link.href}` } };

export const notFoundAnswer = (): ProxyAnswer => ({
  status: 404,
  title: 'No notebook here',
  message: 'This notebook does not exist, or it belongs to another account. Your notebooks are listed on your dashboard.',
  link: portal,
});

export const crossSiteAnswer = (): ProxyAnswer => ({
  status: 403,
  title: 'Request refused',
  message: 'This request to your notebook came from another site, or lacked the XSRF token Jupyter sends; it was not passed on. Reload the notebook page and try again.',
  link: portal,
});

export const unreachableAnswer = (sessionId: string): ProxyAnswer => ({
  status: 502,
  title: 'The notebook server is not answering',
  message: 'Your notebook server did not answer. If it stopped, the portal shows why; this page retries in a few seconds.',
  link: sessionPage(sessionId),
  refreshSeconds: 5,
});

/** The owner's session exists but has no notebook server to reach: say why, and what to do. */
export function notRunningAnswer(sessionId: string, session: SessionRow): ProxyAnswer {
  switch (session.state) {
    case 'queued':
    case 'provisioning':
    case 'starting':
    case 'waiting':
      return {
        status: 503,
        title: 'Your notebook is starting',
        message: session.state === 'queued' ? 'Your notebook is waiting for a free slot. This page reloads by itself.' : session.state === 'waiting' ? 'Your notebook is waiting for a free GPU. This page reloads by itself.' : 'Your notebook server is starting; this usually takes a few seconds. This page reloads by itself.',
        link: sessionPage(sessionId),
        refreshSeconds: 2,
      };
    case 'ready':
      return {
        status: 409,
        title: 'This session has no notebook',
        message: 'Jupyter is not installed on this server, so this session runs the trainer headless. Its results appear on your Results page.',
        link: { href: '/results', label: 'Go to your results' },
      };
    case 'stopping':
      return { status: 410, title: 'Your notebook is stopping', message: 'This notebook session is stopping; its outputs are being saved.', link: sessionPage(sessionId) };
    case 'failed':
      return { status: 410, title: 'This notebook failed', message: `This notebook session failed${session.reason ? `: ${session.reason}` : '.'} You can start a new one from your dashboard.`, link: sessionPage(sessionId) };
    default:
      return { status: 410, title: 'This notebook has stopped', message: 'This notebook session has stopped. Your workspace is kept while the trial lasts: resume the session from the portal.', link: sessionPage(sessionId) };
  }
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function renderPage(answer: ProxyAnswer): string {
  const refresh = answer.refreshSeconds ? `<meta http-equiv="refresh" content="${answer.refreshSeconds}">` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">${refresh}
<title>${escapeHtml(answer.title)} · Trialhub</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:10vh auto;padding:0 1rem;color:#1f2933}h1{font-size:1.5rem}p{line-height:1.5;white-space:pre-line}a{display:inline-block;margin-top:1rem;padding:.5rem 1rem;background:#2563eb;color:#fff;border-radius:.375rem;text-decoration:none}</style>
</head><body><h1>${escapeHtml(answer.title)}</h1><p>${escapeHtml(answer.message)}</p><a href="${escapeHtml(answer.link.href)}">${escapeHtml(answer.link.label)}</a></body></html>
`;
}

const wantsHtml = (headers: IncomingHttpHeaders) => /\btext\/html\b/.test(headers.accept ?? '');

/** Sends the answer as a page to browsers and as `{statusCode, error, message, requestId}` to everyone else. */
export function sendAnswer(res: ServerResponse, headers: IncomingHttpHeaders, answer: ProxyAnswer, requestId?: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.statusCode = answer.status;
  res.setHeader('Cache-Control', 'no-store');
  if (answer.refreshSeconds) res.setHeader('Retry-After', String(answer.refreshSeconds));
  if (wantsHtml(headers)) {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(renderPage(answer));
    return;
  }
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(JSON.stringify({ statusCode: answer.status, error: STATUS_CODES[answer.status] ?? 'Error', message: answer.message, requestId }));
}

/** The same answer on a raw socket, for a WebSocket upgrade that cannot be passed on. */
export function rejectUpgrade(socket: import('node:stream').Duplex, answer: ProxyAnswer): void {
  const body = JSON.stringify({ statusCode: answer.status, error: STATUS_CODES[answer.status] ?? 'Error', message: answer.message });
  socket.end(
    `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? 'Error'}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
