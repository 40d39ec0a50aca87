import sharp from 'sharp';

/** How pixel values are scaled before they enter the model. */
export type InputRange = '-1,1' | '0,1' | '0,255';

export const INPUT_RANGES: InputRange[] = ['-1,1', '0,1', '0,255'];

/**
 * Decodes an image and fits it into size x size like the seed did before retrain.py: the
 * aspect ratio is kept and the rest is padded (black), so nothing is stretched or cropped.
 * EXIF orientation is applied. Returns RGB pixels scaled to `range`, row-major HWC.
 */
export async function loadImagePixels(path: string | Buffer, size: number, range: InputRange): Promise<Float32Array> {
  const raw = await sharp(path, { failOn: 'error' })
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

/** A small JPEG for the HTML report, as a data: URL. */
export async function thumbnailDataUrl(path: string, size = 160): Promise<string | undefined> {
  try {
    const jpeg = await sharp(path).rotate().resize(size, size, { fit: 'inside' }).jpeg({ quality: 75 }).toBuffer();
    return `data:image/jpeg;base64,${jpeg.toString('base64')}`;
  } catch {
    return undefined;
  }
}
