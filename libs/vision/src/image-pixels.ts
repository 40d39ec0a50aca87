import type SharpModule from 'sharp';

// sharp (native, ~100 ms to load) is loaded by the first image, not when a server starts.
let sharpModule: Promise<typeof SharpModule> | undefined;
const loadSharp = () => (sharpModule ??= import('sharp').then((m) => m.default));

/** How pixel values are scaled before they enter the model. */
export type InputRange = '-1,1' | '0,1' | '0,255';

export const INPUT_RANGES: InputRange[] = ['-1,1', '0,1', '0,255'];

/** The image formats the trainer and try-it read, as sharp names them. */
export const IMAGE_FORMATS = ['jpeg', 'png', 'webp'] as const;
export const IMAGE_FORMATS_TEXT = 'JPEG, PNG or WebP';

export interface DecodeOptions {
  /** Decompression bombs stop here (sharp's default is about 268 million). */
  limitInputPixels?: number;
}

/**
 * Decodes an image and fits it into size x size like the seed did before retrain.py: the
 * aspect ratio is kept and the rest is padded (black), so nothing is stretched or cropped.
 * EXIF orientation is applied. Returns RGB pixels scaled to `range`, row-major HWC. The
 * trainer (every training photo) and try-it (every photo sent) both read images through this,
 * so a model sees at prediction exactly what it saw in training.
 */
export async function imagePixels(input: string | Buffer, size: number, range: InputRange, options: DecodeOptions = {}): Promise<Float32Array> {
  const sharp = await loadSharp();
  const raw = await sharp(input, { failOn: 'error', ...(options.limitInputPixels ? { limitInputPixels: options.limitInputPixels } : {}) })
    .rotate()
    .resize(size, size, { fit: 'contain', background: { r: 0, g: 0, b: 0 } })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer();
  if (raw.length !== size * size * 3) throw new Error(`decoded ${raw.length} bytes, expected ${size * size * 3}`);
  const pixels = new Float32Array(raw.length);
  const [scale, offset] = range === '-1,1' ? [2 / 255, -1] : range === '0,1' ? [1 / 255, 0] : [1, 0];
  for (let i = 0; i < raw.length; i++) pixels[i] = raw[i] * scale + offset;
  return pixels;
}

/** An image's format when it decodes whole, or why it cannot be used, in words for the person who sent it. */
export async function checkImage(bytes: Buffer, options: DecodeOptions = {}): Promise<{ format: string } | { problem: string }> {
  const sharp = await loadSharp();
  let format: string | undefined;
  try {
    format = (await sharp(bytes, { failOn: 'none' }).metadata()).format;
  } catch {
    return { problem: `not an image (${IMAGE_FORMATS_TEXT} expected)` };
  }
  if (!format || !(IMAGE_FORMATS as readonly string[]).includes(format)) return { problem: `a ${format ?? 'unknown'} image, not ${IMAGE_FORMATS_TEXT}` };
  try {
    // Decoding the whole image is the only way to know the bytes past the header are sound.
    await sharp(bytes, { failOn: 'error', ...(options.limitInputPixels ? { limitInputPixels: options.limitInputPixels } : {}) }).resize(8, 8).raw().toBuffer();
  } catch (error) {
    if (/pixel limit/i.test((error as Error).message)) return { problem: `more than ${Math.round((options.limitInputPixels ?? 0) / 1e6)} million pixels` };
    return { problem: `a damaged ${format.toUpperCase()} image (it does not decode)` };
  }
  return { format };
}
