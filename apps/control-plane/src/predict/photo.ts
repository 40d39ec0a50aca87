/** The largest photo try-it takes, in bytes and in pixels (decompression bombs stop at the pixel limit). */
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
export const MAX_PHOTO_PIXELS = 40_000_000;

export class PhotoError extends Error {}

export type InputRange = '-1,1' | '0,1' | '0,255';

/**
 * A photo as the model's input, the way the trainer prepares images: decoded (JPEG, PNG, WebP),
 * turned upright by its EXIF orientation, fitted into size x size keeping the aspect ratio with
 * black padding, RGB, scaled from 0..255 to the model's input range.
 */
export async function photoPixels(bytes: Buffer, size: number, range: InputRange): Promise<Float32Array> {
  // Loaded on the first photo, not at start-up.
  const { default: sharp } = await import('sharp');
  let raw: Buffer;
  try {
    raw = await sharp(bytes, { limitInputPixels: MAX_PHOTO_PIXELS, failOn: 'error' })
      .rotate()
      .resize(size, size, { fit: 'contain', background: { r: 0, g: 0, b: 0 } })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer();
  } catch (error) {
    const message = (error as Error).message;
    if (/pixel limit/i.test(message)) throw new PhotoError(`The photo has more than ${MAX_PHOTO_PIXELS / 1e6} million pixels; send a smaller one.`);
    throw new PhotoError('That is not a photo this can read: send a JPEG, PNG or WebP image.');
  }
  const out = new Float32Array(raw.length);
  const [scale, offset] = range === '-1,1' ? [2 / 255, -1] : range === '0,1' ? [1 / 255, 0] : [1, 0];
  for (let i = 0; i < raw.length; i++) out[i] = raw[i] * scale + offset;
  return out;
}
