import sharp from 'sharp';
import { imagePixels, InputRange } from '@trialhub/vision';

export { INPUT_RANGES, type InputRange } from '@trialhub/vision';

/**
 * Decodes an image and fits it into size x size like the seed did before retrain.py (the one
 * pipeline in @trialhub/vision, which try-it uses too). Returns RGB pixels scaled to `range`.
 */
export function loadImagePixels(path: string | Buffer, size: number, range: InputRange): Promise<Float32Array> {
  return imagePixels(path, size, range);
}

/** A small JPEG for the HTML report, as a data: URL. */
export async function thumbnailDataUrl(path: string, size = 160): Promise<string | undefined> {
  try {
    const jpeg = await sharp(path).rotate().resize(size, size, { fit: 'inside' }).jpeg({ quality: 75 }).toBuffer();
    return `data:image/jpeg;base64,${jpeg.toString('base64')}`;
  } catch {
    return undefined;
  }
}
