import { imagePixels, InputRange } from '@trialhub/vision';

export type { InputRange } from '@trialhub/vision';

/** The largest photo try-it takes, in bytes and in pixels (decompression bombs stop at the pixel limit). */
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
export const MAX_PHOTO_PIXELS = 40_000_000;

export class PhotoError extends Error {}

/** A photo as the model's input, exactly as the trainer prepares its images (@trialhub/vision), in try-it's limits and words. */
export async function photoPixels(bytes: Buffer, size: number, range: InputRange): Promise<Float32Array> {
  try {
    return await imagePixels(bytes, size, range, { limitInputPixels: MAX_PHOTO_PIXELS });
  } catch (error) {
    const message = (error as Error).message;
    if (/pixel limit/i.test(message)) throw new PhotoError(`The photo has more than ${MAX_PHOTO_PIXELS / 1e6} million pixels; send a smaller one.`);
    throw new PhotoError('That is not a photo this can read: send a JPEG, PNG or WebP image.');
  }
}
