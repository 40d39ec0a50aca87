import type { PhotoUploadView } from '@trialhub/contracts';
import { ApiRequestError, csrfToken } from './client';

/**
 * Your own photos: the .zip itself as the body (not JSON); a refused upload's `details` are the files left out, each with its reason. XMLHttpRequest rather than fetch,
 * because only it reports how much of the body has been sent (the progress bar).
 */
export function uploadPhotos(sessionId: string, zip: Blob, onProgress: (sent: number, total: number) => void): Promise<PhotoUploadView> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/sessions/${encodeURIComponent(sessionId)}/photos`);
    xhr.setRequestHeader('content-type', 'application/zip');
    xhr.setRequestHeader('accept', 'application/json');
    const csrf = csrfToken();
    if (csrf) xhr.setRequestHeader('x-csrf-token', csrf);
    xhr.withCredentials = true;
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : zip.size);
    xhr.onerror = () => reject(new ApiRequestError(0, 'Cannot reach Trialhub. Check your connection and try again.'));
    xhr.onload = () => {
      let body: { message?: unknown; details?: unknown } | null = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as unknown as PhotoUploadView);
      else reject(new ApiRequestError(xhr.status, typeof body?.message === 'string' ? body.message : 'The photos could not be added.', Array.isArray(body?.details) ? (body!.details as string[]) : []));
    };
    xhr.send(zip);
  });
}
