import { describe, expect, it } from 'vitest';
import { normaliseFileName, parseUploadPath, UploadNameError } from './upload-names';

describe('upload names', () => {
  it('splits the URL path into run and file, decoding each segment on its own', () => {
    expect(parseUploadPath('run-1/model/model.json')).toEqual({ runName: 'run-1', fileName: 'model/model.json' });
    expect(parseUploadPath('my%20run/caf%C3%A9.txt?x=1')).toEqual({ runName: 'my run', fileName: 'café.txt' });
  });

  it.each([
    ['run/../x', /"\." or "\.\."/],
    ['run/a/%2e%2e/b', /"\." or "\.\."/],
    ['run/a%2F..%2F..%2Fb', /"\." or "\.\."/],
    ['run/%2Fetc%2Fpasswd', /relative/],
    ['run/C:%5Cwin', /drive letter/],
    ['run/a%00b', /control characters/],
    ['run/a%1Bb', /control characters/],
    ['run/a%5Cb', /backslashes/],
    ['run/a//b', /empty part/],
    ['run/ a', /white space/],
    ['run/%E0%A4%A', /percent-encoded/],
    ['..%2Fother/x', /run name/],
    ['run', /<run name>\/<file path>/],
  ])('refuses %s', (path, message) => {
    expect(() => parseUploadPath(path)).toThrowError(message);
  });

  it('limits length and depth', () => {
    expect(() => normaliseFileName(`${'a/'.repeat(12)}b`)).toThrowError(/deeper than 12/);
    expect(() => normaliseFileName('a'.repeat(129))).toThrowError(/longer than 128/);
    expect(() => normaliseFileName(Array(5).fill('y'.repeat(120)).join('/'))).toThrowError(/longer than 512/);
    expect(() => normaliseFileName('')).toThrowError(UploadNameError);
    expect(normaliseFileName('test_images/house_with_pool/1.jpg')).toBe('test_images/house_with_pool/1.jpg');
  });
});
