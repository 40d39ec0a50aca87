import { ApiRequestError, csrfToken } from './client';

export interface PhotoPrediction {
  label: string;
  confidence: number;
  scores: Record<string, number>;
  backend: string;
}

/** Try-it: the photo itself as the body (not JSON), answered by the result's own model. */
export async function predictPhoto(resultId: string, photo: Blob): Promise<PhotoPrediction> {
  const headers: Record<string, string> = { accept: 'application/json', 'content-type': photo.type || 'application/octet-stream' };
  const csrf = csrfToken();
  if (csrf) headers['x-csrf-token'] = csrf;
  let res: Response;
  try {
    res = await fetch(`/api/results/${encodeURIComponent(resultId)}/predict`, { method: 'POST', headers, credentials: 'same-origin', body: photo });
  } catch {
    throw new ApiRequestError(0, 'Cannot reach Trialhub. Check your connection and try again.');
  }
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new ApiRequestError(res.status, typeof body?.message === 'string' ? body.message : 'The photo could not be classified.');
  return body as PhotoPrediction;
}
