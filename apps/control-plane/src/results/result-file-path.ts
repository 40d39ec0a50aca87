import { BadRequestException } from '@nestjs/common';

/**
 * The file name in a download URL (everything after `…/files/`), each segment decoded on
 * its own. It is only ever looked up among the result's artifact names, never used as a path.
 */
export function fileNameFromUrl(originalUrl: string, marker = '/files/'): string {
  const path = originalUrl.split('?')[0];
  const at = path.indexOf(marker);
  if (at < 0) throw new BadRequestException('Name the file: …/files/<path>.');
  try {
    return path
      .slice(at + marker.length)
      .split('/')
      .map((s) => decodeURIComponent(s).normalize('NFC'))
      .join('/');
  } catch {
    throw new BadRequestException('The file name is not valid percent-encoded UTF-8.');
  }
}
