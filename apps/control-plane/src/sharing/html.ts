/** Escapes text for HTML element content and quoted attribute values. */
export const escapeHtml = (value: unknown): string =>
  String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A path for a URL: each segment percent-encoded. */
export const encodePath = (name: string): string => name.split('/').map(encodeURIComponent).join('/');
