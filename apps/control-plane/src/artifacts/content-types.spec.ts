import { describe, expect, it } from 'vitest';
import { contentKindFor, contentMismatch, declaredTypeMatches } from './content-types';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]);

describe('content types', () => {
  it('derives the type from the extension and serves only safe types inline', () => {
    expect(contentKindFor('a/b.PNG')).toMatchObject({ type: 'image/png', inline: true });
    expect(contentKindFor('report.html')).toMatchObject({ type: 'text/html; charset=utf-8', inline: false });
    expect(contentKindFor('drawing.svg').inline).toBe(false);
    expect(contentKindFor('nb.ipynb')).toMatchObject({ check: 'json', inline: false });
    expect(contentKindFor('model/weights.bin')).toMatchObject({ type: 'application/octet-stream', inline: false });
    expect(contentKindFor('folder.v2/README')).toMatchObject({ type: 'application/octet-stream' });
  });

  it('checks the bytes against the extension', () => {
    const check = (name: string, head: Buffer, whole: Buffer | null = head) => contentMismatch(name, contentKindFor(name), head, whole);
    expect(check('a.png', PNG)).toBeNull();
    expect(check('a.png', JPEG)).toMatch(/PNG image/);
    expect(check('a.jpeg', JPEG)).toBeNull();
    expect(check('a.jpg', Buffer.from('<html>'))).toMatch(/JPEG image/);
    expect(check('m.json', Buffer.from('\uFEFF{"a": [1, 2]}'))).toBeNull();
    expect(check('m.json', Buffer.from('{"a": '))).toMatch(/not valid JSON/);
    expect(check('big.json', Buffer.from('  [1, 2'), null)).toBeNull();
    expect(check('big.json', Buffer.from('<html>'), null)).toMatch(/does not start with/);
    expect(check('notes.txt', Buffer.from('a\0b'))).toMatch(/binary data/);
    expect(check('weights.bin', Buffer.from([0, 1, 2]))).toBeNull();
  });

  it('accepts a declared Content-Type only when it agrees with the extension', () => {
    expect(declaredTypeMatches(undefined, contentKindFor('a.png'))).toBe(true);
    expect(declaredTypeMatches('application/octet-stream', contentKindFor('a.png'))).toBe(true);
    expect(declaredTypeMatches('image/png', contentKindFor('a.png'))).toBe(true);
    expect(declaredTypeMatches('application/x-ipynb+json', contentKindFor('n.ipynb'))).toBe(true);
    expect(declaredTypeMatches('text/plain; charset=utf-8', contentKindFor('r.html'))).toBe(true);
    expect(declaredTypeMatches('image/png', contentKindFor('m.json'))).toBe(false);
    expect(declaredTypeMatches('text/html', contentKindFor('a.png'))).toBe(false);
  });
});
